//! `azdo-gate` (no command): the interactive wizard against a real organization.

use super::context::Context;
use super::{CliError, Outcome, output};
use crate::tui::{self, StoreTarget, TuiError, WizardOptions};

/// Runs the wizard and prints its summary on stdout once the terminal is restored.
pub async fn run(ctx: &Context) -> Result<Outcome, CliError> {
    tui::require_terminal().map_err(terminal_error)?;
    let storage = if ctx.insecure_storage {
        StoreTarget::InsecureFile
    } else {
        StoreTarget::OsStore
    };
    let options = WizardOptions {
        demo: None,
        today: ctx.today,
        config_dir: ctx.config_dir.clone(),
        storage,
        state: ctx.load_state()?,
    };
    let summary = tui::run_wizard(options).await.map_err(terminal_error)?;
    output::report(&summary)?;
    Ok(Outcome::Healthy)
}

pub(super) fn terminal_error(error: TuiError) -> CliError {
    CliError::Terminal(error.to_string())
}
