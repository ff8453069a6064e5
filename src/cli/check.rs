//! `azdo-gate check`: is this token fit for the gate?

use super::args::CheckArgs;
use super::context::Context;
use super::{CliError, Outcome};
use crate::ado::ClientConfig;
use crate::checks::{self, CheckInput, ExpiryInput, TokenSource};
use crate::domain;
use crate::org::OrgUrl;
use crate::report;

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
        client: ClientConfig::default(),
    };
    let report = checks::run(input, None).await?;
    // Only a token from the store has metadata to update: another one may not be the stored one.
    if from_store
        && let Some(meta) = state
            .org_mut(&org.key(), org.name(), org.base())
            .token
            .as_mut()
    {
        domain::record_check(meta, &report, jiff::Timestamp::now());
        state.save(&ctx.config_dir)?;
    }
    if args.json {
        println!("{}", report::to_json(&report)?);
    } else {
        print!("{}", report::check_text(&report));
    }
    Ok(Outcome::from_problems(!report.ok))
}
