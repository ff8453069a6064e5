//! The wizard's keys never lie. For every step and every state built here, each key the screen
//! advertises (footer and help both come from `keymap::active`) changes the state, the effects or
//! the screen; no printable key it does not advertise (nor Shift+Tab) changes anything, unless a
//! text field is visibly focused (its title marked `▶`) and takes it as text. While the terminal is
//! too small, only quitting works.

// A helper that cannot set a test up should stop it right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use azdo_gate::ado::AdoError;
use azdo_gate::plan::{ActionKind, ActionResult, Outcome};
use azdo_gate::store::{State, StoreError};
use azdo_gate::tui::keymap::{self, Key};
use azdo_gate::tui::{App, Effect, Msg, TaskError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::civil::date;
use ratatui::layout::Position;
use tui_support::*;

/// What the admin can observe: the screen, the terminal cursor, and what the wizard asks the
/// runner to do.
type Look = (String, Position);

fn look(app: &App) -> Look {
    let mut terminal = screen_sized(app, 100, 30);
    let text = terminal.backend().to_string();
    (text, terminal.get_cursor_position().unwrap())
}

/// A state to check, rebuilt for every key (the wizard's state is deliberately not `Clone`).
type Build = fn() -> App;

fn verify_done(report: azdo_gate::checks::TokenReport) -> App {
    verify_answered(Some(&[]), Ok(report))
}

fn save_failed() -> App {
    save_answered(Err(no_keyring()))
}

fn save_stored() -> App {
    save_answered(Ok(keyring_stored()))
}

fn apply_done(failed: bool) -> App {
    let (mut app, request, plan) = at_apply();
    let first_work = plan.actions.iter().position(|a| a.kind.is_work());
    let results = plan
        .actions
        .iter()
        .enumerate()
        .map(|(index, action)| {
            let outcome = match action.kind {
                ActionKind::Skip => Outcome::Skipped,
                _ if failed && Some(index) == first_work => Outcome::Failed,
                _ => Outcome::Done,
            };
            ActionResult {
                index,
                outcome,
                error: (outcome == Outcome::Failed).then(|| "refused".to_owned()),
            }
        })
        .collect();
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(results),
            after: None,
            at: at(),
        },
    );
    app
}

/// A rotation whose new token could not be written, the old one kept: it may be put back.
fn rotation_save_failed() -> App {
    let mut app = home_audited(date(2026, 12, 18));
    key(&mut app, KeyCode::Char('r'));
    key(&mut app, KeyCode::Enter);
    send(
        &mut app,
        Msg::Paste(
            "DemoGateBotRotatedToken0123456789abcdefghijklmnopqrsJQQJ99xAGateBot00050AAAAAZDOZz99"
                .into(),
        ),
    );
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
    send(&mut app, Msg::OldTokenKept);
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Err(StoreError::Unavailable {
                reason: "the keyring is locked".into(),
                advice: "unlock it".into(),
            }),
            at: at(),
        },
    );
    assert!(screen(&app).contains("put the old token back"));
    app
}

fn two_organizations() -> App {
    let mut state = State::default();
    remember(&mut state, "fabrikam", date(2027, 6, 1));
    remember(&mut state, "contoso", date(2027, 6, 1));
    home(state).0
}

fn states() -> Vec<(&'static str, Build)> {
    vec![
        ("welcome", app),
        ("welcome, help open", || {
            let mut app = app();
            key(&mut app, KeyCode::Char('?'));
            app
        }),
        ("organization, empty", || {
            let mut app = app();
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("organization, typed", || {
            let mut app = app();
            key(&mut app, KeyCode::Enter);
            type_text(&mut app, "fabrikam");
            app
        }),
        ("organization, cursor inside", || {
            let mut app = app();
            key(&mut app, KeyCode::Enter);
            type_text(&mut app, "fabrikam");
            key(&mut app, KeyCode::Left);
            app
        }),
        ("organization, checking", || {
            let mut app = app();
            key(&mut app, KeyCode::Enter);
            type_text(&mut app, "fabrikam");
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("organization, quit asks", || {
            let mut app = app();
            key(&mut app, KeyCode::Enter);
            type_text(&mut app, "fabrikam");
            ctrl(&mut app, 'c');
            app
        }),
        ("token recipe", || {
            let mut app = at_paste();
            key(&mut app, KeyCode::Esc);
            app
        }),
        ("paste, empty", at_paste),
        ("paste, refused", || {
            let mut app = at_paste();
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("paste, token in", || {
            let mut app = at_paste();
            send(&mut app, Msg::Paste(TOKEN.into()));
            app
        }),
        ("paste, expiry focused", || {
            let mut app = at_paste();
            key(&mut app, KeyCode::Tab);
            app
        }),
        ("verify, running", || at_verify().0),
        ("verify, user to confirm", || verify_done(report_clean())),
        ("verify, blocked", || verify_done(report_missing_build())),
        ("verify, could not run", || {
            let (mut app, request) = at_verify();
            send(
                &mut app,
                Msg::Verified {
                    request,
                    result: Err(AdoError::Network {
                        message: "connection refused".into(),
                        timed_out: false,
                    }),
                    at: at(),
                },
            );
            app
        }),
        ("verify, ready", verified),
        ("hand-over, page asked", at_handover),
        ("hand-over, page known", || {
            let mut app = at_handover();
            type_text(&mut app, GATE_PAGE);
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("save, storing", || at_save().0),
        ("save, no keyring", save_failed),
        ("save, no keyring, file highlighted", || {
            let mut app = save_failed();
            key(&mut app, KeyCode::Up);
            key(&mut app, KeyCode::Up);
            app
        }),
        ("save, stored", save_stored),
        ("revoke", at_revoke),
        ("gate, webhook empty", at_gate),
        ("gate, webhook refused", || {
            let mut app = at_gate();
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("gate, webhook typed", || {
            let mut app = at_gate();
            type_text(&mut app, WEBHOOK);
            app
        }),
        ("gate, password focused", || {
            let mut app = at_gate();
            type_text(&mut app, WEBHOOK);
            key(&mut app, KeyCode::Tab);
            key(&mut app, KeyCode::Tab);
            app
        }),
        ("gate, password typed", || {
            let mut app = at_gate();
            type_text(&mut app, WEBHOOK);
            key(&mut app, KeyCode::Tab);
            type_text(&mut app, "gate");
            key(&mut app, KeyCode::Tab);
            type_text(&mut app, "s3cret");
            app
        }),
        ("gate, status switch focused", || {
            let mut app = at_gate();
            type_text(&mut app, WEBHOOK);
            for _ in 0..3 {
                key(&mut app, KeyCode::Tab);
            }
            app
        }),
        ("permissions, auditing", || at_permissions().0),
        ("permissions, could not audit", || {
            let (mut app, request) = at_permissions();
            send(
                &mut app,
                Msg::Audited {
                    request,
                    result: Err(TaskError::Ado(AdoError::Network {
                        message: "connection reset".into(),
                        timed_out: false,
                    })),
                    at: at(),
                },
            );
            app
        }),
        ("permissions, table", || audited(demo_report())),
        ("coverage", at_coverage),
        ("coverage, cursor inside", || {
            let mut app = at_coverage();
            key(&mut app, KeyCode::Down);
            key(&mut app, KeyCode::Down);
            app
        }),
        ("coverage, nothing selected", || {
            let mut app = at_coverage();
            key(&mut app, KeyCode::Char('n'));
            app
        }),
        ("coverage, filtering", || {
            let mut app = at_coverage();
            key(&mut app, KeyCode::Char('/'));
            type_text(&mut app, "store");
            app
        }),
        ("plan", at_plan),
        ("plan, confirmation", || {
            let mut app = at_plan();
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("plan, confirmation, apply highlighted", || {
            let mut app = at_plan();
            key(&mut app, KeyCode::Enter);
            key(&mut app, KeyCode::Tab);
            app
        }),
        ("apply, running", || at_apply().0),
        ("apply, stop asked", || {
            let mut app = at_apply().0;
            key(&mut app, KeyCode::Char('q'));
            app
        }),
        ("apply, done", || apply_done(false)),
        ("apply, done with a failure", || apply_done(true)),
        ("summary", || {
            let mut app = apply_done(false);
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("home, auditing", || {
            let mut state = State::default();
            remember(&mut state, "fabrikam", date(2027, 6, 1));
            home(state).0
        }),
        ("home, audited", || home_audited(date(2026, 12, 18))),
        ("home, two organizations", two_organizations),
        ("rotation, store failed", rotation_save_failed),
        ("rotation, store failed, old token highlighted", || {
            let mut app = rotation_save_failed();
            key(&mut app, KeyCode::Down);
            app
        }),
        ("rotation, putting the old token back", || {
            let mut app = rotation_save_failed();
            key(&mut app, KeyCode::Down);
            key(&mut app, KeyCode::Enter);
            app
        }),
        ("rotation, recipe", || {
            let mut app = home_audited(date(2026, 12, 18));
            key(&mut app, KeyCode::Char('r'));
            app
        }),
    ]
}

/// Printable ASCII and Shift+Tab (what tmux sends as `ESC [ Z`).
fn probes() -> Vec<KeyEvent> {
    (' '..='~')
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .chain([KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)])
        .collect()
}

fn advertised(app: &App) -> Vec<(Key, &'static str)> {
    keymap::active(app)
        .iter()
        .flat_map(|b| b.keys.iter().map(move |k| (*k, b.help)))
        .collect()
}

/// A title marked `▶` on a bordered field: the field that takes typing.
fn typing_visible(screen: &str) -> bool {
    screen.contains("┌ ▶ ")
}

#[test]
fn every_advertised_key_acts_and_no_other_printable_key_does() {
    let mut failures = Vec::new();
    for (name, build) in states() {
        let reference = build();
        let before = look(&reference);
        let keys = advertised(&reference);
        for (key, help) in &keys {
            let mut app = build();
            // The runner draws before every key: some lists page by what was last drawn.
            look(&app);
            let effects = send(&mut app, Msg::Key(key.event()));
            if effects.is_empty() && look(&app) == before {
                failures.push(format!(
                    "{name}: {} is advertised (\"{help}\") but does nothing",
                    key.label()
                ));
            }
        }
        for probe in probes() {
            if keys.iter().any(|(k, _)| k.matches(&probe)) {
                continue;
            }
            let mut app = build();
            look(&app);
            let effects = send(&mut app, Msg::Key(probe));
            let changed = !effects.is_empty() || look(&app) != before;
            // Typing into the focused field may cancel a check of the old text, never start anything.
            let typed = typing_visible(&before.0)
                && effects.iter().all(|e| matches!(e, Effect::CancelStep(_)));
            if changed && !typed {
                failures.push(format!(
                    "{name}: {:?} is not advertised but changed {}",
                    probe.code,
                    if effects.is_empty() {
                        "the screen".to_owned()
                    } else {
                        format!("the effects: {effects:?}")
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_states_checked_cover_every_step() {
    let steps: std::collections::BTreeSet<String> = states()
        .iter()
        .map(|(_, build)| format!("{:?}", build().step()))
        .collect();
    for step in [
        "Welcome",
        "Organization",
        "TokenRecipe",
        "PasteToken",
        "Verify",
        "HandOver",
        "Gate",
        "Save",
        "Permissions",
        "Coverage",
        "Plan",
        "Apply",
        "Summary",
        "Home",
        "Revoke",
    ] {
        assert!(steps.contains(step), "no state checked on {step}");
    }
}

#[test]
fn while_the_terminal_is_too_small_only_quitting_works() {
    let mut app = at_plan();
    send(
        &mut app,
        Msg::Resized {
            width: 50,
            height: 12,
        },
    );
    let shown = screen_sized(&app, 50, 12).backend().to_string();
    assert!(shown.contains("Please enlarge the terminal"), "{shown}");
    let behind = look(&app);
    for code in [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('y'),
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Char('?'),
        KeyCode::Esc,
        KeyCode::Down,
    ] {
        assert!(key(&mut app, code).is_empty(), "{code:?} acted");
    }
    send(&mut app, Msg::Paste("https://gate.example.com".into()));
    assert_eq!(app.step(), azdo_gate::tui::Step::Plan, "nothing moved on");
    assert!(look(&app) == behind, "nothing changed behind the message");
    assert_eq!(
        keymap::active(&app)
            .iter()
            .map(keymap::keys_label)
            .collect::<Vec<_>>(),
        ["q/Ctrl+C"]
    );

    // Back to a usable size, the keys work again.
    send(
        &mut app,
        Msg::Resized {
            width: 80,
            height: 24,
        },
    );
    assert!(
        !screen(&app).contains("Apply 9 changes to fabrikam?"),
        "no confirmation was opened unseen"
    );
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "Enter only asks");
    assert!(screen(&app).contains("Apply 9 changes to fabrikam?"));

    // q quits at once: there is no room to ask.
    send(
        &mut app,
        Msg::Resized {
            width: 50,
            height: 12,
        },
    );
    let effects = key(&mut app, KeyCode::Char('q'));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Exit { .. })),
        "{effects:?}"
    );
}

#[test]
fn edit_token_on_verify_focuses_the_token_field_even_after_the_expiry() {
    let mut app = at_paste();
    send(&mut app, Msg::Paste(TOKEN.into()));
    key(&mut app, KeyCode::Tab);
    assert!(screen(&app).contains("┌ ▶ Expires on"));
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::VerifyToken { .. }))
    );
    key(&mut app, KeyCode::Char('e'));
    let shown = screen(&app);
    assert!(shown.contains("┌ ▶ Token"), "{shown}");
    assert!(!shown.contains("┌ ▶ Expires on"), "{shown}");
    send(&mut app, Msg::Paste("pasted-again".into()));
    assert!(
        screen(&app).contains("Expires on (YYYY-MM-DD)"),
        "the expiry is untouched"
    );
    assert!(
        !screen(&app).contains("pasted-again"),
        "a paste never shows"
    );
}

#[test]
fn shift_tab_as_tmux_sends_it_switches_back() {
    let mut app = at_paste();
    key(&mut app, KeyCode::Tab);
    assert!(screen(&app).contains("┌ ▶ Expires on"));
    send(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert!(screen(&app).contains("┌ ▶ Token"));
}

/// `a` (select the missing) and `n` (select none) are offered exactly while they would change the
/// selection of the repositories shown — kept as counts in the state, so each change of selection
/// or filter must keep them true.
#[test]
fn a_and_n_are_offered_exactly_while_they_would_change_the_selection() {
    let offered = |app: &App, c: char| {
        let event = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        keymap::active(app)
            .iter()
            .any(|b| b.keys.iter().any(|k| k.matches(&event)))
    };
    let mut app = at_coverage();
    // What is not covered starts selected: nothing for `a` to add.
    assert!(!offered(&app, 'a') && offered(&app, 'n'));
    key(&mut app, KeyCode::Char('n'));
    assert!(offered(&app, 'a') && !offered(&app, 'n'));
    key(&mut app, KeyCode::Char('a'));
    assert!(!offered(&app, 'a') && offered(&app, 'n'));
    // The cursor is on the Payments heading: Space unselects its two missing repositories.
    key(&mut app, KeyCode::Char(' '));
    assert!(offered(&app, 'a') && offered(&app, 'n'));
    // Only a covered, unselected repository shown: neither key would change anything.
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "platform-infra");
    key(&mut app, KeyCode::Enter);
    assert!(!offered(&app, 'a') && !offered(&app, 'n'));
    // The filter cleared: the Payments repositories are shown again, unselected.
    key(&mut app, KeyCode::Char('/'));
    ctrl(&mut app, 'u');
    key(&mut app, KeyCode::Enter);
    assert!(offered(&app, 'a') && offered(&app, 'n'));
}
