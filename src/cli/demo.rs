//! `azdo-gate demo`: the wizard against the built-in simulated organization on loopback, with a
//! throwaway configuration directory and an in-memory credential store, so nothing is written
//! outside a temporary directory. A small gate receiver on loopback gets the simulator's real
//! deliveries; one of the scenario's hooks sends an old password, so the gate answers it 401.

use azdo_gate_sim::{self as sim, GateReceiver, Scenario, SimOptions};
use secrecy::SecretString;

use super::context::Context;
use super::wizard::{self, terminal_error};
use super::{CliError, Outcome, output};
use crate::store::State;
use crate::tui::{self, DemoContext, StoreTarget, WizardEnd, WizardOptions};

/// Where the demo scenario's gating service receives events; the demo points its subscriptions at
/// a local receiver instead.
const SCENARIO_WEBHOOK_URL: &str = "https://gate.example.com/ado/events";
/// The basic-auth credentials the demo gate expects (the scenario's hooks send them, but one).
const DEMO_GATE_USER: &str = "gate";
const DEMO_GATE_PASSWORD: &str = "demo-webhook-secret";
/// Repositories where the demo opens a pull request before the wizard starts, so deliveries (one
/// refused with 401) are in Azure DevOps' history: storefront-web and storefront-api.
const PULL_REQUEST_REPOS: [&str; 2] = [
    "20000001-0000-4000-8000-000000000001",
    "20000001-0000-4000-8000-000000000002",
];
/// The gate user of the demo scenario, who opens them.
const DEMO_USER: &str = "40000000-0000-4000-8000-000000000001";

/// Runs the demo and prints its summary on stdout once the terminal is restored.
pub async fn run(ctx: &Context) -> Result<Outcome, CliError> {
    tui::require_terminal().map_err(terminal_error)?;
    let end = run_demo(ctx).await?;
    output::report(&end.summary)?;
    Ok(wizard::outcome(&end))
}

async fn run_demo(ctx: &Context) -> Result<WizardEnd, CliError> {
    let simulator_error = |e: sim::SimError| CliError::Simulator(e.to_string());
    // A small gate on loopback, so real deliveries arrive somewhere a first-time user can trust.
    let gate = GateReceiver::start(DEMO_GATE_USER, DEMO_GATE_PASSWORD)
        .await
        .map_err(simulator_error)?;
    // The wizard pre-fills the gate's basic auth; an admin who clears it still sees deliveries.
    gate.allow_anonymous();
    let webhook_url = gate.url("/ado/events");
    let mut scenario = Scenario::demo();
    for sub in &mut scenario.subscriptions {
        if let Some(url) = sub.consumer_inputs.get_mut("url")
            && url == SCENARIO_WEBHOOK_URL
        {
            url.clone_from(&webhook_url);
        }
    }
    let simulator = sim::start(
        scenario,
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        SimOptions::default(),
    )
    .await
    .map_err(simulator_error)?;
    for repo in PULL_REQUEST_REPOS {
        simulator
            .create_pull_request(
                repo,
                "Add the checkout page",
                "refs/heads/checkout",
                DEMO_USER,
            )
            .await;
    }
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
            webhook_url,
            webhook_user: DEMO_GATE_USER.to_owned(),
            webhook_password: SecretString::from(DEMO_GATE_PASSWORD),
            token_page_url: simulator.gate_token_page(),
        }),
        today: ctx.today,
        config_dir: scratch.path().to_path_buf(),
        storage: StoreTarget::Memory,
        state: State::default(),
    };
    let outcome = tui::run_wizard(options).await;
    simulator.shutdown().await;
    drop(gate);
    drop(scratch);
    let mut end = outcome.map_err(terminal_error)?;
    end.summary.push_str(
        "\n(This was the demo: a simulated organization; nothing real was touched and nothing was kept.)",
    );
    Ok(end)
}
