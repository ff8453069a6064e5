//! The audit engine against the simulator (`tests/fixtures/audit_scenario.toml`): every coverage
//! class, the permission cases, projects listing refused or allowed, repositories new since a
//! snapshot, throttling, progress, and the request budget at 300 projects.

// A test that cannot set itself up should stop right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use azdo_gate::ado::{Client, ClientConfig};
use azdo_gate::audit::{
    self, AuditEvent, AuditInput, AuditPhase, AuditReport, Coverage, EventStatus, HookPermissions,
    PolicyPresence, ProjectsSource,
};
use azdo_gate::checks::TokenSource;
use azdo_gate::follow_up::FollowUp;
use azdo_gate::org::OrgUrl;
use azdo_gate::profile::{GateProfile, SubscriptionScope};
use azdo_gate::report::{audit_csv, audit_json, audit_text};
use azdo_gate_sim::{self as sim, Scenario, SimHandle, SimOptions};
use secrecy::SecretString;

const WEBHOOK: &str = "https://gate.example.com/ado/events";
const STOREFRONT: &str = "10000000-0000-4000-8000-000000000001";
const PAYMENTS: &str = "10000000-0000-4000-8000-000000000004";
const VAULT: &str = "10000000-0000-4000-8000-000000000005";
const BATCH_ROUTE: &str = "POST security/permissionevaluationbatch";
const POLICY_ROUTE: &str = "GET policy/configurations";

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit_scenario.toml");
    Scenario::from_path(&path).unwrap()
}

async fn start(scenario: Scenario) -> SimHandle {
    sim::start(
        scenario,
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap()
}

fn client(sim: &SimHandle, token: &str) -> Client {
    Client::new(
        OrgUrl::parse(&sim.org_url()).unwrap(),
        SecretString::from(token.to_owned()),
        ClientConfig::default(),
    )
    .unwrap()
}

fn input(previous: Option<BTreeSet<String>>) -> AuditInput {
    AuditInput {
        profile: GateProfile::default_profile()
            .with_webhook_url(WEBHOOK)
            .unwrap(),
        previous,
    }
}

fn gate_token() -> String {
    scenario().token("gate").unwrap().to_owned()
}

fn coverage(report: &AuditReport) -> BTreeMap<String, Coverage> {
    report
        .repositories
        .iter()
        .map(|r| (format!("{}/{}", r.project, r.name), r.coverage))
        .collect()
}

/// The simulator listens on a random port; snapshots must not depend on it.
macro_rules! assert_port_free_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")] }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

#[tokio::test]
async fn the_gate_token_audit_classifies_every_case() {
    let sim = start(scenario()).await;
    let client = client(&sim, &gate_token());
    let report = audit::run(&client, &input(None), None).await.unwrap();

    assert_eq!(report.projects_source, ProjectsSource::Repositories);
    let expected: BTreeMap<String, Coverage> = [
        ("Payments/ledger", Coverage::Missing),
        ("Platform/infra", Coverage::Covered),
        ("Platform/tools", Coverage::Covered),
        ("Research/analytics", Coverage::Unhealthy),
        ("Research/models", Coverage::Unhealthy),
        ("Research/notebooks", Coverage::Missing),
        ("Storefront/api", Coverage::Partial),
        ("Storefront/legacy", Coverage::NotApplicable),
        ("Storefront/mobile", Coverage::Missing),
        ("Storefront/sandbox", Coverage::NotApplicable),
        ("Storefront/web", Coverage::Covered),
        ("Vault/secrets", Coverage::Missing),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(coverage(&report), expected);

    let analytics = report
        .repositories
        .iter()
        .find(|r| r.name == "analytics")
        .unwrap();
    assert_eq!(analytics.events[0].status, EventStatus::DisabledBySystem);
    assert_eq!(
        analytics.events[0].subscription_id.as_deref(),
        Some("30000000-0000-4000-8000-000000000008")
    );
    let infra = report
        .repositories
        .iter()
        .find(|r| r.name == "infra")
        .unwrap();
    assert!(
        infra
            .events
            .iter()
            .all(|e| e.scope == Some(SubscriptionScope::Project))
    );
    assert_eq!(infra.status_policy, PolicyPresence::Present);

    // Payments lacks permissions; Vault's are unknown, never granted; the rest are fine.
    let payments = report.project(PAYMENTS).unwrap();
    assert_eq!(
        payments.service_hooks,
        HookPermissions {
            view: Some(true),
            edit: Some(false)
        }
    );
    assert_eq!(payments.edit_policies, Some(false));
    let vault = report.project(VAULT).unwrap();
    assert_eq!(vault.service_hooks, HookPermissions::default());
    assert_eq!(vault.edit_policies, None);
    assert!(
        vault
            .permissions_note
            .as_deref()
            .unwrap()
            .contains("refused")
    );
    let names: Vec<&str> = report.projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Payments", "Vault", "Platform", "Research", "Storefront"]
    );
    assert_eq!(report.summary.projects_missing_permissions, 1);
    assert!(!report.healthy());
    assert_eq!(
        report.projects_with_policy,
        ["10000000-0000-4000-8000-000000000002"]
    );
    assert_eq!(
        report.user_id(),
        Some("40000000-0000-4000-8000-000000000001")
    );

    // The refused batch is bisected: 1 batch + 2 per halving, log2(5) rounded up halvings at most.
    let routes = sim.requests_by_route();
    assert!(routes[BATCH_ROUTE] <= 7, "{routes:?}");
    assert_eq!(report.requests, sim.requests_total());

    assert_port_free_snapshot!("gate_token_json", audit_json(&report).unwrap());
    assert_port_free_snapshot!("gate_token_csv", audit_csv(&report));
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    let text = audit_text(&report, &FollowUp::new(&org, TokenSource::Env));
    assert!(
        text.lines().all(|l| azdo_gate::columns::width(l) <= 100),
        "wider than 100 columns:\n{text}"
    );
    assert_port_free_snapshot!("gate_token_text", text);
}

#[tokio::test]
async fn a_token_that_may_list_projects_reports_them_from_the_projects_api() {
    let scenario = scenario();
    let sim = start(scenario.clone()).await;
    let gate = audit::run(&client(&sim, &gate_token()), &input(None), None)
        .await
        .unwrap();
    let full = audit::run(
        &client(&sim, scenario.token("gate-full").unwrap()),
        &input(None),
        None,
    )
    .await
    .unwrap();

    assert_eq!(full.projects_source, ProjectsSource::ProjectsApi);
    let archive = full.projects.iter().find(|p| p.name == "Archive").unwrap();
    assert_eq!(
        archive.service_hooks,
        HookPermissions {
            view: Some(true),
            edit: Some(true)
        }
    );
    assert!(
        archive.fully_covered,
        "a project without repositories has no gap"
    );
    assert!(!gate.projects.iter().any(|p| p.name == "Archive"));
    assert_eq!(full.summary.projects, gate.summary.projects + 1);
    assert_eq!(coverage(&full), coverage(&gate));
    // Only the projects differ from the gate token's report (pinned in full above).
    let json: serde_json::Value = serde_json::from_str(&audit_json(&full).unwrap()).unwrap();
    let projects = serde_json::json!({
        "projects_source": json["projects_source"],
        "projects": json["projects"],
        "summary": json["summary"],
    });
    insta::assert_json_snapshot!("full_access_projects", projects);
}

#[tokio::test]
async fn repositories_created_since_the_stored_snapshot_are_new() {
    let sim = start(scenario()).await;
    let client = client(&sim, &gate_token());
    let first = audit::run(&client, &input(None), None).await.unwrap();
    assert_eq!(
        first.summary.new, 0,
        "a first run has nothing to compare with"
    );

    let added = sim.add_repository(STOREFRONT, "checkout", Some("refs/heads/main"));
    let snapshot: BTreeSet<String> = first.repository_ids().into_iter().collect();
    let second = audit::run(&client, &input(Some(snapshot)), None)
        .await
        .unwrap();
    let new: Vec<(&str, Coverage)> = second
        .repositories
        .iter()
        .filter(|r| r.new)
        .map(|r| (r.id.as_str(), r.coverage))
        .collect();
    assert_eq!(new, [(added.as_str(), Coverage::Missing)]);
    assert_eq!(second.summary.new, 1);
    assert_eq!(second.summary.repositories, first.summary.repositories + 1);
}

/// Coverage must not depend on throttling: the report without its request count.
fn without_requests(report: &AuditReport) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(&audit_json(report).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("requests");
    json
}

#[tokio::test]
async fn bursts_of_429_slow_the_audit_down_but_change_nothing() {
    let sim = start(scenario()).await;
    let client_a = client(&sim, &gate_token());
    let calm = audit::run(&client_a, &input(None), None).await.unwrap();

    let throttled_routes = [
        ("GET connectionData", 1),
        ("GET git/repositories", 2),
        ("GET hooks/subscriptions", 1),
        (BATCH_ROUTE, 2),
        (POLICY_ROUTE, 3),
    ];
    for (route, count) in throttled_routes {
        sim.faults().throttle(Some(route), count, 1);
    }
    let client_b = client(&sim, &gate_token());
    let started = std::time::Instant::now();
    let throttled = audit::run(&client_b, &input(None), None).await.unwrap();

    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(without_requests(&throttled), without_requests(&calm));
    assert_eq!(throttled.requests, calm.requests + 9);
}

#[tokio::test]
async fn progress_moves_every_phase_from_zero_to_done() {
    let sim = start(scenario()).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    audit::run(&client(&sim, &gate_token()), &input(None), Some(tx))
        .await
        .unwrap();
    let mut events: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    while let Ok(AuditEvent::Phase { phase, done, total }) = rx.try_recv() {
        events.entry(phase.label()).or_default().push((done, total));
    }
    assert_eq!(events.len(), AuditPhase::ALL.len());
    for (phase, steps) in &events {
        assert_eq!(steps.first().unwrap().0, 0, "{phase}: {steps:?}");
        let (done, total) = *steps.last().unwrap();
        assert_eq!(done, total, "{phase}: {steps:?}");
        assert!(
            steps.windows(2).all(|w| w[0].0 <= w[1].0),
            "{phase}: {steps:?}"
        );
    }
    assert_eq!(
        events[AuditPhase::Policies.label()].last().copied(),
        Some((5, 5))
    );
}

#[tokio::test]
async fn without_a_required_status_check_no_policy_is_read() {
    let sim = start(scenario()).await;
    let mut audit_input = input(None);
    audit_input.profile.status_check.required = false;
    let report = audit::run(&client(&sim, &gate_token()), &audit_input, None)
        .await
        .unwrap();
    assert!(!sim.requests_by_route().contains_key(POLICY_ROUTE));
    assert!(
        report
            .repositories
            .iter()
            .all(|r| r.status_policy == PolicyPresence::NotRequired)
    );
    let api = report
        .repositories
        .iter()
        .find(|r| r.name == "api")
        .unwrap();
    assert_eq!(
        api.coverage,
        Coverage::Partial,
        "the updated hook is still missing"
    );
    let sandbox = report
        .repositories
        .iter()
        .find(|r| r.name == "sandbox")
        .unwrap();
    assert_eq!(
        sandbox.coverage,
        Coverage::Covered,
        "an empty repository with hooks is covered"
    );
}

/// 4 + ⌈P/100⌉ + ⌈4P/500⌉ + P with the status check required, whatever the number of repositories.
fn budget(projects: u64) -> u64 {
    4 + projects.div_ceil(100) + (4 * projects).div_ceil(500) + projects
}

#[tokio::test]
async fn the_audit_of_300_projects_stays_within_its_request_budget() {
    let mut counts = Vec::new();
    for repos in [300, 3000] {
        let scenario = Scenario::generated(300, repos, 2 * repos, WEBHOOK);
        let token = scenario.primary_token().unwrap().to_owned();
        let sim = start(scenario).await;
        let report = audit::run(&client(&sim, &token), &input(None), None)
            .await
            .unwrap();
        assert_eq!(report.summary.repositories, repos);
        assert_eq!(report.summary.projects, 300);
        assert!(
            report.requests <= budget(300),
            "{} requests for 300 projects (budget {}): {:?}",
            report.requests,
            budget(300),
            sim.requests_by_route()
        );
        let routes = sim.requests_by_route();
        assert_eq!(routes["GET git/repositories"], 1);
        assert_eq!(routes["GET hooks/subscriptions"], 1);
        assert_eq!(routes[BATCH_ROUTE], 3);
        assert_eq!(routes[POLICY_ROUTE], 300);
        counts.push(report.requests);
    }
    assert_eq!(
        counts[0], counts[1],
        "ten times the repositories, the same requests"
    );
}

#[tokio::test]
async fn an_unusable_token_fails_the_audit_instead_of_reporting_gaps() {
    let sim = start(scenario()).await;
    let error = audit::run(&client(&sim, "not-a-real-token"), &input(None), None)
        .await
        .unwrap_err();
    assert!(error.is_token_problem(), "{error:?}");
    assert_eq!(sim.requests_total(), 1, "nothing after the identity check");
}

#[tokio::test]
async fn a_subscription_list_that_cannot_be_read_fails_the_audit() {
    let sim = start(scenario()).await;
    sim.faults().fail(Some("GET hooks/subscriptions"), 100, 503);
    let config = ClientConfig {
        backoff: azdo_gate::ado::Backoff {
            base: std::time::Duration::from_millis(5),
            ..azdo_gate::ado::Backoff::default()
        },
        ..ClientConfig::default()
    };
    let client = Client::new(
        OrgUrl::parse(&sim.org_url()).unwrap(),
        SecretString::from(gate_token()),
        config,
    )
    .unwrap();
    let error = audit::run(&client, &input(None), None).await.unwrap_err();
    assert!(
        matches!(error, azdo_gate::ado::AdoError::Server { status: 503, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_audit_can_run_on_a_spawned_task() {
    let sim = start(scenario()).await;
    let client = client(&sim, &gate_token());
    let task = tokio::spawn(async move { audit::run(&client, &input(None), None).await });
    let report = task.await.unwrap().unwrap();
    assert_eq!(report.summary.repositories, 12);
}
