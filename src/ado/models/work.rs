use serde::{Deserialize, Serialize};

/// `GET {org}/_apis/wit/fields` entry (only what the probe needs).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkItemField {
    pub name: String,
    pub reference_name: String,
    #[serde(default, rename = "type")]
    pub field_type: Option<String>,
}
