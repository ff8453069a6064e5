//! Azure DevOps' rate limiter (issue 11, `azure-devops-api.md` §9): the simulator holds requests
//! near its budget and blocks them with 429 beyond it; the audit slows down, waits as asked, and
//! finishes with every answer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::time::Duration;

use azdo_gate::ado::{Client, ClientConfig};
use azdo_gate::audit::{self, AuditInput};
use azdo_gate::org::OrgUrl;
use azdo_gate::profile::GateProfile;
use azdo_gate_sim::{self as sim, RateLimit, Scenario, SimOptions};
use secrecy::SecretString;

const WEBHOOK: &str = "https://gate.example.com/ado/events";

#[tokio::test(flavor = "multi_thread")]
async fn an_audit_under_the_rate_limiter_slows_down_waits_and_completes() {
    let projects = 200;
    let scenario = Scenario::generated(projects, 2 * projects, 4 * projects, WEBHOOK);
    let token = scenario.primary_token().unwrap().to_owned();
    let options = SimOptions {
        rate_limit: Some(RateLimit {
            budget: 120,
            window: Duration::from_secs(1),
            delay: Duration::from_millis(5),
        }),
        ..SimOptions::default()
    };
    let sim = sim::start(scenario, "127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    let client = Client::new(
        OrgUrl::parse(&sim.org_url()).unwrap(),
        SecretString::from(token),
        // One attempt: only the throttle budget may retry, so the test shows that 429s never
        // use up attempts.
        ClientConfig {
            max_attempts: 1,
            ..ClientConfig::default()
        },
    )
    .unwrap();
    let input = AuditInput {
        profile: GateProfile::default_profile()
            .with_webhook_url(WEBHOOK)
            .unwrap(),
        previous: None,
    };
    let report = audit::run(&client, &input, None).await.unwrap();
    assert_eq!(report.summary.projects, projects);
    assert_eq!(report.summary.repositories, 2 * projects);
    assert!(report.projects.iter().all(|p| !p.permissions_unknown()));
    // 1 identity + 1 subscriptions + 1 repositories + 2 project pages + 2 batches + 200 policies.
    let needed = 207;
    assert!(
        sim.requests_total() > needed,
        "the limiter blocked some requests: {:?}",
        sim.requests_by_route()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_429s_is_waited_out_and_the_progress_line_says_so() {
    let mut scenario = Scenario::demo();
    scenario.faults.push(azdo_gate_sim::FaultSpec::Throttle {
        route: Some("GET git/repositories".into()),
        count: 6,
        retry_after_secs: 1,
    });
    let sim = common::start(scenario).await;
    let dir = tempfile::tempdir().unwrap();
    let out = common::run(
        dir.path(),
        Some(&common::demo_token("gate")),
        &[
            "audit",
            "--org",
            &sim.org_url(),
            "--json",
            "--webhook-url",
            WEBHOOK,
        ],
    )
    .await;
    let stderr = common::stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "six 429s in a row do not end the run: {stderr}"
    );
    assert_eq!(
        stderr
            .matches("Azure DevOps asked us to slow down; waiting 1 s")
            .count(),
        6,
        "{stderr}"
    );
    assert!(
        common::json(&out)["summary"]["repositories"]
            .as_u64()
            .unwrap()
            > 0
    );
}
