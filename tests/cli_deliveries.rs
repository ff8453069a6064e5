//! The delivery doctor end to end: the real binary against the simulator, which delivers for real to
//! a loopback gate receiver. `audit --deliveries` reports counts and the last failure per event
//! within its request budget; `test-delivery` exits 0/1/2 and the receiver really gets the POST.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::path::Path;

use azdo_gate_sim::{GateReceiver, Scenario, SimHandle};
use common::{json, run, start, stderr, stdout};

const PASSWORD: &str = "gate-webhook-secret";

/// A generated organization (`repos` repositories, `2 × repos` subscriptions, all to the receiver's
/// `/hook`), every subscription with the right basic auth except those of the repositories in
/// `wrong_password` (numbers from 1).
fn scenario(repos: usize, url: &str, wrong_password: &[usize]) -> Scenario {
    let mut scenario = Scenario::generated(2, repos, 2 * repos, url);
    for (i, sub) in scenario.subscriptions.iter_mut().enumerate() {
        let repo = i / 2 + 1;
        let password = if wrong_password.contains(&repo) {
            "an-old-secret"
        } else {
            PASSWORD
        };
        sub.consumer_inputs
            .insert("basicAuthUsername".into(), "gate".into());
        sub.consumer_inputs
            .insert("basicAuthPassword".into(), password.into());
    }
    scenario
}

/// A profile whose gate needs no Status policy, so coverage depends on subscriptions only.
fn profile(dir: &Path, url: &str) -> String {
    let path = dir.join("profile.toml");
    std::fs::write(
        &path,
        format!("webhook_url = \"{url}\"\n[status_check]\nrequired = false\n"),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

/// The id of generated repository `n` (from 1): subscriptions come two per repository, in order.
fn repo_id(sim: &SimHandle, n: usize) -> String {
    sim.subscriptions()[2 * (n - 1)]["publisherInputs"]["repository"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn event<'a>(report: &'a serde_json::Value, repo: &str, event: &str) -> &'a serde_json::Value {
    report["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == repo)
        .unwrap()["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event_type"] == event)
        .unwrap()
}

#[tokio::test]
async fn audit_deliveries_reports_counts_and_the_last_failure_per_event() {
    let gate = GateReceiver::start("gate", PASSWORD).await.unwrap();
    let url = gate.url("/hook");
    let scenario = scenario(3, &url, &[2]);
    let user = scenario.users[0].id.clone();
    let sim = start(scenario).await;
    let token = sim.primary_token().unwrap();
    for n in [1, 2, 1] {
        sim.create_pull_request(
            &repo_id(&sim, n),
            "Add checkout",
            "refs/heads/checkout",
            &user,
        )
        .await
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let profile = profile(dir.path(), &url);
    let org = sim.org_url();

    // Without --deliveries nothing is asked and nothing is reported.
    let plain = run(
        dir.path(),
        Some(&token),
        &["audit", "--org", &org, "--profile", &profile, "--json"],
    )
    .await;
    let report = json(&plain);
    assert!(
        event(&report, "repo-00001", "git.pullrequest.created")
            .get("deliveries")
            .is_none()
    );
    assert!(
        !sim.requests_by_route()
            .contains_key("POST hooks/notificationsquery")
    );

    let out = run(
        dir.path(),
        Some(&token),
        &[
            "audit",
            "--org",
            &org,
            "--profile",
            &profile,
            "--json",
            "--deliveries",
            "--since",
            "2d",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let good = &event(&report, "repo-00001", "git.pullrequest.created")["deliveries"];
    assert_eq!(good["succeeded"], 2, "{good}");
    assert_eq!(good["failed"], 0);
    assert_eq!(good["filtered"], 0);
    assert_eq!(good["pending"], 0);
    assert!(good["last_success"].is_string());
    assert!(good["last_failure"].is_null());
    assert!(good["since"].is_string());
    let bad = &event(&report, "repo-00002", "git.pullrequest.created")["deliveries"];
    assert_eq!(bad["failed"], 1, "{bad}");
    assert_eq!(bad["succeeded"], 0);
    assert!(bad["last_success"].is_null());
    assert_eq!(bad["last_failure"]["http_status"], 401);
    assert!(
        bad["last_failure"]["message"]
            .as_str()
            .unwrap()
            .contains("(401) Unauthorized")
    );
    assert!(bad["last_failure"]["at"].is_string());
    let quiet = &event(&report, "repo-00003", "git.pullrequest.updated")["deliveries"];
    assert_eq!(quiet["succeeded"], 0, "{quiet}");
    assert!(quiet["last_failure"].is_null());
    assert_eq!(report["summary"]["failing_deliveries"], 1);

    // The text report explains the cause in words, with the fix.
    let text = run(
        dir.path(),
        Some(&token),
        &[
            "audit",
            "--org",
            &org,
            "--profile",
            &profile,
            "--deliveries",
        ],
    )
    .await;
    let text = stdout(&text);
    assert!(text.contains("1 failing now"), "{text}");
    assert!(text.contains("✗ repo-00002 created"), "{text}");
    assert!(text.contains("401 Unauthorized"), "{text}");
    assert!(
        text.contains("the gate rejected the webhook's credentials (basic auth)"),
        "{text}"
    );
    assert!(
        text.contains("Fix: give the subscriptions the password the gate expects"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD), "the secret never shows");
}

#[tokio::test]
async fn audit_deliveries_stays_within_its_request_budget_at_1000_subscriptions() {
    let gate = GateReceiver::start("gate", PASSWORD).await.unwrap();
    let url = gate.url("/hook");
    let sim = start(scenario(500, &url, &[])).await;
    let ids: Vec<String> = sim
        .subscriptions()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1000);
    let day = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    for (i, id) in ids.iter().enumerate() {
        sim.seed_notifications(id, "succeeded", Some(200), day, 2);
        // An old failure the later successes made up for: not failing now.
        if i % 11 == 0 {
            let before = day - jiff::SignedDuration::from_hours(2);
            sim.seed_notifications(id, "failed", Some(404), before, 1);
        }
        if i % 7 == 0 {
            sim.seed_notifications(
                id,
                "failed",
                Some(500),
                day + jiff::SignedDuration::from_secs(60),
                1,
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let profile = profile(dir.path(), &url);
    sim.reset_counts();
    let out = run(
        dir.path(),
        Some(&sim.primary_token().unwrap()),
        &[
            "audit",
            "--org",
            &sim.org_url(),
            "--profile",
            &profile,
            "--json",
            "--deliveries",
        ],
    )
    .await;
    let report = json(&out);
    let queries = sim.requests_by_route()["POST hooks/notificationsquery"];
    // ⌈1000/200⌉ + 1.
    assert!(queries <= 6, "{queries} notification queries");
    assert_eq!(
        report["summary"]["failing_deliveries"], 143,
        "every 7th of 1000"
    );
    let first = &event(&report, "repo-00001", "git.pullrequest.created")["deliveries"];
    assert_eq!(first["succeeded"], 2);
    // Repository 1's created hook is subscription 0: failed with 404 first, then 500 last.
    assert_eq!(first["failed"], 2);
    assert_eq!(first["last_failure"]["http_status"], 500);
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test]
async fn test_delivery_exits_by_what_the_gate_answered_and_the_gate_really_gets_the_event() {
    let gate = GateReceiver::start("gate", PASSWORD).await.unwrap();
    let url = gate.url("/hook");
    let sim = start(scenario(2, &url, &[2])).await;
    let token = sim.primary_token().unwrap();
    let org = sim.org_url();
    let dir = tempfile::tempdir().unwrap();

    let ok = run(
        dir.path(),
        Some(&token),
        &[
            "test-delivery",
            "--org",
            &org,
            "--repo",
            "repo-00001",
            "--webhook-url",
            &url,
        ],
    )
    .await;
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    let text = stdout(&ok);
    assert!(
        text.starts_with("Azure DevOps delivered a test event to the gate: 200 OK in "),
        "{text}"
    );
    assert!(
        text.contains("git.pullrequest.created, repo-00001"),
        "{text}"
    );

    let received = gate.received();
    assert_eq!(received.len(), 1);
    let post = &received[0];
    assert_eq!(post.path, "/hook");
    assert_eq!(
        post.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(
        post.headers["authorization"],
        "Basic Z2F0ZTpnYXRlLXdlYmhvb2stc2VjcmV0"
    );
    let body = post.json();
    assert_eq!(body["eventType"], "git.pullrequest.created");
    assert_eq!(body["publisherId"], "tfs");
    assert!(body["resource"]["pullRequestId"].is_number(), "{body}");
    assert!(body["resource"]["repository"]["id"].is_string(), "{body}");
    assert!(body["notificationId"].is_number(), "{body}");

    let refused = run(
        dir.path(),
        Some(&token),
        &[
            "test-delivery",
            "--org",
            &org,
            "--repo",
            "repo-00002",
            "--webhook-url",
            &url,
            "--json",
        ],
    )
    .await;
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let result = json(&refused);
    assert_eq!(result["delivered"], false);
    assert_eq!(result["result"], "failed");
    assert_eq!(result["http_status"], 401);
    assert_eq!(result["cause"], "credentials");
    assert!(
        result["explanation"]
            .as_str()
            .unwrap()
            .contains("credentials (basic auth)")
    );
    assert_eq!(result["repository"], "repo-00002");
    assert!(result["duration_ms"].is_number());
    assert_eq!(gate.received().len(), 2);

    let text = run(
        dir.path(),
        Some(&token),
        &[
            "test-delivery",
            "--org",
            &org,
            "--repo",
            "repo-00002",
            "--webhook-url",
            &url,
        ],
    )
    .await;
    let text = stdout(&text);
    assert!(
        text.contains("could not deliver a test event to the gate: 401 Unauthorized"),
        "{text}"
    );
    assert!(
        text.contains("Cause: the gate rejected the webhook's credentials (basic auth)."),
        "{text}"
    );

    // Could not be sent: an unknown subscription, a repository without a gate hook.
    let unknown = run(
        dir.path(),
        Some(&token),
        &[
            "test-delivery",
            "--org",
            &org,
            "--subscription",
            "00000000-0000-4000-8000-000000000000",
        ],
    )
    .await;
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    let none = run(
        dir.path(),
        Some(&token),
        &[
            "test-delivery",
            "--org",
            &org,
            "--repo",
            "nope",
            "--webhook-url",
            &url,
        ],
    )
    .await;
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));
    assert!(
        stderr(&none).contains("no gate subscription"),
        "{}",
        stderr(&none)
    );
}

#[tokio::test]
async fn the_plan_cites_the_last_failure_of_a_hook_on_probation() {
    let gate = GateReceiver::start("gate", PASSWORD).await.unwrap();
    let url = gate.url("/hook");
    let scenario = scenario(2, &url, &[2]);
    let user = scenario.users[0].id.clone();
    let sim = start(scenario).await;
    for n in [2, 2] {
        sim.create_pull_request(&repo_id(&sim, n), "Fix", "refs/heads/fix", &user)
            .await
            .unwrap();
    }
    gate.answer("/hook", azdo_gate_sim::Answer::Status(503));
    sim.create_pull_request(&repo_id(&sim, 1), "Fix", "refs/heads/fix", &user)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The hooks use basic auth: a profile without its credentials would plan skips, not repairs.
    let profile = dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        format!(
            "webhook_url = \"{url}\"\nbasic_auth_user = \"gate\"\nbasic_auth_secret = \"gate-password\"\n[status_check]\nrequired = false\n"
        ),
    )
    .unwrap();
    let profile = profile.to_string_lossy().into_owned();
    let out = run(
        dir.path(),
        Some(&sim.primary_token().unwrap()),
        &[
            "configure",
            "--org",
            &sim.org_url(),
            "--profile",
            &profile,
            "--plan",
            "--json",
        ],
    )
    .await;
    let plan = json(&out);
    let reason = |n: usize| {
        plan["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["repository_id"] == repo_id(&sim, n).as_str())
            .unwrap_or_else(|| panic!("an action for repo {n}: {plan}"))["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let credentials = reason(2);
    assert!(
        credentials.contains("is on probation after failed deliveries"),
        "{credentials}"
    );
    assert!(
        credentials.contains("; the gate answered 401 Unauthorized 2 times since "),
        "{credentials}"
    );
    assert!(!credentials.contains("will not help"), "{credentials}");
    let down = reason(1);
    assert!(
        down.contains("; the gate answered 503 Service Unavailable once since "),
        "{down}"
    );
    assert!(
        down.contains("recreating it will not help until the gate is fixed (the gate is down or did not answer in time)"),
        "{down}"
    );
}
