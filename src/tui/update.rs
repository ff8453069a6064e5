//! `update`: the only place state changes. Pure: it returns the effects it wants, and never waits,
//! reads the clock, or touches the terminal or network.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::app::{App, Popup};
use crate::tui::audit_state;
use crate::tui::delivery;
use crate::tui::effect::Effect;
use crate::tui::keymap::{self, Action};
use crate::tui::msg::Msg;
use crate::tui::old_token;
use crate::tui::steps::{
    self, Step, apply, handover, home, organization, plan_review, save, summary, token_recipe,
    verify,
};
use crate::tui::view;

/// Applies `msg` to `app` and returns the side effects to run.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => {
            app.tick = app.tick.wrapping_add(1);
            Vec::new()
        }
        Msg::Key(key) => on_key(app, &key),
        Msg::Paste(text) => type_text(app, &text),
        Msg::Resized { width, height } => {
            app.size = Some((width, height));
            Vec::new()
        }
        Msg::OrgProbed { request, result } => organization::on_probed(app, request, result),
        Msg::BrowserOpened { url, result } => steps::on_browser_opened(app, url, result),
        Msg::ClipboardWritten { result } if app.step == Step::HandOver => {
            handover::on_clipboard_written(app, result)
        }
        Msg::ClipboardWritten { result } => token_recipe::on_clipboard_written(app, result),
        Msg::CheckProgress { request, event } => verify::on_progress(app, request, event),
        Msg::Verified {
            request,
            result,
            at,
        } => verify::on_verified(app, request, result, at),
        Msg::TokenStored {
            request,
            result,
            at,
        } => save::on_stored(app, request, result, at),
        Msg::OldTokenKept => {
            app.old_token.kept = true;
            Vec::new()
        }
        Msg::OldTokenRestored { request, result } => old_token::on_restored(app, request, result),
        Msg::StateSaved { request, result } => steps::on_state_saved(app, request, result),
        Msg::CalendarWritten { result } => summary::on_calendar_written(app, result),
        Msg::Started if app.step == Step::Home => home::on_start(app),
        Msg::Started => Vec::new(),
        Msg::AuditProgress { request, event } => {
            audit_state::on_progress(app, request, event);
            Vec::new()
        }
        Msg::Audited {
            request,
            result,
            at,
        } => steps::on_audited(app, request, result, at),
        Msg::ApplyProgress { request, event } => apply::on_progress(app, request, event),
        Msg::TestDelivered { request, result } => delivery::on_result(app, request, result),
        Msg::Applied {
            request,
            result,
            after,
            at,
        } => apply::on_applied(app, request, result, after, at),
    }
}

/// A key press: the action of the binding [`keymap::active`] finds for it, or a character typed
/// into the focused text field. Nothing else acts, so no key does what the screen does not say.
fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return Vec::new();
    }
    // Ctrl+C quits like `q`, but the process then exits 130 as shells expect of an interrupt.
    let interrupt = keymap::CTRL_C.matches(key);
    let action = keymap::lookup(&keymap::active(app), key);
    if app.too_small() {
        // Nothing else is on screen to confirm with.
        return match action {
            Some(Action::Quit) => exit(app, interrupt),
            _ => Vec::new(),
        };
    }
    match app.popup {
        Some(Popup::Help) => match action {
            Some(Action::Dismiss) => {
                app.popup = None;
                Vec::new()
            }
            Some(Action::Quit) => {
                app.popup = None;
                quit(app, interrupt)
            }
            Some(Action::Move(movement)) => {
                app.help_scroll = view::help_scrolled(app, movement);
                Vec::new()
            }
            _ => Vec::new(),
        },
        Some(Popup::ConfirmApply) => match action {
            Some(Action::Quit) => {
                app.popup = None;
                quit(app, interrupt)
            }
            Some(action) => plan_review::on_confirm(app, action),
            None => Vec::new(),
        },
        Some(Popup::StopApply) => match action {
            Some(Action::Quit) => exit(app, interrupt || app.quit_by_interrupt),
            Some(action) => apply::on_stop(app, action),
            None => Vec::new(),
        },
        Some(Popup::ConfirmQuit) => match action {
            Some(Action::Confirm) => exit(app, interrupt || app.quit_by_interrupt),
            Some(Action::Dismiss) => {
                app.popup = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        None => match action {
            Some(Action::Quit) => quit(app, interrupt),
            Some(Action::Help) => {
                app.popup = Some(Popup::Help);
                app.help_scroll = 0;
                Vec::new()
            }
            Some(Action::Back) => match app.previous_step() {
                Some(Step::Home) => home::return_home(app),
                Some(previous) => app.go_to(previous),
                None => quit(app, false),
            },
            Some(action) => steps::on_action(app, action),
            None => match typed_char(key) {
                Some(c) => type_text(app, c.encode_utf8(&mut [0; 4])),
                None => Vec::new(),
            },
        },
    }
}

/// Text typed or pasted goes to the focused text field, and nowhere when none is focused.
fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    if app.popup.is_some() || app.too_small() || steps::focused_field(app).is_none() {
        return Vec::new();
    }
    steps::on_text(app, text)
}

/// A printable character, including AltGr combinations (reported as Ctrl+Alt on Windows).
fn typed_char(key: &KeyEvent) -> Option<char> {
    let KeyCode::Char(c) = key.code else {
        return None;
    };
    let chord = key.modifiers.difference(KeyModifiers::SHIFT);
    let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
    (chord.is_empty() || chord == altgr).then_some(c)
}

/// Quits at once when nothing was entered, otherwise asks first; `interrupt` (Ctrl+C) is
/// remembered so that confirming the question still exits as interrupted.
fn quit(app: &mut App, interrupt: bool) -> Vec<Effect> {
    app.quit_by_interrupt = interrupt;
    if app.step == Step::Apply && app.apply.interruptible() {
        app.popup = Some(Popup::StopApply);
        Vec::new()
    } else if app.touched {
        app.popup = Some(Popup::ConfirmQuit);
        Vec::new()
    } else {
        exit(app, interrupt)
    }
}

fn exit(app: &mut App, interrupted: bool) -> Vec<Effect> {
    app.popup = None;
    let mut effects = vec![Effect::CancelStep(app.step)];
    if app.old_token.kept {
        app.old_token.kept = false;
        effects.push(Effect::ForgetOldToken);
    }
    effects.push(Effect::Exit {
        summary: app.quit_summary(),
        interrupted,
    });
    effects
}
