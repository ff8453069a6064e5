//! `azdo-gate audit` and `azdo-gate configure` as a script sees them: exit codes, JSON fields,
//! the snapshot that makes repositories "new", and what the simulator holds afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use azdo_gate_sim::Scenario;
use common::{demo_token, json, run, start, stderr, stdout};

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

/// The command the audit suggests is runnable as printed: the simulator's loopback address and an
/// Azure DevOps Server collection URL (never a bare name, which would mean dev.azure.com), and
/// `--pat-stdin` when the token came that way.
#[tokio::test(flavor = "multi_thread")]
async fn audit_suggests_the_configure_command_for_the_same_address_and_token_source() {
    let token = demo_token("gate");
    let loopback = start(Scenario::demo()).await;
    let mut server_scenario = Scenario::demo();
    server_scenario.organization = "DefaultCollection".into();
    let server = azdo_gate_sim::start(
        server_scenario,
        "127.0.0.1:0".parse().unwrap(),
        azdo_gate_sim::SimOptions {
            server_version: Some("7.0".parse().unwrap()),
            ..azdo_gate_sim::SimOptions::default()
        },
    )
    .await
    .unwrap();
    let collection = server.org_url();
    assert!(
        collection.ends_with("/tfs/DefaultCollection"),
        "{collection}"
    );
    for org in [loopback.org_url(), collection] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["audit", "--org", org.as_str()];
        args.extend(webhook());
        let out = run(dir.path(), Some(&token), &args).await;
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!(
                "close the gaps, run:\n  azdo-gate configure --org {org} --plan\n"
            )),
            "{text}"
        );
    }

    // The token piped on standard input: the suggestion pipes it again.
    let dir = tempfile::tempdir().unwrap();
    let org = loopback.org_url();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
    command
        .args([
            "audit",
            "--pat-stdin",
            "--org",
            &org,
            "--webhook-url",
            GATE_URL,
        ])
        .env("AZDO_GATE_CONFIG_DIR", dir.path())
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = command.spawn().unwrap();
        writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "  azdo-gate configure --org {org} --plan --pat-stdin\n"
        )),
        "{}",
        stdout(&out)
    );
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
