//! `azdo-gate logout`: forget an organization's token and everything recorded about it.

use std::path::PathBuf;
use std::sync::Arc;

use super::args::LogoutArgs;
use super::context::Context;
use super::{CliError, Outcome, prompt};

use crate::store::{self, CredentialStore, LogoutOutcome};

pub async fn run(args: LogoutArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let state = ctx.load_state()?;
    let org = ctx.org(&args.org, &state)?;
    // Scripts (no terminal) are not asked, as before.
    let question = format!(
        "Remove the token and everything recorded for {} on this machine?",
        org.name()
    );
    if !args.yes && prompt::interactive() && !prompt::ask(&question)? {
        eprintln!("Nothing was removed.");
        return Ok(Outcome::Problems);
    }
    let dir = ctx.config_dir.clone();
    let key = org.key();
    // The store `state.toml` records holds the token; an entry that records none (a CI token
    // noted with `check --record`) needs no credential store at all.
    let recorded = state
        .org(&key)
        .map(|o| o.token.as_ref().and_then(|m| m.storage));
    let (outcome, store_name) = match recorded {
        Some(None) => (store::logout(None, &dir, &key)?, None),
        Some(Some(kind)) => logout_from(ctx.credential_store(Some(kind)).await?, dir, key).await?,
        None => logout_from(ctx.credential_store(None).await?, dir, key).await?,
    };
    if outcome.removed_anything() {
        if let (true, Some(name)) = (outcome.token_removed, store_name) {
            eprintln!("Removed the token for {} from {name}.", org.name());
        }
        if outcome.insecure_file_token_removed {
            eprintln!(
                "Removed the token for {} from the insecure token file.",
                org.name()
            );
        }
        if outcome.webhook_password_removed {
            eprintln!(
                "Removed the webhook password the wizard stored for {}.",
                org.name()
            );
        }
        if outcome.metadata_removed {
            eprintln!(
                "Forgot the settings and snapshot recorded for {}.",
                org.name()
            );
        }
        eprintln!(
            "The token itself still works until it expires or is revoked: revoke it at {}",
            org.tokens_page()
        );
    } else {
        eprintln!("Nothing was stored for {}.", org.name());
    }
    Ok(Outcome::Healthy)
}

/// Logs out with `credentials` off the async runtime; also returns the store's name.
async fn logout_from(
    credentials: Arc<dyn CredentialStore>,
    dir: PathBuf,
    key: String,
) -> Result<(LogoutOutcome, Option<String>), CliError> {
    let name = credentials.describe();
    let outcome = store::call(&credentials, store::STORE_TIMEOUT, move |s| {
        store::logout(Some(s), &dir, &key)
    })
    .await?;
    Ok((outcome, Some(name)))
}
