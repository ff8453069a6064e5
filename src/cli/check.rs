//! `azdo-gate check`: is this token fit for the gate?

use super::args::CheckArgs;
use super::context::Context;
use super::progress::Progress;
use super::{CliError, Outcome, output};
use crate::checks::{self, CheckInput, ExpiryInput, TokenReport, TokenSource};
use crate::domain;
use crate::org::OrgUrl;
use crate::report;
use crate::store::{ExpirySource, State, StorageKind, TokenMeta};
use crate::token::Fingerprint;

pub async fn run(args: CheckArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let mut state = ctx.load_state()?;
    let org = ctx.org(&args.org, &state)?;
    let resolved = ctx.resolve_token(&args.token, &org, &state).await?;
    let fingerprint = resolved.token.fingerprint();
    let from_store = matches!(resolved.source, TokenSource::Keyring | TokenSource::File);
    let meta = state.org(&org.key()).and_then(|o| o.token.as_ref());
    // The recorded expiry belongs to the recorded token: a token from stdin or the environment
    // speaks for itself only when its fingerprint says it is that token.
    let known = from_store || meta.is_some_and(|m| m.fingerprint.as_ref() == Some(&fingerprint));
    if args.record {
        refuse_to_record_over_another_token(meta, &fingerprint, from_store, &org)?;
    }
    let stored_expiry = meta.filter(|_| known).and_then(|m| m.expires_on);
    let resolved_source = resolved.source;
    let input = CheckInput {
        org: org.clone(),
        token: resolved.token,
        source: resolved.source,
        expiry: ExpiryInput::resolve(args.expires_on, stored_expiry),
        warn_days: args.warn_days,
        today: ctx.today,
        client: state.client_config(&org.key()),
    };
    let progress = Progress::new(args.progress.quiet);
    let report = checks::run(
        input,
        progress.checks(&format!("Checking the token for {}", org.name())),
    )
    .await;
    progress.clear();
    let report = report?;
    let remembered = state.remember_api_version(&org, report.api_version.clone());
    if known || args.record {
        let storage = match resolved_source {
            TokenSource::Keyring => Some(StorageKind::Keyring),
            TokenSource::File => Some(StorageKind::File),
            TokenSource::Stdin | TokenSource::Env | TokenSource::Entered => None,
        };
        let learned = Learned {
            fingerprint,
            storage,
            record_expiry: args.record,
        };
        record_check(&mut state, &org, &report, learned);
    }
    if known || args.record || remembered {
        state.save(&ctx.config_dir)?;
    }
    if args.json {
        output::report(&report::to_json(&report)?)?;
    } else {
        output::report(&report::check_text(&report))?;
    }
    Ok(Outcome::from_problems(!report.ok))
}

/// `--record` speaks for the token given; it must not overwrite what is known about another
/// token azdo-gate keeps for the organization.
fn refuse_to_record_over_another_token(
    meta: Option<&TokenMeta>,
    fingerprint: &Fingerprint,
    from_store: bool,
    org: &OrgUrl,
) -> Result<(), CliError> {
    let other_stored = meta.is_some_and(|m| {
        m.storage.is_some() && !from_store && m.fingerprint.as_ref() != Some(fingerprint)
    });
    if other_stored {
        return Err(CliError::Usage(format!(
            "--record refused: azdo-gate keeps another token for {}, and this one is not it; nothing was recorded",
            org.name()
        )));
    }
    Ok(())
}

/// What `record_check` writes besides the report.
struct Learned {
    fingerprint: Fingerprint,
    /// Where the token was read from, for an organization with nothing recorded yet.
    storage: Option<StorageKind>,
    /// `--record`: the `--expires-on` date becomes the recorded expiry.
    record_expiry: bool,
}

/// Remembers what this check learned about the token (never the token itself): what every check
/// records ([`domain::record_check`]), the fingerprint, and with `--record` the expiry date given
/// by `--expires-on`.
fn record_check(state: &mut State, org: &OrgUrl, report: &TokenReport, learned: Learned) {
    let Learned {
        fingerprint,
        storage,
        record_expiry,
    } = learned;
    let entry = state.org_mut(&org.key(), org.name(), org.base());
    let meta = entry.token.get_or_insert_with(|| TokenMeta::new(storage));
    if meta.fingerprint.as_ref() != Some(&fingerprint) && meta.storage.is_none() {
        // Another CI token for this organization: nothing known about the previous one applies.
        *meta = TokenMeta::new(None);
    }
    meta.fingerprint = Some(fingerprint);
    if record_expiry && let Some(date) = report.expiry.expires_on {
        meta.expires_on = Some(date);
        meta.expiry_source = Some(ExpirySource::Entered);
    }
    domain::record_check(meta, report, jiff::Timestamp::now());
}
