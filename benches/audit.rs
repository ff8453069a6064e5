//! Audit of a large organization against the in-process simulator: 1 000 projects, 10 000
//! repositories, 20 000 subscriptions, status check required. Not a timed test: it prints figures
//! for BENCHMARKS.md.
//!
//! Run with `cargo bench --bench audit`.
//!
//! 1. 50 ms latency per request, fixed concurrency 8: wall time, requests, and the ratio of wall
//!    time to the round-trip lower bound. The lower bound treats the audit's phases as sequential,
//!    each costing ⌈its requests / 8⌉ round trips of 50 ms (a paged listing costs one round trip
//!    per page, pages being sequential). A second, tighter bound follows the engine's own schedule:
//!    identity → subscriptions → {repositories, project pages} → {permission batches, policies}.
//! 2. The same with adaptive concurrency (the default, 8 growing to 32): the speed-up over 1.
//! 3. Adaptive, without latency (target < 2 s).
//! 4. Adaptive, without latency, with the simulator's rate limiter on (a budget of 300 requests
//!    per second): every request answered in the end, the 429s counted.
//!
//! Each measurement runs in a fresh process (this binary re-runs itself), and the simulator runs in
//! a process of its own (the binary again, in its simulator role), so the audit's peak RSS (VmHWM)
//! is the audit's alone: client, engine and report. The simulator's own peak is printed beside it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use azdo_gate::ado::{Client, ClientConfig};
use azdo_gate::audit::{self, AuditInput};
use azdo_gate::org::OrgUrl;
use azdo_gate::profile::GateProfile;
use azdo_gate_sim::{self as sim, Scenario, SimOptions};
use secrecy::SecretString;

const WEBHOOK: &str = "https://gate.example.com/ado/events";
const PROJECTS: usize = 1_000;
const REPOS: usize = 10_000;
const SUBSCRIPTIONS: usize = 20_000;
const CONCURRENCY: usize = 8;
const LATENCY: Duration = Duration::from_millis(50);
/// Set in the child processes: the latency to measure with, in milliseconds.
const CHILD_ENV: &str = "AZDO_GATE_BENCH_AUDIT_LATENCY_MS";
/// Set in the child processes: `fixed`, `adaptive` or `limited` (adaptive, simulator limiter on).
const MODE_ENV: &str = "AZDO_GATE_BENCH_AUDIT_MODE";
/// Set in the simulator's process: serve the generated organization with this latency.
const SIM_ENV: &str = "AZDO_GATE_BENCH_SIM_LATENCY_MS";
/// Set in the simulator's process: turn the rate limiter on.
const SIM_LIMIT_ENV: &str = "AZDO_GATE_BENCH_SIM_LIMITED";
/// The audit's requests when nothing is throttled (1 identity, 1 refused projects page, 1
/// repositories, 1 subscriptions, 8 permission batches, 1 000 policy listings).
const UNTHROTTLED_REQUESTS: u64 = 1_012;
/// The rate limiter of run 4: budget per window.
const LIMIT: sim::RateLimit = sim::RateLimit {
    budget: 300,
    window: Duration::from_secs(1),
    delay: Duration::from_millis(10),
};

fn main() {
    if let Ok(ms) = std::env::var(SIM_ENV) {
        let latency = Duration::from_millis(ms.parse().unwrap_or(0));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
        let limited = std::env::var(SIM_LIMIT_ENV).is_ok();
        runtime.block_on(serve(latency, limited));
        return;
    }
    if let Ok(ms) = std::env::var(CHILD_ENV) {
        let latency = Duration::from_millis(ms.parse().unwrap_or(0));
        let mode = std::env::var(MODE_ENV).unwrap_or_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
        runtime.block_on(measure(latency, &mode));
        return;
    }
    println!(
        "audit: {PROJECTS} projects, {REPOS} repositories, {SUBSCRIPTIONS} subscriptions, \
         concurrency {CONCURRENCY}, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let me = std::env::current_exe().unwrap_or_else(|e| panic!("own path: {e}"));
    let mut walls = BTreeMap::new();
    for (latency, mode) in [
        (LATENCY, "fixed"),
        (LATENCY, "adaptive"),
        (Duration::ZERO, "adaptive"),
        (Duration::ZERO, "limited"),
    ] {
        let output = Command::new(&me)
            .env(CHILD_ENV, latency.as_millis().to_string())
            .env(MODE_ENV, mode)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("re-running {}: {e}", me.display()));
        let text = String::from_utf8_lossy(&output.stdout);
        print!("{text}");
        assert!(
            output.status.success(),
            "the measurement failed: {}",
            output.status
        );
        let wall: Option<f64> = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("wall time"))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok());
        walls.insert((latency, mode), wall.unwrap_or(f64::NAN));
    }
    println!(
        "\nadaptive speed-up at {} ms latency: {:.2}x (fixed concurrency 8 / adaptive, same run)",
        LATENCY.as_millis(),
        walls[&(LATENCY, "fixed")] / walls[&(LATENCY, "adaptive")]
    );
    println!(
        "\n(peak RSS of the audit's process: client, engine, report; the simulator runs apart)"
    );
}

/// The simulator's role: print the organization URL and the gate's token, then serve until the
/// measuring process closes our stdin.
async fn serve(latency: Duration, limited: bool) {
    let scenario = Scenario::generated(PROJECTS, REPOS, SUBSCRIPTIONS, WEBHOOK);
    let token = scenario
        .primary_token()
        .unwrap_or_else(|| panic!("generated scenarios have a primary token"))
        .to_owned();
    let options = SimOptions {
        latency,
        rate_limit: limited.then_some(LIMIT),
        ..SimOptions::default()
    };
    let sim = sim::start(scenario, ([127, 0, 0, 1], 0).into(), options)
        .await
        .unwrap_or_else(|e| panic!("simulator: {e}"));
    println!("{} {token}", sim.org_url());
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await;
    let routes = sim.requests_by_route();
    println!("{}", serde_json::to_string(&routes).unwrap_or_default());
    println!("{}", memory("/proc/self/status", "VmHWM:"));
}

/// Starts the simulator's process; returns it with its organization URL and token.
fn start_simulator(
    latency: Duration,
    limited: bool,
) -> (Child, BufReader<std::process::ChildStdout>, String, String) {
    let me = std::env::current_exe().unwrap_or_else(|e| panic!("own path: {e}"));
    let mut command = Command::new(me);
    if limited {
        command.env(SIM_LIMIT_ENV, "1");
    }
    let mut child = command
        .env_remove(CHILD_ENV)
        .env(SIM_ENV, latency.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("simulator process: {e}"));
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("piped stdout"));
    let mut lines = BufReader::new(stdout);
    let mut first = String::new();
    lines
        .read_line(&mut first)
        .unwrap_or_else(|e| panic!("simulator output: {e}"));
    let (url, token) = first
        .trim()
        .split_once(' ')
        .unwrap_or_else(|| panic!("simulator said {first:?}"));
    (child, lines, url.to_owned(), token.to_owned())
}

async fn measure(latency: Duration, mode: &str) {
    let limited = mode == "limited";
    let (mut simulator, mut sim_out, url, token) = start_simulator(latency, limited);
    let org = OrgUrl::parse(&url).unwrap_or_else(|e| panic!("org url: {e}"));
    let input = AuditInput {
        profile: GateProfile::default_profile()
            .with_webhook_url(WEBHOOK)
            .unwrap_or_else(|e| panic!("profile: {e}")),
        previous: None,
    };
    let config = ClientConfig {
        concurrency: CONCURRENCY,
        adaptive: mode != "fixed",
        ..ClientConfig::default()
    };
    let client = Client::new(org, SecretString::from(token), config)
        .unwrap_or_else(|e| panic!("client: {e}"));
    let at_rest = memory("/proc/self/status", "VmRSS:");

    let started = Instant::now();
    let report = audit::run(&client, &input, None)
        .await
        .unwrap_or_else(|e| panic!("audit: {e}"));
    let wall = started.elapsed();

    let peak = memory("/proc/self/status", "VmHWM:");
    // Closing its stdin tells the simulator to report its request counts and peak, then exit.
    drop(simulator.stdin.take());
    let mut counts = String::new();
    let mut sim_peak = String::new();
    let _ = sim_out.read_line(&mut counts);
    let _ = sim_out.read_line(&mut sim_peak);
    let _ = simulator.wait();
    let routes: BTreeMap<String, u64> = serde_json::from_str(counts.trim()).unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("\n[latency {} ms, {mode}]", latency.as_millis());
    println!("  wall time         {:>8.0} ms", ms(wall));
    println!("  requests          {:>8}  {routes:?}", report.requests);
    if limited {
        println!(
            "  rate limiter      {} per {:?}: {} requests refused with 429 and retried, none failed (the audit completed)",
            LIMIT.budget,
            LIMIT.window,
            report.requests.saturating_sub(UNTHROTTLED_REQUESTS)
        );
    }
    println!(
        "  concurrency       {} at the end ({})",
        client.current_concurrency(),
        if mode == "fixed" {
            "fixed"
        } else {
            "adaptive 4–32"
        }
    );
    if !latency.is_zero() && mode == "fixed" {
        let bound = |round_trips: u64| latency * u32::try_from(round_trips).unwrap_or(u32::MAX);
        for (name, round_trips) in [
            ("phases sequential", sequential_round_trips(&routes)),
            ("engine's schedule", scheduled_round_trips(&routes)),
        ] {
            println!(
                "  bound, {name}: {round_trips} round trips = {:.0} ms → ratio {:.2}",
                ms(bound(round_trips)),
                wall.as_secs_f64() / bound(round_trips).as_secs_f64()
            );
        }
    }
    println!(
        "  summary           {} covered, {} partial, {} missing of {} repositories",
        report.summary.coverage.covered,
        report.summary.coverage.partial,
        report.summary.coverage.missing,
        report.summary.repositories
    );
    println!("  RSS at start      {at_rest} (before the audit)");
    println!("  peak RSS          {peak} (the audit's process)");
    println!(
        "  simulator peak    {} (its own process, for comparison)",
        sim_peak.trim()
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

/// The engine's schedule: identity; subscriptions; repositories and project pages together (at
/// least one round trip per page); then permission batches and policy listings sharing the slots.
fn scheduled_round_trips(routes: &BTreeMap<String, u64>) -> u64 {
    let pages = count(routes, "GET projects");
    round_trips(count(routes, "GET connectionData"))
        + round_trips(count(routes, "GET hooks/subscriptions"))
        + round_trips(count(routes, "GET git/repositories") + pages).max(pages)
        + round_trips(
            count(routes, "POST security/permissionevaluationbatch")
                + count(routes, "GET policy/configurations"),
        )
}

/// A memory line of a `/proc/.../status` file (`VmRSS:` now, `VmHWM:` peak), Linux only.
fn memory(status_file: &str, key: &str) -> String {
    let read = || {
        let status = std::fs::read_to_string(status_file).ok()?;
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(format!("{:.1} MB", kb as f64 / 1024.0))
    };
    read().unwrap_or_else(|| "unavailable".into())
}
