//! Every step and notable state of the wizard at the documented minimum (80×24) and at 120×40:
//! one table of states × one list of sizes, snapshotted, plus the promises the minimum size makes —
//! every footer hint shown whole, the whole help popup on screen, nothing essential hidden.
//!
//! A new step or state is one row in [`STATES`]; a new size is one entry in [`SIZES`].

// A helper that cannot set a test up should stop it right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use azdo_gate::ado::AdoError;
use azdo_gate::audit::{AuditEvent, AuditPhase, Coverage};
use azdo_gate::checks::{CheckEvent, CheckId, Mark};
use azdo_gate::plan::ActionKind;
use azdo_gate::tui::{App, Effect, Msg, Step, StoreTarget, Stored, TaskError};
use crossterm::event::KeyCode;
use jiff::civil::date;
use std::collections::HashSet;
use tui_support::*;

/// The sizes every state is drawn at: the documented minimum and a roomy terminal.
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// One state of the wizard: its snapshot name, how to reach it, and whether its help popup is
/// snapshotted too (the help of every state is checked at the minimum size either way).
struct State {
    name: &'static str,
    reach: fn() -> App,
    help: bool,
}

const fn state(name: &'static str, reach: fn() -> App, help: bool) -> State {
    State { name, reach, help }
}

/// Every step, in the order an admin meets them, with its notable states.
const STATES: &[State] = &[
    state("welcome", app, true),
    state("welcome_demo", demo_app, false),
    state("organization_empty", at_organization, true),
    state("organization_invalid", organization_invalid, false),
    state(
        "organization_network_error",
        organization_network_error,
        false,
    ),
    state("token_recipe", at_recipe, true),
    state("token_recipe_no_browser", token_recipe_no_browser, false),
    state("token_recipe_rotation", rotating, false),
    state("paste_token_empty", at_paste, true),
    state("paste_token_errors", paste_token_errors, false),
    state("paste_token_done", paste_token_done, false),
    state("verify_running", verify_running, true),
    state("verify_missing_scope", verify_missing_scope, false),
    state("verify_could_not_run", verify_could_not_run, false),
    state("verify_confirm_user", verify_confirm_user, false),
    state("verify_confirmed", verified, false),
    state("handover_page", at_handover, true),
    state("handover_copied", handover_copied, false),
    state("gate", at_gate, true),
    state("gate_filled", gate_filled, false),
    state("gate_problem", gate_problem, false),
    state("save_storing", save_storing, true),
    state("save_no_keyring", save_no_keyring, true),
    state("save_file", save_file, false),
    state("permissions_auditing", permissions_auditing, true),
    state("permissions_missing", permissions_missing, false),
    state(
        "permissions_could_not_audit",
        permissions_could_not_audit,
        false,
    ),
    state("coverage", at_coverage, true),
    state("coverage_filtering", coverage_filtering, true),
    state("coverage_long", coverage_long, false),
    state("plan", at_plan, true),
    state("plan_confirm", plan_confirm, false),
    state("plan_nothing", plan_nothing, false),
    state("apply_running", apply_running, true),
    state("apply_stop", apply_stop, false),
    state("apply_failed", apply_failed, false),
    state("apply_done", apply_done, false),
    state("summary", at_summary, true),
    state("home", home_soon, true),
    state("home_token_expired", home_token_expired, false),
    state("revoke", at_revoke, true),
    state("quit_confirmation", quit_confirmation, false),
];

// ---- reaching the states -----------------------------------------------------------------------

fn organization_invalid() -> App {
    let mut app = at_organization();
    type_text(&mut app, "fab_rikam");
    app
}

fn organization_network_error() -> App {
    let mut app = at_organization();
    let request = start_check(&mut app, "https://tfs.example.com/tfs/DefaultCollection");
    send(
        &mut app,
        Msg::OrgProbed {
            request,
            result: Err(AdoError::Network {
                message: "dns error: failed to lookup address information".into(),
                timed_out: false,
            }),
        },
    );
    app
}

fn token_recipe_no_browser() -> App {
    let mut app = at_recipe();
    let effects = key(&mut app, KeyCode::Char('o'));
    let [Effect::OpenUrl(url)] = effects.as_slice() else {
        panic!("o opens the tokens page");
    };
    send(
        &mut app,
        Msg::BrowserOpened {
            url: url.clone(),
            result: Err("no browser found".into()),
        },
    );
    app
}

fn paste_token_errors() -> App {
    let mut app = at_paste();
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2028-01-15");
    key(&mut app, KeyCode::Enter);
    app
}

fn paste_token_done() -> App {
    let mut app = at_paste();
    send(&mut app, Msg::Paste(TOKEN.into()));
    app
}

fn verify_running() -> App {
    let (mut app, request) = at_verify();
    for event in [
        CheckEvent::Started(CheckId::Format),
        CheckEvent::Finished(CheckId::Format, Mark::Pass),
        CheckEvent::Started(CheckId::Organization),
    ] {
        send(&mut app, Msg::CheckProgress { request, event });
    }
    app
}

fn verify_missing_scope() -> App {
    verify_answered(
        Some(&[(CheckId::BuildRead, Mark::Fail)]),
        Ok(report_missing_build()),
    )
}

fn verify_could_not_run() -> App {
    verify_answered(
        None,
        Err(AdoError::Network {
            message: "connection refused".into(),
            timed_out: false,
        }),
    )
}

fn verify_confirm_user() -> App {
    verify_answered(Some(&[]), Ok(report_clean()))
}

fn handover_copied() -> App {
    let mut app = at_handover();
    type_text(&mut app, GATE_PAGE);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    send(&mut app, Msg::ClipboardWritten { result: Ok(()) });
    app
}

fn save_storing() -> App {
    at_save().0
}

/// The gate step with every field filled in, the password focused.
fn gate_filled() -> App {
    let mut app = at_gate();
    type_text(&mut app, WEBHOOK);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "gate-hook");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret");
    app
}

/// Enter on the gate step with no webhook URL: the problem said and focused.
fn gate_problem() -> App {
    let mut app = at_gate();
    key(&mut app, KeyCode::Enter);
    app
}

fn save_no_keyring() -> App {
    save_answered(Err(no_keyring()))
}

fn save_file() -> App {
    let mut app = save_answered(Err(no_keyring()));
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    let effects = key(&mut app, KeyCode::Enter);
    let request = request_of(&effects, |e| match e {
        Effect::StoreToken { request, .. } => Some(*request),
        _ => None,
    });
    send(
        &mut app,
        Msg::TokenStored {
            request,
            result: Ok(Stored {
                target: StoreTarget::InsecureFile,
                description: "insecure file ~/.config/azdo-gate/tokens.toml".into(),
            }),
            at: at(),
        },
    );
    type_text(&mut app, WEBHOOK);
    app
}

fn permissions_auditing() -> App {
    let (mut app, request) = at_permissions();
    for (phase, done, total) in [
        (AuditPhase::Identity, 1, 1),
        (AuditPhase::Repositories, 1, 1),
        (AuditPhase::Projects, 0, 1),
    ] {
        send(
            &mut app,
            Msg::AuditProgress {
                request,
                event: AuditEvent::Phase { phase, done, total },
            },
        );
    }
    app
}

fn permissions_missing() -> App {
    audited(demo_report())
}

fn permissions_could_not_audit() -> App {
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
    app
}

fn coverage_filtering() -> App {
    let mut app = at_coverage();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "store");
    app
}

/// Coverage of an organization with more repositories than any screen holds.
fn coverage_long() -> App {
    let mut repositories = demo_repositories();
    for n in 0..30 {
        let coverage = if n % 3 == 0 {
            Coverage::Covered
        } else {
            Coverage::Missing
        };
        repositories.push(repo(
            3,
            10 + n,
            "Platform",
            &format!("platform-service-{n:02}"),
            coverage,
            false,
        ));
    }
    let mut app = audited(audit_report(repositories));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    app
}

fn plan_confirm() -> App {
    let mut app = at_plan();
    key(&mut app, KeyCode::Enter);
    app
}

fn plan_nothing() -> App {
    let mut app = at_coverage();
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    app
}

fn apply_running() -> App {
    let (mut app, request, plan) = at_apply();
    five_done_one_in_flight(&mut app, request, &plan);
    app
}

fn apply_stop() -> App {
    let mut app = apply_running();
    ctrl(&mut app, 'c');
    app
}

fn apply_failed() -> App {
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
    app
}

fn apply_done() -> App {
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
    app
}

fn home_soon() -> App {
    home_audited(date(2026, 12, 18))
}

fn home_token_expired() -> App {
    let mut state = azdo_gate::store::State::default();
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
    app
}

fn quit_confirmation() -> App {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    ctrl(&mut app, 'c');
    app
}

// ---- reading the screen ------------------------------------------------------------------------

/// The screen's rows, as the admin sees them.
fn draw(app: &App, (width, height): (u16, u16)) -> Vec<String> {
    let terminal = screen_sized(app, width, height);
    // The test backend quotes each row.
    terminal
        .backend()
        .to_string()
        .lines()
        .map(|row| row.trim_start_matches('"').trim_end_matches('"').to_owned())
        .collect()
}

/// The same state with its help popup open (F1 opens help on every step).
fn with_help(reach: fn() -> App) -> App {
    let mut app = reach();
    key(&mut app, KeyCode::F(1));
    app
}

// ---- the tests ---------------------------------------------------------------------------------

#[test]
fn every_state_at_every_size() {
    for state in STATES {
        for size @ (width, height) in SIZES {
            let app = (state.reach)();
            insta::assert_snapshot!(
                format!("{}_{width}x{height}", state.name),
                draw(&app, size).join("\n")
            );
            if state.help {
                insta::assert_snapshot!(
                    format!("{}_help_{width}x{height}", state.name),
                    draw(&with_help(state.reach), size).join("\n")
                );
            }
        }
    }
}

/// The footer's hints as the admin reads them (`Enter  continue`), taken from a screen so wide
/// that none can be wrapped or left out.
fn footer_hints(app: &App) -> Vec<String> {
    let wide = draw(app, (400, 30));
    let footer = wide.last().expect("the screen has rows");
    footer
        .split("   ")
        .map(str::trim)
        .filter(|hint| !hint.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn at_the_minimum_size_every_footer_hint_is_shown_whole() {
    for state in STATES {
        let app = (state.reach)();
        let hints = footer_hints(&app);
        assert!(!hints.is_empty(), "{}: no footer", state.name);
        let screen = draw(&app, (80, 24));
        let footer = &screen[screen.len() - 2..];
        for hint in &hints {
            assert!(
                footer.iter().any(|row| row.contains(hint.as_str())),
                "{}: the footer hint {hint:?} is cut or missing at 80×24:\n{}",
                state.name,
                footer.join("\n")
            );
        }
    }
}

/// The rows inside the help popup's border, and whether its bottom border says more follows;
/// `None` when no help is drawn.
fn help_rows(screen: &[String]) -> Option<(Vec<String>, bool)> {
    let rows: Vec<Vec<char>> = screen.iter().map(|row| row.chars().collect()).collect();
    let top = rows.iter().position(|row| {
        let row: String = row.iter().collect();
        row.contains("┌ Help · ")
    })?;
    let left = rows[top].iter().position(|c| *c == '┌')?;
    let right = left + rows[top][left..].iter().position(|c| *c == '┐')?;
    let mut inside = Vec::new();
    for row in &rows[top + 1..] {
        let text: String = row[left + 1..right].iter().collect();
        if row[left] == '└' {
            return Some((inside, text.contains("more")));
        }
        inside.push(text);
    }
    panic!("the help popup has no bottom border");
}

fn words(rows: &[String]) -> Vec<String> {
    rows.iter()
        .flat_map(|row| row.split_whitespace().map(str::to_owned))
        .collect()
}

#[test]
fn at_the_minimum_size_every_line_of_help_can_be_reached() {
    for state in STATES {
        let mut app = with_help(state.reach);
        let Some((whole, _)) = help_rows(&draw(&app, (200, 100))) else {
            assert!(!state.help, "{}: F1 shows no help", state.name);
            continue; // a popup was open: F1 goes to it, not to help
        };
        let (mut seen, mut more) = help_rows(&draw(&app, (80, 24))).expect("help at 80×24");
        // Each ↓ brings one more line in at the bottom, until the border says nothing follows.
        while more {
            assert!(seen.len() < 100, "{}: ↓ never reaches the end", state.name);
            key(&mut app, KeyCode::Down);
            let (rows, next) = help_rows(&draw(&app, (80, 24))).expect("help stays open");
            seen.push(rows.last().expect("the help has rows").clone());
            more = next;
        }
        // Every word of the whole help, in order; at 80×24 a list may offer more keys (paging a
        // plan that no longer fits), never fewer.
        let (seen_words, whole_words) = (words(&seen), words(&whole));
        let mut rest = seen_words.iter();
        assert!(
            whole_words.iter().all(|w| rest.any(|s| s == w)),
            "{}: the help at 80×24 leaves something out:\n{seen_words:?}\n{whole_words:?}",
            state.name
        );
        assert!(
            words(&whole).len() > 30,
            "{}: the help explains the step before its keys",
            state.name
        );
    }
}

#[test]
fn at_the_minimum_size_the_recipe_keeps_its_warning_and_indents() {
    for reach in [at_recipe as fn() -> App, rotating, token_recipe_no_browser] {
        let screen = draw(&reach(), (80, 24)).join("\n");
        assert!(
            screen.contains("Press Create, then copy the token: Azure DevOps shows it only once."),
            "{screen}"
        );
        // A wrapped value continues under its column, not at the left edge.
        assert!(
            screen.contains("│                 reveals some):"),
            "{screen}"
        );
    }
}

/// Box-drawing characters: borders of the step and of the boxes and popups inside it.
fn is_box(c: char) -> bool {
    ('\u{2500}'..='\u{257F}').contains(&c)
}

/// The words of `text`, box-drawing characters counting as spaces; a `·` between items is no
/// word (a wrapped run of items drops it where the line breaks).
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || is_box(c))
        .filter(|w| !w.is_empty() && *w != "·")
        .map(str::to_owned)
        .collect()
}

/// How words follow each other on a screen: each pair of words read in a row (or from one row
/// to the next), and the words that end a row.
struct Reading {
    pairs: HashSet<(String, String)>,
    row_ends: HashSet<String>,
}

fn reading(screen: &[String]) -> Reading {
    let stream: Vec<String> = screen.iter().flat_map(|row| words_of(row)).collect();
    Reading {
        pairs: stream
            .windows(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .collect(),
        row_ends: screen
            .iter()
            .filter_map(|row| words_of(row).pop())
            .collect(),
    }
}

/// The rows inside the step's border at 80×24 whose text runs into the right edge mid-sentence:
/// the last inner column holds text that is not `…` (a row cut on purpose) nor a box's border,
/// its last word ends no row of a wide screen (a row that just fits does), and the row does not
/// go on with the next row as it does on the wide screen (a wrapped line does: the same two
/// words follow each other there). Also a row ending in a `·` separator: a run of items cut
/// between two of them.
fn cut_rows(app: &App) -> Vec<String> {
    let wide = reading(&draw(app, (200, 60)));
    let screen: Vec<Vec<char>> = draw(app, (80, 24))
        .iter()
        .map(|row| row.chars().collect())
        .collect();
    let mut cut = Vec::new();
    for (at, row) in screen.iter().enumerate() {
        if row.len() != 80 || row[0] != '│' || row[79] != '│' {
            continue;
        }
        let inner: String = row[2..78].iter().collect();
        let text = inner.trim_end();
        let last = row[77];
        let touches = !(last == ' ' || last == '…' || is_box(last));
        // The last run of text on the row (after a gap of two spaces or a box's border): a
        // wrapped line goes on under it, not under the columns to its left.
        let start = 2 + inner
            .char_indices()
            .zip(inner.chars().skip(1))
            .filter(|((_, a), b)| (*a == ' ' && *b == ' ') || is_box(*a))
            .map(|((i, _), _)| inner[..i].chars().count() + 1)
            .filter(|&column| column < text.chars().count())
            .last()
            .unwrap_or(0);
        let is_indicator = text.trim_start().starts_with(['↑', '↓']);
        let goes_on = || {
            let Some(word) = words_of(text).pop() else {
                return false;
            };
            if wide.row_ends.contains(&word) {
                return true;
            }
            let next: String = screen
                .get(at + 1)
                .map(|next| next.iter().skip(start).take(78 - start).collect())
                .unwrap_or_default();
            words_of(&next)
                .first()
                .is_some_and(|first| wide.pairs.contains(&(word, first.clone())))
        };
        if (touches && !is_indicator && !goes_on()) || text.ends_with(" ·") {
            cut.push(row.iter().collect());
        }
    }
    cut
}

#[test]
fn at_the_minimum_size_no_row_is_cut_at_the_right_border() {
    let cut: Vec<String> = STATES
        .iter()
        .flat_map(|state| {
            cut_rows(&(state.reach)())
                .into_iter()
                .map(move |row| format!("{}: {row}", state.name))
        })
        .collect();
    assert!(
        cut.is_empty(),
        "rows cut at the right border at 80×24 (wrap them, or end them in …):\n{}",
        cut.join("\n")
    );
}
