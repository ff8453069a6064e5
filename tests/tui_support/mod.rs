//! Shared helpers for the wizard's screen tests: a wizard on a fixed date, key presses, the
//! 100×30 test screen, and canned engine results to feed back as messages.

// Each test file uses some of these helpers; a helper that cannot set a test up should stop it loudly.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use azdo_gate::checks::format::TokenFormat;
use azdo_gate::checks::reachability::OrgPresence;
use azdo_gate::checks::{
    CheckEvent, CheckId, ExpiryInfo, ExpirySource, Finding, FindingCode, Mark, ScopeCheck,
    ScopeStatus, Severity, TokenInfo, TokenReport, TokenSource,
};
use azdo_gate::org::OrgInfo;
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

/// A demo wizard: the simulated organization and token pre-filled.
pub fn demo_app() -> App {
    App::new(
        WizardOptions {
            demo: Some(azdo_gate::tui::DemoContext {
                org_url: "http://127.0.0.1:4321/contoso".into(),
                token: secrecy::SecretString::from(TOKEN.to_owned()),
                webhook_url: WEBHOOK.into(),
                webhook_user: "gate".into(),
                webhook_password: secrecy::SecretString::from("demo-webhook-secret"),
                token_page_url: "http://127.0.0.1:4321/_gate/token".into(),
            }),
            ..options()
        },
        Theme::plain(),
    )
}

/// Types `org`, presses Enter and returns the probe's request id.
pub fn start_check(app: &mut App, org: &str) -> RequestId {
    type_text(app, org);
    let effects = key(app, KeyCode::Enter);
    match effects.as_slice() {
        [Effect::ProbeOrganization { request, .. }] => *request,
        _ => panic!("Enter on a valid organization starts the check"),
    }
}

/// The organization step, empty.
pub fn at_organization() -> App {
    let mut app = app();
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Organization);
    app
}

/// The token recipe for `fabrikam`, the organization confirmed.
pub fn at_recipe() -> App {
    let mut app = at_organization();
    let request = start_check(&mut app, "fabrikam");
    send(
        &mut app,
        Msg::OrgProbed {
            request,
            result: Ok(OrgPresence::Exists),
        },
    );
    assert_eq!(app.step(), Step::TokenRecipe);
    app
}

/// The wizard on the paste step for `fabrikam`, the organization confirmed.
pub fn at_paste() -> App {
    let mut app = at_recipe();
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
        identity: Some(Identity {
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
        api_version: None,
    }
}

/// A token with everything the gate needs.
pub fn report_clean() -> TokenReport {
    report(Vec::new(), ScopeStatus::Granted)
}

/// A token created without Build (Read).
pub fn report_missing_build() -> TokenReport {
    report(
        vec![
            Finding {
                severity: Severity::Error,
                code: FindingCode::ScopeMissing,
                message: "The token lacks the Build (Read) scope.".into(),
                fix: Some("Edit the token at https://dev.azure.com/fabrikam/_usersSettings/tokens and tick Build (Read) (use \"Show all scopes\" if it is hidden), or create a new token with all four scopes.".into()),
                scope: Some("vso.build"),
            },
        ],
        ScopeStatus::Missing,
    )
}

/// The verify step once the engine answered `result`; with `marks`, the checklist finished first
/// (every check passing but those named), without, the check ended before any finished.
pub fn verify_answered(
    marks: Option<&[(CheckId, Mark)]>,
    result: Result<TokenReport, azdo_gate::ado::AdoError>,
) -> App {
    let (mut app, request) = at_verify();
    if let Some(marks) = marks {
        finish_checks(&mut app, request, marks);
    }
    send(
        &mut app,
        Msg::Verified {
            request,
            result,
            at: at(),
        },
    );
    app
}

/// The verify step with a clean report, the user confirmed.
pub fn verified() -> App {
    let mut app = verify_answered(Some(&[]), Ok(report_clean()));
    key(&mut app, KeyCode::Char('y'));
    app
}

/// The gating service's token page the tests type in.
pub const GATE_PAGE: &str = "https://gate.example.com/settings/token";

/// The hand-over step just entered from a verified token: nothing is stored yet.
pub fn at_handover() -> App {
    let mut app = verified();
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StoreToken { .. })),
        "nothing is stored before the hand-over"
    );
    assert_eq!(app.step(), Step::HandOver);
    app
}

/// On the hand-over step: the page typed if asked for, then `answer` (`y` confirms, `s` skips);
/// returns what the answer started.
pub fn hand_over(app: &mut App, answer: char) -> Vec<Effect> {
    assert_eq!(app.step(), Step::HandOver);
    if screen(app).contains("Gating service token page") {
        type_text(app, GATE_PAGE);
        key(app, KeyCode::Enter);
    }
    key(app, KeyCode::Char(answer))
}

/// The gate step just entered, after the hand-over was confirmed: nothing is stored yet.
pub fn at_gate() -> App {
    let mut app = at_handover();
    let effects = hand_over(&mut app, 'y');
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StoreToken { .. })),
        "nothing is stored before the gate step"
    );
    assert_eq!(app.step(), Step::Gate);
    app
}

/// The save step just entered (the webhook URL typed on the gate step); returns the store
/// request id.
pub fn at_save() -> (App, RequestId) {
    let mut app = at_gate();
    type_text(&mut app, WEBHOOK);
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

/// What the runner answers when the OS credential store kept the token.
pub fn keyring_stored() -> azdo_gate::tui::Stored {
    azdo_gate::tui::Stored {
        target: StoreTarget::OsStore,
        description: "Secret Service (GNOME Keyring)".into(),
    }
}

/// What the runner answers without a D-Bus session bus: no OS credential store.
pub fn no_keyring() -> azdo_gate::store::StoreError {
    azdo_gate::store::StoreError::Unavailable {
        reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into(),
        advice: "give the token through the AZURE_DEVOPS_EXT_PAT environment variable instead, or keep it in a plain-text file with --insecure-storage (mode 0600, less safe)".into(),
    }
}

/// The save step after the store answered `result`.
pub fn save_answered(result: Result<azdo_gate::tui::Stored, azdo_gate::store::StoreError>) -> App {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result,
            at: at(),
        },
    );
    app
}

// ---- audit reports -----------------------------------------------------------------------------

use azdo_gate::audit::{
    AuditPhase, AuditReport, AuditSummary, Coverage, CoverageCounts, EventCoverage, EventStatus,
    HookPermissions, PolicyPresence, ProjectAudit, ProjectsSource, RepositoryAudit,
};
use azdo_gate::profile::SubscriptionScope;

pub const WEBHOOK: &str = "https://gate.example.com/ado/events";

fn project(id: u8, name: &str, edit: Option<bool>, note: Option<&str>) -> ProjectAudit {
    ProjectAudit {
        id: format!("10000000-0000-4000-8000-00000000000{id}"),
        name: name.into(),
        service_hooks: HookPermissions {
            view: edit.map(|_| true),
            edit,
        },
        edit_policies: edit,
        contribute_pull_requests: edit.map(|_| true),
        permissions_note: note.map(str::to_owned),
        fully_covered: false,
    }
}

fn event(name: &str, status: EventStatus) -> EventCoverage {
    let exists = status != EventStatus::Absent;
    EventCoverage {
        event_type: name.into(),
        status,
        subscription_id: exists.then(|| "30000000-0000-4000-8000-000000000001".to_owned()),
        scope: exists.then_some(SubscriptionScope::Repository),
        duplicate_subscription_ids: Vec::new(),
        basic_auth_user: None,
        deliveries: None,
        filters: None,
        restricted: false,
    }
}

/// A repository of project `p` (1-based) with the given coverage.
pub fn repo(
    p: u8,
    n: u8,
    project: &str,
    name: &str,
    coverage: Coverage,
    new: bool,
) -> RepositoryAudit {
    let (created, updated, policy) = match coverage {
        Coverage::Covered => (
            EventStatus::Enabled,
            EventStatus::Enabled,
            PolicyPresence::Present,
        ),
        Coverage::Partial => (
            EventStatus::Enabled,
            EventStatus::Absent,
            PolicyPresence::Absent,
        ),
        Coverage::Unhealthy => (
            EventStatus::DisabledBySystem,
            EventStatus::Enabled,
            PolicyPresence::Present,
        ),
        Coverage::Missing | Coverage::NotApplicable => (
            EventStatus::Absent,
            EventStatus::Absent,
            PolicyPresence::Absent,
        ),
    };
    RepositoryAudit {
        id: format!("2000000{p}-0000-4000-8000-0000000000{n:02}"),
        name: name.into(),
        project_id: format!("10000000-0000-4000-8000-00000000000{p}"),
        project: project.into(),
        default_branch: Some("refs/heads/main".into()),
        disabled: coverage == Coverage::NotApplicable,
        new,
        coverage,
        events: vec![
            event("git.pullrequest.created", created),
            event("git.pullrequest.updated", updated),
        ],
        status_policy: policy,
        duplicate_status_policy_ids: Vec::new(),
        status_policy_id: None,
    }
}

/// The demo organization's shape: a permissions gap (Payments), unknown permissions (Research),
/// hook trouble, a partially gated repository, a disabled one and new ones.
pub fn audit_report(repositories: Vec<RepositoryAudit>) -> AuditReport {
    let projects = vec![
        project(1, "Storefront", Some(true), None),
        project(2, "Payments", Some(false), None),
        project(3, "Platform", Some(true), None),
        project(
            4,
            "Research",
            None,
            Some("the permission evaluation was refused (403)"),
        ),
    ];
    let summary = AuditSummary {
        projects: projects.len(),
        projects_missing_permissions: 1,
        repositories: repositories.len(),
        coverage: CoverageCounts::count(&repositories),
        new: repositories.iter().filter(|r| r.new).count(),
        duplicate_subscriptions: 0,
        duplicate_status_policies: 0,
        failing_deliveries: 0,
    };
    AuditReport {
        organization: OrgInfo {
            name: "fabrikam".into(),
            url: "https://dev.azure.com/fabrikam".into(),
        },
        projects_source: ProjectsSource::Repositories,
        projects,
        repositories,
        summary,
        requests: 9,
        project_subscriptions: Vec::new(),
        projects_with_policy: Vec::new(),
        user: Some(Identity {
            id: "40000000-0000-4000-8000-000000000001".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate-bot@fabrikam.example".into(),
        }),
        unknown_items: Vec::new(),
    }
}

pub fn demo_repositories() -> Vec<RepositoryAudit> {
    vec![
        repo(
            1,
            1,
            "Storefront",
            "storefront-web",
            Coverage::Covered,
            false,
        ),
        repo(
            1,
            2,
            "Storefront",
            "storefront-api",
            Coverage::Covered,
            false,
        ),
        repo(
            1,
            3,
            "Storefront",
            "storefront-mobile",
            Coverage::Partial,
            false,
        ),
        repo(
            1,
            4,
            "Storefront",
            "storefront-legacy",
            Coverage::NotApplicable,
            false,
        ),
        repo(
            1,
            5,
            "Storefront",
            "storefront-checkout",
            Coverage::Missing,
            true,
        ),
        repo(2, 1, "Payments", "payments-core", Coverage::Missing, false),
        repo(2, 2, "Payments", "payments-ledger", Coverage::Missing, true),
        repo(3, 1, "Platform", "platform-infra", Coverage::Covered, false),
        repo(4, 1, "Research", "research-ml", Coverage::Unhealthy, false),
        repo(4, 2, "Research", "research-data", Coverage::Missing, true),
    ]
}

pub fn demo_report() -> AuditReport {
    audit_report(demo_repositories())
}

/// The request of the one effect of this kind.
pub fn request_of(effects: &[Effect], pick: fn(&Effect) -> Option<RequestId>) -> RequestId {
    effects
        .iter()
        .find_map(pick)
        .expect("the expected effect was asked for")
}

pub fn audit_request(effects: &[Effect]) -> RequestId {
    request_of(effects, |e| match e {
        Effect::RunAudit { request, .. } => Some(*request),
        _ => None,
    })
}

/// The save step, token stored, Enter pressed and the state written: the wizard is on the
/// permissions step with the audit just started.
pub fn at_permissions() -> (App, RequestId) {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(keyring_stored()),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Enter);
    let saved = request_of(&effects, |e| match e {
        Effect::SaveState { request, .. } => Some(*request),
        _ => None,
    });
    let effects = send(
        &mut app,
        Msg::StateSaved {
            request: saved,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Permissions);
    (app, audit_request(&effects))
}

/// Every audit phase finished.
pub fn finish_audit_phases(app: &mut App, request: RequestId) {
    for phase in AuditPhase::ALL {
        send(
            app,
            Msg::AuditProgress {
                request,
                event: azdo_gate::audit::AuditEvent::Phase {
                    phase,
                    done: 1,
                    total: 1,
                },
            },
        );
    }
}

/// The permissions step with `report` in.
pub fn audited(report: AuditReport) -> App {
    let (mut app, request) = at_permissions();
    finish_audit_phases(&mut app, request);
    send(
        &mut app,
        Msg::Audited {
            request,
            result: Ok(report),
            at: at(),
        },
    );
    app
}

/// The coverage step for the demo report.
pub fn at_coverage() -> App {
    let mut app = audited(demo_report());
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    app
}

/// The plan step for the demo report's preselection (everything not covered).
pub fn at_plan() -> App {
    let mut app = at_coverage();
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    app
}

/// The apply step just started; returns the apply request and the plan being carried out.
pub fn at_apply() -> (App, RequestId, azdo_gate::plan::Plan) {
    let mut app = at_plan();
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Apply);
    let Some((request, plan)) = effects.iter().find_map(|e| match e {
        Effect::ApplyPlan { request, plan, .. } => Some((*request, plan.clone())),
        _ => None,
    }) else {
        panic!("Enter on \"Apply the changes\" applies the plan");
    };
    (app, request, plan)
}

/// Apply progress: the first five changes finished (skips as skipped), the sixth in flight, the
/// rest waiting.
pub fn five_done_one_in_flight(app: &mut App, request: RequestId, plan: &azdo_gate::plan::Plan) {
    for (index, action) in plan.actions.iter().enumerate().take(6) {
        send(
            app,
            Msg::ApplyProgress {
                request,
                event: azdo_gate::plan::ApplyEvent::Started { index },
            },
        );
        if index < 5 {
            let outcome = if action.kind == azdo_gate::plan::ActionKind::Skip {
                azdo_gate::plan::Outcome::Skipped
            } else {
                azdo_gate::plan::Outcome::Done
            };
            send(
                app,
                Msg::ApplyProgress {
                    request,
                    event: azdo_gate::plan::ApplyEvent::Finished(result(index, outcome, None)),
                },
            );
        }
    }
}

// ---- a returning admin -------------------------------------------------------------------------

use azdo_gate::profile::GateProfile;
use azdo_gate::store::{ExpirySource as StoredExpiry, Identity, Snapshot, StorageKind, TokenMeta};

pub const FABRIKAM: &str = "https://dev.azure.com/fabrikam";

/// `state.toml` after a first run for `name`: the token stored in the keyring, expiring on
/// `expires_on`, the profile with the webhook URL, and the repositories seen.
pub fn remember(state: &mut State, name: &str, expires_on: jiff::civil::Date) {
    let url = format!("https://dev.azure.com/{name}");
    let org = state.org_mut(&url.to_lowercase(), name, &url);
    org.token = Some(TokenMeta {
        name: Some(format!("azdo-gate {name} 2025-12-18")),
        expires_on: Some(expires_on),
        expiry_source: Some(StoredExpiry::Entered),
        identity: Some(Identity {
            id: "40000000-0000-4000-8000-000000000001".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate-bot@fabrikam.example".into(),
        }),
        scopes_seen: vec!["vso.work_write".into(), "vso.code_write".into()],
        checked_at: Some(at()),
        storage: Some(StorageKind::Keyring),
        fingerprint: None,
        handover: None,
    });
    org.profile = GateProfile::default_profile()
        .with_webhook_url(WEBHOOK)
        .unwrap()
        .to_table();
    org.snapshot = Some(Snapshot {
        taken_at: at(),
        repository_ids: Vec::new(),
    });
}

/// A wizard opened by a returning admin: it starts on the home screen and audits at once.
pub fn home(state: State) -> (App, RequestId) {
    let mut app = App::new(WizardOptions { state, ..options() }, Theme::plain());
    assert_eq!(app.step(), Step::Home);
    let effects = send(&mut app, Msg::Started);
    (app, audit_request(&effects))
}

/// The home screen for fabrikam with the demo report in.
pub fn home_audited(expires_on: jiff::civil::Date) -> App {
    let mut state = State::default();
    remember(&mut state, "fabrikam", expires_on);
    let (mut app, request) = home(state);
    send(
        &mut app,
        Msg::Audited {
            request,
            result: Ok(demo_report()),
            at: at(),
        },
    );
    app
}

// ---- applying, the summary and rotation -------------------------------------------------------

use azdo_gate::plan::{ActionKind, ActionResult, Outcome, Plan};

/// The outcome of action `index`.
pub fn result(index: usize, outcome: Outcome, error: Option<&str>) -> ActionResult {
    ActionResult {
        index,
        outcome,
        error: error.map(str::to_owned),
    }
}

/// Every action of `plan` done (skips skipped), except `failed`, refused by Azure DevOps.
pub fn outcomes(plan: &Plan, failed: Option<usize>) -> Vec<ActionResult> {
    plan.actions
        .iter()
        .enumerate()
        .map(|(index, action)| match (action.kind, failed) {
            (ActionKind::Skip, _) => result(index, Outcome::Skipped, None),
            (_, Some(f)) if f == index => result(
                index,
                Outcome::Failed,
                Some("Azure DevOps refused the request: TF400898: An Internal Error Occurred."),
            ),
            _ => result(index, Outcome::Done, None),
        })
        .collect()
}

/// The summary after the demo plan was applied without failures and the snapshot recorded.
pub fn at_summary() -> App {
    let (mut app, request, plan) = at_apply();
    let mut after = demo_report();
    for repo in &mut after.repositories {
        if repo.project != "Payments" && repo.coverage != Coverage::NotApplicable {
            repo.coverage = Coverage::Covered;
        }
    }
    after.summary.coverage = CoverageCounts::count(&after.repositories);
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(outcomes(&plan, None)),
            after: Some(Ok(after)),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Summary);
    let [.., Effect::SaveState { request, state }] = effects.as_slice() else {
        panic!("the summary records the repository snapshot");
    };
    let snapshot = state
        .org("https://dev.azure.com/fabrikam")
        .and_then(|o| o.snapshot.as_ref())
        .unwrap();
    assert_eq!(snapshot.repository_ids.len(), 10);
    send(
        &mut app,
        Msg::StateSaved {
            request: *request,
            result: Ok(()),
        },
    );
    app
}

pub const NEW_TOKEN: &str =
    "NewGateBotToken0123456789abcdefghijklmnopqrstuvwxyzABJQQJ99xAGateBot00010AAAAAZDOAb12";

/// Home → r: the recipe of the rotation flow.
pub fn rotating() -> App {
    let mut app = home_audited(date(2026, 12, 18));
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(app.step(), Step::TokenRecipe);
    app
}

/// The rotation carried through to the revoke checklist: the new token verified, handed over,
/// stored, recorded and audited.
pub fn at_revoke() -> App {
    let mut app = rotating();
    key(&mut app, KeyCode::Enter);
    send(&mut app, Msg::Paste(NEW_TOKEN.into()));
    let request = request_of(&key(&mut app, KeyCode::Enter), |e| match e {
        Effect::VerifyToken { request, .. } => Some(*request),
        _ => None,
    });
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
    key(&mut app, KeyCode::Enter);
    let request = request_of(&hand_over(&mut app, 'y'), |e| match e {
        Effect::StoreToken { request, .. } => Some(*request),
        _ => None,
    });
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(keyring_stored()),
            at: at(),
        },
    );
    let saved = request_of(&key(&mut app, KeyCode::Enter), |e| match e {
        Effect::SaveState { request, .. } => Some(*request),
        _ => None,
    });
    let effects = send(
        &mut app,
        Msg::StateSaved {
            request: saved,
            result: Ok(()),
        },
    );
    send(
        &mut app,
        Msg::Audited {
            request: audit_request(&effects),
            result: Ok(demo_report()),
            at: at(),
        },
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Revoke);
    app
}
