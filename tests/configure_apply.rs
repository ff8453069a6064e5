//! `configure` against the simulated organization: plan from a real audit, apply, verify, and the
//! failure modes that must not leave duplicates behind.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use azdo_gate::ado::{Backoff, Client, ClientConfig};
use azdo_gate::audit::{self, AuditInput, AuditReport, Coverage};
use azdo_gate::domain::{self, ApplyReport};
use azdo_gate::org::OrgUrl;
use azdo_gate::plan::{self, ActionKind, ApplyEvent, ApplyInput, Mode, Outcome, Plan, Selection};
use azdo_gate::profile::{GateProfile, SubscriptionScope};
use azdo_gate::report::{configure_json, configure_text};
use azdo_gate_sim::{self as sim, Scenario, SimHandle, SimOptions};
use secrecy::SecretString;
use serde_json::{Value, json};

const USER: &str = "6f1c0b9e-1111-4a5b-9c2d-000000000001";
const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";
const HOOK: &str = "https://gate.example.com/ado/events";
const ALPHA: &str = "a1a1a1a1-0000-4000-8000-000000000001";
const BETA: &str = "b2b2b2b2-0000-4000-8000-000000000002";
const CREATED: &str = "git.pullrequest.created";
const UPDATED: &str = "git.pullrequest.updated";

fn repo_id(n: u32) -> String {
    format!("c0c0c0c0-0000-4000-8000-{n:012}")
}

fn repo(n: u32, name: &str) -> Value {
    json!({ "id": repo_id(n), "name": name, "default_branch": "refs/heads/main" })
}

fn scenario(projects: Value, subscriptions: Value) -> Scenario {
    let scenario = json!({
        "organization": "fabrikam",
        "users": [{ "id": USER, "display_name": "Gate Bot", "unique_name": "gate-bot@fabrikam.example" }],
        "tokens": [{
            "name": "gate", "token": TOKEN, "user": USER, "primary": true,
            "scopes": ["vso.work_write", "vso.code_write", "vso.code_status", "vso.build"]
        }],
        "projects": projects,
        "subscriptions": subscriptions,
    });
    Scenario::from_json_str(&scenario.to_string()).unwrap()
}

/// A subscription of the gate that exists before the tool runs.
fn existing(id: &str, event: &str, project: &str, repository: &str, status: &str) -> Value {
    json!({
        "id": id, "event_type": event, "status": status, "created_by": USER,
        "publisher_inputs": { "projectId": project, "repository": repository, "branch": "" },
        "consumer_inputs": { "url": HOOK }
    })
}

async fn start(scenario: Scenario, concurrency: usize) -> (SimHandle, Client) {
    let sim = sim::start(
        scenario,
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap();
    let config = ClientConfig {
        concurrency,
        adaptive: false,
        max_concurrency: azdo_gate::ado::MAX_CONCURRENCY,
        throttle_budget: azdo_gate::ado::THROTTLE_BUDGET,
        max_attempts: 3,
        backoff: Backoff {
            base: Duration::from_millis(5),
            max: Duration::from_millis(20),
            max_retry_after: Duration::from_millis(20),
        },
        request_timeout: Duration::from_secs(10),
        api_version: None,
        max_body_bytes: azdo_gate::ado::MAX_BODY_BYTES,
        on_throttle: None,
    };
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    let client = Client::new(org, SecretString::from(TOKEN), config).unwrap();
    (sim, client)
}

fn profile(scope: SubscriptionScope) -> GateProfile {
    let mut profile = GateProfile::default_profile()
        .with_webhook_url(HOOK)
        .unwrap();
    profile.scope = scope;
    profile.basic_auth_user = Some("gate".into());
    profile.basic_auth_secret = Some("gate-webhook-password".into());
    profile
}

async fn audit(client: &Client, profile: &GateProfile) -> AuditReport {
    let input = AuditInput {
        profile: profile.clone(),
        previous: None,
    };
    audit::run(client, &input, None).await.unwrap()
}

async fn plan_for(
    client: &Client,
    profile: &GateProfile,
    selection: Selection,
) -> (AuditReport, Plan) {
    let report = audit(client, profile).await;
    let plan = plan::plan(&report, profile, &selection, client.org());
    (report, plan)
}

async fn apply(
    client: &Client,
    profile: &GateProfile,
    plan: &Plan,
    report: &AuditReport,
    password: Option<&str>,
) -> ApplyReport {
    let input = ApplyInput {
        stop: None,
        plan,
        profile,
        basic_auth_password: password.map(SecretString::from),
        user_id: report.user_id().map(str::to_owned),
    };
    let audit_input = AuditInput {
        profile: profile.clone(),
        previous: None,
    };
    domain::apply_and_verify(client, input, &audit_input, None).await
}

/// Plan from a fresh audit and apply it; returns the plan and what applying did.
async fn configure(
    client: &Client,
    profile: &GateProfile,
    selection: Selection,
) -> (Plan, ApplyReport) {
    let (report, plan) = plan_for(client, profile, selection).await;
    let applied = apply(client, profile, &plan, &report, Some("hunter2-webhook")).await;
    (plan, applied)
}

/// The simulator's subscriptions as `(event, project, repository)`, with how many of each exist.
fn subscription_keys(sim: &SimHandle) -> BTreeMap<(String, String, String), usize> {
    let mut keys = BTreeMap::new();
    for s in sim.subscriptions() {
        let inputs = &s["publisherInputs"];
        let key = (
            s["eventType"].as_str().unwrap().to_owned(),
            inputs["projectId"].as_str().unwrap_or_default().to_owned(),
            inputs["repository"].as_str().unwrap_or_default().to_owned(),
        );
        *keys.entry(key).or_default() += 1;
    }
    keys
}

fn assert_no_duplicates(sim: &SimHandle) {
    let keys = subscription_keys(sim);
    let duplicated: Vec<_> = keys.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        duplicated.is_empty(),
        "duplicate subscriptions: {duplicated:?}"
    );
}

fn status_policies(sim: &SimHandle, project: &str) -> Vec<Value> {
    sim.policies(project)
        .into_iter()
        .filter(|p| p["type"]["id"] == sim::STATUS_POLICY_TYPE)
        .collect()
}

fn outcomes(applied: &ApplyReport) -> Vec<Outcome> {
    applied.results.iter().map(|r| r.outcome).collect()
}

fn alpha(repositories: Value) -> Value {
    json!({ "id": ALPHA, "name": "Alpha", "repositories": repositories })
}

#[tokio::test]
async fn the_plan_names_the_right_action_for_each_coverage_class() {
    let r = repo_id;
    let projects = json!([{
        "id": ALPHA, "name": "Alpha",
        "repositories": [
            repo(1, "covered"), repo(2, "partial"), repo(3, "unhealthy"), repo(4, "missing"),
            { "id": r(5), "name": "disabled", "default_branch": "refs/heads/main", "disabled": true },
            { "id": r(6), "name": "empty" },
            repo(7, "user-disabled"),
        ],
        "policies": [{
            "created_by": USER,
            "settings": { "statusGenre": "pr-gate", "statusName": "gate",
                          "scope": [{ "repositoryId": r(1), "refName": "refs/heads/main", "matchKind": "exact" }] }
        }]
    }]);
    let subscriptions = json!([
        existing(
            "10000000-0000-4000-8000-000000000001",
            CREATED,
            ALPHA,
            &r(1),
            "enabled"
        ),
        existing(
            "10000000-0000-4000-8000-000000000002",
            UPDATED,
            ALPHA,
            &r(1),
            "enabled"
        ),
        existing(
            "10000000-0000-4000-8000-000000000003",
            CREATED,
            ALPHA,
            &r(2),
            "enabled"
        ),
        existing(
            "10000000-0000-4000-8000-000000000004",
            CREATED,
            ALPHA,
            &r(3),
            "disabledBySystem"
        ),
        existing(
            "10000000-0000-4000-8000-000000000005",
            UPDATED,
            ALPHA,
            &r(3),
            "enabled"
        ),
        existing(
            "10000000-0000-4000-8000-000000000006",
            CREATED,
            ALPHA,
            &r(7),
            "disabledByUser"
        ),
        existing(
            "10000000-0000-4000-8000-000000000007",
            UPDATED,
            ALPHA,
            &r(7),
            "onProbation"
        ),
    ]);
    let (_sim, client) = start(scenario(projects, subscriptions), 4).await;
    let profile = profile(SubscriptionScope::Repository);
    let (report, plan) = plan_for(&client, &profile, Selection::All).await;
    let coverage: BTreeMap<&str, Coverage> = report
        .repositories
        .iter()
        .map(|r| (r.name.as_str(), r.coverage))
        .collect();
    assert_eq!(coverage["covered"], Coverage::Covered);
    assert_eq!(coverage["partial"], Coverage::Partial);
    assert_eq!(coverage["unhealthy"], Coverage::Unhealthy);
    assert_eq!(coverage["missing"], Coverage::Missing);
    assert_eq!(coverage["disabled"], Coverage::NotApplicable);

    let by_repo = |name: &str| -> Vec<(ActionKind, Option<&str>)> {
        plan.actions
            .iter()
            .filter(|a| a.repository.as_deref() == Some(name))
            .map(|a| (a.kind, a.event_type.as_deref()))
            .collect()
    };
    use ActionKind::*;
    assert_eq!(by_repo("covered"), vec![(Skip, None)]);
    assert_eq!(
        by_repo("partial"),
        vec![
            (CreateSubscription, Some(UPDATED)),
            (CreateStatusPolicy, None)
        ]
    );
    assert_eq!(
        by_repo("unhealthy"),
        vec![
            (RecreateSubscription, Some(CREATED)),
            (CreateStatusPolicy, None)
        ]
    );
    assert_eq!(
        by_repo("missing"),
        vec![
            (CreateSubscription, Some(CREATED)),
            (CreateSubscription, Some(UPDATED)),
            (CreateStatusPolicy, None)
        ]
    );
    assert_eq!(by_repo("disabled"), vec![(Skip, None)]);
    assert_eq!(
        by_repo("empty"),
        vec![
            (CreateSubscription, Some(CREATED)),
            (CreateSubscription, Some(UPDATED))
        ]
    );
    assert_eq!(
        by_repo("user-disabled"),
        vec![
            (EnableSubscription, Some(CREATED)),
            (RecreateSubscription, Some(UPDATED)),
            (CreateStatusPolicy, None)
        ]
    );

    // The default selection leaves covered and disabled repositories out entirely.
    let missing = plan::plan(&report, &profile, &Selection::Missing, client.org());
    assert_eq!(missing.work_count(), plan.work_count());
    assert!(missing.actions.iter().all(|a| a.kind != Skip));
}

#[tokio::test]
async fn apply_covers_everything_and_a_second_run_changes_nothing() {
    let projects = json!([alpha(json!([
        repo(1, "web"),
        repo(2, "api"),
        repo(3, "docs")
    ]))]);
    let (sim, client) = start(scenario(projects, json!([])), 4).await;
    let profile = profile(SubscriptionScope::Repository);

    let (report, plan) = plan_for(&client, &profile, Selection::Missing).await;
    assert_eq!(
        plan.work_count(),
        9,
        "2 events + 1 policy for 3 repositories"
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let input = ApplyInput {
        stop: None,
        plan: &plan,
        profile: &profile,
        basic_auth_password: None,
        user_id: report.user_id().map(str::to_owned),
    };
    let audit_input = AuditInput {
        profile: profile.clone(),
        previous: None,
    };
    let applied = domain::apply_and_verify(&client, input, &audit_input, Some(tx)).await;
    assert!(
        outcomes(&applied).iter().all(|o| *o == Outcome::Done),
        "{:?}",
        applied.results
    );
    let after = applied.coverage_after.expect("the verifying audit ran");
    assert_eq!((after.covered, after.missing, after.partial), (3, 0, 0));

    // Progress: every action started and finished once.
    let mut started = BTreeSet::new();
    let mut finished = BTreeSet::new();
    while let Ok(event) = rx.try_recv() {
        match event {
            ApplyEvent::Started { index } => assert!(started.insert(index)),
            ApplyEvent::Finished(result) => assert!(finished.insert(result.index)),
        }
    }
    assert_eq!(started.len(), 9);
    assert_eq!(finished, started);

    let (report, second) = plan_for(&client, &profile, Selection::Missing).await;
    assert!(
        report
            .repositories
            .iter()
            .all(|r| r.coverage == Coverage::Covered)
    );
    assert!(second.is_empty_of_work(), "{:?}", second.actions);
    let all = plan::plan(&report, &profile, &Selection::All, client.org());
    assert!(all.is_empty_of_work());
    let applied_again = apply(&client, &profile, &all, &report, None).await;
    assert!(
        outcomes(&applied_again)
            .iter()
            .all(|o| *o == Outcome::Skipped)
    );

    assert_eq!(sim.subscriptions().len(), 6);
    assert_no_duplicates(&sim);
    let policies = status_policies(&sim, ALPHA);
    assert_eq!(policies.len(), 3);
    let settings = &policies[0]["settings"];
    assert_eq!(settings["authorId"], USER);
    assert_eq!(settings["statusGenre"], "pr-gate");
    assert_eq!(settings["statusName"], "gate");
    assert_eq!(settings["policyApplicability"], 1);
}

#[tokio::test]
async fn project_scope_covers_a_repository_created_afterwards() {
    let projects = json!([alpha(json!([repo(1, "web"), repo(2, "api")]))]);
    let (sim, client) = start(scenario(projects, json!([])), 4).await;
    let mut profile = profile(SubscriptionScope::Project);
    profile.notify_repo_created = true;

    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    let kinds: Vec<(ActionKind, Option<&str>, Option<&str>)> = plan
        .actions
        .iter()
        .map(|a| (a.kind, a.repository_id.as_deref(), a.event_type.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ActionKind::CreateSubscription, None, Some(CREATED)),
            (ActionKind::CreateSubscription, None, Some(UPDATED)),
            (
                ActionKind::CreateSubscription,
                None,
                Some("git.repo.created")
            ),
            (ActionKind::CreateStatusPolicy, None, None),
        ]
    );
    assert!(
        outcomes(&applied).iter().all(|o| *o == Outcome::Done),
        "{:?}",
        applied.results
    );
    assert_eq!(applied.coverage_after.unwrap().covered, 2);

    let later = sim.add_repository(ALPHA, "later", Some("refs/heads/main"));
    let report = audit(&client, &profile).await;
    let new_repo = report.repositories.iter().find(|r| r.id == later).unwrap();
    assert_eq!(new_repo.coverage, Coverage::Covered);
    let plan = plan::plan(&report, &profile, &Selection::Missing, client.org());
    assert!(plan.is_empty_of_work(), "{:?}", plan.actions);

    let keys = subscription_keys(&sim);
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.keys()
            .all(|(_, project, repository)| project == ALPHA && repository.is_empty())
    );
    assert_no_duplicates(&sim);
    let policies = status_policies(&sim, ALPHA);
    assert_eq!(policies.len(), 1);
    assert_eq!(
        policies[0]["settings"]["scope"],
        json!([{ "repositoryId": null, "matchKind": "DefaultBranch" }])
    );
}

#[tokio::test]
async fn disabled_hooks_are_repaired() {
    let r1 = repo_id(1);
    let system = "20000000-0000-4000-8000-000000000001";
    let user = "20000000-0000-4000-8000-000000000002";
    let projects = json!([alpha(json!([repo(1, "web")]))]);
    let subscriptions = json!([
        existing(system, CREATED, ALPHA, &r1, "disabledBySystem"),
        existing(user, UPDATED, ALPHA, &r1, "disabledByUser"),
    ]);
    let (sim, client) = start(scenario(projects, subscriptions), 4).await;
    let mut profile = profile(SubscriptionScope::Repository);
    profile.status_check.required = false;

    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    let kinds: Vec<(ActionKind, Option<&str>)> = plan
        .actions
        .iter()
        .map(|a| (a.kind, a.subscription_id.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ActionKind::RecreateSubscription, Some(system)),
            (ActionKind::EnableSubscription, Some(user)),
        ]
    );
    assert!(
        outcomes(&applied).iter().all(|o| *o == Outcome::Done),
        "{:?}",
        applied.results
    );

    let subs = sim.subscriptions();
    assert_eq!(subs.len(), 2);
    assert!(subs.iter().all(|s| s["status"] == "enabled"), "{subs:?}");
    let ids: BTreeSet<&str> = subs.iter().map(|s| s["id"].as_str().unwrap()).collect();
    // The system-disabled hook was replaced; the user-disabled one was enabled in place.
    assert!(!ids.contains(system));
    assert!(ids.contains(user));
    let recreated = subs.iter().find(|s| s["eventType"] == CREATED).unwrap();
    assert_eq!(recreated["publisherInputs"]["repository"], r1.as_str());
    assert_eq!(
        recreated["consumerInputs"]["basicAuthPassword"],
        "hunter2-webhook"
    );
    assert_eq!(applied.coverage_after.unwrap().covered, 1);
}

#[tokio::test]
async fn a_server_error_on_one_create_leaves_the_others_done_and_a_rerun_finishes() {
    let projects = json!([alpha(json!([repo(1, "web"), repo(2, "api")]))]);
    // One at a time, so both armed failures hit the same action: its create and its single retry.
    let (sim, client) = start(scenario(projects, json!([])), 1).await;
    let mut profile = profile(SubscriptionScope::Repository);
    profile.status_check.required = false;

    sim.faults().fail(Some("POST hooks/subscriptions"), 2, 500);
    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    assert_eq!(plan.work_count(), 4);
    assert_eq!(
        outcomes(&applied),
        vec![Outcome::Failed, Outcome::Done, Outcome::Done, Outcome::Done]
    );
    let error = applied.results[0].error.as_deref().unwrap();
    assert!(error.contains("server error 500"), "{error}");
    assert_eq!(applied.coverage_after.unwrap().partial, 1);
    assert_eq!(sim.subscriptions().len(), 3);

    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    assert_eq!(plan.work_count(), 1);
    assert_eq!(outcomes(&applied), vec![Outcome::Done]);
    assert_eq!(sim.subscriptions().len(), 4);
    assert_no_duplicates(&sim);
}

#[tokio::test]
async fn a_single_server_error_is_recovered_by_rereading_before_one_more_create() {
    let projects = json!([alpha(json!([repo(1, "web"), repo(2, "api")]))]);
    let (sim, client) = start(scenario(projects, json!([])), 4).await;
    let mut profile = profile(SubscriptionScope::Repository);
    profile.status_check.required = false;

    sim.faults().fail(Some("POST hooks/subscriptions"), 1, 503);
    let (_, applied) = configure(&client, &profile, Selection::Missing).await;
    assert!(
        outcomes(&applied).iter().all(|o| *o == Outcome::Done),
        "{:?}",
        applied.results
    );
    assert_eq!(sim.subscriptions().len(), 4);
    assert_no_duplicates(&sim);
}

#[tokio::test]
async fn a_create_the_server_carried_out_before_the_connection_dropped_is_not_repeated() {
    let projects = json!([alpha(json!([repo(1, "web"), repo(2, "api")]))]);
    let (sim, client) = start(scenario(projects, json!([])), 4).await;
    let profile = profile(SubscriptionScope::Repository);

    sim.faults()
        .commit_then_drop(Some("POST hooks/subscriptions"), 1);
    sim.faults()
        .commit_then_drop(Some("POST policy/configurations"), 1);
    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    assert_eq!(plan.work_count(), 6);
    assert!(
        outcomes(&applied).iter().all(|o| *o == Outcome::Done),
        "{:?}",
        applied.results
    );
    assert_eq!(sim.faults().remaining(), 0, "both faults were hit");
    assert_eq!(sim.subscriptions().len(), 4);
    assert_no_duplicates(&sim);
    assert_eq!(status_policies(&sim, ALPHA).len(), 2);
    assert_eq!(applied.coverage_after.unwrap().covered, 2);
}

#[tokio::test]
async fn a_project_without_edit_permission_is_skipped_with_its_fix() {
    let projects = json!([
        alpha(json!([repo(1, "web")])),
        {
            "id": BETA, "name": "Beta Team",
            "repositories": [repo(2, "locked")],
            "permissions": [{ "user": USER, "service_hooks_edit": false, "edit_policies": false }]
        }
    ]);
    let (sim, client) = start(scenario(projects, json!([])), 4).await;
    let profile = profile(SubscriptionScope::Repository);

    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    let beta: Vec<_> = plan
        .actions
        .iter()
        .filter(|a| a.project_id == BETA)
        .collect();
    assert_eq!(beta.len(), 2, "{beta:?}");
    assert!(beta.iter().all(|a| a.kind == ActionKind::Skip));
    let fix = beta[0].fix.as_deref().unwrap();
    assert!(fix.contains("Project Administrators"), "{fix}");
    assert!(
        fix.ends_with("/fabrikam/Beta%20Team/_settings/permissions"),
        "{fix}"
    );
    assert!(beta[1].reason.contains("cannot edit branch policies"));

    let beta_outcomes: Vec<Outcome> = plan
        .actions
        .iter()
        .zip(&applied.results)
        .filter(|(a, _)| a.project_id == BETA)
        .map(|(_, r)| r.outcome)
        .collect();
    assert_eq!(beta_outcomes, vec![Outcome::Skipped, Outcome::Skipped]);
    assert!(
        subscription_keys(&sim)
            .keys()
            .all(|(_, project, _)| project == ALPHA),
        "nothing was attempted in Beta"
    );

    let json = configure_json(client.org(), Mode::Plan, &plan, None, None).unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();
    let skipped = value["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["project_id"] == BETA && a["outcome"] == "skipped")
        .count();
    assert_eq!(skipped, 2);
    let text = configure_text(client.org(), Mode::Plan, &plan, None, None);
    assert!(text.contains("Skipped in project Beta Team"), "{text}");
    assert!(
        text.contains("Fix for these 2: add Gate Bot to"),
        "one fix for both skips: {text}"
    );
}

#[tokio::test]
async fn the_webhook_password_reaches_azure_devops_but_never_the_output() {
    let projects = json!([alpha(json!([repo(1, "web")]))]);
    let (sim, client) = start(scenario(projects, json!([])), 4).await;
    let mut profile = profile(SubscriptionScope::Repository);
    profile
        .http_headers
        .insert("X-Gate-Tenant".into(), "contoso".into());

    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    assert!(
        outcomes(&applied).iter().all(|o| *o == Outcome::Done),
        "{:?}",
        applied.results
    );
    for sub in sim.subscriptions() {
        let inputs = &sub["consumerInputs"];
        assert_eq!(inputs["basicAuthPassword"], "hunter2-webhook");
        assert_eq!(inputs["basicAuthUsername"], "gate");
        assert_eq!(inputs["httpHeaders"], "X-Gate-Tenant:contoso");
        assert_eq!(inputs["url"], HOOK);
    }
    // What the API itself answers is masked, as Azure DevOps does.
    let listed = client
        .list_subscriptions(&azdo_gate::ado::models::SubscriptionFilter::webhooks())
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .all(|s| s.consumer_inputs["basicAuthPassword"] == "********")
    );

    let json = configure_json(
        client.org(),
        Mode::Apply,
        &plan,
        Some(&applied.results),
        applied.coverage_after.as_ref(),
    )
    .unwrap();
    let text = configure_text(
        client.org(),
        Mode::Apply,
        &plan,
        Some(&applied.results),
        applied.coverage_after.as_ref(),
    );
    let debug = format!("{plan:?} {:?}", applied.results);
    for output in [&json, &text, &debug] {
        assert!(!output.contains("hunter2"), "{output}");
    }
}

#[tokio::test]
async fn an_enable_the_server_refuses_falls_back_to_delete_and_create() {
    let user = "30000000-0000-4000-8000-000000000001";
    let projects = json!([alpha(json!([repo(1, "web")]))]);
    let subscriptions = json!([
        existing(user, CREATED, ALPHA, &repo_id(1), "disabledByUser"),
        existing(
            "30000000-0000-4000-8000-000000000002",
            UPDATED,
            ALPHA,
            &repo_id(1),
            "enabled"
        ),
    ]);
    let (sim, client) = start(scenario(projects, subscriptions), 4).await;
    let mut profile = profile(SubscriptionScope::Repository);
    profile.status_check.required = false;

    sim.faults()
        .fail(Some("PUT hooks/subscriptions/{id}"), 1, 400);
    let (plan, applied) = configure(&client, &profile, Selection::Missing).await;
    assert_eq!(plan.actions.len(), 1);
    assert_eq!(plan.actions[0].kind, ActionKind::EnableSubscription);
    assert_eq!(
        outcomes(&applied),
        vec![Outcome::Done],
        "{:?}",
        applied.results
    );
    let subs = sim.subscriptions();
    assert_eq!(subs.len(), 2);
    assert!(subs.iter().all(|s| s["status"] == "enabled"));
    assert!(
        subs.iter().all(|s| s["id"] != user),
        "replaced by a new subscription"
    );
    assert_no_duplicates(&sim);
}
