use serde::{Deserialize, Serialize};

/// `GET {org}/{project}/_apis/build/definitions` entry (reference fields only).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinitionRef {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
}

/// `GET {org}/_apis/distributedtask/pools` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPool {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub is_hosted: Option<bool>,
}
