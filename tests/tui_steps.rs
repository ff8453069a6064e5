//! The wizard's steps after the token is pasted (verify, store, permissions, coverage, plan, apply,
//! summary) and the returning admin's home and rotation screens, each in its empty, loading, error
//! and done states. Driven by messages through `update`, rendered to a fixed 100×30 test terminal on
//! a fixed date. No terminal, no network.

mod tui_support;

use azdo_gate::ado::AdoError;
use azdo_gate::checks::{CheckEvent, CheckId, Mark};
use azdo_gate::store::StoreError;
use azdo_gate::tui::{Effect, Msg, Step, StoreTarget, Stored};
use crossterm::event::KeyCode;
use tui_support::*;

#[test]
fn verify_just_started() {
    let (app, _) = at_verify();
    let shown = screen(&app);
    assert!(shown.contains("Checking the token with Azure DevOps"));
    insta::assert_snapshot!(shown);
}

#[test]
fn verify_in_progress_shows_a_live_checklist() {
    let (mut app, request) = at_verify();
    for event in [
        CheckEvent::Started(CheckId::Format),
        CheckEvent::Finished(CheckId::Format, Mark::Pass),
        CheckEvent::Started(CheckId::Organization),
        CheckEvent::Finished(CheckId::Organization, Mark::Pass),
        CheckEvent::Started(CheckId::Repositories),
        CheckEvent::Started(CheckId::WorkWrite),
        CheckEvent::Finished(CheckId::WorkWrite, Mark::Pass),
    ] {
        send(&mut app, Msg::CheckProgress { request, event });
    }
    send(&mut app, Msg::Tick);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn verify_with_a_missing_scope_lists_every_finding_with_its_fix() {
    let (mut app, request) = at_verify();
    finish_checks(&mut app, request, &[(CheckId::BuildRead, Mark::Fail)]);
    send(
        &mut app,
        Msg::Verified {
            request,
            result: Ok(report_missing_build()),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("The token lacks the Build (Read) scope."));
    assert!(shown.contains("Fix: Edit the token"));
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        Vec::<Effect>::new(),
        "an error blocks"
    );
    assert_eq!(app.step(), Step::Verify);
    insta::assert_snapshot!(shown);
}

#[test]
fn verify_could_not_run() {
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
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn verify_done_asks_to_confirm_the_user() {
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
    let shown = screen(&app);
    assert!(shown.contains("Comments will appear as"));
    assert!(shown.contains("Gate Bot (gate-bot@fabrikam.example)"));
    insta::assert_snapshot!(shown);
}

#[test]
fn verify_done_and_confirmed() {
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
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn save_storing() {
    let (mut app, _) = at_save();
    send(&mut app, Msg::Tick);
    let shown = screen(&app);
    assert!(shown.contains("Storing the token in the OS credential store"));
    insta::assert_snapshot!(shown);
}

#[test]
fn save_stored_asks_for_the_webhook_url() {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(Stored {
                target: StoreTarget::OsStore,
                description: "Secret Service (GNOME Keyring)".into(),
            }),
            at: at(),
        },
    );
    type_text(&mut app, "http://gate.example.com/ado/events");
    let shown = screen(&app);
    assert!(shown.contains("Stored in Secret Service (GNOME Keyring)."));
    assert!(shown.contains("must use https"));
    insta::assert_snapshot!(shown);
}

#[test]
fn save_without_a_credential_store_offers_explicit_choices() {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Err(StoreError::Unavailable {
                reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into(),
                advice: "give the token through the AZURE_DEVOPS_EXT_PAT environment variable instead, or keep it in a plain-text file with --insecure-storage (mode 0600, less safe)".into(),
            }),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("DBUS_SESSION_BUS_ADDRESS is not set"));
    assert!(shown.contains("anyone who can read this file"));
    insta::assert_snapshot!(shown);
}

#[test]
fn save_in_the_insecure_file_repeats_the_warning() {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Err(StoreError::Unavailable {
                reason: "no Secret Service provider".into(),
                advice: "use the file".into(),
            }),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Char('f'));
    let [
        Effect::StoreToken {
            request, target, ..
        },
    ] = effects.as_slice()
    else {
        panic!("f stores in the file");
    };
    assert_eq!(*target, StoreTarget::InsecureFile);
    send(
        &mut app,
        Msg::TokenStored {
            request: *request,
            result: Ok(Stored {
                target: StoreTarget::InsecureFile,
                description: "insecure file ~/.config/azdo-gate/tokens.toml".into(),
            }),
            at: at(),
        },
    );
    type_text(&mut app, "https://gate.example.com/ado/events");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn save_recording_failed() {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(Stored {
                target: StoreTarget::OsStore,
                description: "Secret Service (GNOME Keyring)".into(),
            }),
            at: at(),
        },
    );
    type_text(&mut app, "https://gate.example.com/ado/events");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::SaveState { request, .. }] = effects.as_slice() else {
        panic!("Enter records the organization");
    };
    send(
        &mut app,
        Msg::StateSaved {
            request: *request,
            result: Err(StoreError::Encode {
                path: "/home/admin/.config/azdo-gate/state.toml".into(),
                detail: "disk full".into(),
            }),
        },
    );
    insta::assert_snapshot!(screen(&app));
}
