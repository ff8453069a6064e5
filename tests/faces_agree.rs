//! The wizard and the commands give the same answers for the same organization: one simulator,
//! each face with its own configuration directory, then the token metadata each recorded, the
//! repository snapshot each wrote, the basic-auth password each gave Azure DevOps and the words
//! each used for the plan's actions are compared.
//!
//! The wizard runs in this process (its real effect runner, without a terminal) and reads
//! `AZDO_GATE_BASIC_AUTH_PASSWORD` from this process's environment, which a test cannot change
//! safely; so each case runs the comparison in a child test process with the variable set or
//! removed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use azdo_gate::domain::BASIC_AUTH_PASSWORD_ENV;
use azdo_gate::org::OrgUrl;
use azdo_gate::profile::GateProfile;
use azdo_gate::store::{self, CredentialStore, FileStore, State, StorageKind, TokenMeta};
use azdo_gate::tui::{Headless, Msg, Step, StoreTarget, WizardOptions};
use azdo_gate_sim::Scenario;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::SecretString;

/// A gate URL no subscription of the demo organization uses: every one sent there is ours.
const GATE: &str = "https://gate.example.com/faces-agree";
const SECRET_ENTRY: &str = "faces-agree-webhook";
const STORED_PASSWORD: &str = "from-the-credential-store";
const ENV_PASSWORD: &str = "from-the-environment";
const CHILD: &str = "the_faces_agree";
const SETTLE: Duration = Duration::from_secs(60);

#[test]
fn faces_agree_on_the_password_in_the_credential_store() {
    run_child(None);
}

#[test]
fn faces_agree_that_the_environment_variable_wins() {
    run_child(Some(ENV_PASSWORD));
}

/// Runs [`the_faces_agree`] in a child test process with the variable set to `password`, or removed.
fn run_child(password: Option<&str>) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        CHILD,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    match password {
        Some(p) => cmd.env(BASIC_AUTH_PASSWORD_ENV, p),
        None => cmd.env_remove(BASIC_AUTH_PASSWORD_ENV),
    };
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the comparison failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "run by the faces_agree_* tests in a child process, with the environment they set"]
async fn the_faces_agree() {
    let expected_password = std::env::var(BASIC_AUTH_PASSWORD_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| STORED_PASSWORD.to_owned());
    let sim = common::start(Scenario::demo()).await;
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    let token = common::demo_token("gate");
    let wizard_dir = tempfile::tempdir().unwrap();
    let cli_dir = tempfile::tempdir().unwrap();
    for dir in [wizard_dir.path(), cli_dir.path()] {
        remember_profile(dir, &org).await;
    }
    // The commands find the token where the wizard would have stored it.
    set_secret(cli_dir.path(), &org.key(), &token).await;

    // The commands gate one repository first, so both faces create subscriptions.
    let plan = json(&cli(
        cli_dir.path(),
        &["configure", "--org", &sim.org_url(), "--plan", "--json"],
    ));
    let first = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a["repository_id"].as_str().filter(|_| a["kind"] != "skip"))
        .expect("the demo organization has a repository to gate")
        .to_owned();
    let applied = cli(
        cli_dir.path(),
        &[
            "configure",
            "--org",
            &sim.org_url(),
            "--apply",
            "--yes",
            "--repos",
            &first,
        ],
    );
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let cli_plan = text(&cli(
        cli_dir.path(),
        &["configure", "--org", &sim.org_url(), "--plan"],
    ));

    // The wizard sets the organization up and gates everything else.
    let mut wizard = Headless::start(WizardOptions {
        demo: None,
        today: jiff::Zoned::now().date(),
        config_dir: wizard_dir.path().to_path_buf(),
        storage: StoreTarget::InsecureFile,
        state: State::load(wizard_dir.path()).unwrap(),
    });
    assert_eq!(wizard.app().step(), Step::Welcome);
    press(&mut wizard, KeyCode::Enter);
    for c in sim.org_url().chars() {
        press(&mut wizard, KeyCode::Char(c));
    }
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::TokenRecipe).await;
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::PasteToken);
    wizard.send(Msg::Paste(token.clone()));
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Verify).await;
    press(&mut wizard, KeyCode::Char('y'));
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::HandOver);
    if screen(&wizard).contains("Gating service token page") {
        for c in "https://gate.example.com/settings/token".chars() {
            press(&mut wizard, KeyCode::Char(c));
        }
        press(&mut wizard, KeyCode::Enter);
    }
    press(&mut wizard, KeyCode::Char('y'));
    // The gate step shows the stored settings; an empty password keeps the stored one.
    assert_eq!(wizard.app().step(), Step::Gate);
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Save).await;
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Permissions).await;
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::Coverage);
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::Plan);
    let wizard_plan = screen(&wizard);
    press(&mut wizard, KeyCode::Enter);
    press(&mut wizard, KeyCode::Tab);
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Apply).await;
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Summary).await;

    // The commands check the stored token.
    let wizard_state = State::load(wizard_dir.path()).unwrap();
    let wizard_token = token_meta(&wizard_state, &org);
    let mut cli_state = State::load(cli_dir.path()).unwrap();
    // What only the wizard asks (the expiry date, the token's suggested name, the hand-over) is
    // seeded; the rest is each face's own recording.
    cli_state.org_mut(&org.key(), org.name(), org.base()).token = Some(TokenMeta {
        expires_on: wizard_token.expires_on,
        expiry_source: wizard_token.expiry_source,
        name: wizard_token.name.clone(),
        handover: wizard_token.handover,
        ..TokenMeta::new(Some(StorageKind::File))
    });
    cli_state.save(cli_dir.path()).unwrap();
    let checked = cli(cli_dir.path(), &["check", "--org", &sim.org_url()]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
    let cli_state = State::load(cli_dir.path()).unwrap();

    // Token metadata: the same identity, scopes, expiry and store (each checked at its own time).
    let cli_token = token_meta(&cli_state, &org);
    assert!(wizard_token.checked_at.is_some() && cli_token.checked_at.is_some());
    assert!(wizard_token.identity.is_some());
    assert_eq!(
        TokenMeta {
            checked_at: None,
            ..wizard_token
        },
        TokenMeta {
            checked_at: None,
            ..cli_token
        }
    );

    // The snapshot: the same repositories.
    let snapshot = |state: &State| {
        let mut ids = state
            .org(&org.key())
            .unwrap()
            .snapshot
            .clone()
            .unwrap()
            .repository_ids;
        ids.sort();
        ids
    };
    assert!(!snapshot(&wizard_state).is_empty());
    assert_eq!(snapshot(&wizard_state), snapshot(&cli_state));

    // The password: every subscription either face created carries the same one.
    let ours: Vec<_> = sim
        .subscriptions()
        .into_iter()
        .filter(|s| s["consumerInputs"]["url"] == GATE)
        .collect();
    let by_cli = ours
        .iter()
        .filter(|s| s["publisherInputs"]["repository"] == first.as_str())
        .count();
    assert!(by_cli > 0, "the commands created subscriptions");
    assert!(ours.len() > by_cli, "the wizard created subscriptions");
    for subscription in &ours {
        assert_eq!(
            subscription["consumerInputs"]["basicAuthPassword"], expected_password,
            "{subscription:#}"
        );
        assert_eq!(subscription["consumerInputs"]["basicAuthUsername"], "gate");
    }

    // The words: the same plan, action by action, in the same words.
    let wizard_actions = wizard_actions(&wizard_plan);
    let cli_actions = cli_actions(&cli_plan);
    assert!(!wizard_actions.is_empty(), "{wizard_plan}");
    assert_eq!(
        wizard_actions.len(),
        cli_actions.len(),
        "{wizard_plan}\n{cli_plan}"
    );
    // One layout for both: the same mark and words, the wizard's wider screen wrapping later.
    for ((mark, words), (cli_mark, title)) in wizard_actions.iter().zip(&cli_actions) {
        assert!(
            mark == cli_mark && words.starts_with(title.as_str()),
            "the wizard says \"{mark} {words}\" where configure says \"{cli_mark} {title}\""
        );
    }
}

/// `state.toml` with the organization's profile: the gate URL and a basic-auth password named
/// [`SECRET_ENTRY`], stored (as [`STORED_PASSWORD`]) in the insecure file both faces use here.
async fn remember_profile(dir: &Path, org: &OrgUrl) {
    let mut profile = GateProfile::default_profile()
        .with_webhook_url(GATE)
        .unwrap();
    profile.basic_auth_user = Some("gate".into());
    profile.basic_auth_secret = Some(SECRET_ENTRY.into());
    let mut state = State::default();
    state.org_mut(&org.key(), org.name(), org.base()).profile = profile.to_table();
    state.save(dir).unwrap();
    set_secret(dir, SECRET_ENTRY, STORED_PASSWORD).await;
}

async fn set_secret(dir: &Path, entry: &str, value: &str) {
    let file: Arc<dyn CredentialStore> = Arc::new(FileStore::new(dir));
    store::set_async(&file, entry, &SecretString::from(value))
        .await
        .unwrap();
}

fn token_meta(state: &State, org: &OrgUrl) -> TokenMeta {
    state.org(&org.key()).unwrap().token.clone().unwrap()
}

fn press(wizard: &mut Headless, code: KeyCode) {
    wizard.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Lets the wizard's tasks finish, then expects to be on `step`.
async fn settle(wizard: &mut Headless, step: Step) {
    assert!(wizard.settle(SETTLE).await, "the wizard's tasks finished");
    assert_eq!(wizard.app().step(), step, "{}", screen(wizard));
}

/// The wizard's screen, tall enough to show a whole plan.
fn screen(wizard: &Headless) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 200)).unwrap();
    terminal
        .draw(|frame| azdo_gate::tui::render(wizard.app(), frame))
        .unwrap();
    terminal.backend().to_string()
}

/// The marks `configure --plan` and the wizard's plan review lead a change with.
const MARKS: [&str; 4] = ["+", "-/+", "~", "-"];

/// The plan step's changes: mark and the first row of the words, from inside the screen's border.
fn wizard_actions(screen: &str) -> Vec<(String, String)> {
    screen
        .lines()
        .filter_map(|line| {
            let inside = line.trim_matches('"').trim_matches('│').trim();
            let (mark, title) = inside.split_once(' ')?;
            MARKS
                .contains(&mark)
                .then(|| (mark.to_owned(), title.trim_end().to_owned()))
        })
        .collect()
}

/// `configure --plan`'s changes: mark and the first row of the words.
fn cli_actions(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (mark, title) = line.trim_start().split_once(' ')?;
            (MARKS.contains(&mark) && line.starts_with(&format!("{mark:>3} ")))
                .then(|| (mark.to_owned(), title.to_owned()))
        })
        .collect()
}

/// `azdo-gate --insecure-storage ARGS` with `dir` as the configuration directory and this
/// process's `AZDO_GATE_BASIC_AUTH_PASSWORD`, if any.
fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
        .arg("--insecure-storage")
        .args(args)
        .env("AZDO_GATE_CONFIG_DIR", dir)
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}
