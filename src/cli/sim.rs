//! `azdo-gate sim`: serve a simulated organization until Ctrl-C.

use std::time::Duration;

use super::args::SimArgs;
use super::{CliError, Outcome};
use azdo_gate_sim::{self as sim, Scenario, SimOptions};

pub async fn run(args: SimArgs) -> Result<Outcome, CliError> {
    let scenario = match &args.scenario {
        Some(path) => Scenario::from_path(path).map_err(|e| CliError::Simulator(e.to_string()))?,
        None => Scenario::demo(),
    };
    let server_version = args
        .server_version
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| CliError::Simulator(format!("--server-version: {e}")))?;
    let options = SimOptions {
        latency: Duration::from_millis(args.latency_ms),
        server_version,
        ..SimOptions::default()
    };
    let handle = sim::start(scenario, args.addr, options)
        .await
        .map_err(|e| CliError::Simulator(e.to_string()))?;
    println!("Simulated Azure DevOps organization: {}", handle.org_url());
    if let Some(token) = handle.primary_token() {
        // A simulator token, printed on purpose so the admin can try the tool against it.
        println!("Demo token: {token}");
        println!(
            "Try: curl -u :{token} -H 'X-TFS-FedAuthRedirect: Suppress' '{}/_apis/git/repositories?api-version=7.1'",
            handle.org_url()
        );
    }
    eprintln!("Serving until Ctrl-C.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Simulator(format!("could not wait for Ctrl-C: {e}")))?;
    handle.shutdown().await;
    Ok(Outcome::Healthy)
}
