//! Azure DevOps Server (issue 11): the simulator in Server mode refuses REST API 7.1 exactly as
//! Server 2022 / 2020 do; the tool reads the supported version from the refusal, retries once with
//! it, remembers it for the collection, and `check`, `audit` and `configure --apply` work on the
//! collection URL `http://127.0.0.1:PORT/tfs/DefaultCollection`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use azdo_gate_sim::{self as sim, Scenario, ServerVersion, SimHandle, SimOptions};
use common::{demo_token, json, run, stderr};

const GATE_URL: &str = "https://gate.example.com/ado/events";

async fn server(version: &str) -> SimHandle {
    let mut scenario = Scenario::demo();
    scenario.organization = "DefaultCollection".into();
    let options = SimOptions {
        server_version: Some(version.parse::<ServerVersion>().unwrap()),
        ..SimOptions::default()
    };
    sim::start(scenario, "127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap()
}

fn connection_data_requests(sim: &SimHandle) -> u64 {
    sim.requests_by_route()
        .get("GET connectionData")
        .copied()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_collection_works_end_to_end_and_the_second_run_starts_at_its_version() {
    for version in ["7.0", "6.0"] {
        let sim = server(version).await;
        let org = sim.org_url();
        assert!(org.ends_with("/tfs/DefaultCollection"), "{org}");
        let dir = tempfile::tempdir().unwrap();
        let token = demo_token("gate");

        // A raw 7.1 request is refused the way the real server refuses it.
        let refused = reqwest::Client::new()
            .get(format!("{org}/_apis/git/repositories?api-version=7.1"))
            .basic_auth("", Some(&token))
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 400);
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["typeKey"], "VssVersionOutOfRangeException");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .ends_with(&format!("this server supports is {version}.")),
            "{body}"
        );

        let check = run(
            dir.path(),
            Some(&token),
            &["check", "--org", &org, "--json"],
        )
        .await;
        assert_ne!(check.status.code(), Some(2), "{}", stderr(&check));
        assert_eq!(json(&check)["identity"]["display_name"], "Gate Bot");

        // A fresh configuration: the audit negotiates (and remembers) on its own.
        let dir = tempfile::tempdir().unwrap();
        let audit = ["audit", "--org", &org, "--json", "--webhook-url", GATE_URL];
        sim.reset_counts();
        let first = run(dir.path(), Some(&token), &audit).await;
        assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
        assert!(json(&first)["summary"]["repositories"].as_u64().unwrap() > 0);
        assert_eq!(
            connection_data_requests(&sim),
            2,
            "refused once, then retried"
        );
        let state = std::fs::read_to_string(dir.path().join("state.toml")).unwrap();
        assert!(
            state.contains(&format!("api_version = \"{version}\"")),
            "{state}"
        );

        sim.reset_counts();
        let second = run(dir.path(), Some(&token), &audit).await;
        assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
        assert_eq!(
            connection_data_requests(&sim),
            1,
            "the second run sends no out-of-range request"
        );

        let before = sim.subscriptions().len();
        let configure = run(
            dir.path(),
            Some(&token),
            &[
                "configure",
                "--org",
                &org,
                "--apply",
                "--yes",
                "--json",
                "--webhook-url",
                GATE_URL,
            ],
        )
        .await;
        assert_ne!(configure.status.code(), Some(2), "{}", stderr(&configure));
        let report = json(&configure);
        assert!(report["summary"]["done"].as_u64().unwrap() > 0, "{report}");
        assert_eq!(report["summary"]["failed"], 0, "{report}");
        assert!(sim.subscriptions().len() > before);
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_too_old_for_the_tool_is_refused_plainly() {
    let sim = server("4.1").await;
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        Some(&demo_token("gate")),
        &["audit", "--org", &sim.org_url(), "--webhook-url", GATE_URL],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr(&out);
    assert!(
        stderr.contains("supports REST API 4.1 at most; azdo-gate needs 5.0 or later"),
        "{stderr}"
    );
}

/// `check` remembers the version it negotiated too, so a cron job that only checks the token sends
/// no out-of-range request after its first run.
#[tokio::test(flavor = "multi_thread")]
async fn check_remembers_the_servers_version() {
    let sim = server("7.0").await;
    let org = sim.org_url();
    let dir = tempfile::tempdir().unwrap();
    let token = demo_token("gate");
    let check = ["check", "--org", org.as_str(), "--json"];
    sim.reset_counts();
    let first = run(dir.path(), Some(&token), &check).await;
    assert_ne!(first.status.code(), Some(2), "{}", stderr(&first));
    assert_eq!(
        connection_data_requests(&sim),
        2,
        "refused once, then retried"
    );
    let state = std::fs::read_to_string(dir.path().join("state.toml")).unwrap();
    assert!(state.contains("api_version = \"7.0\""), "{state}");

    sim.reset_counts();
    let second = run(dir.path(), Some(&token), &check).await;
    assert_ne!(second.status.code(), Some(2), "{}", stderr(&second));
    assert_eq!(
        connection_data_requests(&sim),
        1,
        "the second check sends no out-of-range request"
    );
}
