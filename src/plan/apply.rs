//! Carrying a plan out: concurrently under the client's limit, one result per action, a failure
//! never stopping the others. Creates are never retried blindly: after an answer that leaves the
//! outcome unknown the server is re-read first, so a retry cannot leave two subscriptions.

use futures::StreamExt as _;
use secrecy::SecretString;
use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, ActionKind, Plan};
use super::body::{
    BodyError, policy_body, policy_matches, policy_update_body, subscription_body,
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
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
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
}

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
        ActionKind::CreateSubscription => create_subscription(client, input, action).await?,
        ActionKind::RecreateSubscription => recreate_subscription(client, input, action).await?,
        ActionKind::EnableSubscription => enable_subscription(client, input, action).await?,
        ActionKind::CreateStatusPolicy => create_policy(client, input, action).await?,
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

/// Creates the action's subscription. When the answer leaves the outcome unknown, looks for it
/// and creates again only when it is not there.
async fn create_subscription(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    let body = new_subscription(input, action, None)?;
    let first = match client.create_subscription(&body).await {
        Ok(_) => return Ok(()),
        Err(e) if e.outcome_unknown() => e,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(error = %first, "subscription create outcome unknown; re-reading");
    match find_subscription(client, action, &body).await {
        Ok(true) => Ok(()),
        Ok(false) => client
            .create_subscription(&body)
            .await
            .map(drop)
            .map_err(Failure::from),
        Err(reread) => Err(Failure::Unverified { first, reread }),
    }
}

/// Whether a subscription like the one `body` describes exists now.
async fn find_subscription(
    client: &Client,
    action: &Action,
    body: &NewSubscription,
) -> Result<bool, AdoError> {
    let existing = client
        .list_subscriptions(&event_filter(&body.event_type))
        .await?;
    Ok(existing
        .iter()
        .any(|s| subscription_matches(s, action, body)))
}

fn event_filter(event_type: &str) -> SubscriptionFilter {
    SubscriptionFilter {
        event_type: Some(event_type.to_owned()),
        ..SubscriptionFilter::webhooks()
    }
}

fn existing_id(action: &Action) -> Result<&str, Failure> {
    action
        .subscription_id
        .as_deref()
        .ok_or(Failure::Body(BodyError::NoSubscription))
}

/// Deletes the unhealthy subscription (already gone counts as deleted) and creates it anew.
async fn recreate_subscription(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    // Build the body first: a profile that cannot produce one must not cost the old subscription.
    new_subscription(input, action, None)?;
    client.delete_subscription(existing_id(action)?).await?;
    create_subscription(client, input, action).await
}

/// Replaces the subscription with status `enabled`, checks that it took, and recreates it when
/// it did not (Azure DevOps keeps some disabled subscriptions disabled on update).
async fn enable_subscription(
    client: &Client,
    input: &ApplyInput<'_>,
    action: &Action,
) -> Result<(), Failure> {
    let id = existing_id(action)?;
    let body = new_subscription(input, action, Some(SubscriptionStatus::Enabled))?;
    if let Err(e) = client.replace_subscription(id, &body).await {
        if e.is_token_problem()
            || matches!(
                e,
                AdoError::PermissionDenied { .. } | AdoError::ScopeMissing { .. }
            )
        {
            return Err(e.into());
        }
        tracing::info!(error = %e, "enabling by update failed; recreating instead");
    }
    let now = client
        .list_subscriptions(&event_filter(&body.event_type))
        .await?;
    if now
        .iter()
        .any(|s| s.id == id && s.status == SubscriptionStatus::Enabled)
    {
        return Ok(());
    }
    client.delete_subscription(id).await?;
    create_subscription(client, input, action).await
}

/// Creates the Status policy, re-reading the project's policies before a second attempt when the
/// first answer leaves the outcome unknown.
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
    match client
        .list_policy_configurations(project, Some(STATUS_POLICY_TYPE_ID))
        .await
    {
        Ok(existing)
            if existing
                .iter()
                .any(|p| policy_matches(p, action, input.profile)) =>
        {
            Ok(())
        }
        Ok(_) => client
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
    let id = action.policy_id.ok_or(Failure::Body(BodyError::NoPolicy))?;
    let project = action.project_id.as_str();
    let existing = client.get_policy_configuration(project, id).await?;
    let body = policy_update_body(&existing, input.profile, input.user_id.as_deref());
    client
        .replace_policy_configuration(project, id, &body)
        .await?;
    Ok(())
}
