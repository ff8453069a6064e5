//! Service hook notifications (`azure-devops-api.md` §14): the delivery history Azure DevOps keeps
//! per subscription, and test notifications. Every answer field may be `null` or absent; result and
//! status values the tool does not know are kept as text.

use serde::{Deserialize, Deserializer, Serialize};

/// `NotificationResult`; unknown values are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
pub enum NotificationResult {
    Pending,
    Succeeded,
    Failed,
    Filtered,
    Other(String),
}

impl From<String> for NotificationResult {
    fn from(raw: String) -> Self {
        match raw.to_ascii_lowercase().as_str() {
            "pending" => Self::Pending,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "filtered" => Self::Filtered,
            _ => Self::Other(raw),
        }
    }
}

impl NotificationResult {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Filtered => "filtered",
            Self::Other(raw) => raw,
        }
    }
}

impl Serialize for NotificationResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `NotificationStatus` (`queued`, `processing`, `requestInProgress`, `completed`); unknown values
/// are kept.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum NotificationStatus {
    Completed,
    /// Any other stage: the delivery has not finished yet.
    InFlight(String),
}

impl From<String> for NotificationStatus {
    fn from(raw: String) -> Self {
        if raw.eq_ignore_ascii_case("completed") {
            Self::Completed
        } else {
            Self::InFlight(raw)
        }
    }
}

/// The body of `POST _apis/hooks/notificationsquery`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationsQuery {
    pub subscription_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_created_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_type: Option<NotificationResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results_per_subscription: Option<u32>,
    pub include_details: bool,
}

/// The query's answer: the query echoed with `results` and `summary`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationsQueryAnswer {
    #[serde(default, deserialize_with = "null_as_default")]
    pub results: Vec<Notification>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub summary: Vec<NotificationSummary>,
}

/// Counts per result for one subscription.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSummary {
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub results: Vec<NotificationResultCount>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationResultCount {
    #[serde(default)]
    pub result: Option<NotificationResult>,
    #[serde(default)]
    pub notification_count: Option<u64>,
}

/// One delivery (or filtered event).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub result: Option<NotificationResult>,
    #[serde(default)]
    pub status: Option<NotificationStatus>,
    #[serde(default)]
    pub details: Option<NotificationDetails>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDetails {
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub dequeued_date: Option<String>,
    #[serde(default)]
    pub completed_date: Option<String>,
    /// Milliseconds, per the service's examples (a number).
    #[serde(default)]
    pub request_duration: Option<f64>,
    /// The gate's answer as text: its HTTP status line first.
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
}

impl Notification {
    pub fn is_completed(&self) -> bool {
        self.status == Some(NotificationStatus::Completed)
    }

    fn details_text(&self, pick: fn(&NotificationDetails) -> Option<&String>) -> Option<&str> {
        self.details
            .as_ref()
            .and_then(pick)
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }

    pub fn response(&self) -> Option<&str> {
        self.details_text(|d| d.response.as_ref())
    }

    pub fn error_message(&self) -> Option<&str> {
        self.details_text(|d| d.error_message.as_ref())
    }

    /// The gate's HTTP status: the API has no numeric field, so it is read from the status line of
    /// `details.response` (`HTTP/1.1 401 Unauthorized`, `Status Code: 401`) or from `errorMessage`
    /// (`... returned an error: (401) Unauthorized.`).
    pub fn http_status(&self) -> Option<u16> {
        self.response()
            .and_then(status_from_response)
            .or_else(|| self.error_message().and_then(status_from_error))
    }
}

fn status_from_response(text: &str) -> Option<u16> {
    let line = text.lines().find(|l| !l.trim().is_empty())?.trim();
    let rest = if let Some(rest) = line.strip_prefix("HTTP/") {
        rest.split_once(' ')?.1
    } else {
        let lower = line.to_ascii_lowercase();
        let at = lower.find("status code")?;
        line[at + "status code".len()..].trim_start_matches([':', ' '])
    };
    three_digits(rest)
}

fn status_from_error(text: &str) -> Option<u16> {
    let at = text.find('(')?;
    let inner = &text[at + 1..];
    let close = inner.find(')')?;
    three_digits(&inner[..close])
}

/// A leading HTTP status code (100–599).
fn three_digits(text: &str) -> Option<u16> {
    let digits: String = text
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse::<u16>()
        .ok()
        .filter(|c| (100..600).contains(c) && digits.len() == 3)
}

/// `null` reads as the type's default (an empty list).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Notification {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn every_field_may_be_null_or_absent_and_unknown_values_are_kept() {
        let n = parse(r#"{"id":null,"result":"throttled","status":"dequeued","details":null}"#);
        assert_eq!(
            n.result,
            Some(NotificationResult::Other("throttled".into()))
        );
        assert!(!n.is_completed());
        assert_eq!(n.http_status(), None);
        let answer: NotificationsQueryAnswer =
            serde_json::from_str(r#"{"results":null,"summary":[{"results":null}]}"#)
                .unwrap_or_default();
        assert!(answer.results.is_empty());
        assert_eq!(answer.summary.len(), 1);
    }

    #[test]
    fn http_status_comes_from_the_status_line_or_the_error_message() {
        let with = |response: &str, error: &str| {
            parse(
                &serde_json::json!({"details": {"response": response, "errorMessage": error}})
                    .to_string(),
            )
            .http_status()
        };
        assert_eq!(with("HTTP/1.1 401 Unauthorized\r\n\r\nno", ""), Some(401));
        assert_eq!(with("Status Code: 404 NotFound", ""), Some(404));
        assert_eq!(
            with("", "The remote server returned an error: (410) Gone."),
            Some(410)
        );
        assert_eq!(with("", "The operation has timed out."), None);
        assert_eq!(with("garbage 1234", "(12345)"), None);
    }
}
