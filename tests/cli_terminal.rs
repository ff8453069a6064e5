//! Questions on a terminal (issue 14, items 9 and 14): `configure --apply` shows the plan before it
//! asks and `n` changes nothing (exit 1); `logout` asks and `--yes` skips the question. Run under
//! `script`, which gives the command a pseudo-terminal as an admin's shell would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use azdo_gate_sim::Scenario;
use common::{demo_token, on_terminal, run, start, stderr};

#[tokio::test(flavor = "multi_thread")]
async fn logout_asks_on_a_terminal_and_no_keeps_everything() {
    let sim = start(Scenario::demo()).await;
    let org = sim.org_url();
    let dir = tempfile::tempdir().unwrap();
    let recorded = run(
        dir.path(),
        Some(&demo_token("gate")),
        &[
            "check",
            "--org",
            &org,
            "--expires-on",
            "2027-06-01",
            "--record",
        ],
    )
    .await;
    assert_ne!(recorded.status.code(), Some(2), "{}", stderr(&recorded));
    let state = || std::fs::read_to_string(dir.path().join("state.toml")).unwrap();
    assert!(state().contains("fabrikam"));

    let (code, shown) = on_terminal(dir.path(), None, &format!("logout --org {org}"), "n\n");
    if code == Some(-1) {
        return;
    }
    assert!(shown.contains("[y/N]"), "{shown}");
    assert!(shown.contains("Nothing was removed."), "{shown}");
    assert_eq!(code, Some(1), "{shown}");
    assert!(state().contains("fabrikam"), "a no keeps the organization");

    let (code, shown) = on_terminal(dir.path(), None, &format!("logout --org {org} --yes"), "");
    assert_eq!(code, Some(0), "{shown}");
    assert!(!shown.contains("[y/N]"), "--yes does not ask: {shown}");
    assert!(!state().contains("fabrikam"), "{}", state());
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_shows_the_plan_before_asking_and_no_changes_nothing() {
    let sim = start(Scenario::demo()).await;
    let before = sim.subscriptions().len();
    let dir = tempfile::tempdir().unwrap();
    let args = format!(
        "configure --org {} --webhook-url https://gate.example.com/ado/events --apply",
        sim.org_url()
    );
    let (code, shown) = on_terminal(dir.path(), Some(&demo_token("gate")), &args, "n\n");
    if code == Some(-1) {
        return;
    }
    let plan_at = shown.find("+ create subscription").expect(&shown);
    let question_at = shown.find("[y/N]").expect(&shown);
    assert!(
        plan_at < question_at,
        "the plan comes before the question: {shown}"
    );
    // Terraform's order: the plan, its summary line, then the question; no hint to run again.
    let summary_at = shown.find("Plan: ").expect(&shown);
    assert!(plan_at < summary_at && summary_at < question_at, "{shown}");
    assert!(shown[summary_at..].contains(" to create, "), "{shown}");
    assert!(!shown.contains("run again with --apply --yes"), "{shown}");
    assert!(shown.contains("Nothing was applied."), "{shown}");
    assert_eq!(code, Some(1), "{shown}");
    assert_eq!(sim.subscriptions().len(), before, "a no changes nothing");
}
