//! `azdo-gate check` end to end: the real binary against the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use azdo_gate_sim::Scenario;
use common::{demo_token, json, run, start, stderr, stdout};

/// `--expires-on` a given number of days from today, so expiry findings are deterministic.
fn in_days(days: i64) -> String {
    let today = jiff::Zoned::now().date();
    today
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn scope_status(report: &serde_json::Value, scope: &str) -> String {
    report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == scope)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn check(
    sim: &azdo_gate_sim::SimHandle,
    token: &str,
    extra: &[&str],
) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let mut args = vec!["check", "--org", org.as_str(), "--json"];
    args.extend_from_slice(extra);
    let out = run(dir.path(), Some(token), &args).await;
    (out.status.code().unwrap(), json(&out))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_perfect_token_passes_and_the_json_is_pinned() {
    let sim = start(Scenario::demo()).await;
    let expires = in_days(300);
    let (code, report) = check(&sim, &demo_token("gate"), &["--expires-on", &expires]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["token"]["source"], "env");
    assert_eq!(report["expiry"]["days_left"], 300);
    insta::assert_json_snapshot!(report, {
        ".organization.url" => "[org url]",
        ".expiry.expires_on" => "[date]",
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn each_missing_scope_is_named_with_its_fix() {
    let mut scenario = Scenario::demo();
    let template = scenario.tokens.iter().find(|t| t.primary).unwrap().clone();
    let all = [
        "vso.work_write",
        "vso.code_write",
        "vso.code_status",
        "vso.build",
    ];
    for (i, dropped) in all.iter().enumerate() {
        let mut t = template.clone();
        t.primary = false;
        t.name = Some(format!("without-{dropped}"));
        t.token = format!("token-without-scope-{i}");
        t.scopes = all
            .iter()
            .filter(|s| *s != dropped)
            .map(|s| (*s).to_owned())
            .collect();
        scenario.tokens.push(t);
    }
    let sim = start(scenario).await;
    let expires = in_days(300);
    let expected = [
        ("vso.work_write", "missing"),
        ("vso.code_write", "missing"),
        // Code (Status) cannot be isolated: with Code (Read & Write) present it stays implied.
        ("vso.code_status", "implied"),
        ("vso.build", "missing"),
    ];
    for (i, (scope, status)) in expected.iter().enumerate() {
        let (code, report) = check(
            &sim,
            &format!("token-without-scope-{i}"),
            &["--expires-on", &expires],
        )
        .await;
        assert_eq!(scope_status(&report, scope), *status, "{scope}: {report:#}");
        if *status == "missing" {
            assert_eq!(code, 1);
            let finding = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["code"] == "scope_missing")
                .unwrap();
            assert!(
                finding["fix"]
                    .as_str()
                    .unwrap()
                    .contains("/_usersSettings/tokens")
            );
        } else {
            assert_eq!(code, 0, "{report:#}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rejected_expired_foreign_and_anonymous_tokens() {
    let sim = start(Scenario::demo()).await;
    for (token, code) in [
        ("garbage-token".to_owned(), "token_rejected"),
        (demo_token("other-org"), "token_rejected"),
        (demo_token("gate-expired"), "token_expired"),
    ] {
        let (exit, report) = check(&sim, &token, &[]).await;
        assert_eq!(exit, 1);
        assert!(codes(&report).contains(&code.to_owned()), "{report:#}");
        assert_eq!(report["identity"], serde_json::Value::Null);
        assert!(
            report["scopes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["status"] == "unknown")
        );
    }
    let mut public = Scenario::demo();
    public.public_projects = true;
    let sim = start(public).await;
    let (exit, report) = check(&sim, "garbage-token", &[]).await;
    assert_eq!(exit, 1);
    assert!(
        codes(&report).contains(&"token_anonymous".to_owned()),
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn full_access_and_stakeholder_tokens_are_flagged() {
    let sim = start(Scenario::demo()).await;
    let expires = in_days(300);
    let (exit, report) = check(&sim, &demo_token("admin-full"), &["--expires-on", &expires]).await;
    assert_eq!(exit, 0, "excess scope is a warning: {report:#}");
    assert!(codes(&report).contains(&"scope_excess".to_owned()));

    let (exit, report) = check(
        &sim,
        &demo_token("stakeholder"),
        &["--expires-on", &expires],
    )
    .await;
    assert_eq!(exit, 1);
    assert!(
        codes(&report).contains(&"no_repositories".to_owned()),
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expiry_soon_and_unknown() {
    let sim = start(Scenario::demo()).await;
    let soon = in_days(10);
    let (exit, report) = check(&sim, &demo_token("gate"), &["--expires-on", &soon]).await;
    assert_eq!(exit, 1);
    assert!(codes(&report).contains(&"expiry_soon".to_owned()));
    let (exit, report) = check(
        &sim,
        &demo_token("gate"),
        &["--expires-on", &soon, "--warn-days", "5"],
    )
    .await;
    assert_eq!(exit, 0, "{report:#}");

    let (exit, report) = check(&sim, &demo_token("gate"), &[]).await;
    assert_eq!(exit, 0, "unknown expiry is a warning");
    assert!(codes(&report).contains(&"expiry_unknown".to_owned()));
    assert_eq!(report["expiry"]["source"], "unknown");
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_probes_still_give_the_right_answer() {
    let sim = start(Scenario::demo()).await;
    sim.faults().throttle(None, 3, 1);
    let expires = in_days(300);
    let (exit, report) = check(&sim, &demo_token("gate"), &["--expires-on", &expires]).await;
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(scope_status(&report, "vso.code_write"), "granted");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_organization_exits_2_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 of loopback.
    let out = run(
        dir.path(),
        Some("whatever"),
        &["check", "--org", "http://127.0.0.1:9/fabrikam"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("could not reach Azure DevOps"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_to_a_real_host_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        Some("whatever"),
        &["check", "--org", "http://dev.azure.com/fabrikam"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("refusing plain http"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn human_output_lists_each_check_with_fixes() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let out = run(
        dir.path(),
        Some(&demo_token("gate-no-build")),
        &["check", "--org", &org],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("✓ Comments will appear as Gate Bot (gate-bot@fabrikam.example)"),
        "{text}"
    );
    // gh-style: the finding and its fix sit right under the failing line.
    assert!(
        text.contains("  ✗ Build (Read): missing\n      The token lacks the Build (Read) scope.\n      Fix: Edit the token at"),
        "{text}"
    );
    assert!(
        text.contains("  ! Expiry unknown\n      The expiry date is unknown"),
        "{text}"
    );
}

/// The token must not reach stdout, stderr, the log or any file of the config directory.
#[tokio::test(flavor = "multi_thread")]
async fn the_token_appears_in_no_output_log_or_file() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let token = demo_token("gate-no-build");
    let mut outputs = Vec::new();
    for args in [
        vec!["check", "--org", org.as_str(), "--json"],
        vec!["check", "--org", org.as_str()],
    ] {
        let mut with_log = args.clone();
        with_log.push("--warn-days=1");
        outputs.push(run(dir.path(), Some(&token), &with_log).await);
    }
    // A rejected token goes through the error paths (and their logging) too.
    outputs.push(
        run(
            dir.path(),
            Some("zz-rejected-secret-zz"),
            &["check", "--org", &org],
        )
        .await,
    );
    for out in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(&token) && !text.contains("zz-rejected-secret-zz"));
        }
    }
    let files = common::files_under(dir.path());
    let paths: Vec<_> = files.iter().map(|(p, _)| p.clone()).collect();
    assert!(
        paths.iter().any(|p| p.to_string_lossy().ends_with(".log")),
        "no log was written: {paths:?}"
    );
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&token), "{} holds the token", path.display());
        assert!(
            !text.contains("zz-rejected-secret-zz"),
            "{} holds the token",
            path.display()
        );
    }
}

/// A stored token (here in the explicit insecure file) is used when no other source is given; its
/// recorded expiry applies, and the check records what it learned, never the token.
#[tokio::test(flavor = "multi_thread")]
async fn a_stored_token_uses_its_recorded_expiry_and_records_the_check() {
    use azdo_gate::store::{CredentialStore, FileStore, State, StorageKind, TokenMeta};
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = azdo_gate::org::OrgUrl::parse(&sim.org_url()).unwrap();
    let token = demo_token("gate");
    FileStore::new(dir.path())
        .set(&org.key(), &secrecy::SecretString::from(token.clone()))
        .unwrap();
    let mut state = State::default();
    let mut meta = TokenMeta::new(Some(StorageKind::File));
    meta.expires_on = Some(in_days(200).parse().unwrap());
    state.org_mut(&org.key(), org.name(), org.base()).token = Some(meta);
    state.save(dir.path()).unwrap();

    let out = run(
        dir.path(),
        None,
        &["check", "--org", org.base(), "--json", "--insecure-storage"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("insecure token file"),
        "the warning is shown on every use"
    );
    let report = json(&out);
    assert_eq!(report["token"]["source"], "file");
    assert_eq!(report["expiry"]["source"], "stored");
    assert_eq!(report["expiry"]["days_left"], 200);

    let state = State::load(dir.path()).unwrap();
    let meta = state.org(&org.key()).unwrap().token.as_ref().unwrap();
    assert!(meta.checked_at.is_some());
    assert_eq!(meta.identity.as_ref().unwrap().display_name, "Gate Bot");
    assert!(meta.scopes_seen.contains(&"vso.code_write".to_owned()));

    let out = run(
        dir.path(),
        None,
        &["logout", "--org", org.base(), "--insecure-storage"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        FileStore::new(dir.path())
            .get(&org.key())
            .unwrap()
            .is_none()
    );
    assert!(State::load(dir.path()).unwrap().org(&org.key()).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_anywhere_exits_2_and_says_where_to_put_one() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let out = run(
        dir.path(),
        None,
        &["check", "--org", &org, "--insecure-storage"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no token for fabrikam"), "{err}");
    assert!(err.contains("AZURE_DEVOPS_EXT_PAT"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_organization_name_is_reported_as_not_found() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let wrong = format!("{}/fabrikan", sim.base_url());
    let out = run(
        dir.path(),
        Some(&demo_token("gate")),
        &["check", "--org", &wrong, "--json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert!(
        codes(&report).contains(&"org_not_found".to_owned()),
        "{report:#}"
    );
    assert_eq!(report["organization"]["name"], "fabrikan");
}
