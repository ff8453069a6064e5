//! Carrying a plan out: concurrently under the client's limit, one result per action, a failure
//! never stopping the others. Creates are never retried blindly: after an answer that leaves the
//! outcome unknown the server is re-read patiently first, so a retry cannot leave two
//! subscriptions. Every replacement is make-before-break: the new subscription exists before the
//! old one is deleted, so no interruption can leave an event without a subscription. A raised
//! [`StopFlag`] stops starting actions; those in flight finish.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use secrecy::SecretString;
use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, ActionKind, Plan};
use super::body::{
    BodyError, enable_body, policy_body, policy_matches, policy_update_body, subscription_body,
    subscription_matches,
};
use crate::ado::models::{
    NewSubscription, STATUS_POLICY_TYPE_ID, SubscriptionFilter, SubscriptionStatus,
};
use crate::ado::{AdoError, Client};
use crate::profile::GateProfile;

/// What became of one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not carried out (yet): a plan shown without applying it.
    Planned,
    Done,
    Failed,
    /// A skip action: deliberately left alone.
    Skipped,
    /// Never started: the apply was interrupted first.
    NotStarted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::NotStarted => "not_started",
        }
    }
}

/// The result of the action at `index` in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionResult {
    pub index: usize,
    pub outcome: Outcome,
    /// Why it failed, with the server's message.
    pub error: Option<String>,
}

/// Progress, streamed while actions run (in completion order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyEvent {
    Started { index: usize },
    Finished(ActionResult),
}

/// Everything `apply` needs besides the client.
pub struct ApplyInput<'a> {
    pub plan: &'a Plan,
    pub profile: &'a GateProfile,
    /// The webhook's basic-auth password, resolved from the credential store by the caller.
    pub basic_auth_password: Option<SecretString>,
    /// The integration user, the Status policy's authorized account.
    pub user_id: Option<String>,
    /// Raised to interrupt: no action starts after it; `None` = never interrupted.
    pub stop: Option<StopFlag>,
}

/// An interruption request shared between whoever catches it (a signal, a key) and the apply.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

/// Two flags are equal when they are the same flag.
impl PartialEq for StopFlag {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for StopFlag {}

impl StopFlag {
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Pauses before each re-read after an answer that left a create's outcome unknown: ~15 s in
/// all, so a create the server commits seconds after the client gave up is seen before the single
/// retry. What still slips through is a duplicate the next audit reports and removes.
const REREAD_DELAYS: [Duration; 4] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

/// Carries out every action of the plan and returns one result per action, in plan order.
pub async fn apply(
    client: &Client,
    input: ApplyInput<'_>,
    progress: Option<UnboundedSender<ApplyEvent>>,
) -> Vec<ActionResult> {
    let input = &input;
    let progress = progress.as_ref();
    // The futures are built before they become a stream: a closure inside the stream's type would
    // make the whole future non-`Send` (rust-lang/rust#102211), and callers spawn it.
    let steps: Vec<_> = input
        .plan
        .actions
        .iter()
        .enumerate()
        .map(|(index, action)| async move {
            if input.stop.as_ref().is_some_and(StopFlag::is_raised) {
                let result = ActionResult {
                    index,
                    outcome: Outcome::NotStarted,
                    error: None,
                };
                send(progress, ApplyEvent::Finished(result.clone()));
                return result;
            }
            send(progress, ApplyEvent::Started { index });
            let result = run_one(client, input, index, action).await;
            send(progress, ApplyEvent::Finished(result.clone()));
            result
        })
        .collect();
    let mut results: Vec<ActionResult> = futures::stream::iter(steps)
        .buffer_unordered(client.concurrency().max(1))
        .collect()
        .await;
    results.sort_by_key(|r| r.index);
    results
}

async fn run_one(
    client: &Client,
    input: &ApplyInput<'_>,
    index: usize,
    action: &Action,
) -> ActionResult {
    match carry_out(client, input, action).await {
        Ok(outcome) => ActionResult {
            index,
            outcome,
            error: None,
        },
        Err(failure) => {
            let error = failure.to_string();
            tracing::warn!(index, kind = action.kind.as_str(), %error, "action failed");
            ActionResult {
                index,
                outcome: Outcome::Failed,
                error: Some(error),
            }
        }
    }
}

fn send(progress: Option<&UnboundedSender<ApplyEvent>>, event: ApplyEvent) {
    if let Some(tx) = progress {
        // A receiver that went away (the screen closed) does not stop the work.
        let _ = tx.send(event);
    }
}

/// Why an action failed, as shown to the admin.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Ado(#[from] AdoError),
    #[error("{first}; checking whether it was created anyway failed too: {reread}")]
    Unverified { first: AdoError, reread: AdoError },
}

async fn carry_out(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<Outcome, Failure> {
    match action.kind {
        ActionKind::CreateSubscription => {
            let body = new_subscription(input, action, None)?;
            create_subscription(client, action, &body, None).await?;
        }
        ActionKind::RecreateSubscription => recreate_subscription(client, input, action).await?,
        ActionKind::EnableSubscription => enable_subscription(client, input, action).await?,
        ActionKind::CreateStatusPolicy => create_policy(client, input, action).await?,
        ActionKind::DeleteDuplicateSubscription => {
            client.delete_subscription(existing_id(action)?).await?;
        }
        ActionKind::DeleteDuplicateStatusPolicy => {
            let id = policy_id(action)?;
            client
                .delete_policy_configuration(&action.project_id, id)
                .await?;
        }
        ActionKind::UpdateStatusPolicy => update_policy(client, input, action).await?,
        ActionKind::Skip => return Ok(Outcome::Skipped),
    }
    Ok(Outcome::Done)
}

fn new_subscription(
    input: &ApplyInput<'_>,
    action: &Action,
    status: Option<SubscriptionStatus>,
) -> Result<NewSubscription, BodyError> {
    subscription_body(
        action,
        input.profile,
        input.basic_auth_password.as_ref(),
        status,
    )
}

/// Re-reads after [`REREAD_DELAYS`] until `look` finds what a create may have made. `Ok(false)`
/// only when the last read succeeded and found nothing; the last error when no read succeeded
/// after it.
async fn reread_patiently<F, Fut>(mut look: F) -> Result<bool, AdoError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, AdoError>>,
{
    let mut last_error = None;
    for delay in REREAD_DELAYS {
        tokio::time::sleep(delay).await;
        match look().await {
            Ok(true) => return Ok(true),
            Ok(false) => last_error = None,
            Err(e) => last_error = Some(e),
        }
    }
    last_error.map_or(Ok(false), Err)
}

/// Creates `body`. When the answer leaves the outcome unknown, re-reads patiently and creates
/// again only when it is still not there. `replacing` is the subscription being replaced, which
/// looks the same and must not be taken for the new one.
async fn create_subscription(
    client: &Client,
    action: &Action,
    body: &NewSubscription,
    replacing: Option<&str>,
) -> Result<(), Failure> {
    let first = match client.create_subscription(body).await {
        Ok(_) => return Ok(()),
        Err(e) if e.outcome_unknown() => e,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(error = %first, "subscription create outcome unknown; re-reading");
    match reread_patiently(|| find_subscription(client, action, body, replacing)).await {
        Ok(true) => Ok(()),
        Ok(false) => client
            .create_subscription(body)
            .await
            .map(drop)
            .map_err(Failure::from),
        Err(reread) => Err(Failure::Unverified { first, reread }),
    }
}

/// Whether a subscription like the one `body` describes, other than `replacing`, exists now.
async fn find_subscription(
    client: &Client,
    action: &Action,
    body: &NewSubscription,
    replacing: Option<&str>,
) -> Result<bool, AdoError> {
    let existing = client
        .list_subscriptions(&event_filter(&body.event_type))
        .await?;
    Ok(existing
        .iter()
        .filter(|s| Some(s.id.as_str()) != replacing)
        .any(|s| subscription_matches(s, action, body)))
}

fn event_filter(event_type: &str) -> SubscriptionFilter {
    SubscriptionFilter {
        event_type: Some(event_type.to_owned()),
        ..SubscriptionFilter::webhooks()
    }
}

/// The existing Status policy a delete or update acts on.
fn policy_id(action: &Action) -> Result<i64, Failure> {
    action
        .policy_id
        .as_deref()
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or(Failure::Body(BodyError::NoPolicy))
}

fn existing_id(action: &Action) -> Result<&str, Failure> {
    action
        .subscription_id
        .as_deref()
        .ok_or(Failure::Body(BodyError::NoSubscription))
}

/// Make-before-break: creates the new subscription, and only once it exists deletes the old one
/// (already gone counts as deleted). An interruption in between leaves two, never none.
async fn replace_by_new(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
    old: &str,
) -> Result<(), Failure> {
    let body = new_subscription(input, action, None)?;
    create_subscription(client, action, &body, Some(old)).await?;
    client.delete_subscription(old).await?;
    Ok(())
}

/// Replaces the unhealthy subscription by a new one (updating it does not revive it).
async fn recreate_subscription(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    replace_by_new(client, input, action, existing_id(action)?).await
}

/// Puts the subscription back with status `enabled` and its own inputs (the password resent in
/// clear), checks that it took, and replaces it by a new one when it did not (Azure DevOps keeps
/// some disabled subscriptions disabled on update).
async fn enable_subscription(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    let id = existing_id(action)?;
    let event = action.event_type.as_deref().ok_or(BodyError::NoEventType)?;
    let filter = event_filter(event);
    let Some(existing) = client
        .list_subscriptions(&filter)
        .await?
        .into_iter()
        .find(|s| s.id == id)
    else {
        // Gone meanwhile: nothing to keep, so create it anew.
        let body = new_subscription(input, action, None)?;
        return create_subscription(client, action, &body, None).await;
    };
    let body = enable_body(&existing, input.basic_auth_password.as_ref())?;
    if let Err(e) = client.replace_subscription(id, &body).await {
        if e.is_token_problem()
            || matches!(
                e,
                AdoError::PermissionDenied { .. } | AdoError::ScopeMissing { .. }
            )
        {
            return Err(e.into());
        }
        tracing::info!(error = %e, "enabling by update failed; replacing instead");
    }
    let now = client.list_subscriptions(&filter).await?;
    if now
        .iter()
        .any(|s| s.id == id && s.status == SubscriptionStatus::Enabled)
    {
        return Ok(());
    }
    replace_by_new(client, input, action, id).await
}

/// Creates the Status policy, re-reading the project's policies patiently before a second attempt
/// when the first answer leaves the outcome unknown.
async fn create_policy(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    let body = policy_body(action, input.profile, input.user_id.as_deref())?;
    let project = action.project_id.as_str();
    let first = match client.create_policy_configuration(project, &body).await {
        Ok(_) => return Ok(()),
        Err(e) if e.outcome_unknown() => e,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(error = %first, "policy create outcome unknown; re-reading");
    let look = || async {
        let existing = client
            .list_policy_configurations(project, Some(STATUS_POLICY_TYPE_ID))
            .await?;
        Ok(existing
            .iter()
            .any(|p| policy_matches(p, action, input.profile)))
    };
    match reread_patiently(look).await {
        Ok(true) => Ok(()),
        Ok(false) => client
            .create_policy_configuration(project, &body)
            .await
            .map(drop)
            .map_err(Failure::from),
        Err(reread) => Err(Failure::Unverified { first, reread }),
    }
}

/// Re-reads the Status policy and replaces it with the profile's values (a PUT is idempotent, so
/// the client may retry it).
async fn update_policy(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    let id = policy_id(action)?;
    let project = action.project_id.as_str();
    let existing = client.get_policy_configuration(project, id).await?;
    let body = policy_update_body(&existing, input.profile, input.user_id.as_deref());
    client
        .replace_policy_configuration(project, id, &body)
        .await?;
    Ok(())
}
