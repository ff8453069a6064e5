//! Which gate profile a command uses: `--profile FILE`, else the one stored for the organization by
//! the wizard, else the built-in default; then `--webhook-url` on top.

use super::CliError;
use super::args::ProfileArgs;
use crate::profile::GateProfile;
use crate::store::OrgState;

pub fn resolve(args: &ProfileArgs, stored: Option<&OrgState>) -> Result<GateProfile, CliError> {
    let profile = match (&args.profile, stored.filter(|o| !o.profile.is_empty())) {
        (Some(path), _) => GateProfile::load(path)?,
        (None, Some(org)) => GateProfile::from_table(&org.profile)?,
        (None, None) => GateProfile::default_profile(),
    };
    let profile = match &args.webhook_url {
        Some(url) => profile.with_webhook_url(url)?,
        None => profile,
    };
    profile.require_webhook_url()?;
    Ok(profile)
}
