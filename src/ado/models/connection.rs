use serde::{Deserialize, Serialize};

/// The identity public-project organizations report for an unauthenticated (rejected) caller.
pub const ANONYMOUS_USER_ID: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

/// `GET {org}/_apis/connectionData`: who the token belongs to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionData {
    pub authenticated_user: Identity,
    #[serde(default)]
    pub authorized_user: Option<Identity>,
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub deployment_id: Option<String>,
    #[serde(default)]
    pub deployment_type: Option<String>,
}

/// An identity as `connectionData` describes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub id: String,
    #[serde(default)]
    pub descriptor: Option<String>,
    #[serde(default)]
    pub subject_descriptor: Option<String>,
    #[serde(default)]
    pub provider_display_name: Option<String>,
    #[serde(default)]
    pub custom_display_name: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Property bag; `Account.$value` holds the sign-in name.
    #[serde(default)]
    pub properties: serde_json::Value,
}

impl Identity {
    pub fn is_anonymous(&self) -> bool {
        self.id.eq_ignore_ascii_case(ANONYMOUS_USER_ID)
    }

    /// The name people see on comments: the custom name if set, else the provider's.
    pub fn display_name(&self) -> Option<&str> {
        self.custom_display_name
            .as_deref()
            .or(self.provider_display_name.as_deref())
    }

    /// The sign-in name (`properties.Account.$value`), when the server includes it.
    pub fn unique_name(&self) -> Option<&str> {
        self.properties.get("Account")?.get("$value")?.as_str()
    }
}
