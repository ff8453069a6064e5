//! The interactive wizard, built on The Elm Architecture.
//!
//! [`App`] is the whole state; [`update`] turns a [`Msg`] into state changes plus [`Effect`]s and
//! performs no I/O; [`render`] draws the state and nothing else. The runner (`runner.rs`) is the only
//! code with side effects: it owns the terminal, the network probes, the browser and the clipboard,
//! runs effects as tasks registered per step, and feeds their results back as messages. That split
//! is what lets every screen be tested as a sequence of messages, without a terminal or a network.

pub mod app;
mod audit_state;
mod calendar;
pub mod delivery;
pub mod effect;
mod expiry;
pub mod flow;
#[cfg(test)]
mod flow_tests;
pub mod keymap;
pub mod msg;
mod old_token;
mod runner;
pub mod steps;
mod terminal;
pub mod theme;
mod update;
#[cfg(test)]
mod update_tests;
mod view;
pub mod widgets;

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use jiff::civil::Date;
use secrecy::SecretString;

use crate::store::State;

pub use app::App;
pub use effect::{Effect, StoreTarget, WebhookPassword};
pub use msg::{Msg, RequestId, Stored, TaskError};
pub use runner::Headless;
pub use steps::Step;
pub use theme::Theme;
pub use update::update;
pub use view::{MIN_HEIGHT, MIN_WIDTH, render};

/// How the binary starts the wizard.
#[derive(Debug)]
pub struct WizardOptions {
    /// Run against a simulated organization, with the organization and token pre-filled.
    pub demo: Option<DemoContext>,
    /// "Today", injected so the suggested token name and expiry are reproducible.
    pub today: Date,
    /// Where `state.toml` (and, if chosen, the insecure token file) are written.
    pub config_dir: PathBuf,
    /// Where a verified token goes first: the OS store, the insecure file (`--insecure-storage`),
    /// or memory (the demo).
    pub storage: StoreTarget,
    /// What earlier runs remembered (loaded by the caller from `config_dir`).
    pub state: State,
}

/// The simulated organization `azdo-gate demo` serves on loopback.
#[derive(Debug)]
pub struct DemoContext {
    pub org_url: String,
    pub token: SecretString,
    /// The demo gate's webhook URL and the basic auth it expects, pre-filled on the gate step.
    pub webhook_url: String,
    pub webhook_user: String,
    pub webhook_password: SecretString,
    /// The demo gate's token page (served by the simulator), pre-filled where the wizard asks.
    pub token_page_url: String,
}

/// Why the wizard could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(
        "the interactive wizard needs a terminal, and {0} is not one; in scripts and CI use `azdo-gate check`, `azdo-gate audit` or `azdo-gate configure`"
    )]
    NotATerminal(&'static str),
    #[error("terminal error: {0}")]
    Terminal(#[from] io::Error),
    #[error("the terminal stopped sending input")]
    InputClosed,
}

/// Refuses to start when stdin or stdout is not a terminal (piped, redirected, or run from cron).
pub fn require_terminal() -> Result<(), TuiError> {
    if !io::stdin().is_terminal() {
        return Err(TuiError::NotATerminal("standard input"));
    }
    if !io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal("standard output"));
    }
    Ok(())
}

/// How the wizard ended: the summary the caller prints on stdout once the terminal is back to
/// normal, and whether the admin interrupted it (Ctrl+C, or a signal), which exits 130.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WizardEnd {
    pub summary: String,
    pub interrupted: bool,
}

/// Runs the wizard full-screen and returns how it ended. The terminal is restored on every path
/// out, panics included.
pub async fn run_wizard(options: WizardOptions) -> Result<WizardEnd, TuiError> {
    require_terminal()?;
    let config_dir = options.config_dir.clone();
    let mut app = App::new(options, Theme::from_env());
    let mut session = terminal::Session::enter()?;
    let outcome = runner::run(session.terminal(), &mut app, config_dir).await;
    let restored = session.leave();
    let end = outcome?;
    restored?;
    Ok(end)
}
