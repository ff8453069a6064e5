//! The token's journey through the command line: one cleaning for every source, the store the
//! wizard recorded found without flags, the fingerprint that lets a token given by environment
//! know its expiry, and the default organization.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::path::Path;

use azdo_gate::org::OrgUrl;
use azdo_gate::profile::GateProfile;
use azdo_gate::store::{CredentialStore, FileStore, State, StorageKind, TokenMeta};
use azdo_gate::token::Pat;
use azdo_gate_sim::{Scenario, SimHandle};
use common::{demo_token, json, run, start, stderr, stdout};

const WEBHOOK: &str = "https://gate.example.com/ado/events";

fn in_days(days: i64) -> jiff::civil::Date {
    jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
}

/// What the wizard leaves behind on a machine without a keyring: the token in the insecure file,
/// and `state.toml` saying so, with the token's expiry and fingerprint and the gate profile.
fn wizard_stored_in_file(dir: &Path, org: &OrgUrl, token: &str, expires_in: i64) {
    FileStore::new(dir)
        .set(&org.key(), &secrecy::SecretString::from(token.to_owned()))
        .unwrap();
    let mut state = State::load(dir).unwrap();
    let mut meta = TokenMeta::new(Some(StorageKind::File));
    meta.expires_on = Some(in_days(expires_in));
    meta.fingerprint = Some(Pat::parse(token).unwrap().fingerprint());
    let entry = state.org_mut(&org.key(), org.name(), org.base());
    entry.token = Some(meta);
    entry.profile = GateProfile::default_profile()
        .with_webhook_url(WEBHOOK)
        .unwrap()
        .to_table();
    state.save(dir).unwrap();
}

fn org_of(sim: &SimHandle) -> OrgUrl {
    OrgUrl::parse(&sim.org_url()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wizard_stored_file_token_serves_every_command_without_a_flag() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = org_of(&sim);
    wizard_stored_in_file(dir.path(), &org, &demo_token("gate"), 200);

    // The cron line the wizard's summary prints, run exactly as printed.
    let line = azdo_gate::tui::steps::summary::cron_line(&org);
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[0], "azdo-gate");
    let out = run(dir.path(), None, &words[1..]).await;
    assert_eq!(out.status.code(), Some(0), "{line}: {}", stderr(&out));
    assert!(stdout(&out).contains("200 days"), "{}", stdout(&out));

    let out = run(dir.path(), None, &["audit", "--org", org.base(), "--json"]).await;
    assert_eq!(out.status.code(), Some(1), "gaps found: {}", stderr(&out));
    assert_eq!(json(&out)["organization"]["name"], "fabrikam");

    let out = run(
        dir.path(),
        None,
        &["configure", "--org", org.base(), "--plan"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "work to do: {}", stderr(&out));

    let out = run(dir.path(), None, &["logout", "--org", org.base()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("Removed the token for fabrikam from"),
        "{said}"
    );
    assert!(said.contains("tokens.toml"), "names the file: {said}");
    assert!(
        FileStore::new(dir.path())
            .get(&org.key())
            .unwrap()
            .is_none()
    );
    assert!(State::load(dir.path()).unwrap().org(&org.key()).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cron_line_exits_1_within_the_warning_window() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = org_of(&sim);
    wizard_stored_in_file(dir.path(), &org, &demo_token("gate"), 12);
    let line = azdo_gate::tui::steps::summary::cron_line(&org);
    let words: Vec<&str> = line.split_whitespace().collect();
    let out = run(dir.path(), None, &words[1..]).await;
    assert_eq!(out.status.code(), Some(1), "{line}: {}", stderr(&out));
    assert!(stdout(&out).contains("12 days"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_env_token_matching_the_stored_fingerprint_uses_the_stored_expiry() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = org_of(&sim);
    let token = demo_token("gate");
    wizard_stored_in_file(dir.path(), &org, &token, 10);
    let padded = format!("  {token}\n");
    let out = run(
        dir.path(),
        Some(&padded),
        &["check", "--org", org.base(), "--json", "--warn-days", "30"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["token"]["source"], "env");
    assert_eq!(report["expiry"]["source"], "stored");
    assert_eq!(report["expiry"]["days_left"], 10);

    // Another token from the environment is not the stored one: its expiry is unknown.
    let other = demo_token("gate-no-build");
    let out = run(
        dir.path(),
        Some(&other),
        &["check", "--org", org.base(), "--json"],
    )
    .await;
    assert_eq!(
        json(&out)["expiry"]["source"],
        "unknown",
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn record_remembers_a_ci_tokens_expiry_for_later_runs() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = org_of(&sim);
    let token = demo_token("gate");
    let date = in_days(20).to_string();
    let out = run(
        dir.path(),
        Some(&token),
        &[
            "check",
            "--org",
            org.base(),
            "--expires-on",
            &date,
            "--record",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "within 30 days: {}",
        stderr(&out)
    );
    let state = State::load(dir.path()).unwrap();
    let meta = state.org(&org.key()).unwrap().token.clone().unwrap();
    assert_eq!(meta.storage, None, "azdo-gate keeps no token for it");
    assert_eq!(meta.expires_on, Some(in_days(20)));
    let fingerprint = meta.fingerprint.unwrap();
    assert_eq!(fingerprint.as_str().len(), 16);
    let files = common::files_under(dir.path());
    for (path, bytes) in files {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "{} holds the token",
            path.display()
        );
    }

    // Later, from cron: no flag but the token, and the warning still fires.
    let out = run(dir.path(), Some(&token), &["check", "--json"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["expiry"]["source"], "stored");

    // Logging out of such an organization needs no credential store.
    let out = run(dir.path(), None, &["logout"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(State::load(dir.path()).unwrap().org(&org.key()).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_with_a_space_inside_is_refused_with_its_position_and_never_shown() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let token = demo_token("gate");
    let broken = format!("{} {}", &token[..10], &token[10..]);
    let out = run(dir.path(), Some(&broken), &["check", "--org", &org]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("AZURE_DEVOPS_EXT_PAT") && said.contains("a space at position 11"),
        "{said}"
    );
    assert!(
        !said.contains(&token[..10]),
        "the token is never shown: {said}"
    );
    assert_eq!(sim.requests_total(), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn org_may_be_omitted_with_one_set_up_or_named_by_the_environment() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = org_of(&sim);
    let token = demo_token("gate");

    let out = run(dir.path(), Some(&token), &["check"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no organization is set up yet"),
        "{}",
        stderr(&out)
    );

    wizard_stored_in_file(dir.path(), &org, &token, 200);
    let out = run(dir.path(), None, &["check", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["organization"]["name"], "fabrikam");

    let other = OrgUrl::parse(&format!("{}/contoso", sim.base_url())).unwrap();
    wizard_stored_in_file(dir.path(), &other, &token, 200);
    sim.reset_counts();
    let out = run(dir.path(), None, &["check"]).await;
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains("2 organizations are set up (contoso, fabrikam)"),
        "{said}"
    );
    assert!(said.contains("AZDO_GATE_ORG"), "{said}");
    assert_eq!(sim.requests_total(), 0, "no request is sent");

    let out = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        let base = org.base().to_owned();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
                .args(["check", "--json"])
                .env("AZDO_GATE_CONFIG_DIR", &dir)
                .env_remove("AZURE_DEVOPS_EXT_PAT")
                .env("AZDO_GATE_ORG", base)
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["organization"]["name"], "fabrikam");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_never_marked_fine() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let yesterday = in_days(-1).to_string();
    for token in [demo_token("gate-expired"), demo_token("gate")] {
        let out = run(
            dir.path(),
            Some(&token),
            &["check", "--org", &sim.org_url(), "--expires-on", &yesterday],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = stdout(&out);
        let line = text
            .lines()
            .find(|l| l.contains(&format!("Expired on {yesterday}")))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(line.trim_start().starts_with('✗'), "{text}");
    }
}
