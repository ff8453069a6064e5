//! `azdo-gate demo`: the wizard against the built-in simulated organization on loopback, with a
//! throwaway configuration directory and an in-memory credential store, so nothing is written
//! outside a temporary directory.

use azdo_gate_sim::{self as sim, Scenario, SimOptions};
use secrecy::SecretString;

use super::context::Context;
use super::wizard::terminal_error;
use super::{CliError, Outcome};
use crate::store::State;
use crate::tui::{self, DemoContext, StoreTarget, WizardOptions};

/// Where the demo scenario's gating service receives events (its subscriptions point there).
const DEMO_WEBHOOK_URL: &str = "https://gate.example.com/ado/events";

/// Runs the demo and prints its summary on stdout once the terminal is restored.
pub async fn run(ctx: &Context) -> Result<Outcome, CliError> {
    tui::require_terminal().map_err(terminal_error)?;
    let summary = run_demo(ctx).await?;
    println!("{summary}");
    Ok(Outcome::Healthy)
}

async fn run_demo(ctx: &Context) -> Result<String, CliError> {
    let simulator = sim::start(
        Scenario::demo(),
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        SimOptions::default(),
    )
    .await
    .map_err(|e| CliError::Simulator(e.to_string()))?;
    let token = simulator
        .primary_token()
        .ok_or_else(|| CliError::Simulator("the demo scenario has no primary token".to_owned()))?;
    let scratch = tempfile::TempDir::new().map_err(|e| {
        CliError::Simulator(format!(
            "could not create a temporary directory for the demo: {e}"
        ))
    })?;
    let options = WizardOptions {
        demo: Some(DemoContext {
            org_url: simulator.org_url(),
            token: SecretString::from(token),
            webhook_url: DEMO_WEBHOOK_URL.to_owned(),
            token_page_url: simulator.gate_token_page(),
        }),
        today: ctx.today,
        config_dir: scratch.path().to_path_buf(),
        storage: StoreTarget::Memory,
        state: State::default(),
    };
    let outcome = tui::run_wizard(options).await;
    simulator.shutdown().await;
    drop(scratch);
    let summary = outcome.map_err(terminal_error)?;
    Ok(format!(
        "{summary}\n(This was the demo: a simulated organization; nothing real was touched and nothing was kept.)"
    ))
}
