use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient::{inputs, or_default};

/// Service hook subscription status, as the hooks API spells it. The server-side enum knows more
/// values than the five documented ones (disabled for missing permissions, pending deletion, jailed
/// for volume, ...): those are kept as [`SubscriptionStatus::Other`], never a parse failure.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubscriptionStatus {
    Enabled,
    OnProbation,
    DisabledByUser,
    DisabledBySystem,
    DisabledByInactiveIdentity,
    /// A value this tool does not know, as the server spelled it.
    Other(String),
}

impl SubscriptionStatus {
    const KNOWN: [Self; 5] = [
        Self::Enabled,
        Self::OnProbation,
        Self::DisabledByUser,
        Self::DisabledBySystem,
        Self::DisabledByInactiveIdentity,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            Self::Enabled => "enabled",
            Self::OnProbation => "onProbation",
            Self::DisabledByUser => "disabledByUser",
            Self::DisabledBySystem => "disabledBySystem",
            Self::DisabledByInactiveIdentity => "disabledByInactiveIdentity",
            Self::Other(value) => value,
        }
    }

    /// The API spelling (case-insensitive), or [`Self::Other`].
    pub fn parse(value: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value))
            .unwrap_or_else(|| Self::Other(value.to_owned()))
    }
}

impl Serialize for SubscriptionStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubscriptionStatus {
    /// Absent or `null` reads as enabled, the server's default; numbers (the .NET enum's values)
    /// are kept as their text.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<serde_json::Value>::deserialize(d)? {
            None | Some(serde_json::Value::Null) => Self::Enabled,
            Some(serde_json::Value::String(s)) => Self::parse(&s),
            Some(other) => Self::Other(other.to_string()),
        })
    }
}

/// A minimal identity reference (`createdBy`, `modifiedBy`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRef {
    #[serde(default, deserialize_with = "or_default")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
}

/// A subscription as the hooks API returns it. Confidential consumer inputs come back masked
/// (`********`), so a `Subscription` is never a safe body to send back unchanged.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub publisher_id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub event_type: String,
    #[serde(default)]
    pub resource_version: Option<String>,
    #[serde(default)]
    pub event_description: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub consumer_id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub consumer_action_id: String,
    #[serde(default)]
    pub action_description: Option<String>,
    /// Absent in older examples; treated as enabled then, which is what the server defaults to.
    #[serde(default = "default_status")]
    pub status: SubscriptionStatus,
    #[serde(default)]
    pub created_by: Option<IdentityRef>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub modified_by: Option<IdentityRef>,
    #[serde(default)]
    pub modified_date: Option<String>,
    #[serde(default, deserialize_with = "inputs")]
    pub publisher_inputs: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "inputs")]
    pub consumer_inputs: BTreeMap<String, String>,
    #[serde(default)]
    pub probation_retries: Option<u32>,
}

fn default_status() -> SubscriptionStatus {
    SubscriptionStatus::Enabled
}

impl Subscription {
    pub fn project_id(&self) -> Option<&str> {
        self.publisher_inputs.get("projectId").map(String::as_str)
    }

    /// The repository filter; `None` (or empty) means every repository of the project.
    pub fn repository_id(&self) -> Option<&str> {
        self.publisher_inputs
            .get("repository")
            .map(String::as_str)
            .filter(|r| !r.is_empty())
    }

    pub fn consumer_url(&self) -> Option<&str> {
        self.consumer_inputs.get("url").map(String::as_str)
    }
}

/// Body of `POST`/`PUT {org}/_apis/hooks/subscriptions`. Holds the real consumer secrets, so it is
/// deliberately not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSubscription {
    pub publisher_id: String,
    pub event_type: String,
    pub resource_version: String,
    pub consumer_id: String,
    pub consumer_action_id: String,
    pub publisher_inputs: BTreeMap<String, String>,
    pub consumer_inputs: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
}

/// Query filters of `GET {org}/_apis/hooks/subscriptions`.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilter {
    pub publisher_id: Option<String>,
    pub event_type: Option<String>,
    pub consumer_id: Option<String>,
    pub consumer_action_id: Option<String>,
}

impl SubscriptionFilter {
    /// The filter the gate uses: TFS events delivered to web hooks over HTTP.
    pub fn webhooks() -> Self {
        Self {
            publisher_id: Some("tfs".into()),
            event_type: None,
            consumer_id: Some("webHooks".into()),
            consumer_action_id: Some("httpRequest".into()),
        }
    }

    pub(crate) fn query(&self) -> Vec<(&'static str, &str)> {
        [
            ("publisherId", &self.publisher_id),
            ("eventType", &self.event_type),
            ("consumerId", &self.consumer_id),
            ("consumerActionId", &self.consumer_action_id),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}
