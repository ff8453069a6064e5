use serde::{Deserialize, Serialize};

/// Security namespace of service hooks; tokens are `PublisherSecurity/{projectId}`.
pub const SERVICE_HOOKS_NAMESPACE_ID: &str = "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046";
pub const SERVICE_HOOKS_VIEW: u32 = 1;
pub const SERVICE_HOOKS_EDIT: u32 = 2;
/// Git repositories namespace; tokens are `repoV2/{projectId}[/{repoId}]`.
pub const GIT_NAMESPACE_ID: &str = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
pub const GIT_EDIT_POLICIES: u32 = 2048;
/// Git "Contribute to pull requests": what posting a pull-request status needs (§13).
pub const GIT_PULL_REQUEST_CONTRIBUTE: u32 = 16384;

/// `POST {org}/_apis/security/permissionevaluationbatch` request and response (the server echoes the
/// evaluations with `value` filled in).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionEvaluationBatch {
    #[serde(default, alias = "alwaysallowadministrators")]
    pub always_allow_administrators: bool,
    #[serde(default)]
    pub evaluations: Vec<PermissionEvaluation>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionEvaluation {
    #[serde(alias = "securitynamespaceid")]
    pub security_namespace_id: String,
    pub token: String,
    pub permissions: u32,
    /// Filled in by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<bool>,
}

impl PermissionEvaluation {
    pub fn new(namespace: &str, token: String, permissions: u32) -> Self {
        Self {
            security_namespace_id: namespace.to_owned(),
            token,
            permissions,
            value: None,
        }
    }
}
