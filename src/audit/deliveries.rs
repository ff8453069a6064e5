//! Delivery health: whether Azure DevOps' events actually reach the gate, from its own delivery
//! history (`notificationsquery`, `azure-devops-api.md` §14), and why not, in the admin's words.
//!
//! Request budget for S gate subscriptions: ⌈S/200⌉ + 1. One query per 200 subscriptions asks for
//! each one's latest *failure* (with details) and the counts per result (`summary`); one more query,
//! for every subscription at once, asks for each one's latest *success* (no details, so the answer
//! stays small). The last delivery failed when the latest failure is newer than the latest success.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::report::{AuditReport, EventStatus};
use crate::ado::models::{Notification, NotificationResult, NotificationsQuery};
use crate::ado::{AdoError, Client};

/// Subscriptions per failure query (each result carries its details, so answers stay bounded).
pub const BATCH: usize = 200;

/// Deliveries of one subscription since a date (`audit --json`: `events[].deliveries`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryHealth {
    pub since: String,
    pub succeeded: u64,
    pub failed: u64,
    pub filtered: u64,
    pub pending: u64,
    pub last_success: Option<String>,
    pub last_failure: Option<LastFailure>,
}

/// The latest failed delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastFailure {
    pub at: String,
    /// From the status line of the gate's response or the error message; `None` when the gate
    /// did not answer (timeout, connection refused).
    pub http_status: Option<u16>,
    pub message: String,
    /// The first line of the gate's response body, for the text report and the wizard.
    #[serde(skip)]
    pub response_excerpt: Option<String>,
}

impl DeliveryHealth {
    fn empty(since: &str) -> Self {
        Self {
            since: since.to_owned(),
            succeeded: 0,
            failed: 0,
            filtered: 0,
            pending: 0,
            last_success: None,
            last_failure: None,
        }
    }

    /// The latest delivery failed: a failure newer than the latest success.
    pub fn last_failed(&self) -> bool {
        match (&self.last_failure, &self.last_success) {
            (Some(failure), Some(success)) => later(&failure.at, success),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// Compares API timestamps as instants (text when one does not parse).
fn later(a: &str, b: &str) -> bool {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(a), Ok(b)) => a > b,
        _ => a > b,
    }
}

/// Why deliveries fail, from the gate's HTTP status, in the admin's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// 401/403.
    Credentials,
    /// 404.
    WrongUrl,
    /// 410: the gate removed the endpoint; Azure DevOps disables the subscription at once.
    EndpointRemoved,
    /// 5xx or no answer.
    GateDown,
    /// Any other status.
    Other(u16),
}

impl Cause {
    pub fn of(http_status: Option<u16>) -> Cause {
        match http_status {
            Some(401 | 403) => Self::Credentials,
            Some(404) => Self::WrongUrl,
            Some(410) => Self::EndpointRemoved,
            Some(500..=599) | None => Self::GateDown,
            Some(other) => Self::Other(other),
        }
    }

    /// The cause's name in JSON reports.
    pub fn key(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::WrongUrl => "wrong_url",
            Self::EndpointRemoved => "endpoint_removed",
            Self::GateDown => "gate_down",
            Self::Other(_) => "other",
        }
    }

    /// What went wrong.
    pub fn explain(self) -> String {
        match self {
            Self::Credentials => "the gate rejected the webhook's credentials (basic auth)".into(),
            Self::WrongUrl => "the webhook URL is wrong: the gate has no endpoint there".into(),
            Self::EndpointRemoved => {
                "the gate removed the endpoint (410 disables the subscription at once)".into()
            }
            Self::GateDown => "the gate is down or did not answer in time".into(),
            Self::Other(status) => format!("the gate refused the event ({})", status_text(status)),
        }
    }

    /// What fixes it.
    pub fn fix(self) -> &'static str {
        match self {
            Self::Credentials => {
                "give the subscriptions the password the gate expects: run `azdo-gate configure` with the gate's webhook password (or change the gate's)"
            }
            Self::WrongUrl | Self::EndpointRemoved => {
                "check the gate's webhook URL in the profile, then run `azdo-gate configure` to repair the subscriptions"
            }
            Self::GateDown => {
                "bring the gate back (check its health and logs); Azure DevOps retries while the hook is on probation"
            }
            Self::Other(_) => "check the gate's logs for the refused event",
        }
    }
}

/// `401 Unauthorized`, `504 Gateway Timeout`, or just the number.
pub fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// The first line of the gate's response body: `details.response` is the status line, headers, a
/// blank line, then the body.
pub fn response_excerpt(response: &str) -> Option<String> {
    let body = response
        .split_once("\r\n\r\n")
        .or_else(|| response.split_once("\n\n"))
        .map_or("", |(_, body)| body);
    let line = body.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(line.chars().take(160).collect())
}

/// What the plan adds to the reason for repairing a failing hook: the last failure, how often,
/// and, when the cause is on the gate's side, that recreating will not help until the gate is
/// fixed. Empty without a failure.
pub fn failure_note(health: Option<&DeliveryHealth>) -> String {
    let Some((health, failure)) = health.and_then(|h| Some((h, h.last_failure.as_ref()?))) else {
        return String::new();
    };
    let answer = match failure.http_status {
        Some(status) => format!("the gate answered {}", status_text(status)),
        None => "the gate did not answer".to_owned(),
    };
    let times = match health.failed {
        0 | 1 => "once".to_owned(),
        n => format!("{n} times"),
    };
    let day = health.since.parse::<jiff::Timestamp>().map_or_else(
        |_| health.since.clone(),
        |t| t.strftime("%Y-%m-%d").to_string(),
    );
    let cause = Cause::of(failure.http_status);
    let gate_side = match cause {
        Cause::Credentials => String::new(),
        _ => format!(
            "; recreating it will not help until the gate is fixed ({})",
            cause.explain()
        ),
    };
    format!("; {answer} {times} since {day}{gate_side}")
}

/// Reads the delivery health of `subscription_ids` since `since` in ⌈S/200⌉ + 1 requests.
/// Subscriptions without any delivery in the window get zero counts.
pub async fn fetch(
    client: &Client,
    subscription_ids: &[String],
    since: jiff::Timestamp,
) -> Result<HashMap<String, DeliveryHealth>, AdoError> {
    let since_text = format!("{since:.3}");
    let mut health: HashMap<String, DeliveryHealth> = subscription_ids
        .iter()
        .map(|id| (id.to_ascii_lowercase(), DeliveryHealth::empty(&since_text)))
        .collect();
    if subscription_ids.is_empty() {
        return Ok(health);
    }
    let query = |ids: &[String], result: NotificationResult, details: bool| NotificationsQuery {
        subscription_ids: ids.to_vec(),
        min_created_date: Some(since_text.clone()),
        result_type: Some(result),
        max_results_per_subscription: Some(1),
        include_details: details,
    };
    let failures = futures::future::try_join_all(
        subscription_ids
            .chunks(BATCH)
            .map(|ids| client.query_notifications(query(ids, NotificationResult::Failed, true))),
    );
    let successes = client.query_notifications(query(
        subscription_ids,
        NotificationResult::Succeeded,
        false,
    ));
    let (failures, successes) = futures::try_join!(failures, successes)?;
    for answer in failures.iter().chain([&successes]) {
        for summary in &answer.summary {
            let Some(entry) = summary
                .subscription_id
                .as_deref()
                .and_then(|id| health.get_mut(&id.to_ascii_lowercase()))
            else {
                continue;
            };
            // Each summary counts every result; when a server counts only the filtered result,
            // the larger of the two answers' counts is still right.
            for count in &summary.results {
                let n = count.notification_count.unwrap_or(0);
                let slot = match count.result {
                    Some(NotificationResult::Succeeded) => &mut entry.succeeded,
                    Some(NotificationResult::Failed) => &mut entry.failed,
                    Some(NotificationResult::Filtered) => &mut entry.filtered,
                    Some(NotificationResult::Pending) => &mut entry.pending,
                    Some(NotificationResult::Other(_)) | None => continue,
                };
                *slot = (*slot).max(n);
            }
        }
        for n in &answer.results {
            record(&mut health, n);
        }
    }
    Ok(health)
}

/// Keeps the newest success and failure of each subscription.
fn record(health: &mut HashMap<String, DeliveryHealth>, n: &Notification) {
    let (Some(id), Some(at)) = (n.subscription_id.as_deref(), n.created_date.as_deref()) else {
        return;
    };
    let Some(entry) = health.get_mut(&id.to_ascii_lowercase()) else {
        return;
    };
    match n.result {
        Some(NotificationResult::Succeeded)
            if entry.last_success.as_deref().is_none_or(|s| later(at, s)) =>
        {
            entry.last_success = Some(at.to_owned());
        }
        Some(NotificationResult::Failed)
            if entry.last_failure.as_ref().is_none_or(|f| later(at, &f.at)) =>
        {
            let http_status = n.http_status();
            entry.last_failure = Some(LastFailure {
                at: at.to_owned(),
                http_status,
                message: n
                    .error_message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| Cause::of(http_status).explain()),
                response_excerpt: n.response().and_then(response_excerpt),
            });
        }
        _ => {}
    }
}

/// The gate subscriptions an audit found, each once (repository and project-wide ones).
pub fn gate_subscriptions(report: &AuditReport) -> Vec<String> {
    let ids: BTreeSet<String> = report
        .repositories
        .iter()
        .flat_map(|r| &r.events)
        .filter_map(|e| e.subscription_id.clone())
        .chain(
            report
                .project_subscriptions
                .iter()
                .map(|p| p.subscription_id.clone()),
        )
        .collect();
    ids.into_iter().collect()
}

/// Puts the delivery health on every event entry whose subscription `health` has; returns how many
/// of those subscriptions' last delivery failed.
fn attach(report: &mut AuditReport, health: &HashMap<String, DeliveryHealth>) -> usize {
    let mut failing = BTreeSet::new();
    for event in report.repositories.iter_mut().flat_map(|r| &mut r.events) {
        let Some(id) = event.subscription_id.as_deref() else {
            continue;
        };
        let Some(found) = health.get(&id.to_ascii_lowercase()) else {
            continue;
        };
        if found.last_failed() {
            failing.insert(id.to_ascii_lowercase());
        }
        event.deliveries = Some(found.clone());
    }
    failing.len()
}

/// `audit --deliveries`: the delivery health of every gate subscription, on its event entries, and
/// `summary.failing_deliveries`.
pub async fn check(
    client: &Client,
    report: &mut AuditReport,
    since: jiff::Timestamp,
) -> Result<(), AdoError> {
    let before = client.requests().total();
    let health = fetch(client, &gate_subscriptions(report), since).await?;
    report.summary.failing_deliveries = attach(report, &health);
    report.requests += client.requests().total().saturating_sub(before);
    Ok(())
}

/// For planning: the delivery health of the hooks on probation or disabled by the system only, so
/// the plan can say why they fail (the summary is left as it is).
pub async fn explain_repairs(
    client: &Client,
    report: &mut AuditReport,
    since: jiff::Timestamp,
) -> Result<(), AdoError> {
    let failing: BTreeSet<String> = report
        .repositories
        .iter()
        .flat_map(|r| &r.events)
        .filter(|e| {
            matches!(
                e.status,
                EventStatus::OnProbation | EventStatus::DisabledBySystem
            )
        })
        .filter_map(|e| e.subscription_id.clone())
        .collect();
    if failing.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = failing.into_iter().collect();
    let health = fetch(client, &ids, since).await?;
    attach(report, &health);
    Ok(())
}

/// The default look-back of delivery health: 7 days.
pub fn default_since() -> jiff::Timestamp {
    jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(7 * 24))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Parses `--since`: `7d`, `36h`, `2w`.
pub fn parse_since(raw: &str) -> Option<jiff::SignedDuration> {
    let raw = raw.trim();
    let unit = raw.chars().last()?;
    let n: i64 = raw[..raw.len() - unit.len_utf8()]
        .parse()
        .ok()
        .filter(|n| *n > 0)?;
    let hours = match unit.to_ascii_lowercase() {
        'h' => n,
        'd' => n.checked_mul(24)?,
        'w' => n.checked_mul(24 * 7)?,
        _ => return None,
    };
    Some(jiff::SignedDuration::from_hours(hours))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_follow_the_http_status() {
        assert_eq!(Cause::of(Some(401)), Cause::Credentials);
        assert_eq!(Cause::of(Some(403)), Cause::Credentials);
        assert_eq!(Cause::of(Some(404)), Cause::WrongUrl);
        assert_eq!(Cause::of(Some(410)), Cause::EndpointRemoved);
        assert_eq!(Cause::of(Some(503)), Cause::GateDown);
        assert_eq!(Cause::of(None), Cause::GateDown);
        assert_eq!(Cause::of(Some(400)), Cause::Other(400));
        assert!(Cause::Credentials.explain().contains("basic auth"));
        assert!(Cause::EndpointRemoved.explain().contains("410"));
    }

    #[test]
    fn since_reads_hours_days_and_weeks() {
        assert_eq!(
            parse_since("7d"),
            Some(jiff::SignedDuration::from_hours(168))
        );
        assert_eq!(
            parse_since("36h"),
            Some(jiff::SignedDuration::from_hours(36))
        );
        assert_eq!(
            parse_since("2w"),
            Some(jiff::SignedDuration::from_hours(336))
        );
        for bad in ["", "d", "0d", "-1d", "7x", "7"] {
            assert_eq!(parse_since(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_last_delivery_failed_when_the_failure_is_newer() {
        let mut h = DeliveryHealth::empty("2026-11-20T00:00:00Z");
        assert!(!h.last_failed());
        h.last_failure = Some(LastFailure {
            at: "2026-11-21T10:00:00.000Z".into(),
            http_status: Some(401),
            message: "m".into(),
            response_excerpt: None,
        });
        assert!(h.last_failed());
        h.last_success = Some("2026-11-21T09:00:00Z".into());
        assert!(h.last_failed());
        h.last_success = Some("2026-11-21T11:00:00Z".into());
        assert!(!h.last_failed());
    }

    #[test]
    fn the_excerpt_is_the_first_body_line() {
        assert_eq!(
            response_excerpt(
                "HTTP/1.1 401 Unauthorized\r\nX: y\r\n\r\n\r\n{\"error\":\"bad\"}\nmore"
            )
            .as_deref(),
            Some("{\"error\":\"bad\"}")
        );
        assert_eq!(response_excerpt("HTTP/1.1 200 OK\r\n\r\n"), None);
    }
}
