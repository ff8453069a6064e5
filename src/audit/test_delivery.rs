//! A test delivery: Azure DevOps sends a test event through a real gate subscription, the tool
//! waits (bounded) for the outcome and says what the gate answered, how long it took and why it
//! failed. Shared by `azdo-gate test-delivery` and the wizard.

use std::time::Duration;

use serde::Serialize;

use super::deliveries::{Cause, response_excerpt, status_text};
use crate::ado::models::{Notification, NotificationResult, Repository, Subscription};
use crate::ado::{AdoError, Client};
use crate::profile::GateProfile;

/// How long to wait for Azure DevOps to complete a test delivery (its own timeout towards the gate
/// is shorter), and how often to look.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    pub limit: Duration,
    pub every: Duration,
}

impl Default for Wait {
    fn default() -> Self {
        Self {
            limit: Duration::from_secs(90),
            every: Duration::from_millis(500),
        }
    }
}

/// Why a test delivery could not be made (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum TestDeliveryError {
    #[error(transparent)]
    Ado(#[from] AdoError),
    #[error("Azure DevOps accepted the test event but gave no notification id to follow")]
    NoId,
    #[error("Azure DevOps had not completed the test delivery after {0} s")]
    Unfinished(u64),
}

/// What the gate did with the test event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryOutcome {
    pub subscription_id: String,
    /// The subscription's event, as the notification names it.
    #[serde(skip)]
    pub event_type: Option<String>,
    pub delivered: bool,
    /// `succeeded`, `failed`, or whatever Azure DevOps said.
    pub result: String,
    pub http_status: Option<u16>,
    pub duration_ms: Option<u64>,
    pub error_message: Option<String>,
    pub response_excerpt: Option<String>,
}

impl DeliveryOutcome {
    fn from_notification(subscription_id: &str, n: &Notification) -> Self {
        let http_status = n.http_status();
        let result = n
            .result
            .as_ref()
            .map_or("unknown", NotificationResult::as_str)
            .to_owned();
        let delivered = n.result == Some(NotificationResult::Succeeded)
            && http_status.is_none_or(|s| (200..300).contains(&s));
        let duration_ms = n
            .details
            .as_ref()
            .and_then(|d| d.request_duration)
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            // Rounded to whole milliseconds for people; sub-millisecond precision means nothing here.
            .map(|ms| ms.round() as u64);
        Self {
            subscription_id: subscription_id.to_owned(),
            event_type: n.details.as_ref().and_then(|d| d.event_type.clone()),
            delivered,
            result,
            http_status,
            duration_ms,
            error_message: n.error_message().map(str::to_owned),
            response_excerpt: n.response().and_then(response_excerpt),
        }
    }

    /// The cause of a failed delivery; `None` when delivered.
    pub fn cause(&self) -> Option<Cause> {
        (!self.delivered).then(|| Cause::of(self.http_status))
    }

    /// One line for people: "Azure DevOps delivered a test event to the gate: 200 OK in 180 ms".
    pub fn headline(&self) -> String {
        let answer = match self.http_status {
            Some(status) => status_text(status),
            None => "no answer".to_owned(),
        };
        let took = match (self.delivered, self.duration_ms) {
            (true, Some(ms)) => format!(" in {ms} ms"),
            (false, Some(ms)) => format!(" after {ms} ms"),
            (_, None) => String::new(),
        };
        if self.delivered {
            format!("Azure DevOps delivered a test event to the gate: {answer}{took}")
        } else {
            format!("Azure DevOps could not deliver a test event to the gate: {answer}{took}")
        }
    }
}

/// Sends a test event through `subscription_id` and waits for its outcome.
pub async fn run(
    client: &Client,
    subscription_id: &str,
    wait: Wait,
) -> Result<DeliveryOutcome, TestDeliveryError> {
    let queued = client.send_test_notification(subscription_id).await?;
    if queued.is_completed() {
        return Ok(DeliveryOutcome::from_notification(subscription_id, &queued));
    }
    let id = queued.id.ok_or(TestDeliveryError::NoId)?;
    let deadline = tokio::time::Instant::now() + wait.limit;
    loop {
        tokio::time::sleep(wait.every).await;
        let n = client.get_test_notification(id).await?;
        if n.is_completed() {
            return Ok(DeliveryOutcome::from_notification(subscription_id, &n));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(TestDeliveryError::Unfinished(wait.limit.as_secs()));
        }
    }
}

/// The gate subscription to test for a repository (by name or id, case-insensitive), found with the
/// audit's rules (the profile's URL and events, the best subscription first); without a repository,
/// the first repository by name that has one. Returns the subscription id, its event and the
/// repository's name.
pub fn find_subscription(
    subscriptions: &[Subscription],
    repositories: &[Repository],
    profile: &GateProfile,
    repo: Option<&str>,
) -> Option<(String, String, String)> {
    // Odd subscriptions are the audit's to report; here they are simply not candidates.
    let index = super::coverage::SubscriptionIndex::new(subscriptions, profile, &mut Vec::new());
    let events = &profile.events;
    let mut candidates: Vec<&Repository> = repositories
        .iter()
        .filter(|r| {
            repo.is_none_or(|key| {
                r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key)
            })
        })
        .collect();
    candidates.sort_by_key(|r| r.name.to_lowercase());
    candidates.into_iter().find_map(|r| {
        events.iter().find_map(|event| {
            let coverage = index.event_coverage(r, event);
            coverage
                .subscription_id
                .map(|id| (id, event.clone(), r.name.clone()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(json: serde_json::Value) -> Notification {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn headlines_give_the_status_the_time_and_the_verdict() {
        let ok = DeliveryOutcome::from_notification(
            "s",
            &notification(
                serde_json::json!({"result": "succeeded", "status": "completed",
                "details": {"requestDuration": 180.4, "response": "HTTP/1.1 200 OK\r\n\r\n{}"}}),
            ),
        );
        assert_eq!(
            ok.headline(),
            "Azure DevOps delivered a test event to the gate: 200 OK in 180 ms"
        );
        assert_eq!(ok.cause(), None);
        let bad = DeliveryOutcome::from_notification(
            "s",
            &notification(
                serde_json::json!({"result": "failed", "status": "completed",
                "details": {"requestDuration": 12, "errorMessage": "The remote server returned an error: (401) Unauthorized."}}),
            ),
        );
        assert_eq!(
            bad.headline(),
            "Azure DevOps could not deliver a test event to the gate: 401 Unauthorized after 12 ms"
        );
        assert_eq!(bad.cause(), Some(Cause::Credentials));
        let silent = DeliveryOutcome::from_notification(
            "s",
            &notification(serde_json::json!({"result": "failed", "status": "completed"})),
        );
        assert_eq!(
            silent.headline(),
            "Azure DevOps could not deliver a test event to the gate: no answer"
        );
    }
}
