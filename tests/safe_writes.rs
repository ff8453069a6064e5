//! Writes that never un-gate a repository (issue 10): make-before-break under SIGINT, one writer
//! per organization, duplicates found and removed, patient re-reads after a late commit, basic
//! auth kept, no redirects, and a report that always comes out. CLI tests run the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use azdo_gate::ado::{AdoError, Backoff, Client, ClientConfig};
use azdo_gate::audit::{self, AuditInput};
use azdo_gate::org::OrgUrl;
use azdo_gate::plan::{self, ActionKind, ApplyInput, Selection};
use azdo_gate::profile::GateProfile;
use azdo_gate_sim::{self as sim, Recorder, Scenario, SimHandle, SimOptions};
use common::{json, run, stderr, stdout};
use secrecy::SecretString;
use serde_json::{Value, json};

const USER: &str = "6f1c0b9e-1111-4a5b-9c2d-000000000001";
const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";
const HOOK: &str = "https://gate.example.com/ado/events";
const PROJECT: &str = "a1a1a1a1-0000-4000-8000-000000000001";
const CREATED: &str = "git.pullrequest.created";
const UPDATED: &str = "git.pullrequest.updated";

fn repo_id(n: u32) -> String {
    format!("c0c0c0c0-0000-4000-8000-{n:012}")
}

fn sub_id(n: u32) -> String {
    format!("5b5b5b5b-0000-4000-8000-{n:012}")
}

fn scenario_named(org: &str, repos: u32, subscriptions: Value, policies: Value) -> Scenario {
    let repositories: Vec<Value> = (1..=repos)
        .map(|n| json!({ "id": repo_id(n), "name": format!("repo-{n}"), "default_branch": "refs/heads/main" }))
        .collect();
    let scenario = json!({
        "organization": org,
        "users": [{ "id": USER, "display_name": "Gate Bot", "unique_name": "gate-bot@fabrikam.example" }],
        "tokens": [{
            "name": "gate", "token": TOKEN, "user": USER, "primary": true,
            "scopes": ["vso.work_write", "vso.code_write", "vso.code_status", "vso.build"]
        }],
        "projects": [{ "id": PROJECT, "name": "Alpha", "repositories": repositories, "policies": policies }],
        "subscriptions": subscriptions,
    });
    Scenario::from_json_str(&scenario.to_string()).unwrap()
}

fn scenario(repos: u32, subscriptions: Value, policies: Value) -> Scenario {
    scenario_named("fabrikam", repos, subscriptions, policies)
}

/// A gate subscription that exists before the tool runs; `repository` "" = project-wide.
fn existing(n: u32, event: &str, repository: &str, status: &str, date: &str) -> Value {
    json!({
        "id": sub_id(n), "event_type": event, "status": status, "created_by": USER,
        "created_date": date,
        "publisher_inputs": { "projectId": PROJECT, "repository": repository, "branch": "" },
        "consumer_inputs": { "url": HOOK }
    })
}

fn status_policy(id: i64, repository: &str) -> Value {
    json!({
        "id": id, "created_by": USER,
        "settings": {
            "statusGenre": "pr-gate", "statusName": "gate",
            "scope": [{ "repositoryId": repository, "refName": "refs/heads/main", "matchKind": "exact" }]
        }
    })
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

fn client(sim: &SimHandle, timeout: Duration) -> Client {
    let config = ClientConfig {
        concurrency: 4,
        max_attempts: 3,
        backoff: Backoff {
            base: Duration::from_millis(5),
            max: Duration::from_millis(20),
            max_retry_after: Duration::from_millis(20),
        },
        request_timeout: timeout,
        ..ClientConfig::default()
    };
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    Client::new(org, SecretString::from(TOKEN), config).unwrap()
}

fn profile() -> GateProfile {
    GateProfile::default_profile()
        .with_webhook_url(HOOK)
        .unwrap()
}

/// Enabled gate subscriptions per (repository or "" for project-wide, event).
fn gate_subscriptions(sim: &SimHandle) -> Vec<(String, String, String)> {
    sim.subscriptions()
        .iter()
        .filter(|s| s["status"] == "enabled")
        .map(|s| {
            (
                s["publisherInputs"]["repository"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                s["eventType"].as_str().unwrap().to_owned(),
                s["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// (repository, event) pairs that have at least one subscription (any status), project-wide
/// ones standing for every repository.
fn delivered_pairs(sim: &SimHandle, repos: u32) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for s in sim.subscriptions() {
        let repo = s["publisherInputs"]["repository"]
            .as_str()
            .unwrap_or_default();
        let event = s["eventType"].as_str().unwrap().to_owned();
        if repo.is_empty() {
            for n in 1..=repos {
                pairs.insert((repo_id(n), event.clone()));
            }
        } else {
            pairs.insert((repo.to_owned(), event));
        }
    }
    pairs
}

fn apply_args(org: &str) -> Vec<String> {
    [
        "configure",
        "--org",
        org,
        "--apply",
        "--yes",
        "--json",
        "--webhook-url",
        HOOK,
    ]
    .map(str::to_owned)
    .to_vec()
}

async fn cli(dir: &Path, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, Some(TOKEN), &args).await
}

// ---- no redirects -------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_never_followed_and_nothing_reaches_the_other_host() {
    let sim = start(scenario(
        1,
        json!([existing(
            1,
            CREATED,
            &repo_id(1),
            "enabled",
            "2024-01-01T00:00:00Z"
        )]),
        json!([]),
    ))
    .await;
    let other = Recorder::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client(&sim, Duration::from_secs(10));
    client.connection_data().await.unwrap();
    let report = audit::run(
        &client,
        &AuditInput {
            profile: profile(),
            previous: None,
        },
        None,
    )
    .await
    .unwrap();
    let plan = plan::plan(&report, &profile(), &Selection::All, client.org());
    let create = plan
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::CreateSubscription)
        .unwrap();
    let body = plan::subscription_body(create, &profile(), None, None).unwrap();
    for status in [307, 308] {
        for route in [
            "POST hooks/subscriptions",
            "PUT hooks/subscriptions/{id}",
            "GET hooks/subscriptions",
        ] {
            sim.faults()
                .redirect(Some(route), 1, status, &other.base_url());
            let error = match route {
                "POST hooks/subscriptions" => client.create_subscription(&body).await.map(drop),
                "PUT hooks/subscriptions/{id}" => client
                    .replace_subscription(&sub_id(1), &body)
                    .await
                    .map(drop),
                _ => client
                    .list_subscriptions(&Default::default())
                    .await
                    .map(drop),
            }
            .unwrap_err();
            assert!(
                matches!(error, AdoError::Redirected { status: s, ref host } if s == status && host == "127.0.0.1"),
                "{route}: {error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!("Azure DevOps answered {status}, redirecting to 127.0.0.1: not followed")
            );
        }
    }
    assert_eq!(
        sim.faults().remaining(),
        0,
        "each redirect was answered once, never retried"
    );
    assert!(
        other.received().is_empty(),
        "the other host received {:?}",
        other.received()
    );
    assert_eq!(sim.subscriptions().len(), 1, "nothing was created");
}

// ---- a create that commits late -----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_create_committed_after_the_timeout_is_found_by_the_patient_reread() {
    let sim = start(scenario(1, json!([]), json!([]))).await;
    // The client gives up after 1 s; the server commits 2.5 s after the request (the real case:
    // 30 s and 35 s). The re-read waits 1, 2, 4, 8 s: it sees the late commit and creates nothing.
    let client = client(&sim, Duration::from_secs(1));
    let mut profile = profile();
    profile.events = vec![CREATED.into()];
    profile.status_check.required = false;
    let input = AuditInput {
        profile: profile.clone(),
        previous: None,
    };
    for round in 0..2 {
        let report = audit::run(&client, &input, None).await.unwrap();
        let plan = plan::plan(&report, &profile, &Selection::Missing, client.org());
        if round == 0 {
            assert_eq!(plan.work_count(), 1);
            sim.faults().late_commit(
                Some("POST hooks/subscriptions"),
                1,
                Duration::from_millis(2500),
            );
        } else {
            assert_eq!(
                plan.work_count(),
                0,
                "the re-run has nothing to do: {plan:?}"
            );
        }
        let applied = plan::apply(
            &client,
            ApplyInput {
                plan: &plan,
                profile: &profile,
                basic_auth_password: None,
                user_id: report.user_id().map(str::to_owned),
                stop: None,
            },
            None,
        )
        .await;
        assert!(
            applied.iter().all(|r| r.outcome != plan::Outcome::Failed),
            "{applied:?}"
        );
        // Let the late commit land (it is due 2.5 s after the request) before auditing again.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    assert_eq!(
        gate_subscriptions(&sim).len(),
        1,
        "{:?}",
        sim.subscriptions()
    );
}

// ---- duplicates ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn seeded_duplicates_are_reported_then_removed_keeping_exactly_one() {
    let r1 = repo_id(1);
    let r2 = repo_id(2);
    let sim = start(scenario(
        2,
        json!([
            // repo-1: two repository-level subscriptions for "created"; the older is kept.
            existing(1, CREATED, &r1, "enabled", "2024-01-01T00:00:00Z"),
            existing(2, CREATED, &r1, "enabled", "2024-02-01T00:00:00Z"),
            // A project-wide "updated" plus repo-1's and repo-2's own: their own ones go.
            existing(3, UPDATED, &r1, "enabled", "2024-01-01T00:00:00Z"),
            existing(4, UPDATED, "", "enabled", "2024-01-01T00:00:00Z"),
            existing(5, UPDATED, &r2, "enabled", "2024-01-01T00:00:00Z"),
            existing(6, CREATED, &r2, "enabled", "2024-01-01T00:00:00Z"),
        ]),
        // repo-1: two identical Status policies; repo-2: one.
        json!([
            status_policy(1, &r1),
            status_policy(2, &r1),
            status_policy(3, &r2)
        ]),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let audit_args = |format: &str| {
        [
            "audit",
            "--org",
            org.as_str(),
            format,
            "--webhook-url",
            HOOK,
        ]
        .map(str::to_owned)
        .to_vec()
    };

    let out = cli(dir.path(), &audit_args("--json")).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "duplicates are a problem: {}",
        stderr(&out)
    );
    let report = json(&out);
    assert_eq!(report["summary"]["duplicate_subscriptions"], 3);
    assert_eq!(report["summary"]["duplicate_status_policies"], 1);
    let repo = |id: &str| {
        report["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let event = |r: &Value, e: &str| {
        r["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["event_type"] == e)
            .unwrap()["duplicate_subscription_ids"]
            .clone()
    };
    assert_eq!(event(&repo(&r1), CREATED), json!([sub_id(2)]));
    assert_eq!(event(&repo(&r1), UPDATED), json!([sub_id(3)]));
    assert_eq!(event(&repo(&r2), UPDATED), json!([sub_id(5)]));
    assert_eq!(repo(&r1)["duplicate_status_policy_ids"], json!(["2"]));
    assert_eq!(repo(&r2)["duplicate_status_policy_ids"], json!([]));

    let csv = stdout(&cli(dir.path(), &audit_args("--csv")).await);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",duplicate_subscription_ids,duplicate_status_policy_ids"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(",{} {},2\n", sub_id(2), sub_id(3))),
        "{csv}"
    );
    let text = stdout(
        &run(
            dir.path(),
            Some(TOKEN),
            &["audit", "--org", org.as_str(), "--webhook-url", HOOK],
        )
        .await,
    );
    assert!(
        text.contains(&format!(
            "duplicate subscriptions for {CREATED}: {}",
            sub_id(2)
        )),
        "{text}"
    );
    assert!(text.contains("duplicate Status policies: 2"), "{text}");

    let out = cli(dir.path(), &apply_args(&org)).await;
    let applied = json(&out);
    assert_eq!(out.status.code(), Some(0), "{applied:#}\n{}", stderr(&out));
    let kinds: Vec<(&str, &str)> = applied["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap(),
                a["subscription_id"]
                    .as_str()
                    .or(a["policy_id"].as_str())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let sub2 = sub_id(2);
    let sub3 = sub_id(3);
    let sub5 = sub_id(5);
    assert_eq!(
        kinds,
        vec![
            ("delete_duplicate_subscription", sub2.as_str()),
            ("delete_duplicate_subscription", sub3.as_str()),
            ("delete_duplicate_status_policy", "2"),
            ("delete_duplicate_subscription", sub5.as_str()),
        ],
        "{applied:#}"
    );
    let left: BTreeSet<String> = gate_subscriptions(&sim).into_iter().map(|s| s.2).collect();
    assert_eq!(left, [1, 4, 6].map(sub_id).into_iter().collect());
    assert_eq!(sim.policies(PROJECT).len(), 2);

    let out = cli(dir.path(), &audit_args("--json")).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(json(&out)["summary"]["duplicate_subscriptions"], 0);
    let again = json(&cli(dir.path(), &apply_args(&org)).await);
    assert_eq!(
        again["summary"]["done"], 0,
        "a second apply does nothing: {again:#}"
    );
}

// ---- basic auth ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_basic_auth_webhook_is_recreated_only_with_its_password() {
    let mut sub = existing(
        1,
        CREATED,
        &repo_id(1),
        "disabledBySystem",
        "2024-01-01T00:00:00Z",
    );
    sub["consumer_inputs"]["basicAuthUsername"] = json!("gate");
    sub["consumer_inputs"]["basicAuthPassword"] = json!("old-secret");
    let sim = start(scenario(
        1,
        json!([sub]),
        json!([status_policy(1, &repo_id(1))]),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();

    let mut plan_args = apply_args(&org);
    plan_args.retain(|a| a != "--apply" && a != "--yes");
    plan_args.push("--plan".into());
    let plan = json(&cli(dir.path(), &plan_args).await);
    let skip = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["event_type"] == CREATED)
        .unwrap()
        .clone();
    assert_eq!(skip["kind"], "skip", "{plan:#}");
    assert!(
        skip["reason"].as_str().unwrap().contains("basic auth"),
        "{skip}"
    );
    let fix = skip["fix"].as_str().unwrap();
    assert!(
        fix.contains("basic_auth_user")
            && fix.contains("basic_auth_secret")
            && fix.contains("AZDO_GATE_BASIC_AUTH_PASSWORD"),
        "{fix}"
    );

    let profile_path = dir.path().join("profile.toml");
    std::fs::write(
        &profile_path,
        format!("webhook_url = \"{HOOK}\"\nbasic_auth_user = \"gate\"\nbasic_auth_secret = \"gate-webhook\"\n"),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
    cmd.args([
        "configure",
        "--org",
        &org,
        "--apply",
        "--yes",
        "--json",
        "--profile",
        profile_path.to_str().unwrap(),
    ])
    .env("AZDO_GATE_CONFIG_DIR", dir.path())
    .env("AZURE_DEVOPS_EXT_PAT", TOKEN)
    .env("AZDO_GATE_BASIC_AUTH_PASSWORD", "new-secret")
    .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let created: Vec<Value> = sim
        .subscriptions()
        .into_iter()
        .filter(|s| s["eventType"] == CREATED)
        .collect();
    assert_eq!(
        created.len(),
        1,
        "the old one was deleted after the new one: {created:#?}"
    );
    assert_ne!(created[0]["id"], sub_id(1));
    assert_eq!(created[0]["consumerInputs"]["basicAuthUsername"], "gate");
    assert_eq!(
        created[0]["consumerInputs"]["basicAuthPassword"],
        "new-secret"
    );
}

// ---- one writer per organization; state kept ----------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_applies_on_one_organization_make_no_duplicates() {
    for writers in [2, 3] {
        let sim = start(scenario(5, json!([]), json!([]))).await;
        sim.set_latency(Duration::from_millis(150));
        let dir = tempfile::tempdir().unwrap();
        let args = apply_args(&sim.org_url());
        let runs: Vec<_> = (0..writers).map(|_| cli(dir.path(), &args)).collect();
        let outs = futures::future::join_all(runs).await;
        for out in &outs {
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}\n{}",
                stdout(out),
                stderr(out)
            );
        }
        let subs = gate_subscriptions(&sim);
        let pairs: BTreeSet<(String, String)> = subs
            .iter()
            .map(|(r, e, _)| (r.clone(), e.clone()))
            .collect();
        assert_eq!(subs.len(), pairs.len(), "duplicates: {subs:?}");
        assert_eq!(subs.len(), 10);
        assert_eq!(sim.policies(PROJECT).len(), 5, "duplicate policies");
        assert!(
            outs.iter()
                .any(|o| stderr(o).contains("waiting for process")),
            "one waited and said for whom"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audits_of_two_organizations_sharing_a_directory_keep_both_states() {
    let first = start(scenario_named("fabrikam", 1, json!([]), json!([]))).await;
    let second = start(scenario_named("contoso", 1, json!([]), json!([]))).await;
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        let audits = [&first, &second].map(|sim| {
            let args = [
                "audit",
                "--org",
                &sim.org_url(),
                "--json",
                "--webhook-url",
                HOOK,
            ]
            .map(str::to_owned)
            .to_vec();
            let dir = dir.path().to_owned();
            async move { cli(&dir, &args).await }
        });
        futures::future::join_all(audits).await;
        let state = std::fs::read_to_string(dir.path().join("state.toml")).unwrap();
        assert!(
            state.contains("fabrikam") && state.contains("contoso"),
            "{state}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_comes_out_when_the_state_cannot_be_saved() {
    let sim = start(scenario(1, json!([]), json!([]))).await;
    let dir = tempfile::tempdir().unwrap();
    // The state lock's path taken by a directory: every state update fails (root included).
    std::fs::create_dir_all(dir.path().join("locks").join("state.lock")).unwrap();
    let out = cli(dir.path(), &apply_args(&sim.org_url())).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["summary"]["done"], 3, "{report:#}");
    assert!(
        stderr(&out).contains("warning: the repository snapshot was not saved"),
        "{}",
        stderr(&out)
    );
}

// ---- interruption -------------------------------------------------------------------------------

/// Sends SIGINT to `pid`; false when it is gone already.
fn signal(pid: u32) -> bool {
    Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// Sends SIGINT to `pid`, which must still be running.
fn interrupt(pid: u32) {
    assert!(signal(pid), "the process {pid} was gone before its signal");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sigint_at_any_point_leaves_every_event_delivered_and_reports_exit_130() {
    // Two repositories whose four subscriptions Azure DevOps disabled: four replacements
    // (create, then delete) and two Status policies, 30 ms per request.
    let subscriptions = json!([
        existing(
            1,
            CREATED,
            &repo_id(1),
            "disabledBySystem",
            "2024-01-01T00:00:00Z"
        ),
        existing(
            2,
            UPDATED,
            &repo_id(1),
            "disabledBySystem",
            "2024-01-01T00:00:00Z"
        ),
        existing(
            3,
            CREATED,
            &repo_id(2),
            "disabledBySystem",
            "2024-01-01T00:00:00Z"
        ),
        existing(
            4,
            UPDATED,
            &repo_id(2),
            "onProbation",
            "2024-01-01T00:00:00Z"
        ),
    ]);
    let mut points = 0;
    let mut interrupted = 0;
    // Interrupt after the n-th request reached the simulator: during the audit, between each
    // create and its delete, and during the verification. On odd n a second SIGINT follows at
    // once, which exits without waiting for what is in flight.
    for n in 1..=24u64 {
        let sim = start(scenario(2, subscriptions.clone(), json!([]))).await;
        sim.set_latency(Duration::from_millis(30));
        let before = delivered_pairs(&sim, 2);
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
        cmd.args(apply_args(&sim.org_url()))
            .env("AZDO_GATE_CONFIG_DIR", dir.path())
            .env("AZURE_DEVOPS_EXT_PAT", TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        let pid = child.id();
        let waiter = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap());
        let mut sent = false;
        while !waiter.is_finished() {
            if !sent && sim.requests_total() >= n {
                interrupt(pid);
                if n % 2 == 1 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    // A first signal before any change ends the run at once: then it is gone.
                    signal(pid);
                }
                sent = true;
            }
            // At no moment does an event that had a subscription have none.
            let now = delivered_pairs(&sim, 2);
            assert!(
                before.is_subset(&now),
                "n={n}: lost {:?} mid-run",
                before.difference(&now)
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let out = waiter.await.unwrap();
        points += usize::from(sent);
        let after = delivered_pairs(&sim, 2);
        assert!(
            before.is_subset(&after),
            "n={n}: lost {:?}",
            before.difference(&after)
        );
        if !sent {
            continue;
        }
        assert_eq!(
            out.status.code(),
            Some(130),
            "n={n}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        interrupted += 1;
        let report = json(&out);
        // One signal once the plan is known: the run says it finishes what is in flight.
        if n % 2 == 0 && !report["actions"].as_array().unwrap().is_empty() {
            assert!(
                stderr(&out).contains("Interrupt received, finishing what is in flight"),
                "n={n}: {}",
                stderr(&out)
            );
        }
        let s = &report["summary"];
        let planned = report["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] != "skip")
            .count() as u64;
        assert_eq!(
            s["done"].as_u64().unwrap()
                + s["failed"].as_u64().unwrap()
                + s["not_started"].as_u64().unwrap(),
            planned,
            "n={n}: {report:#}"
        );

        let rerun = cli(dir.path(), &apply_args(&sim.org_url())).await;
        assert_eq!(
            rerun.status.code(),
            Some(0),
            "n={n}: {}\n{}",
            stdout(&rerun),
            stderr(&rerun)
        );
        let subs = gate_subscriptions(&sim);
        let pairs: BTreeSet<(String, String)> = subs
            .iter()
            .map(|(r, e, _)| (r.clone(), e.clone()))
            .collect();
        assert_eq!(subs.len(), pairs.len(), "n={n}: duplicates {subs:?}");
        assert_eq!(subs.len(), 4, "n={n}");
    }
    assert!(points >= 20, "only {points} interruption points");
    assert!(interrupted >= 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn enabling_keeps_the_subscriptions_own_inputs_and_resends_the_password() {
    let mut sub = existing(
        1,
        CREATED,
        &repo_id(1),
        "disabledByUser",
        "2024-01-01T00:00:00Z",
    );
    sub["consumer_inputs"]["basicAuthUsername"] = json!("gate");
    sub["consumer_inputs"]["basicAuthPassword"] = json!("old-secret");
    sub["consumer_inputs"]["httpHeaders"] = json!("X-Tenant:blue");
    let sim = start(scenario(
        1,
        json!([
            sub,
            existing(2, UPDATED, &repo_id(1), "enabled", "2024-01-01T00:00:00Z")
        ]),
        json!([status_policy(1, &repo_id(1))]),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let profile_path = dir.path().join("profile.toml");
    std::fs::write(
        &profile_path,
        format!("webhook_url = \"{HOOK}\"\nbasic_auth_user = \"gate\"\nbasic_auth_secret = \"gate-webhook\"\n"),
    )
    .unwrap();
    let org = sim.org_url();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
    cmd.args([
        "configure",
        "--org",
        &org,
        "--apply",
        "--yes",
        "--json",
        "--profile",
        profile_path.to_str().unwrap(),
    ])
    .env("AZDO_GATE_CONFIG_DIR", dir.path())
    .env("AZURE_DEVOPS_EXT_PAT", TOKEN)
    .env("AZDO_GATE_BASIC_AUTH_PASSWORD", "new-secret")
    .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}\n{}", stderr(&out));
    assert_eq!(
        report["actions"][0]["kind"], "enable_subscription",
        "{report:#}"
    );
    assert_eq!(report["actions"][0]["subscription_id"], sub_id(1));
    let enabled = sim
        .subscriptions()
        .into_iter()
        .find(|s| s["id"] == sub_id(1))
        .expect("enabled in place, not replaced");
    assert_eq!(enabled["status"], "enabled");
    assert_eq!(enabled["consumerInputs"]["httpHeaders"], "X-Tenant:blue");
    assert_eq!(enabled["consumerInputs"]["basicAuthUsername"], "gate");
    assert_eq!(enabled["consumerInputs"]["basicAuthPassword"], "new-secret");
}

/// A signal before the plan exists (still auditing) ends the run at once: nothing was changed,
/// so there is nothing to wait for, and the report says so.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sigint_during_the_audit_ends_at_once_having_changed_nothing() {
    let subscriptions = json!([existing(
        1,
        CREATED,
        &repo_id(1),
        "disabledBySystem",
        "2024-01-01T00:00:00Z"
    )]);
    let sim = start(scenario(2, subscriptions, json!([]))).await;
    sim.set_latency(Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
    cmd.args(apply_args(&sim.org_url()))
        .env("AZDO_GATE_CONFIG_DIR", dir.path())
        .env("AZURE_DEVOPS_EXT_PAT", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let waiter = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap());
    while sim.requests_total() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    interrupt(pid);
    let out = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("one signal during the audit ends the run")
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was changed"),
        "{}",
        stderr(&out)
    );
    let report = json(&out);
    assert_eq!(report["actions"], json!([]), "{report:#}");
    let writes: u64 = sim
        .requests_by_route()
        .into_iter()
        .filter(|(route, _)| !route.starts_with("GET") && !route.contains("permission"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(writes, 0, "{:?}", sim.requests_by_route());
}
