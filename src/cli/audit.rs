//! `azdo-gate audit`: permissions per project and coverage per repository.

use super::args::AuditArgs;
use super::context::Context;
use super::progress::Progress;
use super::{CliError, Outcome, output, profile_source};
use crate::ado::Client;
use crate::audit::{self, AuditInput};
use crate::domain::{previous_repository_ids, record_snapshot};
use crate::follow_up::FollowUp;
use crate::report;

pub async fn run(args: AuditArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let mut state = ctx.load_state()?;
    let org = ctx.org(&args.org, &state)?;
    let profile = profile_source::resolve(&args.profile, state.org(&org.key()))?;
    let resolved = ctx.resolve_token(&args.token, &org, &state).await?;
    let progress = Progress::new(args.progress.quiet);
    let config = args
        .concurrency
        .apply(state.client_config(&org.key()), &progress);
    let token_source = resolved.source;
    let client = Client::new(org.clone(), resolved.token.into_secret(), config)?;
    let input = AuditInput {
        profile,
        previous: previous_repository_ids(&state, &org),
    };
    let report = audit::run(
        &client,
        &input,
        progress.audit(&format!("Auditing {}", org.name())),
    )
    .await;
    ctx.remember_api_version(&mut state, &org, &client);
    let mut report = report?;
    if args.deliveries {
        let since = jiff::Timestamp::now()
            .checked_sub(args.since)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        progress.waiting("Reading the delivery history of the gate subscriptions");
        audit::deliveries::check(&client, &mut report, since).await?;
    }
    progress.clear();
    record_snapshot(&mut state, &org, &report, jiff::Timestamp::now());
    // The audit is done: its report comes out whether or not the snapshot could be saved.
    if let Err(e) = state.save(&ctx.config_dir) {
        output::warning(format_args!(
            "the repository snapshot was not saved ({e}); the next run cannot tell which repositories are new"
        ));
    }
    let text = if args.json {
        report::audit_json(&report)?
    } else if args.csv {
        report::audit_csv(&report)
    } else {
        report::audit_text(&report, &FollowUp::new(&org, token_source))
    };
    output::report(&text)?;
    Ok(Outcome::from_problems(!report.healthy()))
}
