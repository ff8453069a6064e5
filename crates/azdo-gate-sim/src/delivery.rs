//! Service hook deliveries, for real: when a pull-request event happens in the simulated
//! organization (a control call on [`crate::SimHandle`]) or a test notification is requested, the
//! simulator POSTs the event payload to each matching subscription's URL with its basic auth and
//! headers, and records the outcome the way Azure DevOps does (`azure-devops-api.md` §13, §14):
//! a notification per delivery (`result`, `status`, `details.response` with the HTTP status line,
//! `errorMessage`), probation after a failure, `disabledBySystem` on 410 or after repeated
//! failures, `enabled` again after a success.
//!
//! Simulator choices (UNVERIFIED against the service): test notifications are kept apart from a
//! subscription's history and never change its status; deliveries are attempted once (the service
//! retries on a schedule of minutes to hours); a subscription whose input filters exclude the event
//! gets a `filtered` notification; only loopback URLs are contacted, anything else fails unsent.

use std::collections::BTreeMap;
use std::sync::Weak;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::now;
use crate::ids::{random_guid, stable_guid};
use crate::scenario::HookStatus;
use crate::server::Shared;
use crate::state::{OrgState, SubState};

/// How deliveries behave; part of [`crate::SimOptions`].
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    /// How long the gate has to answer before the delivery fails as timed out.
    pub timeout: Duration,
    /// Consecutive failed deliveries after which the subscription is `disabledBySystem`.
    pub disable_after_failures: u32,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            disable_after_failures: 8,
        }
    }
}

/// `NotificationResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pending,
    Succeeded,
    Failed,
    Filtered,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Filtered => "filtered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed, Self::Filtered]
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s))
    }
}

/// `NotificationStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Queued,
    RequestInProgress,
    Completed,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::RequestInProgress => "requestInProgress",
            Self::Completed => "completed",
        }
    }
}

/// One notification: a delivery attempt (or a filtered event) and its outcome.
pub(crate) struct Notification {
    pub id: i64,
    /// Empty for a test notification sent with ad-hoc `details` rather than a subscription.
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub publisher_inputs: BTreeMap<String, String>,
    pub consumer_inputs: BTreeMap<String, String>,
    pub created: jiff::Timestamp,
    pub created_date: String,
    pub modified_date: String,
    pub result: Outcome,
    pub stage: Stage,
    pub test: bool,
    pub dequeued_date: Option<String>,
    pub completed_date: Option<String>,
    pub request_attempts: u32,
    pub request_duration_ms: Option<f64>,
    /// The request as text, credentials masked.
    pub request: Option<String>,
    /// The gate's answer as text: status line, headers, body excerpt.
    pub response: Option<String>,
    pub error_message: Option<String>,
    pub event: Value,
}

/// A pull request of the simulated organization (only what the event payloads carry).
pub(crate) struct PullRequest {
    pub id: u32,
    pub repo: usize,
    pub title: String,
    pub source_ref: String,
    pub target_ref: String,
    pub created_by: String,
    pub creation_date: String,
}

/// Pull requests and notifications, part of [`OrgState`].
#[derive(Default)]
pub(crate) struct Deliveries {
    pub pull_requests: Vec<PullRequest>,
    /// By id (seeded history may have ids out of date order).
    pub notifications: BTreeMap<i64, Notification>,
    next_id: i64,
}

impl Deliveries {
    fn take_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }
}

/// Hands notification ids to the background task that delivers them (for requests, whose
/// handlers cannot wait on the network while holding the state).
pub(crate) struct Deliverer {
    queue: mpsc::UnboundedSender<i64>,
}

impl Deliverer {
    /// The queue and its receiving end, for [`run_queue`].
    pub fn new() -> (Deliverer, mpsc::UnboundedReceiver<i64>) {
        let (queue, receiver) = mpsc::unbounded_channel();
        (Deliverer { queue }, receiver)
    }

    pub fn enqueue(&self, id: i64) {
        // The receiving task ends only when the simulator does; then nothing is left to deliver.
        let _ = self.queue.send(id);
    }
}

/// Delivers every queued notification, each in its own task. Holds the server state weakly (the
/// queue's sender lives in it), so it ends with the simulator.
pub(crate) async fn run_queue(shared: Weak<Shared>, mut receiver: mpsc::UnboundedReceiver<i64>) {
    while let Some(id) = receiver.recv().await {
        let Some(strong) = shared.upgrade() else {
            return;
        };
        tokio::spawn(async move { deliver(&strong, id).await });
    }
}

/// What kind of pull-request change happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullRequestChange {
    Created,
    /// `notificationType` of `git.pullrequest.updated` (`PushNotification`, ...).
    Updated(&'static str),
}

impl PullRequestChange {
    fn event_type(self) -> &'static str {
        match self {
            Self::Created => "git.pullrequest.created",
            Self::Updated(_) => "git.pullrequest.updated",
        }
    }
}

impl OrgState {
    /// Opens a pull request in repository `repo` (index) and queues its event; returns the pull
    /// request id and the notifications to deliver.
    pub(crate) fn open_pull_request(
        &mut self,
        repo: usize,
        title: &str,
        source_ref: &str,
        created_by: &str,
    ) -> (u32, Vec<i64>) {
        let id = u32::try_from(self.deliveries.pull_requests.len() + 1).unwrap_or(u32::MAX);
        let target_ref = self.repos[repo]
            .default_branch
            .clone()
            .unwrap_or_else(|| "refs/heads/main".to_owned());
        self.deliveries.pull_requests.push(PullRequest {
            id,
            repo,
            title: title.to_owned(),
            source_ref: source_ref.to_owned(),
            target_ref,
            created_by: created_by.to_owned(),
            creation_date: now(),
        });
        let queued = self.raise(id, PullRequestChange::Created);
        (id, queued)
    }

    /// Queues the event of a change to pull request `id`; `None` when there is no such pull request.
    pub(crate) fn change_pull_request(
        &mut self,
        id: u32,
        change: PullRequestChange,
    ) -> Option<Vec<i64>> {
        self.deliveries
            .pull_requests
            .iter()
            .any(|p| p.id == id)
            .then(|| self.raise(id, change))
    }

    /// Records a notification per matching subscription: queued when its filters pass, `filtered`
    /// when an input filter excludes the event.
    fn raise(&mut self, pr: u32, change: PullRequestChange) -> Vec<i64> {
        let Some(request) = self.deliveries.pull_requests.iter().find(|p| p.id == pr) else {
            return Vec::new();
        };
        let repo = request.repo;
        let event_id = random_guid();
        let matching: Vec<(String, bool)> = self
            .subscriptions
            .values()
            .filter(|s| s.event_type.eq_ignore_ascii_case(change.event_type()))
            .filter(|s| matches!(s.status, HookStatus::Enabled | HookStatus::OnProbation))
            .filter(|s| self.subscription_project(s) == Some(self.repos[repo].project))
            .filter(|s| {
                input(s, "repository").is_none_or(|r| r.eq_ignore_ascii_case(&self.repos[repo].id))
            })
            .map(|s| (s.id.clone(), passes_filters(s, request, change)))
            .collect();
        let mut queued = Vec::new();
        for (sub_id, passes) in matching {
            let Some(sub) = self.subscription(&sub_id) else {
                continue;
            };
            let event = self.pull_request_event(sub, pr, change, &event_id);
            let id = self.record(sub_id.as_str(), event, false);
            if passes {
                queued.push(id);
            } else if let Some(n) = self.deliveries.notifications.get_mut(&id) {
                n.result = Outcome::Filtered;
                n.stage = Stage::Completed;
                n.completed_date = Some(n.created_date.clone());
            }
        }
        queued
    }

    /// Records a queued test notification for a subscription (or for ad-hoc `details` when
    /// `sub_id` is `None`) with the event type's sample payload.
    pub(crate) fn record_test(
        &mut self,
        sub_id: Option<&str>,
        event_type: &str,
        publisher_inputs: BTreeMap<String, String>,
        consumer_inputs: BTreeMap<String, String>,
    ) -> i64 {
        let event = sample_event(self, event_type, &random_guid());
        let id = self.record(sub_id.unwrap_or_default(), event, true);
        if let Some(n) = self.deliveries.notifications.get_mut(&id) {
            n.event_type = event_type.to_owned();
            if sub_id.is_none() {
                n.publisher_inputs = publisher_inputs;
                n.consumer_inputs = consumer_inputs;
            }
        }
        id
    }

    /// Seeds a completed notification (history that happened before the simulator started).
    pub(crate) fn seed_notification(
        &mut self,
        sub_id: &str,
        result: Outcome,
        http_status: Option<u16>,
        at: jiff::Timestamp,
    ) -> Option<i64> {
        let sub = self.subscription(sub_id)?;
        let event = json!({ "eventType": sub.event_type, "id": random_guid() });
        let id = self.record(sub_id, event, false);
        let n = self.deliveries.notifications.get_mut(&id)?;
        let date = format!("{at:.3}");
        n.created = at;
        n.created_date = date.clone();
        n.modified_date = date.clone();
        n.completed_date = Some(date);
        n.result = result;
        n.stage = Stage::Completed;
        if result == Outcome::Failed || result == Outcome::Succeeded {
            n.request_attempts = 1;
            let answer = http_status.map(|code| http_answer(code, &reason(code), ""));
            n.error_message = match (result, http_status) {
                (Outcome::Failed, Some(code)) => Some(remote_error(code)),
                (Outcome::Failed, None) => Some(TIMED_OUT.to_owned()),
                _ => None,
            };
            n.response = answer;
        }
        Some(id)
    }

    fn record(&mut self, sub_id: &str, event: Value, test: bool) -> i64 {
        let id = self.deliveries.take_id();
        let (event_type, publisher_inputs, consumer_inputs) = match self.subscription(sub_id) {
            Some(s) => (
                s.event_type.clone(),
                s.publisher_inputs.clone(),
                s.consumer_inputs.clone(),
            ),
            None => Default::default(),
        };
        let created = jiff::Timestamp::now();
        let date = format!("{created:.3}");
        let event_id = event["id"].as_str().unwrap_or_default().to_owned();
        self.deliveries.notifications.insert(
            id,
            Notification {
                id,
                subscription_id: self
                    .subscription(sub_id)
                    .map(|s| s.id.clone())
                    .unwrap_or_default(),
                event_id,
                event_type,
                publisher_inputs,
                consumer_inputs,
                created,
                created_date: date.clone(),
                modified_date: date,
                result: Outcome::Pending,
                stage: Stage::Queued,
                test,
                dequeued_date: None,
                completed_date: None,
                request_attempts: 0,
                request_duration_ms: None,
                request: None,
                response: None,
                error_message: None,
                event,
            },
        );
        id
    }

    /// The payload of a pull-request event for one subscription (events.md, resource version 1.0).
    fn pull_request_event(
        &self,
        sub: &SubState,
        pr: u32,
        change: PullRequestChange,
        event_id: &str,
    ) -> Value {
        let Some(request) = self.deliveries.pull_requests.iter().find(|p| p.id == pr) else {
            return Value::Null;
        };
        let repo = &self.repos[request.repo];
        let project = &self.projects[repo.project];
        let user = self.user_ref(&request.created_by);
        let verb = match change {
            PullRequestChange::Created => "created",
            PullRequestChange::Updated(_) => "updated",
        };
        let text = format!(
            "{} {verb} pull request {} ({}) in {}",
            user.display_name, request.id, request.title, repo.name
        );
        let repo_api = self.api_url(&format!("git/repositories/{}", repo.id));
        let commit = stable_guid(&format!("commit:{}", repo.id), u64::from(pr)).replace('-', "");
        let mut event = json!({
            "subscriptionId": sub.id,
            "notificationId": 0,
            "id": event_id,
            "eventType": change.event_type(),
            "publisherId": "tfs",
            "message": { "text": text, "html": text, "markdown": text },
            "detailedMessage": { "text": text, "html": text, "markdown": text },
            "resource": {
                "repository": {
                    "id": repo.id,
                    "name": repo.name,
                    "url": repo_api,
                    "project": {
                        "id": project.id,
                        "name": project.name,
                        "url": self.project_url(repo.project),
                        "state": "wellFormed",
                        "visibility": project.visibility.as_str(),
                    },
                    "defaultBranch": repo.default_branch,
                    "remoteUrl": self.repo_remote_url(repo),
                },
                "pullRequestId": request.id,
                "status": "active",
                "createdBy": {
                    "id": user.id,
                    "displayName": user.display_name,
                    "uniqueName": user.unique_name,
                },
                "creationDate": request.creation_date,
                "title": request.title,
                "description": request.title,
                "sourceRefName": request.source_ref,
                "targetRefName": request.target_ref,
                "mergeStatus": "succeeded",
                "mergeId": stable_guid(&format!("merge:{}", repo.id), u64::from(pr)),
                "lastMergeSourceCommit": { "commitId": commit, "url": format!("{repo_api}/commits/{commit}") },
                "reviewers": [],
                "url": format!("{repo_api}/pullRequests/{}", request.id),
            },
            "resourceVersion": sub.resource_version.as_deref().unwrap_or("1.0"),
            "resourceContainers": {
                "collection": { "id": self.instance_id },
                "account": { "id": self.deployment_id },
                "project": { "id": project.id },
            },
            "createdDate": now(),
        });
        for (input_name, field) in [
            ("messagesToSend", "message"),
            ("detailedMessagesToSend", "detailedMessage"),
        ] {
            if sub
                .consumer_inputs
                .get(input_name)
                .is_some_and(|v| v.eq_ignore_ascii_case("none"))
                && let Some(object) = event.as_object_mut()
            {
                object.remove(field);
            }
        }
        event
    }
}

/// A sample payload for a test notification: the event type's documented shape with placeholder
/// values, as the service sends for "Test" in the portal.
fn sample_event(state: &OrgState, event_type: &str, event_id: &str) -> Value {
    json!({
        "subscriptionId": "00000000-0000-0000-0000-000000000000",
        "notificationId": 0,
        "id": event_id,
        "eventType": event_type,
        "publisherId": "tfs",
        "message": { "text": "Jamal Hartnett created a new pull request" },
        "resource": {
            "repository": {
                "id": "4bc14d40-c903-45e2-872e-0462c7748079",
                "name": "Fabrikam",
                "url": "https://fabrikam.visualstudio.com/DefaultCollection/_apis/git/repositories/4bc14d40-c903-45e2-872e-0462c7748079",
                "project": { "id": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c", "name": "Fabrikam", "state": "wellFormed" },
                "defaultBranch": "refs/heads/master",
            },
            "pullRequestId": 1,
            "status": "active",
            "createdBy": { "id": "54d125f7-69f7-4191-904f-c5b96b6261c8", "displayName": "Jamal Hartnett" },
            "creationDate": "2014-06-17T16:55:46.589889Z",
            "title": "my first pull request",
            "sourceRefName": "refs/heads/mytopic",
            "targetRefName": "refs/heads/master",
            "mergeStatus": "succeeded",
            "reviewers": [],
        },
        "resourceVersion": "1.0",
        "resourceContainers": {
            "collection": { "id": state.instance_id },
            "account": { "id": state.deployment_id },
        },
        "createdDate": now(),
    })
}

fn input<'a>(sub: &'a SubState, name: &str) -> Option<&'a str> {
    sub.publisher_inputs
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The publisher input filters of events.md: `branch`, `pullrequestCreatedBy`,
/// `notificationType` (reviewer filters are not modelled: the simulated pull requests have none).
fn passes_filters(sub: &SubState, pr: &PullRequest, change: PullRequestChange) -> bool {
    let branch_ok = input(sub, "branch").is_none_or(|b| {
        let b = b.strip_prefix("refs/heads/").unwrap_or(b);
        let target = pr
            .target_ref
            .strip_prefix("refs/heads/")
            .unwrap_or(&pr.target_ref);
        b.eq_ignore_ascii_case(target)
    });
    let author_ok =
        input(sub, "pullrequestCreatedBy").is_none_or(|a| a.eq_ignore_ascii_case(&pr.created_by));
    let kind_ok = match change {
        PullRequestChange::Created => true,
        PullRequestChange::Updated(kind) => {
            input(sub, "notificationType").is_none_or(|t| t.eq_ignore_ascii_case(kind))
        }
    };
    branch_ok && author_ok && kind_ok
}

const TIMED_OUT: &str = "The operation has timed out.";

/// The .NET `WebException` text the service records for an HTTP error answer.
fn remote_error(code: u16) -> String {
    format!(
        "The remote server returned an error: ({code}) {}.",
        reason(code)
    )
}

fn reason(code: u16) -> String {
    hyper::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
        .to_owned()
}

/// `details.response`: the gate's status line, then its body (first 2 000 characters).
fn http_answer(code: u16, reason: &str, body: &str) -> String {
    let excerpt: String = body.chars().take(2_000).collect();
    format!("HTTP/1.1 {code} {reason}\r\n\r\n{excerpt}")
}

/// What one POST to the gate produced.
struct Attempt {
    result: Outcome,
    response: Option<String>,
    error_message: Option<String>,
    http_status: Option<u16>,
    duration: Duration,
}

/// Delivers notification `id` and records the outcome (then updates the subscription's status,
/// unless it was a test).
pub(crate) async fn deliver(shared: &Shared, id: i64) {
    let prepared = {
        let mut state = shared.write();
        let Some(n) = state.deliveries.notifications.get_mut(&id) else {
            return;
        };
        if n.stage != Stage::Queued {
            return;
        }
        n.stage = Stage::RequestInProgress;
        n.dequeued_date = Some(now());
        n.request_attempts += 1;
        let mut event = n.event.clone();
        if let Some(object) = event.as_object_mut() {
            object.insert("notificationId".into(), json!(id));
            if !n.subscription_id.is_empty() {
                object.insert("subscriptionId".into(), json!(n.subscription_id));
            }
        }
        (n.consumer_inputs.clone(), event)
    };
    let (inputs, event) = prepared;
    let (attempt, request_text) = post(&inputs, &event, shared.delivery.timeout).await;
    let mut state = shared.write();
    let Some(n) = state.deliveries.notifications.get_mut(&id) else {
        return;
    };
    let done = now();
    n.result = attempt.result;
    n.stage = Stage::Completed;
    n.completed_date = Some(done.clone());
    n.modified_date = done;
    n.request_duration_ms = Some(attempt.duration.as_secs_f64() * 1000.0);
    n.request = Some(request_text);
    n.response = attempt.response;
    n.error_message = attempt.error_message;
    if n.test {
        return;
    }
    let sub_id = n.subscription_id.clone();
    let limit = shared.delivery.disable_after_failures.max(1);
    if let Some(sub) = state.subscription_mut(&sub_id) {
        apply_outcome(sub, attempt.result, attempt.http_status, limit);
    }
}

/// Probation rules (troubleshoot.md): a success restores `enabled`; a 410 disables at once; other
/// failures put the subscription on probation until `limit` consecutive failures disable it.
fn apply_outcome(sub: &mut SubState, result: Outcome, http_status: Option<u16>, limit: u32) {
    if !matches!(sub.status, HookStatus::Enabled | HookStatus::OnProbation) {
        return;
    }
    match result {
        Outcome::Succeeded => {
            sub.status = HookStatus::Enabled;
            sub.probation_retries = None;
        }
        Outcome::Failed => {
            let failures = sub.probation_retries.unwrap_or(0) + 1;
            sub.probation_retries = Some(failures);
            sub.status = if http_status == Some(410) || failures >= limit {
                HookStatus::DisabledBySystem
            } else {
                HookStatus::OnProbation
            };
        }
        Outcome::Pending | Outcome::Filtered => {}
    }
}

/// POSTs `event` to the consumer's URL; returns the outcome and the request as text (the password
/// masked).
async fn post(
    inputs: &BTreeMap<String, String>,
    event: &Value,
    timeout: Duration,
) -> (Attempt, String) {
    let url = inputs.get("url").cloned().unwrap_or_default();
    let body = serde_json::to_vec(event).unwrap_or_default();
    let mut headers: Vec<(String, String)> = vec![(
        "Content-Type".into(),
        "application/json; charset=utf-8".into(),
    )];
    let user = inputs
        .get("basicAuthUsername")
        .map(String::as_str)
        .unwrap_or_default();
    let password = inputs
        .get("basicAuthPassword")
        .map(String::as_str)
        .unwrap_or_default();
    let basic = !user.is_empty() || !password.is_empty();
    for line in inputs
        .get("httpHeaders")
        .map(String::as_str)
        .unwrap_or_default()
        .lines()
    {
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut request_text = format!("POST {url}\r\n");
    for (name, value) in &headers {
        request_text.push_str(&format!("{name}: {value}\r\n"));
    }
    if basic {
        request_text.push_str("Authorization: Basic ********\r\n");
    }
    request_text.push_str(&format!("\r\n{}", String::from_utf8_lossy(&body)));

    let started = Instant::now();
    let loopback = url::Url::parse(&url).ok().filter(|u| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            }
    });
    let Some(target) = loopback else {
        let failed = Attempt {
            result: Outcome::Failed,
            response: None,
            error_message: Some(format!(
                "Unable to connect to the remote server: the simulator delivers only to http loopback URLs, not '{url}'."
            )),
            http_status: None,
            duration: started.elapsed(),
        };
        return (failed, request_text);
    };
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            let failed = Attempt {
                result: Outcome::Failed,
                response: None,
                error_message: Some(format!("The simulator could not send: {e}")),
                http_status: None,
                duration: started.elapsed(),
            };
            return (failed, request_text);
        }
    };
    let mut request = client.post(target).body(body);
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if basic {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request = request.header("Authorization", format!("Basic {encoded}"));
    }
    let attempt = match request.send().await {
        Ok(response) => {
            let code = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let ok = (200..300).contains(&code);
            Attempt {
                result: if ok {
                    Outcome::Succeeded
                } else {
                    Outcome::Failed
                },
                response: Some(http_answer(code, &reason(code), &text)),
                error_message: (!ok).then(|| remote_error(code)),
                http_status: Some(code),
                duration: started.elapsed(),
            }
        }
        Err(e) => Attempt {
            result: Outcome::Failed,
            response: None,
            error_message: Some(if e.is_timeout() {
                TIMED_OUT.to_owned()
            } else {
                "Unable to connect to the remote server".to_owned()
            }),
            http_status: None,
            duration: started.elapsed(),
        },
    };
    (attempt, request_text)
}
