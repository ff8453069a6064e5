//! Audit of a large organization against the in-process simulator: 1 000 projects, 10 000
//! repositories, 20 000 subscriptions. Not a timed test: it prints figures for BENCHMARKS.md.
//!
//! Run with `cargo bench --bench audit`.
//!
//! 1. 50 ms latency per request, concurrency 8: wall time, requests, and the ratio of wall time to
//!    the round-trip lower bound. The lower bound treats the audit's phases as sequential, each
//!    costing ⌈its requests / 8⌉ round trips of 50 ms (a paged listing costs one round trip per
//!    page, pages being sequential). The engine overlaps independent phases, so the ratio can be
//!    below 1; a second, tighter bound follows the engine's actual dependency graph:
//!    identity → {repositories, projects, subscriptions} → {permission batches + policy listings}.
//! 2. The same audit without latency (target < 2 s).
//!
//! Peak RSS is the process's VmHWM, which includes the in-process simulator (its organization
//! state and response bodies), not only the audit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use azdo_gate::ado::{Client, ClientConfig};
use azdo_gate::audit::{self, AuditInput};
use azdo_gate::org::OrgUrl;
use azdo_gate::profile::GateProfile;
use azdo_gate::sim::{self, Scenario, SimOptions};
use secrecy::SecretString;

const WEBHOOK: &str = "https://gate.example.com/ado/events";
const PROJECTS: usize = 1_000;
const REPOS: usize = 10_000;
const SUBSCRIPTIONS: usize = 20_000;
const CONCURRENCY: usize = 8;
const LATENCY: Duration = Duration::from_millis(50);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    runtime.block_on(bench());
}

async fn bench() {
    let scenario = Scenario::generated(PROJECTS, REPOS, SUBSCRIPTIONS, WEBHOOK);
    let token = scenario
        .primary_token()
        .unwrap_or_else(|| panic!("generated scenarios have a primary token"))
        .to_owned();
    let options = SimOptions {
        latency: LATENCY,
        ..SimOptions::default()
    };
    let sim = sim::start(scenario, ([127, 0, 0, 1], 0).into(), options)
        .await
        .unwrap_or_else(|e| panic!("simulator: {e}"));
    let org = OrgUrl::parse(&sim.org_url()).unwrap_or_else(|e| panic!("org url: {e}"));
    let input = AuditInput {
        profile: GateProfile::default_profile()
            .with_webhook_url(WEBHOOK)
            .unwrap_or_else(|e| panic!("profile: {e}")),
        previous: None,
    };
    let client = || {
        let config = ClientConfig {
            concurrency: CONCURRENCY,
            ..ClientConfig::default()
        };
        Client::new(org.clone(), SecretString::from(token.clone()), config)
            .unwrap_or_else(|e| panic!("client: {e}"))
    };

    println!(
        "audit: {PROJECTS} projects, {REPOS} repositories, {SUBSCRIPTIONS} subscriptions, \
         concurrency {CONCURRENCY}"
    );

    // 1. With latency.
    let started = Instant::now();
    let report = audit::run(&client(), &input, None)
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"));
    let wall = started.elapsed();
    let routes = sim.requests_by_route();
    let sequential = sequential_round_trips(&routes);
    let overlapped = overlapped_round_trips(&routes);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let bound = |round_trips: u64| LATENCY * u32::try_from(round_trips).unwrap_or(u32::MAX);
    println!("\n[latency {} ms]", LATENCY.as_millis());
    println!("  wall time        {:>9.0} ms", ms(wall));
    println!("  requests         {:>9}  {routes:?}", report.requests);
    println!(
        "  bound, phases sequential  {sequential} round trips = {:.0} ms  → ratio {:.2}",
        ms(bound(sequential)),
        wall.as_secs_f64() / bound(sequential).as_secs_f64()
    );
    println!(
        "  bound, engine's schedule  {overlapped} round trips = {:.0} ms  → ratio {:.2}",
        ms(bound(overlapped)),
        wall.as_secs_f64() / bound(overlapped).as_secs_f64()
    );
    println!(
        "  summary          {} covered, {} partial, {} missing of {} repositories",
        report.summary.covered,
        report.summary.partial,
        report.summary.missing,
        report.summary.repositories
    );

    // 2. Without latency.
    sim.set_latency(Duration::ZERO);
    let started = Instant::now();
    let fast = audit::run(&client(), &input, None)
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"));
    let wall = started.elapsed();
    println!("\n[no latency]");
    println!("  wall time        {:>9.0} ms", ms(wall));
    println!("  requests         {:>9}", fast.requests);

    println!(
        "\npeak RSS (VmHWM, simulator included): {}",
        peak_rss().unwrap_or_else(|| "unavailable".into())
    );
}

fn count(routes: &BTreeMap<String, u64>, route: &str) -> u64 {
    routes.get(route).copied().unwrap_or(0)
}

fn round_trips(requests: u64) -> u64 {
    requests.div_ceil(CONCURRENCY as u64)
}

/// Phases one after the other: identity, repositories, projects (one round trip per page),
/// permission batches, subscriptions, policies; each ⌈requests / 8⌉ round trips.
fn sequential_round_trips(routes: &BTreeMap<String, u64>) -> u64 {
    round_trips(count(routes, "GET connectionData"))
        + round_trips(count(routes, "GET git/repositories"))
        + count(routes, "GET projects")
        + round_trips(count(routes, "POST security/permissionevaluationbatch"))
        + round_trips(count(routes, "GET hooks/subscriptions"))
        + round_trips(count(routes, "GET policy/configurations"))
}

/// The engine's schedule: identity; then repositories, project pages and subscriptions together
/// (at least one round trip per project page); then permission batches and policy listings
/// sharing the 8 slots.
fn overlapped_round_trips(routes: &BTreeMap<String, u64>) -> u64 {
    let discovery = count(routes, "GET git/repositories")
        + count(routes, "GET projects")
        + count(routes, "GET hooks/subscriptions");
    round_trips(count(routes, "GET connectionData"))
        + round_trips(discovery).max(count(routes, "GET projects"))
        + round_trips(
            count(routes, "POST security/permissionevaluationbatch")
                + count(routes, "GET policy/configurations"),
        )
}

/// `VmHWM` from `/proc/self/status` (Linux only).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.1} MB", kb as f64 / 1024.0))
}
