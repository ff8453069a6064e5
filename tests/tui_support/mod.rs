//! Shared helpers for the wizard's screen tests: a wizard on a fixed date, key presses, the
//! 100×30 test screen, and canned engine results to feed back as messages.

// Each test file uses some of these helpers; a helper that cannot set a test up should stop it loudly.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use azdo_gate::checks::format::TokenFormat;
use azdo_gate::checks::reachability::OrgPresence;
use azdo_gate::checks::{
    CheckEvent, CheckId, ExpiryInfo, ExpirySource, Finding, FindingCode, IdentityInfo, Mark,
    OrgInfo, ScopeCheck, ScopeStatus, Severity, TokenInfo, TokenReport, TokenSource,
};
use azdo_gate::store::State;
use azdo_gate::tui::{
    App, Effect, Msg, RequestId, Step, StoreTarget, Theme, WizardOptions, render, update,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use jiff::civil::date;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const TOKEN: &str = "q7xkd3mzw5e2rpt4yhb6nv8ucf9gja1sl0oiqweasdzxcrfvtgbyhn";
pub const CONFIG_DIR: &str = "/home/admin/.config/azdo-gate";

pub fn options() -> WizardOptions {
    WizardOptions {
        demo: None,
        today: date(2026, 11, 28),
        config_dir: CONFIG_DIR.into(),
        storage: StoreTarget::OsStore,
        state: State::default(),
    }
}

pub fn app() -> App {
    App::new(options(), Theme::plain())
}

/// A fixed instant, for the timestamps the runner would stamp.
pub fn at() -> Timestamp {
    "2026-11-28T09:30:00Z".parse().unwrap()
}

pub fn send(app: &mut App, msg: Msg) -> Vec<Effect> {
    update(app, msg)
}

pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    send(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    send(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

pub fn screen_sized(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(app, frame)).unwrap();
    terminal
}

pub fn screen(app: &App) -> String {
    screen_sized(app, 100, 30).backend().to_string()
}

/// The wizard on the paste step for `fabrikam`, the organization confirmed.
pub fn at_paste() -> App {
    let mut app = app();
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "fabrikam");
    let request = match key(&mut app, KeyCode::Enter).as_slice() {
        [Effect::ProbeOrganization { request, .. }] => *request,
        _ => panic!("Enter on a valid organization starts the check"),
    };
    send(
        &mut app,
        Msg::OrgProbed {
            request,
            result: Ok(OrgPresence::Exists),
        },
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::PasteToken);
    app
}

/// The verify step just started for [`TOKEN`]; returns the check's request id.
pub fn at_verify() -> (App, RequestId) {
    let mut app = at_paste();
    send(&mut app, Msg::Paste(TOKEN.into()));
    let effects = key(&mut app, KeyCode::Enter);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::VerifyToken { request, .. } => Some(*request),
            _ => None,
        })
        .expect("Enter on a filled paste step starts the verification");
    assert_eq!(app.step(), Step::Verify);
    (app, request)
}

/// Every check finished as passed, except the given marks.
pub fn finish_checks(app: &mut App, request: RequestId, marks: &[(CheckId, Mark)]) {
    for id in CheckId::ALL {
        let mark = marks
            .iter()
            .find(|(i, _)| *i == id)
            .map_or(Mark::Pass, |(_, m)| *m);
        send(
            app,
            Msg::CheckProgress {
                request,
                event: CheckEvent::Finished(id, mark),
            },
        );
    }
}

fn scopes(build: ScopeStatus) -> Vec<ScopeCheck> {
    vec![
        ScopeCheck {
            scope: "vso.work_write",
            label: "Work Items (Read & Write)",
            status: ScopeStatus::Granted,
        },
        ScopeCheck {
            scope: "vso.code_write",
            label: "Code (Read & Write)",
            status: ScopeStatus::Granted,
        },
        ScopeCheck {
            scope: "vso.code_status",
            label: "Code (Status)",
            status: ScopeStatus::Implied,
        },
        ScopeCheck {
            scope: "vso.build",
            label: "Build (Read)",
            status: build,
        },
    ]
}

fn report(findings: Vec<Finding>, build: ScopeStatus) -> TokenReport {
    let ok = !findings.iter().any(|f| f.severity == Severity::Error);
    TokenReport {
        organization: OrgInfo {
            name: "fabrikam".into(),
            url: "https://dev.azure.com/fabrikam".into(),
        },
        token: TokenInfo {
            source: TokenSource::Entered,
            format: TokenFormat::Current,
        },
        identity: Some(IdentityInfo {
            id: "40000000-0000-4000-8000-000000000001".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate-bot@fabrikam.example".into(),
        }),
        scopes: scopes(build),
        expiry: ExpiryInfo {
            expires_on: Some(date(2027, 11, 28)),
            source: ExpirySource::Flag,
            days_left: Some(365),
        },
        findings,
        ok,
    }
}

/// A token with everything the gate needs.
pub fn report_clean() -> TokenReport {
    report(Vec::new(), ScopeStatus::Granted)
}

/// A token created without Build (Read), and with more access than needed.
pub fn report_missing_build() -> TokenReport {
    report(
        vec![
            Finding {
                severity: Severity::Error,
                code: FindingCode::ScopeMissing,
                message: "The token lacks the Build (Read) scope.".into(),
                fix: Some("Edit the token at https://dev.azure.com/fabrikam/_usersSettings/tokens and tick Build (Read) (use \"Show all scopes\" if it is hidden), or create a new token with all four scopes.".into()),
            },
            Finding {
                severity: Severity::Warning,
                code: FindingCode::ScopeExcess,
                message: "The token can do more than the gate needs (it can list agent pools).".into(),
                fix: Some("Create a token with only the four scopes the gate needs.".into()),
            },
        ],
        ScopeStatus::Missing,
    )
}

/// The verify step with a clean report, the user confirmed.
pub fn verified() -> App {
    let (mut app, request) = at_verify();
    finish_checks(&mut app, request, &[]);
    send(
        &mut app,
        Msg::Verified {
            request,
            result: Ok(report_clean()),
            at: at(),
        },
    );
    key(&mut app, KeyCode::Char('y'));
    app
}

/// The save step just entered; returns the store request id.
pub fn at_save() -> (App, RequestId) {
    let mut app = verified();
    let effects = key(&mut app, KeyCode::Enter);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::StoreToken { request, .. } => Some(*request),
            _ => None,
        })
        .expect("Enter on a verified token stores it");
    assert_eq!(app.step(), Step::Save);
    (app, request)
}
