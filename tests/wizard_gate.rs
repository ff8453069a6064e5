//! The gate step end to end: the wizard (its real effect runner, without a terminal) sets the demo
//! organization up with the webhook's basic auth and a status-policy choice entered on that step,
//! applies, and the simulator, the credential store, `state.toml` and the commands run afterwards
//! on the same configuration directory all show the same settings.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use azdo_gate::domain::{self, BASIC_AUTH_PASSWORD_ENV};
use azdo_gate::org::OrgUrl;
use azdo_gate::store::{self, CredentialStore, FileStore, State};
use azdo_gate::tui::{Headless, Msg, Step, StoreTarget, WizardOptions};
use azdo_gate_sim::{Scenario, SimHandle};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::ExposeSecret;

/// A gate URL no subscription of the demo organization uses: every one sent there is the wizard's.
const GATE: &str = "https://gate.example.com/wizard-gate";
const USER: &str = "gate-hook";
const PASSWORD: &str = "hook-s3cret-for-the-gate";
const SETTLE: Duration = Duration::from_secs(60);

/// What the admin answers on the gate step.
struct Answers {
    required: bool,
}

#[tokio::test(flavor = "multi_thread")]
async fn the_basic_auth_and_status_policy_entered_reach_azure_devops_and_the_commands() {
    assert!(
        std::env::var_os(BASIC_AUTH_PASSWORD_ENV).is_none(),
        "unset {BASIC_AUTH_PASSWORD_ENV} to run this test"
    );
    let sim = common::start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = set_up(&sim, dir.path(), &Answers { required: true }).await;

    // Azure DevOps: every subscription the wizard made sends the user and the password.
    let ours = ours(&sim);
    assert!(!ours.is_empty(), "the wizard created subscriptions");
    for subscription in &ours {
        assert_eq!(subscription["consumerInputs"]["basicAuthUsername"], USER);
        assert_eq!(
            subscription["consumerInputs"]["basicAuthPassword"],
            PASSWORD
        );
    }
    // And the status policies wait for the genre and name entered.
    let policies = gate_policies(&sim);
    assert!(
        policies
            .iter()
            .any(|p| p["settings"]["statusGenre"] == "acme"
                && p["settings"]["statusName"] == "merge-gate"),
        "{policies:#?}"
    );

    // The password is in the credential store beside the token, and nowhere in state.toml.
    let file: Arc<dyn CredentialStore> = Arc::new(FileStore::new(dir.path()));
    let kept = store::get_async(&file, &domain::password_entry(&org))
        .await
        .unwrap()
        .expect("the password is in the store the token went to");
    assert_eq!(kept.expose_secret(), PASSWORD);
    let state = std::fs::read_to_string(State::path(dir.path())).unwrap();
    assert!(!state.contains(PASSWORD), "{state}");
    assert!(state.contains(USER), "{state}");

    // The commands read the same settings: nothing left to do, no policy of another name asked.
    let plan = common::json(
        &common::run(
            dir.path(),
            None,
            &[
                "--insecure-storage",
                "configure",
                "--org",
                &sim.org_url(),
                "--plan",
                "--json",
            ],
        )
        .await,
    );
    let work: Vec<_> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] != "skip")
        .collect();
    assert!(
        work.is_empty(),
        "configure plans the same settings: {work:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_status_policy_none_is_created_and_the_audit_asks_for_none() {
    let sim = common::start(Scenario::demo()).await;
    let before = gate_policies(&sim).len();
    let dir = tempfile::tempdir().unwrap();
    set_up(&sim, dir.path(), &Answers { required: false }).await;
    assert!(!ours(&sim).is_empty(), "the wizard created subscriptions");
    assert_eq!(
        gate_policies(&sim).len(),
        before,
        "no status policy created"
    );

    let audit = common::json(
        &common::run(
            dir.path(),
            None,
            &[
                "--insecure-storage",
                "audit",
                "--org",
                &sim.org_url(),
                "--json",
            ],
        )
        .await,
    );
    let repositories = audit["repositories"].as_array().unwrap();
    assert!(!repositories.is_empty());
    for repository in repositories {
        assert_eq!(
            repository["status_policy"], "not_required",
            "{repository:#}"
        );
    }
}

/// Runs the whole setup of the demo organization in `dir` (token kept in the plain-text file),
/// answering the gate step with `answers`, and applies the preselected plan.
async fn set_up(sim: &SimHandle, dir: &Path, answers: &Answers) -> OrgUrl {
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    let mut wizard = Headless::start(WizardOptions {
        demo: None,
        today: jiff::Zoned::now().date(),
        config_dir: dir.to_path_buf(),
        storage: StoreTarget::InsecureFile,
        state: State::default(),
    });
    press(&mut wizard, KeyCode::Enter);
    type_text(&mut wizard, &sim.org_url());
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::TokenRecipe).await;
    press(&mut wizard, KeyCode::Enter);
    wizard.send(Msg::Paste(common::demo_token("gate")));
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Verify).await;
    press(&mut wizard, KeyCode::Char('y'));
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::HandOver);
    if screen(&wizard).contains("Gating service token page") {
        type_text(&mut wizard, "https://gate.example.com/settings/token");
        press(&mut wizard, KeyCode::Enter);
    }
    press(&mut wizard, KeyCode::Char('y'));
    assert_eq!(wizard.app().step(), Step::Gate);

    // The webhook URL has the focus; Tab moves through user, password, the switch, genre, name.
    type_text(&mut wizard, GATE);
    press(&mut wizard, KeyCode::Tab);
    type_text(&mut wizard, USER);
    press(&mut wizard, KeyCode::Tab);
    type_text(&mut wizard, PASSWORD);
    assert!(
        !screen(&wizard).contains(PASSWORD),
        "the password is never shown"
    );
    press(&mut wizard, KeyCode::Tab);
    if answers.required {
        press(&mut wizard, KeyCode::Tab);
        ctrl(&mut wizard, 'u');
        type_text(&mut wizard, "acme");
        press(&mut wizard, KeyCode::Tab);
        ctrl(&mut wizard, 'u');
        type_text(&mut wizard, "merge-gate");
    } else {
        press(&mut wizard, KeyCode::Char(' '));
    }
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Save).await;
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Permissions).await;
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::Coverage);
    press(&mut wizard, KeyCode::Enter);
    assert_eq!(wizard.app().step(), Step::Plan);
    press(&mut wizard, KeyCode::Enter);
    press(&mut wizard, KeyCode::Tab);
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Apply).await;
    press(&mut wizard, KeyCode::Enter);
    settle(&mut wizard, Step::Summary).await;
    org
}

/// The subscriptions sent to [`GATE`].
fn ours(sim: &SimHandle) -> Vec<serde_json::Value> {
    sim.subscriptions()
        .into_iter()
        .filter(|s| s["consumerInputs"]["url"] == GATE)
        .collect()
}

/// Every Status policy in the demo organization.
fn gate_policies(sim: &SimHandle) -> Vec<serde_json::Value> {
    Scenario::demo()
        .projects
        .iter()
        .flat_map(|p| sim.policies(&p.id))
        .collect()
}

fn press(wizard: &mut Headless, code: KeyCode) {
    wizard.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn ctrl(wizard: &mut Headless, c: char) {
    wizard.send(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

fn type_text(wizard: &mut Headless, text: &str) {
    for c in text.chars() {
        press(wizard, KeyCode::Char(c));
    }
}

/// Lets the wizard's tasks finish, then expects to be on `step`.
async fn settle(wizard: &mut Headless, step: Step) {
    assert!(wizard.settle(SETTLE).await, "the wizard's tasks finished");
    assert_eq!(wizard.app().step(), step, "{}", screen(wizard));
}

fn screen(wizard: &Headless) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| azdo_gate::tui::render(wizard.app(), frame))
        .unwrap();
    terminal.backend().to_string()
}
