//! What real organizations send that a model written from the docs misses (issue 11,
//! `azure-devops-api.md` §13): `null` settings, unreadable policies, odd subscriptions, filtered
//! gate subscriptions, and Status policies that exist but cannot make the gate's status count.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::time::Duration;

use azdo_gate::ado::{Backoff, Client, ClientConfig};
use azdo_gate::audit::{self, AuditInput, AuditReport, Coverage, PolicyPresence};
use azdo_gate::org::OrgUrl;
use azdo_gate::plan::{self, ActionKind, ApplyInput, Outcome, Plan, Selection};
use azdo_gate::profile::GateProfile;
use azdo_gate_sim::{Scenario, SimHandle};
use common::{json, run, start, stderr};
use secrecy::SecretString;
use serde_json::{Value, json};

const USER: &str = "6f1c0b9e-1111-4a5b-9c2d-000000000001";
const OTHER_USER: &str = "6f1c0b9e-1111-4a5b-9c2d-000000000002";
const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";
const HOOK: &str = "https://gate.example.com/ado/events";
const ALPHA: &str = "a1a1a1a1-0000-4000-8000-000000000001";
const CREATED: &str = "git.pullrequest.created";
const UPDATED: &str = "git.pullrequest.updated";

fn repo_id(n: u32) -> String {
    format!("c0c0c0c0-0000-4000-8000-{n:012}")
}

fn sub_id(n: u32) -> String {
    format!("d0d0d0d0-0000-4000-8000-{n:012}")
}

/// One project with `repos` repositories (`repo-1`, ...), the given policies and subscriptions.
fn scenario(repos: u32, policies: Value, subscriptions: Value) -> Scenario {
    let repositories: Vec<Value> = (1..=repos)
        .map(|n| json!({ "id": repo_id(n), "name": format!("repo-{n}"), "default_branch": "refs/heads/main" }))
        .collect();
    let scenario = json!({
        "organization": "fabrikam",
        "users": [
            { "id": USER, "display_name": "Gate Bot", "unique_name": "gate-bot@fabrikam.example" },
            { "id": OTHER_USER, "display_name": "Old Bot", "unique_name": "old-bot@fabrikam.example" }
        ],
        "tokens": [{
            "name": "gate", "token": TOKEN, "user": USER, "primary": true,
            "scopes": ["vso.work_write", "vso.code_write", "vso.code_status", "vso.build", "vso.project"]
        }],
        "projects": [{ "id": ALPHA, "name": "Alpha", "repositories": repositories, "policies": policies }],
        "subscriptions": subscriptions,
    });
    Scenario::from_json_str(&scenario.to_string()).unwrap()
}

/// A gate subscription for repository `n`, with extra raw fields answered verbatim.
fn hook(id: u32, event: &str, repo: u32, raw: Value) -> Value {
    json!({
        "id": sub_id(id), "event_type": event, "created_by": USER,
        "publisher_inputs": { "projectId": ALPHA, "repository": repo_id(repo), "branch": "" },
        "consumer_inputs": { "url": HOOK },
        "raw": raw,
    })
}

/// Both profile events, enabled, for repositories `1..=repos`.
fn hooks(repos: u32) -> Vec<Value> {
    (1..=repos)
        .flat_map(|n| {
            [
                hook(n * 10, CREATED, n, json!({})),
                hook(n * 10 + 1, UPDATED, n, json!({})),
            ]
        })
        .collect()
}

/// A Status policy for the gate's status on `repo-1`'s main branch.
fn status_policy(extra: Value) -> Value {
    let mut settings = json!({
        "statusGenre": "pr-gate", "statusName": "gate",
        "scope": [{ "repositoryId": repo_id(1), "refName": "refs/heads/main", "matchKind": "exact" }]
    });
    if let (Some(map), Some(extra)) = (settings.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    json!({ "id": 5, "settings": settings, "created_by": USER })
}

fn client(sim: &SimHandle) -> Client {
    let config = ClientConfig {
        concurrency: 4,
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
    Client::new(org, SecretString::from(TOKEN), config).unwrap()
}

fn profile() -> GateProfile {
    GateProfile::default_profile()
        .with_webhook_url(HOOK)
        .unwrap()
}

async fn audit(client: &Client, profile: &GateProfile) -> AuditReport {
    let input = AuditInput {
        profile: profile.clone(),
        previous: None,
    };
    audit::run(client, &input, None).await.unwrap()
}

/// Audit, plan every repository, apply; returns the plan and every outcome.
async fn configure(client: &Client, profile: &GateProfile) -> (Plan, Vec<Outcome>) {
    let report = audit(client, profile).await;
    let plan = plan::plan(&report, profile, &Selection::All, client.org());
    let input = ApplyInput {
        plan: &plan,
        profile,
        basic_auth_password: None,
        user_id: report.user_id().map(str::to_owned),
        stop: None,
    };
    let results = plan::apply(client, input, None).await;
    (plan, results.into_iter().map(|r| r.outcome).collect())
}

fn kinds(plan: &Plan) -> Vec<ActionKind> {
    plan.actions.iter().map(|a| a.kind).collect()
}

fn status_policies(sim: &SimHandle) -> Vec<Value> {
    sim.policies(ALPHA)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_policy_with_every_optional_setting_null_is_the_gates_and_never_duplicated() {
    let policy = status_policy(json!({
        "authorId": null, "filenamePatterns": null, "policyApplicability": null,
        "invalidateOnSourceUpdate": null, "defaultDisplayName": null
    }));
    let sim = start(scenario(1, json!([policy]), json!(hooks(1)))).await;
    let client = client(&sim);
    let profile = profile();

    let report = audit(&client, &profile).await;
    let repo = &report.repositories[0];
    assert_eq!(repo.status_policy, PolicyPresence::Present);
    assert_eq!(repo.coverage, Coverage::Covered);
    assert!(
        report.unknown_items.is_empty(),
        "{:?}",
        report.unknown_items
    );

    for _ in 0..2 {
        let (plan, _) = configure(&client, &profile).await;
        assert!(plan.is_empty_of_work(), "{:?}", kinds(&plan));
    }
    assert_eq!(status_policies(&sim).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_status_policy_is_unknown_reported_and_never_duplicated() {
    let unreadable = json!({
        "id": 9, "created_by": OTHER_USER,
        "settings": { "statusName": 42, "scope": "all of them" }
    });
    let sim = start(scenario(1, json!([unreadable]), json!(hooks(1)))).await;
    let client = client(&sim);
    let profile = profile();

    let report = audit(&client, &profile).await;
    let repo = &report.repositories[0];
    assert_eq!(repo.status_policy, PolicyPresence::Unknown);
    assert_eq!(repo.status_policy_id, Some(9));
    assert_eq!(repo.coverage, Coverage::Partial);
    let item = serde_json::to_value(&report.unknown_items).unwrap();
    assert_eq!(item[0]["kind"], "policy");
    assert_eq!(item[0]["id"], "9");

    for _ in 0..2 {
        let (plan, _) = configure(&client, &profile).await;
        assert_eq!(kinds(&plan), [ActionKind::Skip]);
        assert!(plan.actions[0].fix.as_deref().unwrap().contains("policy 9"));
    }
    assert_eq!(status_policies(&sim).len(), 1, "no policy beside it");
}

#[tokio::test(flavor = "multi_thread")]
async fn odd_subscriptions_are_listed_as_unknown_and_the_audit_completes() {
    // repo-1: a null branch input (reads as no filter). repo-2..4: statuses outside the five
    // documented ones. repo-5: another tool's consumer shape the tool cannot read.
    let mut subscriptions = vec![
        hook(
            10,
            CREATED,
            1,
            json!({ "publisherInputs": { "branch": null } }),
        ),
        hook(11, UPDATED, 1, json!({ "resourceVersion": null })),
    ];
    for (n, status) in [
        (2, "disabledDueToMissingPermissions"),
        (3, "pendingDeletion"),
        (4, "jailedByNotificationsVolume"),
    ] {
        subscriptions.push(hook(n * 10, CREATED, n, json!({ "status": status })));
    }
    subscriptions.push(hook(
        50,
        CREATED,
        5,
        json!({ "consumerInputs": { "channel": { "id": 7 } }, "actionDescription": { "text": "Post to channel" } }),
    ));
    let sim = start(scenario(5, json!([]), json!(subscriptions))).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let out = run(
        dir.path(),
        Some(TOKEN),
        &["audit", "--org", &org, "--json", "--webhook-url", HOOK],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let unknown = report["unknown_items"].as_array().unwrap();
    let ids: Vec<&str> = unknown.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [sub_id(50), sub_id(20), sub_id(30), sub_id(40)],
        "{unknown:#?}"
    );
    assert!(unknown.iter().all(|i| i["kind"] == "subscription"));
    let repo = |name: &str| {
        report["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(repo("repo-1")["events"][0]["status"], "enabled");
    assert_eq!(repo("repo-1")["events"][0]["filters"], Value::Null);
    assert_eq!(
        repo("repo-3")["events"][0]["status"],
        "other(pendingDeletion)"
    );
    assert_eq!(repo("repo-3")["coverage"], "unhealthy");
    assert_eq!(repo("repo-5")["events"][0]["status"], "absent");

    let text = run(
        dir.path(),
        Some(TOKEN),
        &["audit", "--org", &org, "--webhook-url", HOOK],
    )
    .await;
    let text = common::stdout(&text);
    assert!(text.contains("Not understood: 4"), "{text}");
    assert!(
        text.contains(&format!("subscription {}", sub_id(50))),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_branch_filtered_gate_subscription_is_partial_replaced_and_accepted_when_the_profile_asks()
 {
    let mut subscriptions = hooks(1);
    subscriptions[0]["publisher_inputs"]["branch"] = json!("refs/heads/release");
    let policy = status_policy(json!({}));
    let sim = start(scenario(1, json!([policy]), json!(subscriptions))).await;
    let client = client(&sim);

    let mut wants_release = profile();
    wants_release
        .filters
        .insert("branch".into(), "refs/heads/release".into());
    let report = audit(&client, &wants_release).await;
    assert_eq!(report.repositories[0].coverage, Coverage::Covered);
    assert_eq!(
        report.repositories[0].events[0]
            .filters
            .as_ref()
            .unwrap()
            .get("branch")
            .map(String::as_str),
        Some("refs/heads/release")
    );

    let profile = profile();
    let report = audit(&client, &profile).await;
    let repo = serde_json::to_value(&report.repositories[0]).unwrap();
    assert_eq!(repo["coverage"], "partial");
    assert_eq!(repo["events"][0]["status"], "enabled");
    assert_eq!(
        repo["events"][0]["filters"],
        json!({ "branch": "refs/heads/release" })
    );

    let (plan, outcomes) = configure(&client, &profile).await;
    assert_eq!(kinds(&plan), [ActionKind::RecreateSubscription]);
    assert!(plan.actions[0].reason.contains("branch=refs/heads/release"));
    assert_eq!(outcomes, [Outcome::Done]);
    let report = audit(&client, &profile).await;
    assert_eq!(report.repositories[0].coverage, Coverage::Covered);
    assert_eq!(report.repositories[0].events[0].filters, None);
    assert_eq!(sim.subscriptions().len(), 2, "replaced, not added");
}

#[tokio::test(flavor = "multi_thread")]
async fn policies_that_cannot_make_the_gates_status_count_are_updated_never_duplicated() {
    for (extra, flags, expected) in [
        (
            json!({}),
            json!({ "is_blocking": false }),
            PolicyPresence::NotBlocking,
        ),
        (
            json!({}),
            json!({ "is_enabled": false }),
            PolicyPresence::Disabled,
        ),
        (
            json!({ "authorId": OTHER_USER }),
            json!({}),
            PolicyPresence::OtherAuthor,
        ),
    ] {
        let mut policy = status_policy(extra);
        policy
            .as_object_mut()
            .unwrap()
            .extend(flags.as_object().unwrap().clone());
        let sim = start(scenario(1, json!([policy]), json!(hooks(1)))).await;
        let client = client(&sim);
        let profile = profile();

        let report = audit(&client, &profile).await;
        assert_eq!(report.repositories[0].status_policy, expected);
        assert_eq!(report.repositories[0].coverage, Coverage::Partial);

        let (plan, outcomes) = configure(&client, &profile).await;
        assert_eq!(
            kinds(&plan),
            [ActionKind::UpdateStatusPolicy],
            "{expected:?}"
        );
        assert_eq!(plan.actions[0].policy_id.as_deref(), Some("5"));
        assert_eq!(outcomes, [Outcome::Done], "{expected:?}");

        let report = audit(&client, &profile).await;
        assert_eq!(
            report.repositories[0].status_policy,
            PolicyPresence::Present,
            "{expected:?}"
        );
        let policies = status_policies(&sim);
        assert_eq!(policies.len(), 1, "{expected:?}");
        assert_eq!(policies[0]["isBlocking"], true);
        assert_eq!(policies[0]["isEnabled"], true);
        assert_eq!(policies[0]["settings"]["authorId"], USER);
        assert_eq!(policies[0]["settings"]["statusName"], "gate");
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn contribute_to_pull_requests_is_evaluated_per_project_and_its_absence_is_a_gap_with_a_fix()
{
    let mut scenario = scenario(1, json!([status_policy(json!({}))]), json!(hooks(1)));
    scenario.projects[0]
        .permissions
        .push(azdo_gate_sim::Permissions {
            user: USER.into(),
            service_hooks_view: true,
            service_hooks_edit: true,
            edit_policies: true,
            contribute_pull_requests: false,
        });
    let sim = start(scenario).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let audit = ["audit", "--org", &org, "--webhook-url", HOOK];
    let out = run(dir.path(), Some(TOKEN), &[&audit[..], &["--json"]].concat()).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let project = &report["projects"][0];
    assert_eq!(project["contribute_pull_requests"], false);
    assert_eq!(project["edit_policies"], true);
    assert_eq!(report["summary"]["projects_missing_permissions"], 1);
    let text = common::stdout(&run(dir.path(), Some(TOKEN), &audit).await);
    assert!(text.contains("Contribute to pull requests"), "{text}");
    assert!(
        text.contains(&format!("--token repoV2/{ALPHA} --allow-bit 16384")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn permission_batches_the_server_finds_too_large_are_halved_until_they_fit() {
    let scenario = Scenario::generated(60, 60, 0, HOOK);
    let token = scenario.primary_token().unwrap().to_owned();
    let options = azdo_gate_sim::SimOptions {
        max_evaluations_per_batch: 100,
        ..azdo_gate_sim::SimOptions::default()
    };
    let sim = azdo_gate_sim::start(scenario, "127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    let client = Client::new(org, SecretString::from(token), ClientConfig::default()).unwrap();
    let report = audit(&client, &profile()).await;
    assert_eq!(report.projects.len(), 60);
    assert!(
        report.projects.iter().all(|p| !p.permissions_unknown()),
        "every project evaluated"
    );
    // 240 evaluations refused, two halves of 120 refused, four quarters of 60 answered.
    assert_eq!(
        sim.requests_by_route()["POST security/permissionevaluationbatch"],
        7
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_larger_than_the_cap_is_refused_with_a_clear_error() {
    let sim = start(scenario(40, json!([]), json!([]))).await;
    let config = ClientConfig {
        max_body_bytes: 4 * 1024,
        ..ClientConfig::default()
    };
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    let client = Client::new(org, SecretString::from(TOKEN), config).unwrap();
    let error = client.list_repositories().await.unwrap_err();
    assert_eq!(error.kind(), "response_too_large", "{error}");
    assert!(
        error.to_string().contains("GET git/repositories"),
        "{error}"
    );
    assert_eq!(
        sim.requests_by_route()["GET git/repositories"],
        1,
        "not retried"
    );
    assert!(
        client.connection_data().await.is_ok(),
        "small answers still read"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn names_with_control_characters_are_escaped_in_text_and_formulas_neutralised_in_csv() {
    let mut scenario = scenario(2, json!([]), json!([]));
    scenario.projects[0].name = "Alpha\u{1b}]0;owned\u{7}".into();
    scenario.projects[0].repositories[0].name = "web\u{1b}[2J\rok".into();
    scenario.projects[0].repositories[1].name = "=HYPERLINK(\"https://evil.example\")".into();
    let sim = start(scenario).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let audit = ["audit", "--org", &org, "--webhook-url", HOOK];

    let text = common::stdout(&run(dir.path(), Some(TOKEN), &audit).await);
    assert!(!text.contains('\u{1b}') && !text.contains('\r') && !text.contains('\u{7}'));
    assert!(text.contains("web\\u{1b}[2J\\u{d}ok"), "{text}");
    assert!(text.contains("Alpha\\u{1b}]0;owned\\u{7}"), "{text}");

    let csv =
        common::stdout(&run(dir.path(), Some(TOKEN), &[&audit[..], &["--csv"]].concat()).await);
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"https://evil.example\"\")\","),
        "{csv}"
    );
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");

    let json_out = json(&run(dir.path(), Some(TOKEN), &[&audit[..], &["--json"]].concat()).await);
    assert_eq!(
        json_out["projects"][0]["name"], "Alpha\u{1b}]0;owned\u{7}",
        "JSON keeps the real name"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunked_answer_is_cut_off_at_the_cap_without_a_content_length() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("400\r\n{}\r\n", " ".repeat(0x400));
        for _ in 0..64 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                return; // the client stopped reading: what the cap is for
            }
        }
        let _ = socket.write_all(b"0\r\n\r\n").await;
    });
    let config = ClientConfig {
        max_body_bytes: 4 * 1024,
        max_attempts: 1,
        ..ClientConfig::default()
    };
    let org = OrgUrl::parse(&format!("http://{addr}/fabrikam")).unwrap();
    let client = Client::new(org, SecretString::from(TOKEN), config).unwrap();
    let error = client.list_repositories().await.unwrap_err();
    assert_eq!(error.kind(), "response_too_large", "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_system_disabled_subscription_is_repaired_whether_or_not_a_put_revives_it() {
    for revives in [false, true] {
        let mut subscriptions = hooks(1);
        subscriptions[0]["status"] = json!("disabledBySystem");
        let scenario = scenario(1, json!([status_policy(json!({}))]), json!(subscriptions));
        let options = azdo_gate_sim::SimOptions {
            put_revives_disabled_by_system: revives,
            ..azdo_gate_sim::SimOptions::default()
        };
        let sim = azdo_gate_sim::start(scenario, "127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
        let client = client(&sim);
        let (_, outcomes) = configure(&client, &profile()).await;
        assert_eq!(outcomes, [Outcome::Done], "revives: {revives}");
        let report = audit(&client, &profile()).await;
        assert_eq!(
            report.repositories[0].coverage,
            Coverage::Covered,
            "revives: {revives}"
        );
        assert_eq!(sim.subscriptions().len(), 2, "revives: {revives}");
        sim.shutdown().await;
    }
}
