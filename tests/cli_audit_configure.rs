//! `azdo-gate audit` and `azdo-gate configure` as a script sees them: exit codes, JSON fields,
//! the snapshot that makes repositories "new", and what the simulator holds afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use azdo_gate_sim::Scenario;
use common::{demo_token, json, run, start, stderr};

const GATE_URL: &str = "https://gate.example.com/ado/events";

fn webhook() -> [&'static str; 2] {
    ["--webhook-url", GATE_URL]
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_reports_coverage_and_permission_gaps_with_exit_1() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let mut args = vec!["audit", "--org", org.as_str(), "--json"];
    args.extend(webhook());
    let out = run(dir.path(), Some(&demo_token("gate")), &args).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["projects_source"], "repositories");
    assert_eq!(report["summary"]["projects_missing_permissions"], 1);
    assert_eq!(report["summary"]["new"], 0, "first run: nothing is new");
    assert!(report["requests"].as_u64().unwrap() > 0);
    let payments = report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Payments")
        .unwrap();
    assert_eq!(payments["service_hooks"]["edit"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_without_a_webhook_url_exits_2_and_says_how_to_give_one() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        Some(&demo_token("gate")),
        &["audit", "--org", &sim.org_url()],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--webhook-url"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn repositories_created_after_an_audit_are_new_and_configure_new_gates_only_them() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let token = demo_token("gate");
    let mut audit = vec!["audit", "--org", org.as_str(), "--json"];
    audit.extend(webhook());
    run(dir.path(), Some(&token), &audit).await;

    let storefront = "10000000-0000-4000-8000-000000000001";
    let added = sim.add_repository(storefront, "storefront-checkout", Some("refs/heads/main"));
    let out = run(dir.path(), Some(&token), &audit).await;
    let report = json(&out);
    assert_eq!(report["summary"]["new"], 1);
    let new: Vec<_> = report["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["new"] == true)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(new.as_slice(), std::slice::from_ref(&added));

    // The audit just stored a snapshot that includes the new repository; forget it to plan "new".
    let state_file = dir.path().join("state.toml");
    let text = std::fs::read_to_string(&state_file).unwrap();
    std::fs::write(
        &state_file,
        text.replace(&format!("\"{added}\""), "\"gone\""),
    )
    .unwrap();

    let before = sim.subscriptions().len();
    let mut apply = vec![
        "configure",
        "--org",
        org.as_str(),
        "--apply",
        "--yes",
        "--json",
        "--repos",
        "new",
    ];
    apply.extend(webhook());
    let out = run(dir.path(), Some(&token), &apply).await;
    let result = json(&out);
    assert_eq!(out.status.code(), Some(0), "{result:#}");
    assert_eq!(result["mode"], "apply");
    assert_eq!(
        result["summary"]["done"], 3,
        "two subscriptions and a policy: {result:#}"
    );
    assert_eq!(result["coverage_after"]["covered"], 1);
    assert!(
        result["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["repository_id"] == added.as_str())
    );
    assert_eq!(sim.subscriptions().len(), before + 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_changes_nothing_apply_needs_yes_and_a_second_apply_finds_no_work() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let token = demo_token("gate");
    let before = sim.subscriptions();

    let mut plan = vec!["configure", "--org", org.as_str(), "--plan", "--json"];
    plan.extend(webhook());
    let out = run(dir.path(), Some(&token), &plan).await;
    assert_eq!(out.status.code(), Some(1), "work remains");
    let planned = json(&out);
    assert!(planned["summary"]["planned"].as_u64().unwrap() > 0);
    assert_eq!(sim.subscriptions(), before, "--plan changed nothing");

    let mut no_yes = vec!["configure", "--org", org.as_str(), "--apply"];
    no_yes.extend(webhook());
    let out = run(dir.path(), Some(&token), &no_yes).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"));
    assert_eq!(sim.subscriptions(), before);

    let mut apply = vec![
        "configure",
        "--org",
        org.as_str(),
        "--apply",
        "--yes",
        "--json",
    ];
    apply.extend(webhook());
    let out = run(dir.path(), Some(&token), &apply).await;
    let applied = json(&out);
    assert_eq!(applied["summary"]["failed"], 0, "{applied:#}");
    // Payments still lacks permissions: exit 1 with the skips that carry the fix.
    assert_eq!(out.status.code(), Some(1));
    let after_first = sim.subscriptions().len();

    let out = run(dir.path(), Some(&token), &plan).await;
    let again = json(&out);
    assert_eq!(again["summary"]["planned"], 0, "{again:#}");
    let out = run(dir.path(), Some(&token), &apply).await;
    assert_eq!(json(&out)["summary"]["done"], 0);
    assert_eq!(
        sim.subscriptions().len(),
        after_first,
        "no duplicate subscription"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_repository_ids_and_bad_selections_exit_2() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let mut args = vec![
        "configure",
        "--org",
        org.as_str(),
        "--plan",
        "--repos",
        "no-such-repo",
    ];
    args.extend(webhook());
    let out = run(dir.path(), Some(&demo_token("gate")), &args).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-repo"), "{}", stderr(&out));
}
