use serde::{Deserialize, Serialize};

use super::lenient::or_default;

/// `GET {org}/_apis/git/repositories` entry (7.1 fields).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    pub project: RepositoryProject,
    /// Absent for an empty repository (nothing pushed yet).
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub remote_url: Option<String>,
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub is_disabled: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub is_fork: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub is_in_maintenance: bool,
}

/// The project reference every repository carries.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryProject {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub visibility: Option<String>,
}
