//! `update` driven by message sequences: navigation, validation as typed, stale results,
//! cancellation, paste handling and quitting.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use jiff::civil::date;
use secrecy::{ExposeSecret, SecretString};

use super::app::{App, Popup, Tone};
use super::effect::Effect;
use super::effect::StoreTarget;
use super::msg::{Msg, RequestId};
use super::steps::Step;
use super::steps::organization::OrgCheck;
use super::steps::paste_token::Field;
use super::theme::Theme;
use super::{DemoContext, WizardOptions, update};
use crate::ado::AdoError;
use crate::checks::reachability::OrgPresence;
use crate::org::OrgUrl;
use crate::store::State;

/// What the `open` crate reports when `gio open` fails: written for developers, never shown.
const LAUNCHER_FAILED: &str = r#"Launcher "gio" "open" "https://dev.azure.com/fabrikam/_usersSettings/tokens" failed with ExitStatus(unix_wait_status(512))"#;

pub(super) fn options() -> WizardOptions {
    WizardOptions {
        demo: None,
        today: date(2026, 11, 28),
        config_dir: "/home/admin/.config/azdo-gate".into(),
        storage: StoreTarget::OsStore,
        state: State::default(),
    }
}

pub(super) fn app() -> App {
    App::new(options(), Theme::plain())
}

pub(super) fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub(super) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn org(text: &str) -> OrgUrl {
    OrgUrl::parse(text).unwrap()
}

fn at_organization() -> App {
    let mut app = app();
    press(&mut app, KeyCode::Enter);
    app
}

fn probe_request(effects: &[Effect]) -> RequestId {
    match effects {
        [Effect::ProbeOrganization { request, .. }] => *request,
        other => panic!("expected one probe, got {other:?}"),
    }
}

fn probed(app: &mut App, request: RequestId, result: Result<OrgPresence, AdoError>) -> Vec<Effect> {
    update(app, Msg::OrgProbed { request, result })
}

pub(super) fn at_paste() -> App {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    let request = probe_request(&press(&mut app, KeyCode::Enter));
    probed(&mut app, request, Ok(OrgPresence::Exists));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::PasteToken);
    app
}

#[test]
fn enter_and_esc_walk_the_steps_and_leaving_cancels_the_old_step() {
    let mut app = app();
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        [Effect::CancelStep(Step::Welcome)]
    );
    assert_eq!(app.step(), Step::Organization);
    assert_eq!(
        press(&mut app, KeyCode::Esc),
        [Effect::CancelStep(Step::Organization)]
    );
    assert_eq!(app.step(), Step::Welcome);
}

#[test]
fn esc_on_welcome_quits_at_once_when_nothing_was_entered() {
    let mut app = app();
    let effects = press(&mut app, KeyCode::Esc);
    assert!(matches!(
        effects.as_slice(),
        [Effect::CancelStep(Step::Welcome), Effect::Exit { summary, .. }]
            if summary.contains("step 1 of 13") && summary.contains("Nothing was saved")
    ));
}

/// Whether the effects end the wizard as interrupted (`Some(true)`: the process exits 130).
fn ends_interrupted(effects: &[Effect]) -> Option<bool> {
    match effects.last() {
        Some(Effect::Exit { interrupted, .. }) => Some(*interrupted),
        _ => None,
    }
}

#[test]
fn ctrl_c_ends_as_interrupted_and_q_or_esc_do_not() {
    assert_eq!(ends_interrupted(&ctrl(&mut app(), 'c')), Some(true));
    assert_eq!(
        ends_interrupted(&press(&mut app(), KeyCode::Char('q'))),
        Some(false)
    );
    assert_eq!(
        ends_interrupted(&press(&mut app(), KeyCode::Esc)),
        Some(false)
    );
    // Asked first (something was typed): confirming a Ctrl+C with y is still an interrupt …
    let mut typed = at_organization();
    type_text(&mut typed, "fab");
    assert!(ctrl(&mut typed, 'c').is_empty());
    assert_eq!(
        ends_interrupted(&press(&mut typed, KeyCode::Char('y'))),
        Some(true)
    );
    // … and Ctrl+C twice too; a quit asked by Esc and confirmed with y is not.
    let mut twice = at_organization();
    type_text(&mut twice, "fab");
    ctrl(&mut twice, 'c');
    assert_eq!(ends_interrupted(&ctrl(&mut twice, 'c')), Some(true));
    let mut esc = at_organization();
    type_text(&mut esc, "fab");
    press(&mut esc, KeyCode::Esc);
    press(&mut esc, KeyCode::Esc);
    assert_eq!(esc.popup, Some(Popup::ConfirmQuit));
    assert_eq!(
        ends_interrupted(&press(&mut esc, KeyCode::Char('y'))),
        Some(false)
    );
}

#[test]
fn key_releases_are_ignored() {
    let mut app = app();
    let release = KeyEvent::new_with_kind_and_state(
        KeyCode::Enter,
        KeyModifiers::NONE,
        KeyEventKind::Release,
        KeyEventState::NONE,
    );
    assert!(update(&mut app, Msg::Key(release)).is_empty());
    assert_eq!(app.step(), Step::Welcome);
}

#[test]
fn the_organization_is_validated_as_typed() {
    let mut app = at_organization();
    type_text(&mut app, "fab_");
    assert!(app.organization.parsed.is_err());
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "no check for an invalid name"
    );
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "rikam");
    assert_eq!(app.organization.parsed, Ok(org("fabrikam")));
    ctrl(&mut app, 'u');
    assert_eq!(app.organization.input.value(), "");
}

#[test]
fn question_mark_is_text_on_an_input_step_and_f1_is_help() {
    let mut app = at_organization();
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.organization.input.value(), "?");
    assert_eq!(app.popup, None);
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.popup, Some(Popup::Help));
    type_text(&mut app, "abc");
    assert_eq!(app.organization.input.value(), "?", "keys go to the popup");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
    assert_eq!(app.step(), Step::Organization, "Esc closed the popup only");
    press(&mut app, KeyCode::F(1));
    ctrl(&mut app, 'c');
    assert_eq!(
        app.popup,
        Some(Popup::ConfirmQuit),
        "Ctrl+C quits from the help too"
    );
}

#[test]
fn enter_checks_then_an_existing_organization_moves_on() {
    let mut app = at_organization();
    type_text(&mut app, "https://dev.azure.com/fabrikam/Project");
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::ProbeOrganization {
            request: RequestId(1),
            org: org("fabrikam")
        }]
    );
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "one check at a time"
    );
    let effects = probed(&mut app, RequestId(1), Ok(OrgPresence::Exists));
    assert_eq!(effects, [Effect::CancelStep(Step::Organization)]);
    assert_eq!(app.step(), Step::TokenRecipe);

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.organization.check, OrgCheck::Exists(org("fabrikam")));
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        [Effect::CancelStep(Step::Organization)],
        "a confirmed organization is not checked again"
    );
    assert_eq!(app.step(), Step::TokenRecipe);
}

#[test]
fn not_found_and_errors_stay_on_the_step_and_enter_retries() {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    let first = probe_request(&press(&mut app, KeyCode::Enter));
    assert!(probed(&mut app, first, Ok(OrgPresence::NotFound)).is_empty());
    assert_eq!(app.organization.check, OrgCheck::NotFound(org("fabrikam")));
    let second = probe_request(&press(&mut app, KeyCode::Enter));
    assert_ne!(first, second);
    let error = AdoError::Network {
        message: "connection refused".into(),
        timed_out: false,
    };
    probed(&mut app, second, Err(error.clone()));
    assert_eq!(
        app.organization.check,
        OrgCheck::Failed {
            org: org("fabrikam"),
            error
        }
    );
    assert_eq!(app.step(), Step::Organization);
}

#[test]
fn typing_during_a_check_cancels_it_and_its_late_answer_is_ignored() {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    let stale = probe_request(&press(&mut app, KeyCode::Enter));
    assert_eq!(
        press(&mut app, KeyCode::Char('x')),
        [Effect::CancelStep(Step::Organization)]
    );
    assert_eq!(app.organization.check, OrgCheck::NotChecked);
    assert!(probed(&mut app, stale, Ok(OrgPresence::Exists)).is_empty());
    assert_eq!(app.organization.check, OrgCheck::NotChecked);
    assert_eq!(app.step(), Step::Organization);

    let current = probe_request(&press(&mut app, KeyCode::Enter));
    probed(&mut app, stale, Ok(OrgPresence::Exists));
    assert!(
        matches!(app.organization.check, OrgCheck::Checking { request, .. } if request == current),
        "an old answer does not settle the new check"
    );
}

#[test]
fn editing_after_a_result_invalidates_it() {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    let request = probe_request(&press(&mut app, KeyCode::Enter));
    probed(&mut app, request, Ok(OrgPresence::NotFound));
    assert!(
        press(&mut app, KeyCode::Backspace).is_empty(),
        "nothing to cancel"
    );
    assert_eq!(app.organization.check, OrgCheck::NotChecked);
}

#[test]
fn leaving_during_a_check_cancels_it() {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    let request = probe_request(&press(&mut app, KeyCode::Enter));
    assert_eq!(
        press(&mut app, KeyCode::Esc),
        [Effect::CancelStep(Step::Organization)]
    );
    assert_eq!(app.organization.check, OrgCheck::NotChecked);
    assert!(probed(&mut app, request, Ok(OrgPresence::Exists)).is_empty());
    assert_eq!(app.step(), Step::Welcome);
}

#[test]
fn the_recipe_opens_and_copies_the_tokens_page() {
    let mut app = at_paste();
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::TokenRecipe);
    let page = "https://dev.azure.com/fabrikam/_usersSettings/tokens".to_owned();
    assert_eq!(
        press(&mut app, KeyCode::Char('o')),
        [Effect::OpenUrl(page.clone())]
    );
    assert_eq!(
        press(&mut app, KeyCode::Char('c')),
        [Effect::CopyToClipboard(page.clone())]
    );
    update(
        &mut app,
        Msg::BrowserOpened {
            url: page.clone(),
            result: Err(LAUNCHER_FAILED.into()),
        },
    );
    let status = app.status.clone().unwrap();
    assert_eq!(status.tone, Tone::Error);
    assert_eq!(
        status.text,
        format!("Could not open a browser here: open {page} in your browser by hand.")
    );
    update(&mut app, Msg::ClipboardWritten { result: Ok(()) });
    assert_eq!(app.status.as_ref().unwrap().tone, Tone::Info);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.status, None, "a status belongs to its step");
}

#[test]
fn a_paste_is_cleaned_around_the_token_and_refused_with_a_break_inside() {
    let mut app = at_paste();
    update(&mut app, Msg::Paste(" \tabcdef \r\n".into()));
    assert!(app.touched);
    assert_eq!(app.paste.pat().unwrap().secret().expose_secret(), "abcdef");
    assert_eq!(app.paste.refusal, None);
    ctrl(&mut app, 'u');
    assert!(app.paste.token.is_empty());

    update(&mut app, Msg::Paste("abc\r\ndef\n".into()));
    let refusal = app.paste.refusal.clone().unwrap();
    assert!(
        refusal.contains("a line break at position 4 of"),
        "{refusal}"
    );
    assert!(!refusal.contains("abc"), "never the token: {refusal}");
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "nothing is sent"
    );
    assert_eq!(app.step(), Step::PasteToken);
    press(&mut app, KeyCode::Backspace);
    assert!(app.paste.refusal.is_some(), "still a break inside");
}

#[test]
fn a_paste_into_the_organization_field_is_one_line() {
    let mut app = at_organization();
    update(
        &mut app,
        Msg::Paste("https://dev.azure.com/fabrikam\n".into()),
    );
    assert_eq!(app.organization.parsed, Ok(org("fabrikam")));
}

#[test]
fn a_paste_while_a_popup_is_open_is_dropped() {
    let mut app = at_paste();
    press(&mut app, KeyCode::F(1));
    update(&mut app, Msg::Paste("secret".into()));
    assert!(app.paste.token.is_empty());
}

#[test]
fn tab_switches_fields_and_enter_points_at_the_first_problem() {
    let mut app = at_paste();
    assert_eq!(app.paste.focus, Field::Token);
    press(&mut app, KeyCode::Enter);
    assert!(app.paste.submitted);
    assert_eq!(app.paste.focus, Field::Token);
    assert_eq!(app.step(), Step::PasteToken);

    type_text(&mut app, "tok");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.paste.focus, Field::Expiry);
    assert_eq!(app.paste.expiry.value(), "2027-11-28");
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "9");
    assert_eq!(app.paste.expiry.value(), "2027-11-29");
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.paste.focus,
        Field::Expiry,
        "a date past the one-year maximum"
    );
    assert_eq!(app.paste.token.secret().expose_secret(), "tok");
}

#[test]
fn quitting_after_typing_asks_first() {
    let mut app = at_organization();
    type_text(&mut app, "fab");
    assert!(ctrl(&mut app, 'c').is_empty());
    assert_eq!(app.popup, Some(Popup::ConfirmQuit));
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "Enter is not yes"
    );
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.popup, None);
    assert_eq!(app.organization.input.value(), "fab");
    ctrl(&mut app, 'c');
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::CancelStep(Step::Organization), Effect::Exit { .. }]
    ));
}

#[test]
fn the_summary_reminds_to_revoke_a_pasted_token() {
    let mut app = at_paste();
    update(&mut app, Msg::Paste("abcdef".into()));
    ctrl(&mut app, 'c');
    let effects = press(&mut app, KeyCode::Char('y'));
    let Some(Effect::Exit { summary, .. }) = effects.last() else {
        panic!("y quits");
    };
    assert!(summary.contains("step 4 of 13 (Paste the token)"));
    assert!(summary.contains("revoke it: https://dev.azure.com/fabrikam/_usersSettings/tokens"));
    assert!(!summary.contains("abcdef"));
}

#[test]
fn the_demo_prefills_without_counting_as_typed() {
    let mut app = App::new(
        WizardOptions {
            demo: Some(DemoContext {
                org_url: "http://127.0.0.1:4321/contoso".into(),
                token: SecretString::from("demo-token".to_owned()),
                webhook_url: "https://gate.example.com/ado/events".into(),
                webhook_user: "gate".into(),
                webhook_password: SecretString::from("demo-webhook-secret"),
                token_page_url: "http://127.0.0.1:4321/_gate/token".into(),
            }),
            ..options()
        },
        Theme::plain(),
    );
    assert_eq!(app.paste.token.len(), 10);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.organization.parsed,
        Ok(org("http://127.0.0.1:4321/contoso"))
    );
    let effects = ctrl(&mut app, 'c');
    assert!(
        matches!(effects.last(), Some(Effect::Exit { .. })),
        "nothing typed: quits at once"
    );
}

#[test]
fn ticks_advance_the_spinner() {
    let mut app = app();
    update(&mut app, Msg::Tick);
    update(&mut app, Msg::Tick);
    assert_eq!(app.tick, 2);
}
