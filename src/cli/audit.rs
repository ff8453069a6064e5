//! `azdo-gate audit`: permissions per project and coverage per repository.

use std::collections::BTreeSet;

use super::args::AuditArgs;
use super::context::Context;
use super::{CliError, Outcome, profile_source};
use crate::ado::Client;
use crate::audit::{self, AuditInput, AuditReport};
use crate::org::OrgUrl;
use crate::report;
use crate::store::{Snapshot, State};

pub async fn run(args: AuditArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let org = OrgUrl::parse(&args.org.org)?;
    let mut state = ctx.load_state()?;
    let profile = profile_source::resolve(&args.profile, state.org(&org.key()))?;
    let resolved = ctx.resolve_token(&args.token, &org).await?;
    let config = args.concurrency.apply(state.client_config(&org.key()));
    let client = Client::new(org.clone(), resolved.token, config)?;
    let input = AuditInput {
        profile,
        previous: previous_snapshot(&state, &org),
    };
    let report = audit::run(&client, &input, None).await;
    if state.remember_api_version(&org, &client) {
        state.save(&ctx.config_dir)?;
    }
    let report = report?;
    save_snapshot(&mut state, &org, &report);
    state.save(&ctx.config_dir)?;
    let text = if args.json {
        report::audit_json(&report)?
    } else if args.csv {
        report::audit_csv(&report)
    } else {
        report::audit_text(&report, &org)
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(Outcome::from_problems(!report.healthy()))
}

/// The repository ids the previous run saw; `None` on the first run (then nothing is "new").
pub(super) fn previous_snapshot(state: &State, org: &OrgUrl) -> Option<BTreeSet<String>> {
    let snapshot = state.org(&org.key())?.snapshot.as_ref()?;
    Some(snapshot.repository_ids.iter().cloned().collect())
}

/// Records the repositories of a completed audit, so the next run can tell which are new.
pub(super) fn save_snapshot(state: &mut State, org: &OrgUrl, report: &AuditReport) {
    state.org_mut(&org.key(), org.name(), org.base()).snapshot = Some(Snapshot {
        taken_at: jiff::Timestamp::now(),
        repository_ids: report.repository_ids(),
    });
}
