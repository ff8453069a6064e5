//! The wizard's steps after the token is pasted (verify, store, permissions, coverage, plan, apply,
//! summary) and the returning admin's home and rotation screens, each in its empty, loading, error
//! and done states. Driven by messages through `update`, rendered to a fixed 100×30 test terminal on
//! a fixed date. No terminal, no network.

// A helper that cannot set a test up should stop it right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use azdo_gate::ado::AdoError;
use azdo_gate::audit::{AuditEvent, AuditPhase, Coverage};
use azdo_gate::checks::{CheckEvent, CheckId, Mark};
use azdo_gate::org::Identity;
use azdo_gate::plan::{ActionKind, ApplyEvent, Outcome};
use azdo_gate::store::{CredentialStore, FileStore, HandOver, State, StoreError};
use azdo_gate::tui::{App, Effect, Msg, Step, StoreTarget, Stored, TaskError};
use crossterm::event::KeyCode;
use jiff::civil::date;
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
    let mut app = verify_answered(
        Some(&[(CheckId::BuildRead, Mark::Fail)]),
        Ok(report_missing_build()),
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
    let app = verify_answered(
        None,
        Err(AdoError::Network {
            message: "connection refused".into(),
            timed_out: false,
        }),
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn verify_done_asks_to_confirm_the_user() {
    let app = verify_answered(Some(&[]), Ok(report_clean()));
    let shown = screen(&app);
    assert!(shown.contains("Comments will appear as"));
    assert!(shown.contains("Gate Bot (gate-bot@fabrikam.example)"));
    insta::assert_snapshot!(shown);
}

#[test]
fn verify_done_and_confirmed() {
    let app = verified();
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
fn save_stored_shows_only_the_storage() {
    let app = save_answered(Ok(keyring_stored()));
    let shown = screen(&app);
    assert!(shown.contains("Stored in Secret Service (GNOME Keyring)."));
    assert!(
        !shown.contains("Webhook URL"),
        "the gate step asked for it: {shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn save_without_a_credential_store_offers_explicit_choices() {
    let app = save_answered(Err(no_keyring()));
    let shown = screen(&app);
    assert!(shown.contains("DBUS_SESSION_BUS_ADDRESS is not set"));
    assert!(shown.contains("anyone who can read this file"));
    insta::assert_snapshot!(shown);
}

#[test]
fn save_in_the_insecure_file_repeats_the_warning() {
    let mut app = save_answered(Err(no_keyring()));
    assert!(
        key(&mut app, KeyCode::Char('f')).is_empty(),
        "no letter chooses"
    );
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    let effects = key(&mut app, KeyCode::Enter);
    let [
        Effect::StoreToken {
            request, target, ..
        },
    ] = effects.as_slice()
    else {
        panic!("Enter on the highlighted file choice stores in the file");
    };
    assert_eq!(*target, StoreTarget::InsecureFile);
    send(
        &mut app,
        Msg::TokenStored {
            request: *request,
            result: Ok(Stored {
                target: StoreTarget::InsecureFile,
                // As the runner describes the file it stored in.
                description: FileStore::new(std::path::Path::new(CONFIG_DIR)).describe(),
            }),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert_eq!(shown.matches("unencrypted").count(), 1, "once:\n{shown}");
    insta::assert_snapshot!(shown);
}

/// The field's counter and the refusal count the same characters: surrounding whitespace, which
/// is never sent, counts in neither.
#[test]
fn the_token_counter_and_the_refusal_give_the_same_length() {
    let mut app = at_paste();
    send(
        &mut app,
        Msg::Paste("  abcdefghijklmn opqrstuvwxyz01234 \n".into()),
    );
    let shown = screen(&app);
    assert!(shown.contains("32 characters"), "{shown}");
    assert!(shown.contains("a space at position 15 of 32"), "{shown}");
}

#[test]
fn save_recording_failed() {
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

// ---- the gate step ------------------------------------------------------------------------------

fn sized(app: &App, width: u16, height: u16) -> String {
    screen_sized(app, width, height).backend().to_string()
}

fn shift_tab(app: &mut App) -> Vec<Effect> {
    send(
        app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::BackTab,
            crossterm::event::KeyModifiers::SHIFT,
        )),
    )
}

#[test]
fn gate_asks_the_webhook_its_basic_auth_and_the_status_policy() {
    let app = at_gate();
    let small = sized(&app, 80, 24);
    assert!(
        small.contains("Step 7 of 13 · What the gate needs"),
        "{small}"
    );
    assert!(small.contains("▶ Webhook URL"), "the focus shows: {small}");
    assert!(small.contains("[x] Require the gate's status"), "{small}");
    insta::assert_snapshot!("gate_first_time_80x24", small);
    insta::assert_snapshot!("gate_first_time_120x40", sized(&app, 120, 40));
}

#[test]
fn gate_filled_in_shows_the_password_as_bullets_only() {
    let mut app = at_gate();
    type_text(&mut app, WEBHOOK);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "gate-hook");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret-fm");
    let small = sized(&app, 80, 24);
    assert!(!small.contains("s3cret"), "{small}");
    assert!(small.contains("•••••••••"), "{small}");
    assert!(small.contains("▶ Password"), "{small}");
    insta::assert_snapshot!("gate_filled_in_80x24", small);
    insta::assert_snapshot!("gate_filled_in_120x40", sized(&app, 120, 40));
}

#[test]
fn gate_without_the_status_policy_hides_its_fields() {
    let mut app = at_gate();
    type_text(&mut app, WEBHOOK);
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::Char(' '));
    let small = sized(&app, 80, 24);
    assert!(small.contains("▶ [ ] Require the gate's status"), "{small}");
    assert!(small.contains("Not required"), "{small}");
    assert!(!small.contains("Status name"), "{small}");
    insta::assert_snapshot!("gate_without_the_status_policy_80x24", small);
    insta::assert_snapshot!(
        "gate_without_the_status_policy_120x40",
        sized(&app, 120, 40)
    );
}

#[test]
fn gate_says_what_is_wrong_and_focuses_it() {
    let mut app = at_gate();
    type_text(&mut app, WEBHOOK);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "nothing stored");
    assert_eq!(app.step(), Step::Gate);
    let small = sized(&app, 80, 24);
    assert!(small.contains("Enter the user too"), "{small}");
    assert!(
        small.contains("▶ User"),
        "the field to fix has the focus: {small}"
    );
    insta::assert_snapshot!("gate_says_what_is_wrong_80x24", small);
}

#[test]
fn gate_keys_go_only_to_the_focused_field_and_the_password_only_to_the_store() {
    let mut app = at_gate();
    // Letters that are choices elsewhere (f, m, q) are text here.
    type_text(&mut app, "https://gate.fabrikam.example/m?q=1");
    assert!(sized(&app, 120, 40).contains("https://gate.fabrikam.example/m?q=1"));
    ctrl(&mut app, 'u');
    type_text(&mut app, WEBHOOK);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "gate-hook");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret-fm");
    key(&mut app, KeyCode::Tab);
    // On the switch, letters do nothing (only `?` and `q`, help and quit, as the footer says);
    // Space flips it; Shift+Tab goes back.
    let before = sized(&app, 120, 40);
    for c in "fmyx".chars() {
        assert!(key(&mut app, KeyCode::Char(c)).is_empty());
    }
    assert_eq!(sized(&app, 120, 40), before);
    key(&mut app, KeyCode::Char(' '));
    assert!(sized(&app, 120, 40).contains("[ ] Require"));
    shift_tab(&mut app);
    assert!(sized(&app, 120, 40).contains("▶ Password"));
    key(&mut app, KeyCode::Backspace);
    type_text(&mut app, "m");

    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Save);
    let Some((request, password)) = effects.iter().find_map(|e| match e {
        Effect::StoreToken {
            request,
            webhook_password,
            ..
        } => Some((*request, webhook_password.clone())),
        _ => None,
    }) else {
        panic!("the save step stores the token");
    };
    let password = password.expect("the password goes to the store with the token");
    assert_eq!(
        password.entry,
        "webhook-password:https://dev.azure.com/fabrikam"
    );
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&password.password),
        "s3cret-fm"
    );
    assert!(!format!("{password:?}").contains("s3cret"));
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(keyring_stored()),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Enter);
    let Some(state) = effects.iter().find_map(|e| match e {
        Effect::SaveState { state, .. } => Some(state.clone()),
        _ => None,
    }) else {
        panic!("Enter records the organization");
    };
    let profile =
        azdo_gate::profile::GateProfile::from_table(&state.org(FABRIKAM).unwrap().profile).unwrap();
    assert_eq!(profile.require_webhook_url().unwrap(), WEBHOOK);
    assert_eq!(profile.basic_auth_user.as_deref(), Some("gate-hook"));
    assert_eq!(
        profile.basic_auth_secret.as_deref(),
        Some(password.entry.as_str())
    );
    assert!(!profile.status_check.required);
    let written = toml::to_string(&state).unwrap();
    assert!(!written.contains("s3cret"), "{written}");
}

// ---- permissions -------------------------------------------------------------------------------

#[test]
fn permissions_auditing_shows_a_progress_bar() {
    let (mut app, request) = at_permissions();
    for (phase, done, total) in [
        (AuditPhase::Identity, 1, 1),
        (AuditPhase::Repositories, 1, 1),
        (AuditPhase::Projects, 0, 1),
        (AuditPhase::Permissions, 1, 3),
        (AuditPhase::Subscriptions, 0, 1),
    ] {
        send(
            &mut app,
            Msg::AuditProgress {
                request,
                event: AuditEvent::Phase { phase, done, total },
            },
        );
    }
    send(&mut app, Msg::Tick);
    let shown = screen(&app);
    assert!(shown.contains("Checking what Gate Bot may do in every project"));
    insta::assert_snapshot!(shown);
}

#[test]
fn permissions_could_not_audit() {
    let (mut app, request) = at_permissions();
    send(
        &mut app,
        Msg::Audited {
            request,
            result: Err(TaskError::Ado(AdoError::Server {
                status: 503,
                message: "Service Unavailable".into(),
            })),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Press r to try again."));
    let effects = key(&mut app, KeyCode::Char('r'));
    assert!(matches!(effects.as_slice(), [Effect::RunAudit { .. }]));
    insta::assert_snapshot!(shown);
}

#[test]
fn permissions_lists_projects_without_permissions_first_with_their_fix() {
    let app = audited(demo_report());
    let shown = screen(&app);
    let payments = shown.find("✗ Payments").unwrap();
    let research = shown.find("? Research").unwrap();
    let storefront = shown.find("✓ Storefront").unwrap();
    assert!(payments < research && research < storefront);
    assert!(shown.contains("Fix: add Gate Bot to Project Administrators of Payments"));
    insta::assert_snapshot!(shown);
}

#[test]
fn permissions_unknown_says_why() {
    let mut app = audited(demo_report());
    key(&mut app, KeyCode::Down);
    let shown = screen(&app);
    assert!(shown.contains("unknown — the permission evaluation was refused (403)"));
    let effects = key(&mut app, KeyCode::Char('o'));
    assert_eq!(
        effects,
        [Effect::OpenUrl(
            "https://dev.azure.com/fabrikam/Research/_settings/permissions".into()
        )]
    );
    insta::assert_snapshot!(shown);
}

// ---- coverage ----------------------------------------------------------------------------------

#[test]
fn coverage_groups_repositories_with_counts_and_new_badges() {
    let app = at_coverage();
    let shown = screen(&app);
    assert!(shown.contains(
        "10 repositories · 3 covered · 1 partial · 1 unhealthy · 4 missing · 1 n/a · 3 NEW"
    ));
    assert!(shown.contains("6 selected"));
    insta::assert_snapshot!(shown);
}

#[test]
fn coverage_filter_narrows_the_list() {
    let mut app = at_coverage();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "store");
    let shown = screen(&app);
    assert!(shown.contains("storefront-web"));
    assert!(!shown.contains("payments-core"));
    insta::assert_snapshot!(shown);
}

#[test]
fn coverage_filter_without_a_match() {
    let mut app = at_coverage();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "zzz");
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn coverage_of_an_organization_without_repositories() {
    let mut app = audited(audit_report(Vec::new()));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage, "nothing selected: no plan");
    insta::assert_snapshot!(screen(&app));
}

// ---- plan --------------------------------------------------------------------------------------

#[test]
fn plan_lists_changes_first_by_project_with_their_reasons() {
    let app = at_plan();
    let shown = screen(&app);
    assert!(shown.contains("Nothing is written until you confirm."));
    assert!(shown.contains("8 to create, 1 to replace, 0 to update, 0 to delete, 4 skipped"));
    assert!(shown.contains("↓ "), "more below: {shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn plan_asks_before_applying() {
    let mut app = at_plan();
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "Enter only asks");
    let shown = screen(&app);
    assert!(shown.contains("Apply 9 changes to fabrikam?"), "{shown}");
    assert!(
        shown.contains("◉ Back to the plan"),
        "the safe choice first"
    );
    assert!(
        key(&mut app, KeyCode::Char('y')).is_empty(),
        "no letter applies"
    );
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "Enter takes the highlighted choice: back to the plan"
    );
    insta::assert_snapshot!(shown);
    assert_eq!(app.step(), Step::Plan);
    assert!(!screen(&app).contains("Apply 9 changes to fabrikam?"));
}

#[test]
fn plan_with_nothing_to_change() {
    let mut app = at_coverage();
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    let shown = screen(&app);
    assert!(shown.contains("Nothing can be changed until the skipped items below are fixed."));
    insta::assert_snapshot!(shown);
}

// ---- apply -------------------------------------------------------------------------------------

#[test]
fn apply_in_progress_streams_results() {
    let (mut app, request, plan) = at_apply();
    five_done_one_in_flight(&mut app, request, &plan);
    send(&mut app, Msg::Tick);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn apply_done_with_a_failure_offers_a_retry() {
    let (mut app, request, plan) = at_apply();
    let failed = plan
        .actions
        .iter()
        .position(|a| a.kind != ActionKind::Skip)
        .unwrap();
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(outcomes(&plan, Some(failed))),
            after: Some(Ok(demo_report())),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("TF400898"));
    assert!(shown.contains("press r to retry"), "{shown}");
    insta::assert_snapshot!(shown);

    let effects = key(&mut app, KeyCode::Char('r'));
    let audit = audit_request(&effects);
    let effects = send(
        &mut app,
        Msg::Audited {
            request: audit,
            result: Ok(demo_report()),
            at: at(),
        },
    );
    let [Effect::ApplyPlan { plan: retried, .. }] = effects.as_slice() else {
        panic!("the retry applies a new plan");
    };
    let repository = plan.actions[failed].repository_id.clone();
    assert!(
        retried
            .actions
            .iter()
            .all(|a| a.repository_id == repository),
        "only the failed repository is planned again"
    );
}

#[test]
fn apply_that_could_not_start() {
    let (mut app, request, _) = at_apply();
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Err(TaskError::NoToken {
                org: "fabrikam".into(),
                store: "Secret Service (GNOME Keyring)".into(),
            }),
            after: None,
            at: at(),
        },
    );
    insta::assert_snapshot!(screen(&app));
}

// ---- summary -----------------------------------------------------------------------------------

#[test]
fn summary_says_what_changed_and_how_to_be_reminded() {
    let app = at_summary();
    let shown = screen(&app);
    assert!(shown.contains("azdo-gate check --org fabrikam --warn-days 30"));
    assert!(shown.contains("Expires on 2027-11-28 (365 days left)"));
    insta::assert_snapshot!(shown);
}

#[test]
fn summary_writes_a_calendar_reminder_and_prints_the_same_facts() {
    let mut app = at_summary();
    let effects = key(&mut app, KeyCode::Char('c'));
    let [
        Effect::WriteCalendar {
            file_name,
            contents,
            in_current_dir,
        },
    ] = effects.as_slice()
    else {
        panic!("c writes the calendar reminder");
    };
    assert_eq!(file_name, "azdo-gate-fabrikam-token-reminder.ics");
    assert!(contents.contains("DTSTART;VALUE=DATE:20271029"));
    assert!(*in_current_dir);
    send(
        &mut app,
        Msg::CalendarWritten {
            result: Ok("/home/admin/azdo-gate-fabrikam-token-reminder.ics".into()),
        },
    );
    insta::assert_snapshot!(screen(&app));
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Exit { summary, .. }) = effects.last() else {
        panic!("Enter finishes");
    };
    insta::assert_snapshot!("summary_text", summary);
}

// ---- home --------------------------------------------------------------------------------------

#[test]
fn home_audits_on_arrival() {
    let mut state = State::default();
    remember(&mut state, "fabrikam", date(2027, 6, 1));
    let (mut app, request) = home(state);
    send(
        &mut app,
        Msg::AuditProgress {
            request,
            event: AuditEvent::Phase {
                phase: AuditPhase::Identity,
                done: 1,
                total: 1,
            },
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Auditing the organization"));
    insta::assert_snapshot!(shown);
}

#[test]
fn home_shows_expiry_coverage_new_and_broken() {
    let app = home_audited(date(2026, 12, 18));
    let shown = screen(&app);
    assert!(shown.contains("expires 2026-12-18 — 20 days left: rotate it soon (r)"));
    assert!(shown.contains("New repositories"));
    assert!(shown.contains("storefront-checkout, payments-ledger, research-data"));
    assert!(
        shown.contains("Missing permissions  1 project: Payments"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn home_when_the_stored_token_no_longer_works() {
    let mut state = State::default();
    remember(&mut state, "fabrikam", date(2027, 6, 1));
    let (mut app, request) = home(state);
    send(
        &mut app,
        Msg::Audited {
            request,
            result: Err(TaskError::Ado(AdoError::TokenExpired {
                message: "Access Denied: The Personal Access Token used has expired.".into(),
            })),
            at: at(),
        },
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn home_switches_between_organizations() {
    let mut state = State::default();
    remember(&mut state, "fabrikam", date(2027, 6, 1));
    remember(&mut state, "contoso", date(2027, 2, 1));
    let (mut app, _) = home(state);
    let effects = key(&mut app, KeyCode::Tab);
    let org = effects.iter().find_map(|e| match e {
        Effect::RunAudit { org, .. } => Some(org.name().to_owned()),
        _ => None,
    });
    assert_eq!(
        org.as_deref(),
        Some("fabrikam"),
        "contoso comes first by key"
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn home_configure_preselects_new_and_broken_repositories() {
    let mut app = home_audited(date(2027, 6, 1));
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.step(), Step::Coverage);
    let shown = screen(&app);
    assert!(shown.contains("azdo-gate · configure repositories"));
    assert!(shown.contains("5 selected"), "{shown}");
    insta::assert_snapshot!(shown);
}

// ---- rotation ----------------------------------------------------------------------------------

#[test]
fn rotation_starts_with_the_recipe_for_a_new_token() {
    let app = rotating();
    let shown = screen(&app);
    assert!(shown.contains("azdo-gate · token rotation"));
    assert!(shown.contains("Step 1 of 8"));
    assert!(shown.contains("Keep the old one"));
    insta::assert_snapshot!(shown);
}

#[test]
fn rotation_warns_when_the_new_token_belongs_to_another_user() {
    let mut app = rotating();
    key(&mut app, KeyCode::Enter);
    send(&mut app, Msg::Paste(NEW_TOKEN.into()));
    let effects = key(&mut app, KeyCode::Enter);
    let request = request_of(&effects, |e| match e {
        Effect::VerifyToken { request, .. } => Some(*request),
        _ => None,
    });
    finish_checks(&mut app, request, &[]);
    let mut report = report_clean();
    report.identity = Some(Identity {
        id: "40000000-0000-4000-8000-000000000002".into(),
        display_name: "Dana Admin".into(),
        unique_name: "dana@fabrikam.example".into(),
    });
    send(
        &mut app,
        Msg::Verified {
            request,
            result: Ok(report),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("The old token belonged to Gate Bot"));
    insta::assert_snapshot!(shown);
}

#[test]
fn rotation_ends_with_the_revoke_checklist_then_the_summary() {
    let mut app = rotating();
    key(&mut app, KeyCode::Enter);
    send(&mut app, Msg::Paste(NEW_TOKEN.into()));
    let effects = key(&mut app, KeyCode::Enter);
    let request = request_of(&effects, |e| match e {
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
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.step(),
        Step::HandOver,
        "handed over before it is stored"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::StoreToken { .. }))
    );
    type_text(&mut app, GATE_PAGE);
    key(&mut app, KeyCode::Enter);
    let shown = screen(&app);
    assert!(shown.contains("before azdo-gate stores it"), "{shown}");
    insta::assert_snapshot!("rotation_handover", shown);
    let effects = key(&mut app, KeyCode::Char('y'));
    let Some((request, target)) = effects.iter().find_map(|e| match e {
        Effect::StoreToken {
            request, target, ..
        } => Some((*request, *target)),
        _ => None,
    }) else {
        panic!("the verified token is swapped in");
    };
    assert_eq!(target, StoreTarget::OsStore, "where the old one was");
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(Stored {
                target,
                description: "Secret Service (GNOME Keyring)".into(),
            }),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Enter);
    let Some((saved, state)) = effects.iter().find_map(|e| match e {
        Effect::SaveState { request, state } => Some((*request, state.clone())),
        _ => None,
    }) else {
        panic!("the rotation is recorded");
    };
    let org = state.org(FABRIKAM).unwrap();
    assert_eq!(
        org.token.as_ref().unwrap().expires_on,
        Some(date(2027, 11, 28)),
        "the new expiry is recorded"
    );
    assert!(!org.rotation.as_ref().unwrap().old_token_revoked);
    let effects = send(
        &mut app,
        Msg::StateSaved {
            request: saved,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Permissions);
    let audit = audit_request(&effects);
    send(
        &mut app,
        Msg::Audited {
            request: audit,
            result: Ok(demo_report()),
            at: at(),
        },
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Revoke);
    let shown = screen(&app);
    assert!(shown.contains("expiring on 2026-12-18"));
    assert!(shown.contains("given to the gating service (you confirmed it)"));
    insta::assert_snapshot!(shown);

    let effects = key(&mut app, KeyCode::Char('d'));
    let [Effect::SaveState { request, state }] = effects.as_slice() else {
        panic!("d records the revocation");
    };
    assert!(
        state
            .org(FABRIKAM)
            .and_then(|o| o.rotation.as_ref())
            .unwrap()
            .old_token_revoked
    );
    send(
        &mut app,
        Msg::StateSaved {
            request: *request,
            result: Ok(()),
        },
    );
    assert_eq!(app.step(), Step::Summary);
    let shown = screen(&app);
    assert!(shown.contains("You confirmed the old token is revoked."));
    assert!(shown.contains("You confirmed the gating service has the token"));
    insta::assert_snapshot!("rotation_summary", shown);
}

#[test]
fn rotation_offers_the_old_token_back_when_azure_devops_rejects_the_new_one() {
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
    type_text(&mut app, GATE_PAGE);
    key(&mut app, KeyCode::Enter);
    let request = request_of(&key(&mut app, KeyCode::Char('y')), |e| match e {
        Effect::StoreToken { request, .. } => Some(*request),
        _ => None,
    });
    send(&mut app, Msg::OldTokenKept);
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
            result: Err(TaskError::Ado(AdoError::TokenRejected {
                message: "TF400813: The user '' is not authorized to access this resource.".into(),
            })),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("u  put the old token back"), "{shown}");
    assert!(!shown.contains(NEW_TOKEN));
    insta::assert_snapshot!(shown);
    let effects = key(&mut app, KeyCode::Char('u'));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::RestoreOldToken {
                target: StoreTarget::OsStore,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn handover_first_time_asks_for_the_gating_services_token_page() {
    let mut app = at_handover();
    let shown = screen(&app);
    assert!(shown.contains("Step 6 of 13 · Give the token to the gating service"));
    assert!(shown.contains("Gating service token page"));
    insta::assert_snapshot!(shown);
    type_text(&mut app, "http://gate.example.com/token");
    key(&mut app, KeyCode::Enter);
    let shown = screen(&app);
    assert!(shown.contains("https address (plain http only"), "{shown}");
}

#[test]
fn handover_first_time_opens_copies_and_clears() {
    let mut app = at_handover();
    type_text(&mut app, GATE_PAGE);
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        key(&mut app, KeyCode::Char('o')),
        vec![Effect::OpenUrl(GATE_PAGE.into())]
    );
    let effects = key(&mut app, KeyCode::Char('c'));
    assert!(matches!(effects.as_slice(), [Effect::CopySecret(_)]));
    send(&mut app, Msg::ClipboardWritten { result: Ok(()) });
    let shown = screen(&app);
    assert!(shown.contains("The clipboard holds the token, a secret: press x"));
    assert!(shown.contains("I pasted it and saved it in the gating service"));
    insta::assert_snapshot!(shown);
    assert_eq!(
        key(&mut app, KeyCode::Char('x')),
        vec![Effect::ClearClipboard]
    );
    send(&mut app, Msg::ClipboardWritten { result: Ok(()) });
    assert!(screen(&app).contains("Clipboard cleared."));
    assert!(!screen(&app).contains("The clipboard holds the token"));
}

#[test]
fn handover_skipped_is_recorded_and_stays_an_open_item() {
    let mut app = at_handover();
    hand_over(&mut app, 's');
    assert_eq!(app.step(), Step::Gate);
    type_text(&mut app, WEBHOOK);
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Save);
    let store = effects
        .iter()
        .find_map(|e| match e {
            Effect::StoreToken { request, .. } => Some(*request),
            _ => None,
        })
        .unwrap();
    send(
        &mut app,
        Msg::TokenStored {
            request: store,
            result: Ok(keyring_stored()),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Enter);
    let state = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveState { state, .. } => Some(state.clone()),
            _ => None,
        })
        .unwrap();
    let meta = state.org(FABRIKAM).unwrap().token.clone().unwrap();
    assert_eq!(meta.handover, Some(HandOver::Skipped));

    // The next run: the home screen keeps the open item, and h closes it.
    let (mut home, request) = tui_support::home(state);
    send(
        &mut home,
        Msg::Audited {
            request,
            result: Ok(demo_report()),
            at: at(),
        },
    );
    let shown = screen(&home);
    assert!(shown.contains("the gating service was not given this token (skipped): press h"));
    insta::assert_snapshot!(shown);
    let effects = key(&mut home, KeyCode::Char('h'));
    let [Effect::SaveState { state, .. }] = effects.as_slice() else {
        panic!("h records it");
    };
    assert_eq!(
        state
            .org(FABRIKAM)
            .unwrap()
            .token
            .as_ref()
            .unwrap()
            .handover,
        Some(HandOver::Confirmed)
    );
}

#[test]
fn apply_done_without_failures() {
    let (mut app, request, plan) = at_apply();
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(outcomes(&plan, None)),
            after: Some(Err(TaskError::Ado(AdoError::Throttled {
                retry_after: None,
                message: "TF400733".into(),
            }))),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Every change was made."));
    assert!(shown.contains("Could not audit again afterwards"));
    insta::assert_snapshot!(shown);
}

#[test]
fn summary_when_the_snapshot_cannot_be_recorded() {
    let (mut app, request, plan) = at_apply();
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(outcomes(&plan, None)),
            after: Some(Ok(demo_report())),
            at: at(),
        },
    );
    let effects = key(&mut app, KeyCode::Enter);
    let [.., Effect::SaveState { request, .. }] = effects.as_slice() else {
        panic!("the summary records the repository snapshot");
    };
    send(
        &mut app,
        Msg::StateSaved {
            request: *request,
            result: Err(StoreError::Io {
                action: "write",
                path: "/home/admin/.config/azdo-gate/state.toml".into(),
                source: std::sync::Arc::new(std::io::Error::other("No space left on device")),
            }),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("could not be recorded"));
    insta::assert_snapshot!(shown);
}

#[test]
fn no_color_leaves_the_new_steps_without_colours_but_with_emphasis() {
    let (verify, _) = at_verify();
    let (apply, _, _) = at_apply();
    for app in [
        verify,
        audited(demo_report()),
        at_coverage(),
        at_plan(),
        apply,
        home_audited(date(2026, 12, 18)),
    ] {
        let terminal = screen_sized(&app, 100, 30);
        let buffer = terminal.backend().buffer();
        assert!(
            buffer
                .content
                .iter()
                .all(|c| c.fg == ratatui::style::Color::Reset
                    && c.bg == ratatui::style::Color::Reset),
            "a colour on {:?} with NO_COLOR",
            app.step()
        );
        assert!(buffer.content.iter().any(|c| !c.modifier.is_empty()));
    }
}

// ---- interrupting an apply, and a quit popup that tells the truth -------------------------------

#[test]
fn ctrl_c_during_apply_offers_to_stop_with_the_counts() {
    let mut app = at_plan();
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    let Some((request, plan, stop)) = effects.iter().find_map(|e| match e {
        Effect::ApplyPlan {
            request,
            plan,
            stop,
            ..
        } => Some((*request, plan.clone(), stop.clone())),
        _ => None,
    }) else {
        panic!("y applies the plan");
    };
    // Five finished, one in flight, the rest waiting.
    five_done_one_in_flight(&mut app, request, &plan);
    let flying = (6..plan.actions.len())
        .find(|&i| plan.actions[i].kind != ActionKind::Skip)
        .unwrap();
    send(
        &mut app,
        Msg::ApplyProgress {
            request,
            event: ApplyEvent::Started { index: flying },
        },
    );
    ctrl(&mut app, 'c');
    let shown = screen(&app);
    assert!(shown.contains("Stop applying?"), "{shown}");
    assert!(
        shown.contains("5 done, 1 in flight, 3 not started."),
        "{shown}"
    );
    insta::assert_snapshot!(shown);

    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert!(stop.is_raised(), "s stops starting changes");
    assert_eq!(
        app.step(),
        Step::Apply,
        "and the wizard stays to show the outcome"
    );
    let mut results = outcomes(&plan, None);
    for r in results.iter_mut().skip(6) {
        r.outcome = Outcome::NotStarted;
    }
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(results),
            after: None,
            at: at(),
        },
    );
    ctrl(&mut app, 'c');
    let shown = screen(&app);
    assert!(shown.contains("Quit the setup?"), "{shown}");
    assert!(!shown.contains("Nothing"), "changes were made: {shown}");
}

#[test]
fn the_quit_popup_after_storing_the_token_says_it_is_stored() {
    let (mut app, request) = at_save();
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(keyring_stored()),
            at: at(),
        },
    );
    ctrl(&mut app, 'c');
    let shown = screen(&app);
    assert!(
        shown.contains("The token is stored in Secret Service (GNOME Keyring)."),
        "{shown}"
    );
    assert!(!shown.contains("Nothing has been saved"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn the_quit_popup_after_an_apply_counts_the_changes() {
    let (mut app, request, plan) = at_apply();
    let results = outcomes(&plan, Some(2));
    let done = results
        .iter()
        .filter(|r| r.outcome == Outcome::Done)
        .count();
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(results),
            after: None,
            at: at(),
        },
    );
    ctrl(&mut app, 'c');
    let shown = screen(&app);
    assert!(
        shown.contains(&format!("{done} changes were made in Azure DevOps.")),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn coverage_names_duplicates_and_the_plan_deletes_them() {
    let mut report = demo_report();
    let covered = report
        .repositories
        .iter_mut()
        .find(|r| r.coverage == Coverage::Covered)
        .unwrap();
    covered.events[0].duplicate_subscription_ids =
        vec!["30000000-0000-4000-8000-0000000000d1".into()];
    covered.duplicate_status_policy_ids = vec!["7".into()];
    let name = covered.name.clone();
    let mut app = audited(report);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    let shown = screen(&app);
    assert!(shown.contains("✓ covered · 2 duplicates"), "{shown}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    let shown = screen(&app);
    assert!(
        shown.contains("│   - delete duplicate subscription 30000000-0000-4000-8000-0000000000d1"),
        "preselected and planned: {shown}"
    );
    assert!(shown.contains(&format!("repository {name}")), "{shown}");
}

/// A loopback http address (the demo's gate) is accepted, and the screen does not call it https.
#[test]
fn gate_calls_a_loopback_http_address_what_it_is() {
    let mut app = at_gate();
    type_text(&mut app, "http://127.0.0.1:8080/ado/events");
    let shown = screen(&app);
    assert!(shown.contains("A loopback test address"), "{shown}");
    assert!(!shown.contains("https address"), "{shown}");
}
