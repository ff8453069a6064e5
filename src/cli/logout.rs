//! `azdo-gate logout`: forget an organization's token and everything recorded about it.

use super::args::OrgArg;
use super::context::Context;
use super::{CliError, Outcome};
use crate::org::OrgUrl;
use crate::store;

pub async fn run(args: OrgArg, ctx: &Context) -> Result<Outcome, CliError> {
    let org = OrgUrl::parse(&args.org)?;
    let credentials = ctx.credential_store().await?;
    let dir = ctx.config_dir.clone();
    let key = org.key();
    let outcome = store::call(&credentials, store::STORE_TIMEOUT, move |s| {
        store::logout(s, &dir, &key)
    })
    .await?;
    if outcome.removed_anything() {
        if outcome.token_removed {
            eprintln!(
                "Removed the token for {} from {}.",
                org.name(),
                credentials.describe()
            );
        }
        if outcome.insecure_file_token_removed {
            eprintln!(
                "Removed the token for {} from the insecure token file.",
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
