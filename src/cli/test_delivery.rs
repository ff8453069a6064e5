//! `azdo-gate test-delivery`: Azure DevOps sends a test event through a gate subscription; the
//! command waits for the outcome and says what the gate answered. Exit 0 when the gate answered
//! 2xx, 1 when it refused or did not answer, 2 when the test could not be sent.

use serde::Serialize;

use super::args::TestDeliveryArgs;
use super::context::Context;
use super::progress::Progress;
use super::{CliError, Outcome, output, profile_source};
use crate::ado::models::SubscriptionFilter;
use crate::ado::{Client, ClientConfig};
use crate::audit::test_delivery::{self, DeliveryOutcome, Wait};
use crate::follow_up::FollowUp;
use crate::report;

/// What `--json` prints.
#[derive(Serialize)]
struct Json<'a> {
    event_type: &'a str,
    repository: Option<&'a str>,
    #[serde(flatten)]
    outcome: &'a DeliveryOutcome,
    /// `credentials`, `wrong_url`, `endpoint_removed`, `gate_down`, `other`; null when delivered.
    cause: Option<&'static str>,
    /// The cause in words; null when delivered.
    explanation: Option<String>,
    fix: Option<&'static str>,
}

pub async fn run(args: TestDeliveryArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let state = ctx.load_state()?;
    let org = ctx.org(&args.org, &state)?;
    let resolved = ctx.resolve_token(&args.token, &org, &state).await?;
    let token_source = resolved.source;
    let client = Client::new(
        org.clone(),
        resolved.token.into_secret(),
        ClientConfig::default(),
    )?;
    let (subscription, event, repository) = match &args.subscription {
        // The event type comes back with the test notification.
        Some(id) => (id.clone(), None, None),
        None => {
            let profile = profile_source::resolve(&args.profile, state.org(&org.key()))?;
            let url = profile.require_webhook_url()?.to_owned();
            let filter = SubscriptionFilter::webhooks();
            let (subscriptions, repositories) = futures::try_join!(
                client.list_subscriptions(&filter),
                client.list_repositories()
            )?;
            let found = test_delivery::find_subscription(
                &subscriptions,
                &repositories,
                &profile,
                args.repo.as_deref(),
            );
            let Some((id, event, repo)) = found else {
                return Err(CliError::Usage(match &args.repo {
                    Some(repo) => format!(
                        "no gate subscription to {url} for the repository '{repo}'; run `{}` to see the coverage",
                        FollowUp::new(&org, token_source).command("audit", "")
                    ),
                    None => format!("no repository has a gate subscription to {url}"),
                }));
            };
            (id, Some(event), Some(repo))
        }
    };
    let progress = Progress::new(args.progress.quiet);
    progress.waiting("Waiting for Azure DevOps to deliver the test event");
    let outcome = test_delivery::run(&client, &subscription, Wait::default()).await;
    progress.clear();
    let outcome = outcome?;
    let event = event
        .or_else(|| outcome.event_type.clone())
        .unwrap_or_default();
    let text = if args.json {
        let cause = outcome.cause();
        report::to_json(&Json {
            event_type: &event,
            repository: repository.as_deref(),
            outcome: &outcome,
            cause: cause.map(|c| c.key()),
            explanation: cause.map(|c| c.explain()),
            fix: cause.map(|c| c.fix()),
        })?
    } else {
        report::test_delivery_text(&outcome, &event, repository.as_deref())
    };
    output::report(&text)?;
    Ok(Outcome::from_problems(!outcome.delivered))
}
