use serde::{Deserialize, Serialize};

use super::IdentityRef;
use super::lenient::or_default;

/// Policy type "Status": require a successful status from an external service.
pub const STATUS_POLICY_TYPE_ID: &str = "cbdc66da-9728-4af8-aada-9a5a32e4a226";

/// `GET {org}/{project}/_apis/policy/configurations` entry. `settings` varies by policy type, so it
/// stays raw JSON; [`PolicyConfiguration::status_settings`] reads the Status policy's settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyConfiguration {
    pub id: i64,
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(rename = "type")]
    pub policy_type: PolicyType,
    #[serde(default, deserialize_with = "or_default")]
    pub is_enabled: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub is_blocking: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub is_deleted: bool,
    #[serde(default)]
    pub settings: serde_json::Value,
    #[serde(default)]
    pub created_by: Option<IdentityRef>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyType {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// Settings of a Status policy (type [`STATUS_POLICY_TYPE_ID`]). Stored as the creating client
/// sent them, so every optional field accepts `null` as well as absence; only a missing or
/// non-string `statusName`, or values of the wrong type, make the settings unreadable.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StatusPolicySettings {
    #[serde(default)]
    pub status_genre: Option<String>,
    pub status_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub invalidate_on_source_update: bool,
    /// `None` = applies by default; `Some(1)` = conditional (only once a status was posted).
    #[serde(default)]
    pub policy_applicability: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_display_name: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub filename_patterns: Vec<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub scope: Vec<PolicyScope>,
}

/// Where a policy applies. `repository_id: None` means every repository of the project.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyScope {
    #[serde(default)]
    pub repository_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_name: Option<String>,
    /// `exact`, `prefix` or `DefaultBranch`; Azure DevOps is not consistent about case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_kind: Option<String>,
}

impl PolicyConfiguration {
    pub fn is_status_policy(&self) -> bool {
        self.policy_type
            .id
            .eq_ignore_ascii_case(STATUS_POLICY_TYPE_ID)
    }

    /// The Status policy settings: `None` when this is not a Status policy, `Some(Err(why))` when
    /// its settings cannot be read (such a policy is *unknown*, never absent).
    pub fn status_settings(&self) -> Option<Result<StatusPolicySettings, String>> {
        if !self.is_status_policy() {
            return None;
        }
        Some(StatusPolicySettings::deserialize(&self.settings).map_err(|e| e.to_string()))
    }
}

/// Body of `POST {org}/{project}/_apis/policy/configurations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPolicyConfiguration {
    pub is_enabled: bool,
    pub is_blocking: bool,
    #[serde(rename = "type")]
    pub policy_type: PolicyTypeRef,
    pub settings: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyTypeRef {
    pub id: String,
}
