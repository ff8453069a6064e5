//! The `configure` report as a user reads it: the exact JSON shape and the text layout.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use azdo_gate::audit::CoverageCounts;
use azdo_gate::org::OrgUrl;
use azdo_gate::plan::{Action, ActionKind, ActionResult, Mode, Outcome, Plan};
use azdo_gate::report::{configure_json, configure_text};

fn org() -> OrgUrl {
    OrgUrl::parse("fabrikam").unwrap()
}

fn action(kind: ActionKind, repository: Option<(&str, &str)>, event: Option<&str>) -> Action {
    Action {
        kind,
        project_id: "p-alpha".into(),
        project: "Team Alpha".into(),
        repository_id: repository.map(|(id, _)| id.to_owned()),
        repository: repository.map(|(_, name)| name.to_owned()),
        event_type: event.map(str::to_owned),
        reason: "because".into(),
        subscription_id: None,
        policy_id: None,
        ref_name: None,
        fix: None,
    }
}

fn sample() -> Plan {
    let web = Some(("r-web", "web"));
    let mut recreate = action(
        ActionKind::RecreateSubscription,
        web,
        Some("git.pullrequest.updated"),
    );
    recreate.subscription_id = Some("sub-1".into());
    recreate.reason = "subscription sub-1 for git.pullrequest.updated was disabled by Azure DevOps after failed deliveries: delete and create it again (updating it does not revive it)".into();
    let mut policy = action(ActionKind::CreateStatusPolicy, web, None);
    policy.ref_name = Some("refs/heads/main".into());
    policy.reason = "no Status policy requires pr-gate/gate on refs/heads/main".into();
    let mut create = action(
        ActionKind::CreateSubscription,
        web,
        Some("git.pullrequest.created"),
    );
    create.reason = "no subscription delivers git.pullrequest.created to the gate".into();
    let mut skip = action(ActionKind::Skip, Some(("r-api", "api")), None);
    skip.project_id = "p-beta".into();
    skip.project = "Beta".into();
    skip.reason = "the integration user cannot edit service hook subscriptions in project Beta (missing: git.pullrequest.created, git.pullrequest.updated)".into();
    skip.fix = Some("add the integration user to the Project Administrators group of project Beta: https://dev.azure.com/fabrikam/Beta/_settings/permissions".into());
    Plan {
        actions: vec![create, recreate, policy, skip],
    }
}

fn results() -> Vec<ActionResult> {
    vec![
        ActionResult {
            index: 0,
            outcome: Outcome::Done,
            error: None,
        },
        ActionResult {
            index: 1,
            outcome: Outcome::Failed,
            error: Some("Azure DevOps answered with server error 500: simulated failure".into()),
        },
        ActionResult {
            index: 2,
            outcome: Outcome::Done,
            error: None,
        },
        ActionResult {
            index: 3,
            outcome: Outcome::Skipped,
            error: None,
        },
    ]
}

const AFTER: CoverageCounts = CoverageCounts {
    covered: 0,
    partial: 1,
    unhealthy: 0,
    missing: 0,
    not_applicable: 0,
};

#[test]
fn plan_json_has_the_documented_shape() {
    let json = configure_json(&org(), Mode::Plan, &sample(), None, None).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "schema_version": 1,
            "organization": { "name": "fabrikam", "url": "https://dev.azure.com/fabrikam" },
            "mode": "plan",
            "actions": [
                { "kind": "create_subscription", "project_id": "p-alpha", "repository_id": "r-web",
                  "event_type": "git.pullrequest.created",
                  "reason": "no subscription delivers git.pullrequest.created to the gate",
                  "subscription_id": null, "policy_id": null, "fix": null,
                  "outcome": "planned", "error": null },
                { "kind": "recreate_subscription", "project_id": "p-alpha", "repository_id": "r-web",
                  "event_type": "git.pullrequest.updated",
                  "reason": sample().actions[1].reason,
                  "subscription_id": "sub-1", "policy_id": null, "fix": null,
                  "outcome": "planned", "error": null },
                { "kind": "create_status_policy", "project_id": "p-alpha", "repository_id": "r-web",
                  "event_type": null,
                  "reason": "no Status policy requires pr-gate/gate on refs/heads/main",
                  "subscription_id": null, "policy_id": null, "fix": null,
                  "outcome": "planned", "error": null },
                { "kind": "skip", "project_id": "p-beta", "repository_id": "r-api", "event_type": null,
                  "reason": sample().actions[3].reason,
                  "subscription_id": null, "policy_id": null, "fix": sample().actions[3].fix,
                  "outcome": "skipped", "error": null }
            ],
            "summary": { "planned": 3, "done": 0, "failed": 0, "skipped": 1, "not_started": 0 },
            "changes": { "create": 2, "replace": 1, "update": 0, "delete": 0, "skipped": 1 },
            "coverage_after": null
        })
    );
    // schema_version comes first, for readers that peek at the start.
    assert!(json.starts_with("{\n  \"schema_version\": 1,"));
}

#[test]
fn apply_json_carries_outcomes_errors_and_coverage_after() {
    let results = results();
    let json =
        configure_json(&org(), Mode::Apply, &sample(), Some(&results), Some(&AFTER)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["mode"], "apply");
    let outcomes: Vec<&str> = value["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["done", "failed", "done", "skipped"]);
    assert_eq!(
        value["actions"][1]["error"],
        "Azure DevOps answered with server error 500: simulated failure"
    );
    assert_eq!(
        value["summary"],
        serde_json::json!({ "planned": 0, "done": 2, "failed": 1, "skipped": 1, "not_started": 0 })
    );
    assert_eq!(
        value["coverage_after"],
        serde_json::json!({ "covered": 0, "partial": 1, "unhealthy": 0, "missing": 0, "not_applicable": 0 })
    );
}

/// [`sample`] with every other kind of change, and skips before the changes, two of them with the
/// same fix, as a planner may order them.
fn every_kind() -> Plan {
    let mut plan = sample();
    let skip = plan.actions[3].clone();
    let mut policy_skip = skip.clone();
    policy_skip.reason = "the integration user cannot edit branch policies in project Beta, so refs/heads/main cannot require the gate's status".into();
    let mut covered = action(ActionKind::Skip, Some(("r-docs", "docs")), None);
    covered.project_id = "p-beta".into();
    covered.project = "Beta".into();
    covered.reason = "already covered".into();
    let mut update = action(ActionKind::UpdateStatusPolicy, None, None);
    update.policy_id = Some("17".into());
    update.reason = "Status policy 17 is disabled: update it with the profile's settings".into();
    let mut duplicate = action(
        ActionKind::DeleteDuplicateSubscription,
        Some(("r-web", "web")),
        Some("git.pullrequest.created"),
    );
    duplicate.subscription_id = Some("sub-2".into());
    duplicate.reason = "subscription sub-2 delivers git.pullrequest.created to the gate a second time: the gate would receive every event twice".into();
    plan.actions.insert(0, policy_skip);
    plan.actions.insert(1, update);
    plan.actions.insert(2, covered);
    plan.actions.push(duplicate);
    plan
}

#[test]
fn plan_text() {
    let text = configure_text(&org(), Mode::Plan, &every_kind(), None, None);
    // The changes before the skips; the one fix of project Beta said once, after both its skips.
    let first_skip = text.find("Skipped in project Beta").unwrap();
    assert!(
        text.rfind("Project Team Alpha").unwrap() < first_skip,
        "{text}"
    );
    assert_eq!(text.matches("Fix").count(), 1, "{text}");
    assert!(
        text.contains("\n  Fix for these 2: add the integration user"),
        "{text}"
    );
    assert!(text.contains("\n-/+ recreate subscription sub-1"), "{text}");
    assert!(
        text.contains("Plan: 2 to create, 1 to replace, 1 to update, 1 to delete, 3 skipped\n"),
        "{text}"
    );
    assert!(
        text.lines().all(|l| azdo_gate::columns::width(l) <= 100),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn apply_text() {
    let results = results();
    let text = configure_text(&org(), Mode::Apply, &sample(), Some(&results), Some(&AFTER));
    assert!(
        text.lines().all(|l| azdo_gate::columns::width(l) <= 100),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn an_empty_plan_says_there_is_nothing_to_change() {
    let text = configure_text(&org(), Mode::Plan, &Plan::default(), None, None);
    assert_eq!(
        text,
        "fabrikam (https://dev.azure.com/fabrikam)\n\nPlan: 0 to create, 0 to replace, 0 to update, 0 to delete, 0 skipped\nNothing to change.\n"
    );
}
