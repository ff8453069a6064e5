//! `azdo-gate check`: is this token fit for the gate?

use super::args::CheckArgs;
use super::context::Context;
use super::{CliError, Outcome};
use crate::checks::{self, CheckInput, ExpiryInput, ScopeStatus, TokenReport, TokenSource};
use crate::org::OrgUrl;
use crate::report;
use crate::store::{Identity, State};

pub async fn run(args: CheckArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let org = OrgUrl::parse(&args.org.org)?;
    let mut state = ctx.load_state()?;
    let resolved = ctx.resolve_token(&args.token, &org).await?;
    let from_store = matches!(resolved.source, TokenSource::Keyring | TokenSource::File);
    // The recorded expiry belongs to the stored token; a token from stdin or the environment may
    // be another one, so only the flag speaks for it.
    let stored_expiry = from_store
        .then(|| {
            state
                .org(&org.key())
                .and_then(|o| o.token.as_ref()?.expires_on)
        })
        .flatten();
    let input = CheckInput {
        org: org.clone(),
        token: resolved.token,
        source: resolved.source,
        expiry: ExpiryInput::resolve(args.expires_on, stored_expiry),
        warn_days: args.warn_days,
        today: ctx.today,
        client: state.client_config(&org.key()),
    };
    let report = checks::run(input, None).await?;
    if from_store {
        record_check(&mut state, &org, &report);
        state.save(&ctx.config_dir)?;
    }
    if args.json {
        println!("{}", report::to_json(&report)?);
    } else {
        print!("{}", report::check_text(&report));
    }
    Ok(Outcome::from_problems(!report.ok))
}

/// Remembers what this check learned about the stored token (never the token itself).
fn record_check(state: &mut State, org: &OrgUrl, report: &TokenReport) {
    let entry = state.org_mut(&org.key(), org.name(), org.base());
    let Some(meta) = entry.token.as_mut() else {
        return;
    };
    if let Some(id) = &report.identity {
        meta.identity = Some(Identity {
            id: id.id.clone(),
            display_name: id.display_name.clone(),
            unique_name: id.unique_name.clone(),
        });
    }
    meta.scopes_seen = report
        .scopes
        .iter()
        .filter(|s| matches!(s.status, ScopeStatus::Granted | ScopeStatus::Implied))
        .map(|s| s.scope.to_owned())
        .collect();
    meta.checked_at = Some(jiff::Timestamp::now());
}
