//! `update` for the steps after the paste: verification gates, storing, leaving steps (which
//! cancels their tasks), the coverage filter and selection, the plan's confirmation, and the
//! rotation's ordering — the new token is written only after it passed verification, and the
//! revoke checklist comes only after the audit made with it.

use crossterm::event::KeyCode;
use jiff::Timestamp;
use secrecy::ExposeSecret;

use super::app::{App, Popup, Tone};
use super::effect::{Effect, StoreTarget};
use super::flow::Flow;
use super::keymap::Action;
use super::msg::{Msg, RequestId, Stored, TaskError};
use super::steps::Step;
use super::steps::coverage::{CoverageState, Preselect};
use super::steps::save::{Fallback, Storing};
use super::update;
use super::update_tests::{app, at_paste, ctrl, options, press, type_text};
use super::widgets::text_input::TextInput;
use crate::ado::AdoError;
use crate::audit::{
    AuditReport, AuditSummary, Coverage, CoverageCounts, HookPermissions, ProjectAudit,
    ProjectsSource, RepositoryAudit,
};
use crate::checks::format::TokenFormat;
use crate::checks::{
    CheckId, ExpiryInfo, ExpirySource, Finding, FindingCode, Mark, Severity, TokenInfo,
    TokenReport, TokenSource,
};
use crate::org::{Identity, OrgInfo};
use crate::profile::GateProfile;
use crate::store::{State, StorageKind, StoreError, TokenMeta};

const WEBHOOK: &str = "https://gate.example.com/ado/events";
const TOKEN: &str = "q7xkd3mzw5e2rpt4yhb6nv8ucf9gja1sl0oiqweasdzxcrfvtgbyhn";
/// The token stored before a rotation.
const OLD_TOKEN: &str = "oldtokenw5e2rpt4yhb6nv8ucf9gja1sl0oiqweasdzxcrfvtgbyhn";

fn now() -> Timestamp {
    "2026-11-28T09:30:00Z".parse().unwrap()
}

fn finding(severity: Severity, code: FindingCode) -> Finding {
    Finding {
        severity,
        code,
        message: format!("{code:?}"),
        fix: Some("do something".into()),
        scope: None,
    }
}

fn token_report(findings: Vec<Finding>) -> TokenReport {
    TokenReport {
        organization: OrgInfo {
            name: "fabrikam".into(),
            url: "https://dev.azure.com/fabrikam".into(),
        },
        token: TokenInfo {
            source: TokenSource::Entered,
            format: TokenFormat::Unrecognised,
        },
        identity: Some(Identity {
            id: "user-1".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate-bot@fabrikam.example".into(),
        }),
        scopes: Vec::new(),
        expiry: ExpiryInfo {
            expires_on: None,
            source: ExpirySource::Flag,
            days_left: None,
        },
        ok: !findings.iter().any(|f| f.severity == Severity::Error),
        findings,
        api_version: None,
    }
}

fn repo(project: &str, name: &str, coverage: Coverage, new: bool) -> RepositoryAudit {
    RepositoryAudit {
        id: format!("id-{name}"),
        name: name.into(),
        project_id: format!("pid-{project}"),
        project: project.into(),
        default_branch: Some("refs/heads/main".into()),
        disabled: coverage == Coverage::NotApplicable,
        new,
        coverage,
        events: Vec::new(),
        status_policy: crate::audit::PolicyPresence::Absent,
        duplicate_status_policy_ids: Vec::new(),
        status_policy_id: None,
    }
}

fn audit_report(repositories: Vec<RepositoryAudit>) -> AuditReport {
    let project = |name: &str| ProjectAudit {
        id: format!("pid-{name}"),
        name: name.into(),
        service_hooks: HookPermissions {
            view: Some(true),
            edit: Some(true),
        },
        edit_policies: Some(true),
        contribute_pull_requests: Some(true),
        permissions_note: None,
        fully_covered: false,
    };
    let summary = AuditSummary {
        projects: 2,
        repositories: repositories.len(),
        coverage: CoverageCounts::count(&repositories),
        new: repositories.iter().filter(|r| r.new).count(),
        ..AuditSummary::default()
    };
    AuditReport {
        organization: OrgInfo {
            name: "fabrikam".into(),
            url: "https://dev.azure.com/fabrikam".into(),
        },
        projects_source: ProjectsSource::Repositories,
        projects: vec![project("Payments"), project("Storefront")],
        repositories,
        summary,
        requests: 1,
        project_subscriptions: Vec::new(),
        projects_with_policy: Vec::new(),
        user: Some(Identity {
            id: "user-1".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate@fabrikam.com".into(),
        }),
        unknown_items: Vec::new(),
    }
}

fn report() -> AuditReport {
    audit_report(vec![
        repo("Storefront", "storefront-web", Coverage::Covered, false),
        repo("Storefront", "storefront-mobile", Coverage::Partial, false),
        repo("Storefront", "storefront-new", Coverage::Missing, true),
        repo("Payments", "payments-core", Coverage::Missing, false),
        repo("Payments", "payments-ledger", Coverage::Unhealthy, false),
        repo("Payments", "payments-old", Coverage::NotApplicable, false),
    ])
}

fn find<T>(effects: &[Effect], pick: impl Fn(&Effect) -> Option<T>) -> Option<T> {
    effects.iter().find_map(pick)
}

fn verify_request(effects: &[Effect]) -> Option<RequestId> {
    find(effects, |e| match e {
        Effect::VerifyToken { request, .. } => Some(*request),
        _ => None,
    })
}

fn store_request(effects: &[Effect]) -> Option<(RequestId, StoreTarget)> {
    find(effects, |e| match e {
        Effect::StoreToken {
            request, target, ..
        } => Some((*request, *target)),
        _ => None,
    })
}

fn save_request(effects: &[Effect]) -> Option<(RequestId, State)> {
    find(effects, |e| match e {
        Effect::SaveState { request, state } => Some((*request, state.clone())),
        _ => None,
    })
}

fn audit_request(effects: &[Effect]) -> Option<RequestId> {
    find(effects, |e| match e {
        Effect::RunAudit { request, .. } => Some(*request),
        _ => None,
    })
}

/// Paste step → Enter: the verification started.
fn verifying(mut app: App) -> (App, RequestId) {
    update(&mut app, Msg::Paste(TOKEN.into()));
    let effects = press(&mut app, KeyCode::Enter);
    let request = verify_request(&effects).expect("Enter verifies");
    (app, request)
}

fn verified(app: &mut App, request: RequestId, findings: Vec<Finding>) -> Vec<Effect> {
    update(
        app,
        Msg::Verified {
            request,
            result: Ok(token_report(findings)),
            at: now(),
        },
    )
}

fn stored(app: &mut App, request: RequestId, target: StoreTarget) -> Vec<Effect> {
    update(
        app,
        Msg::TokenStored {
            request,
            result: Ok(Stored {
                target,
                description: "the test store".into(),
            }),
            at: now(),
        },
    )
}

/// The gating service's token page the tests type in.
const GATE_PAGE: &str = "https://gate.example.com/settings/token";

/// Verify → Enter: the hand-over step, where the page is given and the hand-over confirmed, then
/// (setup only) the gate step with the webhook URL typed; returns what moving on to the store step
/// started.
fn verified_then_handed_over(app: &mut App) -> Vec<Effect> {
    let effects = press(app, KeyCode::Enter);
    assert!(
        store_request(&effects).is_none(),
        "nothing is stored before the hand-over"
    );
    assert_eq!(app.step(), Step::HandOver);
    if app.handover.editing.is_some() {
        type_text(app, GATE_PAGE);
        press(app, KeyCode::Enter);
    }
    let effects = press(app, KeyCode::Char('y'));
    if app.step() != Step::Gate {
        return effects;
    }
    if app.gate.webhook.value().is_empty() {
        type_text(app, WEBHOOK);
    }
    press(app, KeyCode::Enter)
}

/// The first-time flow up to the permissions step with its audit started.
fn at_permissions() -> (App, RequestId) {
    let (mut app, request) = verifying(at_paste());
    verified(&mut app, request, Vec::new());
    press(&mut app, KeyCode::Char('y'));
    let (request, target) = store_request(&verified_then_handed_over(&mut app)).unwrap();
    stored(&mut app, request, target);
    let (request, _) = save_request(&press(&mut app, KeyCode::Enter)).unwrap();
    let effects = update(
        &mut app,
        Msg::StateSaved {
            request,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Permissions);
    (app, audit_request(&effects).unwrap())
}

fn audited(app: &mut App, request: RequestId, result: Result<AuditReport, TaskError>) {
    update(
        app,
        Msg::Audited {
            request,
            result,
            at: now(),
        },
    );
}

#[test]
fn leaving_the_verification_cancels_it_and_its_late_answer_is_ignored() {
    let (mut app, request) = verifying(at_paste());
    update(
        &mut app,
        Msg::CheckProgress {
            request,
            event: crate::checks::CheckEvent::Finished(CheckId::Format, Mark::Pass),
        },
    );
    assert_eq!(
        press(&mut app, KeyCode::Esc),
        [Effect::CancelStep(Step::Verify)]
    );
    assert_eq!(app.step(), Step::PasteToken);
    assert!(verified(&mut app, request, Vec::new()).is_empty());
    assert!(app.verify.report().is_none(), "the late answer is dropped");
    let (_, again) = verifying(app);
    assert_ne!(again, request, "coming back starts a fresh check");
}

#[test]
fn errors_block_and_warnings_must_be_accepted_explicitly() {
    let (mut app, request) = verifying(at_paste());
    verified(
        &mut app,
        request,
        vec![finding(Severity::Error, FindingCode::ScopeMissing)],
    );
    press(&mut app, KeyCode::Char('y'));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.step(), Step::Verify);
    assert_eq!(app.status.as_ref().unwrap().tone, Tone::Error);

    let request = verify_request(&press(&mut app, KeyCode::Char('r'))).unwrap();
    assert!(!app.verify.identity_confirmed, "a new check asks again");
    verified(
        &mut app,
        request,
        vec![finding(Severity::Warning, FindingCode::ScopeExcess)],
    );
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "user not confirmed"
    );
    press(&mut app, KeyCode::Char('y'));
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "warnings not accepted"
    );
    assert!(app.status.as_ref().unwrap().text.contains("press w"));
    press(&mut app, KeyCode::Char('w'));
    let effects = verified_then_handed_over(&mut app);
    assert_eq!(app.step(), Step::Save);
    let (_, target) = store_request(&effects).unwrap();
    assert_eq!(target, StoreTarget::OsStore);
}

#[test]
fn the_webhook_url_is_validated_before_anything_is_stored_or_recorded() {
    let (mut app, request) = verifying(at_paste());
    verified(&mut app, request, Vec::new());
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Enter);
    if app.handover.editing.is_some() {
        type_text(&mut app, GATE_PAGE);
        press(&mut app, KeyCode::Enter);
    }
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.step(), Step::Gate);
    type_text(&mut app, "http://gate.example.com/hook");
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "nothing stored with a plain-http webhook"
    );
    assert_eq!(app.step(), Step::Gate);
    assert!(app.status.as_ref().unwrap().text.contains("Use https"));
    ctrl(&mut app, 'u');
    type_text(&mut app, WEBHOOK);
    let (request, target) = store_request(&press(&mut app, KeyCode::Enter)).unwrap();
    assert_eq!(app.step(), Step::Save);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "not stored yet: nothing to record"
    );
    stored(&mut app, request, target);
    let (_, state) = save_request(&press(&mut app, KeyCode::Enter)).unwrap();
    let org = state.org("https://dev.azure.com/fabrikam").unwrap();
    let meta = org.token.as_ref().unwrap();
    assert_eq!(meta.storage, Some(StorageKind::Keyring));
    assert_eq!(meta.identity.as_ref().unwrap().display_name, "Gate Bot");
    assert_eq!(meta.checked_at, Some(now()));
    let profile = GateProfile::from_table(&org.profile).unwrap();
    assert_eq!(profile.require_webhook_url().unwrap(), WEBHOOK);
}

#[test]
fn without_a_credential_store_the_admin_chooses_explicitly() {
    let (mut app, request) = verifying(at_paste());
    verified(&mut app, request, Vec::new());
    press(&mut app, KeyCode::Char('y'));
    let (request, _) = store_request(&verified_then_handed_over(&mut app)).unwrap();
    update(
        &mut app,
        Msg::TokenStored {
            request,
            result: Err(StoreError::Unavailable {
                reason: "no Secret Service".into(),
                advice: "use the file".into(),
            }),
            at: now(),
        },
    );
    assert!(
        press(&mut app, KeyCode::Char('x')).is_empty(),
        "no field to type into: an unbound letter does nothing"
    );
    assert!(
        matches!(app.save.storing, Storing::Failed { .. }),
        "no letter chooses where the token goes"
    );
    assert_eq!(
        app.save.highlighted,
        Fallback::TryAgain,
        "the safe choice first"
    );
    press(&mut app, KeyCode::Up);
    assert_eq!(app.save.highlighted, Fallback::SessionOnly);
    let (request, target) = store_request(&press(&mut app, KeyCode::Enter)).unwrap();
    assert_eq!(target, StoreTarget::SessionOnly);
    stored(&mut app, request, target);
    let (_, state) = save_request(&press(&mut app, KeyCode::Enter)).unwrap();
    let org = state.org("https://dev.azure.com/fabrikam").unwrap();
    assert!(org.token.is_none(), "a session-only token is not recorded");
    assert!(!org.profile.is_empty());
}

#[test]
fn leaving_the_permissions_step_cancels_the_audit() {
    let (mut app, request) = at_permissions();
    assert_eq!(
        press(&mut app, KeyCode::Esc),
        [Effect::CancelStep(Step::Permissions)]
    );
    assert!(!app.audit.running());
    audited(&mut app, request, Ok(report()));
    assert!(app.audit.report.is_none(), "the late answer is dropped");
}

#[test]
fn continue_waits_for_a_fresh_audit() {
    let (mut app, request) = at_permissions();
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    audited(
        &mut app,
        request,
        Err(TaskError::Ado(AdoError::Network {
            message: "refused".into(),
            timed_out: false,
        })),
    );
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let request = audit_request(&press(&mut app, KeyCode::Char('r'))).unwrap();
    audited(&mut app, request, Ok(report()));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Permissions);
    assert!(
        press(&mut app, KeyCode::Enter)
            .iter()
            .all(|e| !matches!(e, Effect::RunAudit { .. })),
        "going back and forth does not audit again"
    );
}

#[test]
fn the_filter_and_selection_work_on_what_is_shown() {
    let report = report();
    let mut state = CoverageState::build(&report, Preselect::NotCovered, None);
    assert_eq!(state.rows.len(), 8, "two headings and six repositories");
    assert_eq!(
        state.selected_count, 4,
        "partial, unhealthy and the two missing"
    );
    state.filter.insert("PAY");
    state.refilter();
    assert_eq!(state.visible.len(), 4, "the Payments heading and its three");
    state.select_none();
    assert_eq!(
        state.selected_count, 2,
        "only the shown ones were unselected"
    );
    state.cursor = 0;
    state.toggle();
    assert_eq!(
        state.selected_count, 5,
        "the heading selects every shown repository"
    );
    state.toggle();
    assert_eq!(state.selected_count, 2);
    state.select_missing(&report);
    assert_eq!(state.selected_count, 4, "not the not-applicable one");
    state.filter = TextInput::new("-core");
    state.refilter();
    assert_eq!(state.visible.len(), 2);
    state.cursor = 1;
    state.toggle();
    let ids = state.selected_ids(&report);
    assert!(!ids.contains("id-payments-core"));
    assert!(ids.contains("id-payments-ledger") && ids.contains("id-storefront-new"));
    state.filter = Default::default();
    state.refilter();
    assert_eq!(state.visible.len(), 8);

    let fresh = CoverageState::build(&report, Preselect::NewAndBroken, None);
    let ids = fresh.selected_ids(&report);
    let expected = [
        "id-payments-ledger",
        "id-storefront-mobile",
        "id-storefront-new",
    ];
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn typing_a_filter_is_text_and_esc_clears_it() {
    let (mut app, request) = at_permissions();
    audited(&mut app, request, Ok(report()));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "qa");
    assert_eq!(app.coverage.filter.value(), "qa", "q and a are text here");
    assert_eq!(app.step(), Step::Coverage);
    press(&mut app, KeyCode::Esc);
    assert!(!app.coverage.filtering);
    assert_eq!(app.coverage.filter.value(), "");
    assert_eq!(app.coverage.visible.len(), app.coverage.rows.len());
    assert_eq!(app.step(), Step::Coverage, "Esc cleared the filter only");
}

#[test]
fn the_plan_writes_nothing_until_confirmed() {
    let (mut app, request) = at_permissions();
    audited(&mut app, request, Ok(report()));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.popup, Some(Popup::ConfirmApply));
    assert!(
        press(&mut app, KeyCode::Char('y')).is_empty(),
        "no letter applies"
    );
    assert_eq!(app.popup, Some(Popup::ConfirmApply));
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "\"Back to the plan\" is highlighted first"
    );
    assert_eq!(app.popup, None);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Coverage);
    assert_eq!(app.coverage.selected_count, 4, "the selection is kept");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::BackTab);
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Apply);
    let plan = find(&effects, |e| match e {
        Effect::ApplyPlan { plan, user_id, .. } => {
            assert_eq!(user_id.as_deref(), Some("user-1"));
            Some(plan.clone())
        }
        _ => None,
    })
    .unwrap();
    assert!(plan.work_count() > 0);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "no summary while applying"
    );
}

#[test]
fn quitting_after_changes_says_so() {
    let (mut app, request) = at_permissions();
    audited(&mut app, request, Ok(report()));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    let effects = press(&mut app, KeyCode::Enter);
    let (request, plan) = find(&effects, |e| match e {
        Effect::ApplyPlan { request, plan, .. } => Some((*request, plan.clone())),
        _ => None,
    })
    .unwrap();
    let results = (0..plan.actions.len())
        .map(|index| crate::plan::ActionResult {
            index,
            outcome: if plan.actions[index].kind.is_work() {
                crate::plan::Outcome::Done
            } else {
                crate::plan::Outcome::Skipped
            },
            error: None,
        })
        .collect();
    update(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(results),
            after: None,
            at: now(),
        },
    );
    let summary = app.quit_summary();
    assert!(
        summary.contains(&format!("{} changes were made", plan.work_count())),
        "{summary}"
    );
    assert!(summary.contains("The token is stored in the test store."));
}

/// What an earlier setup chose on the gate step: basic auth, no status policy.
fn stored_gate_settings() -> GateProfile {
    let mut profile = GateProfile::default_profile()
        .with_webhook_url(WEBHOOK)
        .unwrap();
    profile.basic_auth_user = Some("gate-hook".into());
    profile.basic_auth_secret = Some("hook-entry".into());
    profile.status_check.required = false;
    profile
}

/// A returning admin on the home screen for fabrikam, the audit done.
fn home() -> App {
    let mut state = State::default();
    let org = state.org_mut(
        "https://dev.azure.com/fabrikam",
        "fabrikam",
        "https://dev.azure.com/fabrikam",
    );
    org.token = Some(TokenMeta {
        name: None,
        expires_on: Some(jiff::civil::date(2026, 12, 20)),
        expiry_source: None,
        identity: Some(Identity {
            id: "user-1".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate-bot@fabrikam.example".into(),
        }),
        scopes_seen: Vec::new(),
        checked_at: None,
        storage: Some(StorageKind::File),
        fingerprint: Some(crate::token::Pat::parse(OLD_TOKEN).unwrap().fingerprint()),
        handover: None,
    });
    org.profile = stored_gate_settings().to_table();
    let mut app = App::new(
        super::WizardOptions { state, ..options() },
        super::Theme::plain(),
    );
    assert_eq!(app.step(), Step::Home);
    let request = audit_request(&update(&mut app, Msg::Started)).unwrap();
    audited(&mut app, request, Ok(report()));
    app
}

#[test]
fn rotation_stores_the_new_token_only_after_it_passed_verification() {
    let mut app = home();
    press(&mut app, KeyCode::Char('r'));
    assert_eq!((app.flow, app.step()), (Flow::Rotate, Step::TokenRecipe));
    assert!(app.paste.token.is_empty(), "the new token starts empty");
    press(&mut app, KeyCode::Enter);
    let (mut app, request) = verifying(app);
    verified(
        &mut app,
        request,
        vec![finding(Severity::Error, FindingCode::ScopeMissing)],
    );
    press(&mut app, KeyCode::Char('y'));
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        store_request(&effects).is_none(),
        "a failing token is never stored"
    );
    press(&mut app, KeyCode::Char('e'));
    assert_eq!(app.step(), Step::PasteToken);
    let request = verify_request(&press(&mut app, KeyCode::Enter)).unwrap();
    verified(&mut app, request, Vec::new());
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Enter);
    if app.handover.editing.is_some() {
        type_text(&mut app, GATE_PAGE);
        press(&mut app, KeyCode::Enter);
    }
    let effects = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.step(),
        Step::Save,
        "a rotation does not ask what the gate needs"
    );
    let (request, target) = store_request(&effects).unwrap();
    assert_eq!(
        target,
        StoreTarget::InsecureFile,
        "the store the old one is in"
    );
    assert!(
        find(&effects, |e| match e {
            Effect::StoreToken {
                webhook_password, ..
            } => Some(webhook_password.is_none()),
            _ => None,
        })
        .unwrap(),
        "the stored webhook password is kept"
    );
    assert_eq!(app.paste.token.secret().expose_secret(), TOKEN);
    stored(&mut app, request, target);
    let (request, state) = save_request(&press(&mut app, KeyCode::Enter)).unwrap();
    assert!(
        state
            .org("https://dev.azure.com/fabrikam")
            .and_then(|o| o.rotation.as_ref())
            .is_some_and(|r| !r.old_token_revoked)
    );
    let kept =
        GateProfile::from_table(&state.org("https://dev.azure.com/fabrikam").unwrap().profile)
            .unwrap();
    assert_eq!(
        GateProfile {
            token_page_url: None,
            ..kept
        },
        stored_gate_settings(),
        "the gate settings are kept"
    );
    let effects = update(
        &mut app,
        Msg::StateSaved {
            request,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Permissions);
    let audit = audit_request(&effects).expect("the organization is audited with the new token");
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "no revoke checklist before the audit"
    );
    assert_eq!(app.step(), Step::Permissions);
    audited(&mut app, audit, Ok(report()));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Revoke);
}

#[test]
fn the_token_verified_is_the_token_stored_and_recorded_by_fingerprint() {
    let mut app = at_paste();
    update(&mut app, Msg::Paste(format!("  {TOKEN} \n")));
    let effects = press(&mut app, KeyCode::Enter);
    let sent = find(&effects, |e| match e {
        Effect::VerifyToken { request, token, .. } => Some((*request, token.clone())),
        _ => None,
    });
    let (request, sent) = sent.expect("Enter verifies");
    assert_eq!(
        sent.secret().expose_secret(),
        TOKEN,
        "trimmed before it is sent"
    );
    verified(&mut app, request, Vec::new());
    press(&mut app, KeyCode::Char('y'));
    let effects = verified_then_handed_over(&mut app);
    let kept = find(&effects, |e| match e {
        Effect::StoreToken { request, token, .. } => Some((*request, token.clone())),
        _ => None,
    });
    let (request, kept) = kept.expect("the verified token is stored");
    assert_eq!(kept, sent, "byte for byte the token verified");
    stored(&mut app, request, StoreTarget::OsStore);
    let (_, state) = save_request(&press(&mut app, KeyCode::Enter)).unwrap();
    let meta = state
        .org("https://dev.azure.com/fabrikam")
        .and_then(|o| o.token.clone())
        .unwrap();
    assert_eq!(meta.fingerprint, Some(sent.fingerprint()));
    assert_eq!(meta.handover, Some(crate::store::HandOver::Confirmed));
    let profile =
        GateProfile::from_table(&state.org("https://dev.azure.com/fabrikam").unwrap().profile)
            .unwrap();
    assert_eq!(
        profile.token_page_url.as_deref(),
        Some(GATE_PAGE),
        "stored with the settings"
    );
}

#[test]
fn rotation_refuses_the_token_already_in_use() {
    let mut app = home();
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Enter);
    update(&mut app, Msg::Paste(format!("{OLD_TOKEN}\n")));
    let effects = press(&mut app, KeyCode::Enter);
    assert!(verify_request(&effects).is_none(), "nothing is sent");
    assert_eq!(app.step(), Step::PasteToken);
    let refusal = app.paste.refusal.clone().unwrap();
    assert!(refusal.contains("already in use"), "{refusal}");
    ctrl(&mut app, 'u');
    update(&mut app, Msg::Paste(TOKEN.into()));
    assert!(verify_request(&press(&mut app, KeyCode::Enter)).is_some());
}

#[test]
fn the_home_screen_closes_the_revoke_open_item_with_d() {
    let mut app = home();
    let status = |app: &App| {
        app.status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    };
    assert!(
        !offered(&app, Action::MarkRevoked),
        "nothing to mark: d is not offered"
    );
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    app.state
        .org_mut(
            "https://dev.azure.com/fabrikam",
            "fabrikam",
            "https://dev.azure.com/fabrikam",
        )
        .rotation = Some(crate::store::Rotation {
        old_token_revoked: false,
        rotated_at: now(),
    });
    let (request, state) = save_request(&press(&mut app, KeyCode::Char('d'))).unwrap();
    assert!(
        state
            .org("https://dev.azure.com/fabrikam")
            .and_then(|o| o.rotation.as_ref())
            .is_some_and(|r| r.old_token_revoked)
    );
    update(
        &mut app,
        Msg::StateSaved {
            request,
            result: Ok(()),
        },
    );
    assert_eq!(status(&app), "Recorded.");
}

#[test]
fn the_summary_offers_to_make_the_organization_the_default_when_several_are_set_up() {
    let mut app = home();
    app.go_to(Step::Summary);
    assert!(
        press(&mut app, KeyCode::Char('m')).is_empty(),
        "one organization: no offer"
    );
    app.state
        .org_mut(
            "https://dev.azure.com/contoso",
            "contoso",
            "https://dev.azure.com/contoso",
        )
        .token = Some(TokenMeta::new(Some(StorageKind::Keyring)));
    let (request, state) = save_request(&press(&mut app, KeyCode::Char('m'))).unwrap();
    assert_eq!(
        state.default_org().map(|o| o.organization.name.as_str()),
        Some("fabrikam")
    );
    update(
        &mut app,
        Msg::StateSaved {
            request,
            result: Ok(()),
        },
    );
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("default organization")
    );
    assert!(
        press(&mut app, KeyCode::Char('m')).is_empty(),
        "already the default"
    );
}

#[test]
fn home_journeys_return_home_with_esc() {
    let mut app = home();
    press(&mut app, KeyCode::Char('c'));
    assert_eq!((app.flow, app.step()), (Flow::Configure, Step::Coverage));
    let effects = press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Home);
    assert!(
        audit_request(&effects).is_none(),
        "the same organization's audit is kept"
    );
    press(&mut app, KeyCode::Char('n'));
    assert_eq!((app.flow, app.step()), (Flow::Setup, Step::Organization));
    assert_eq!(app.organization.input.value(), "");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Welcome);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Home);
}

#[test]
fn a_first_run_starts_on_the_welcome_screen() {
    let app = app();
    assert_eq!(app.step(), Step::Welcome);
    assert!(!app.home_available());
}

/// A rotation past the store step: the runner kept the old token (`kept`) and stored the new one;
/// returns the permissions step's audit, made with the new token.
fn rotated_to_permissions(kept: bool) -> (App, RequestId) {
    let mut app = home();
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Enter);
    let (mut app, request) = verifying(app);
    verified(&mut app, request, Vec::new());
    press(&mut app, KeyCode::Char('y'));
    let effects = verified_then_handed_over(&mut app);
    let keep_old = find(&effects, |e| match e {
        Effect::StoreToken { keep_old, .. } => Some(*keep_old),
        _ => None,
    });
    assert_eq!(
        keep_old,
        Some(Some(StoreTarget::InsecureFile)),
        "the old token is read from its store before the new one overwrites it"
    );
    let (request, target) = store_request(&effects).unwrap();
    if kept {
        update(&mut app, Msg::OldTokenKept);
    }
    stored(&mut app, request, target);
    let (request, _) = save_request(&press(&mut app, KeyCode::Enter)).unwrap();
    let effects = update(
        &mut app,
        Msg::StateSaved {
            request,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Permissions);
    (app, audit_request(&effects).unwrap())
}

/// The screen offers `action` (its footer, help and key handling all say so).
fn offered(app: &App, action: Action) -> bool {
    super::keymap::active(app)
        .iter()
        .any(|b| b.action == action)
}

fn offers_the_old_token(app: &App) -> bool {
    offered(app, Action::RestoreOldToken)
}

fn rejected() -> Result<AuditReport, TaskError> {
    Err(TaskError::Ado(AdoError::TokenRejected {
        message: "TF400813: The user '' is not authorized to access this resource.".into(),
    }))
}

#[test]
fn a_rejected_new_token_can_be_swapped_back_for_the_old_one() {
    let (mut app, audit) = rotated_to_permissions(true);
    audited(&mut app, audit, rejected());
    assert!(offers_the_old_token(&app));
    let shown = format!("{:?}", app.old_token);
    assert!(
        !shown.contains(TOKEN) && !shown.contains(OLD_TOKEN),
        "{shown}"
    );

    let effects = press(&mut app, KeyCode::Char('u'));
    let [
        Effect::RestoreOldToken {
            request, target, ..
        },
    ] = effects.as_slice()
    else {
        panic!("u asks the runner to put the old token back: {effects:?}");
    };
    assert_eq!(*target, StoreTarget::InsecureFile, "where the old one was");
    assert!(!offers_the_old_token(&app), "not twice while it runs");
    let effects = update(
        &mut app,
        Msg::OldTokenRestored {
            request: *request,
            result: Ok(Stored {
                target: StoreTarget::InsecureFile,
                description: "the test file".into(),
            }),
        },
    );
    let (request, state) = save_request(&effects).expect("the old token is recorded again");
    let org = state.org("https://dev.azure.com/fabrikam").unwrap();
    assert_eq!(
        org.token.as_ref().and_then(|t| t.fingerprint.clone()),
        Some(crate::token::Pat::parse(OLD_TOKEN).unwrap().fingerprint()),
        "state.toml describes the old token again"
    );
    assert!(org.rotation.is_none(), "the rotation is undone");

    let effects = update(
        &mut app,
        Msg::StateSaved {
            request,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Home);
    assert!(effects.contains(&Effect::ForgetOldToken));
    assert!(
        audit_request(&effects).is_some(),
        "home audits with the old token"
    );
    let status = app.status.as_ref().unwrap();
    assert!(
        status
            .text
            .starts_with("The old token is back in the test file"),
        "{}",
        status.text
    );
    assert!(
        !app.saved_and_changed().iter().any(|s| s.contains("stored")),
        "the new token is no longer claimed stored"
    );
}

#[test]
fn the_old_token_is_offered_back_only_when_azure_devops_rejects_the_new_one() {
    let (mut app, audit) = rotated_to_permissions(true);
    audited(
        &mut app,
        audit,
        Err(TaskError::Ado(AdoError::Network {
            message: "connection reset".into(),
            timed_out: false,
        })),
    );
    assert!(
        !offers_the_old_token(&app),
        "a network failure is no reason"
    );
    assert!(press(&mut app, KeyCode::Char('u')).is_empty());

    let (mut app, audit) = rotated_to_permissions(false);
    audited(&mut app, audit, rejected());
    assert!(
        !offers_the_old_token(&app),
        "nothing to offer when the runner could not read the old token"
    );
}

#[test]
fn the_old_token_is_dropped_when_the_rotation_ends() {
    let (mut app, audit) = rotated_to_permissions(true);
    audited(&mut app, audit, Ok(report()));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Revoke);
    assert!(app.old_token.kept, "kept until the rotation ends");
    let effects = press(&mut app, KeyCode::Char('l'));
    assert_eq!(app.step(), Step::Summary);
    assert!(effects.contains(&Effect::ForgetOldToken), "{effects:?}");
    assert!(!app.old_token.kept);

    let (mut app, _) = rotated_to_permissions(true);
    app.touched = false;
    let effects = press(&mut app, KeyCode::Char('q'));
    assert!(
        matches!(
            effects.as_slice(),
            [_, Effect::ForgetOldToken, Effect::Exit { .. }]
        ),
        "quitting drops it too: {effects:?}"
    );
}

#[test]
fn a_setup_after_a_rotation_keeps_no_old_token() {
    let mut app = home();
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Home);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!((app.flow, app.step()), (Flow::Setup, Step::Organization));
    assert_eq!(
        super::old_token::old_store(&app),
        None,
        "only a rotation replaces a token"
    );
}

#[test]
fn the_demo_prefills_the_gate_step_from_its_scenario() {
    let mut app = App::new(
        super::WizardOptions {
            demo: Some(super::DemoContext {
                org_url: "http://127.0.0.1:4321/contoso".into(),
                token: secrecy::SecretString::from(TOKEN),
                webhook_url: "http://127.0.0.1:4322/ado/events".into(),
                webhook_user: "gate".into(),
                webhook_password: secrecy::SecretString::from("demo-webhook-secret"),
                token_page_url: "http://127.0.0.1:4321/_gate/token".into(),
            }),
            ..options()
        },
        super::Theme::plain(),
    );
    let org = crate::org::OrgUrl::parse("http://127.0.0.1:4321/contoso").unwrap();
    app.organization = super::steps::organization::OrganizationState::confirmed_as(org);
    super::steps::gate::on_enter(&mut app);
    let gate = &app.gate;
    assert_eq!(gate.webhook.value(), "http://127.0.0.1:4322/ado/events");
    assert_eq!(gate.user.value(), "gate");
    assert_eq!(
        gate.password.secret().expose_secret(),
        "demo-webhook-secret"
    );
    assert!(gate.required);
    assert_eq!(
        (gate.genre.value(), gate.name.value()),
        ("pr-gate", "gate"),
        "the default profile's status"
    );
    assert!(!app.touched, "pre-filled, not typed");
}
