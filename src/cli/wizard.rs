//! `azdo-gate` (no command): the interactive wizard against a real organization.

use super::context::Context;
use super::{CliError, Outcome, output};
use crate::tui::{self, StoreTarget, TuiError, WizardEnd, WizardOptions};

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
    let end = tui::run_wizard(options).await.map_err(terminal_error)?;
    output::report(&end.summary)?;
    Ok(outcome(&end))
}

/// Ctrl+C exits 130, as shells expect of an interrupted program; every other way out exits 0.
pub(super) fn outcome(end: &WizardEnd) -> Outcome {
    if end.interrupted {
        Outcome::Interrupted
    } else {
        Outcome::Healthy
    }
}

pub(super) fn terminal_error(error: TuiError) -> CliError {
    CliError::Terminal(error.to_string())
}
