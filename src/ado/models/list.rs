use serde::{Deserialize, Serialize};

/// The `{ "count": n, "value": [...] }` envelope of every Azure DevOps list.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ListResponse<T> {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}
