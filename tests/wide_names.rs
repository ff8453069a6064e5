//! Names that are not ASCII, laid out by the columns a terminal draws them in: `数据-管道` (CJK,
//! two columns per ideograph), `😀-tools` (an emoji, two columns) and a CJK name too long for its
//! column, in a project named `平台`. The wizard's permissions table, coverage list, filter cursor
//! and plan review, and the text reports of `audit` and `configure --plan`, keep their columns
//! aligned and their lines within the width.

// A helper that cannot set a test up should stop it right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use azdo_gate::audit::{AuditReport, Coverage};
use azdo_gate::checks::TokenSource;
use azdo_gate::columns;
use azdo_gate::follow_up::FollowUp;
use azdo_gate::org::OrgUrl;
use azdo_gate::plan::{self, Mode, Selection};
use azdo_gate::profile::GateProfile;
use azdo_gate::report::{audit_text, configure_text};
use azdo_gate::tui::{App, Step};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::*;

const CJK: &str = "数据-管道";
const EMOJI: &str = "😀-tools";
/// 32 characters, 64 columns: wider than the name columns of the coverage list (38) and of the
/// audit report (60), though not by `char`s.
const LONG: &str = "数据管道数据管道数据管道数据管道数据管道数据管道数据管道数据管道";
const PROJECT: &str = "平台";

/// An organization whose project `平台` holds one ASCII, two wide and one too-long repository.
fn wide_report() -> AuditReport {
    let mut report = audit_report(vec![
        repo(3, 1, PROJECT, "platform-infra", Coverage::Covered, false),
        repo(3, 2, PROJECT, CJK, Coverage::Missing, false),
        repo(3, 3, PROJECT, EMOJI, Coverage::Partial, true),
        repo(3, 4, PROJECT, LONG, Coverage::Missing, false),
    ]);
    report.projects[2].name = PROJECT.into();
    report
}

fn org() -> OrgUrl {
    OrgUrl::parse("fabrikam").unwrap()
}

fn at_wide_coverage() -> App {
    let mut app = audited(wide_report());
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    app
}

/// Row `y` of the screen, one symbol per cell (a wide character's second cell holds a blank).
fn cells(terminal: &Terminal<TestBackend>, y: u16) -> Vec<&str> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

/// What the cells show to a reader: the blanks under wide characters left out.
fn drawn(cells: &[&str]) -> String {
    let mut text = String::new();
    let mut hidden = 0;
    for cell in cells {
        if hidden > 0 {
            hidden -= 1;
        } else {
            text.push_str(cell);
            hidden = columns::width(cell).saturating_sub(1);
        }
    }
    text
}

/// The row drawn with `needle` in it, as cells.
fn row_with<'a>(terminal: &'a Terminal<TestBackend>, needle: &str) -> Vec<&'a str> {
    let height = terminal.backend().buffer().area.height;
    (0..height)
        .map(|y| cells(terminal, y))
        .find(|row| drawn(row).contains(needle))
        .unwrap_or_else(|| panic!("no row shows {needle:?}"))
}

/// The column (cell index) where `text` starts, one cell per character (ASCII and marks).
fn column_of(row: &[&str], text: &str) -> usize {
    let wanted: Vec<String> = text.chars().map(String::from).collect();
    row.windows(wanted.len())
        .position(|cells| cells.iter().zip(&wanted).all(|(cell, want)| cell == want))
        .unwrap_or_else(|| panic!("{text:?} not in {:?}", drawn(row)))
}

#[test]
fn the_coverage_list_keeps_its_columns_with_wide_names() {
    let app = at_wide_coverage();
    let terminal = screen_sized(&app, 100, 30);
    // The coverage mark of every repository row sits in one column, whatever the name's width.
    let ascii = column_of(&row_with(&terminal, "platform-infra"), "✓");
    assert_eq!(column_of(&row_with(&terminal, CJK), "✗"), ascii);
    assert_eq!(column_of(&row_with(&terminal, EMOJI), "◐"), ascii);
    // The long name is cut to its column with an ellipsis, never into the mark's column.
    let long = row_with(&terminal, "数据管道数据管道");
    assert_eq!(column_of(&long, "✗"), ascii);
    assert!(drawn(&long).contains("数据管道数据管道数据管道数据管道数据…"));
    // NEW badges line up too.
    let badge = drawn(&row_with(&terminal, EMOJI));
    let ascii_badge = screen_sized(&at_coverage(), 100, 30);
    assert_eq!(
        column_of(&row_with(&terminal, EMOJI), "N"),
        column_of(&row_with(&ascii_badge, "payments-ledger"), "N"),
        "{badge}"
    );
    insta::assert_snapshot!(terminal.backend().to_string());
}

#[test]
fn the_permissions_table_keeps_its_columns_with_a_wide_project_name() {
    let app = audited(wide_report());
    assert_eq!(app.step(), Step::Permissions);
    let terminal = screen_sized(&app, 100, 30);
    let ascii = column_of(&row_with(&terminal, "Storefront"), "view");
    assert_eq!(column_of(&row_with(&terminal, PROJECT), "view"), ascii);
}

#[test]
fn the_filter_cursor_sits_after_the_columns_typed() {
    let mut app = at_wide_coverage();
    key(&mut app, KeyCode::Char('/'));
    let terminal = screen_sized(&app, 100, 30);
    let start = terminal.backend().cursor_position();
    assert!(terminal.backend().cursor_visible());

    type_text(&mut app, "数据");
    let terminal = screen_sized(&app, 100, 30);
    let cursor = terminal.backend().cursor_position();
    assert_eq!(
        (cursor.x, cursor.y),
        (start.x + 4, start.y),
        "two columns each"
    );
    let field = cells(&terminal, start.y);
    let x = usize::from(start.x);
    assert_eq!(drawn(&field[x..x + 5]), "数据 ");

    type_text(&mut app, "-管道");
    let terminal = screen_sized(&app, 100, 30);
    assert_eq!(terminal.backend().cursor_position().x, start.x + 9);
    assert!(drawn(&row_with(&terminal, "[x]")).contains(CJK));

    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Left);
    let terminal = screen_sized(&app, 100, 30);
    assert_eq!(
        terminal.backend().cursor_position().x,
        start.x + 5,
        "before 管"
    );
}

#[test]
fn the_plan_review_wraps_wide_names_within_the_screen() {
    let mut app = at_wide_coverage();
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    // 80 columns, the smallest the wizard draws in: the long name's actions must wrap.
    let terminal = screen_sized(&app, 80, 40);
    let shown = terminal.backend().to_string();
    assert!(shown.contains(&format!(
        "create subscription git.pullrequest.created for repository {CJK}"
    )));
    assert!(shown.contains(&format!(
        "create subscription git.pullrequest.updated for repository {EMOJI}"
    )));
    // The long name (32 `char`s, 64 columns) goes to a row of its own under the text, instead of
    // running past the border and out of sight; the row ends at the border, whole.
    let long = drawn(&row_with(&terminal, &format!("│     {LONG}")));
    assert_eq!(columns::width(&long), 80, "{long}");
    assert!(long.ends_with(&format!("{LONG}         │")), "{long}");
    insta::assert_snapshot!(shown);
}

#[test]
fn the_audit_text_report_aligns_wide_names() {
    let org = org();
    let text = audit_text(&wide_report(), &FollowUp::new(&org, TokenSource::Keyring));
    assert!(
        text.lines().all(|l| columns::width(l) <= 100),
        "wider than 100 columns:\n{text}"
    );
    // The projects table: the COVERED column starts at the same display column on every row.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("PROJECT"))
        .take(5)
        .collect();
    assert!(table[3].contains(PROJECT), "{table:?}");
    let starts: Vec<usize> = table
        .iter()
        .map(|l| columns::width(&l[..l.rfind(' ').unwrap()]))
        .collect();
    assert!(starts.iter().all(|s| *s == starts[0]), "{table:#?}");
    // The long name is cut to 60 columns: 29 ideographs and the ellipsis.
    let cut = format!("{}数…", "数据管道".repeat(7));
    assert!(
        text.contains(&format!("✗ missing         {cut}\n")),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn the_configure_plan_text_wraps_wide_names_within_100_columns() {
    let report = wide_report();
    let profile = GateProfile::default_profile()
        .with_webhook_url(WEBHOOK)
        .unwrap();
    let plan = plan::plan(&report, &profile, &Selection::Missing, &org());
    let text = configure_text(&org(), Mode::Plan, &plan, None, None);
    assert!(
        text.lines().all(|l| columns::width(l) <= 100),
        "wider than 100 columns:\n{text}"
    );
    assert!(text.contains(&format!("Project {PROJECT}")));
    assert!(text.contains(&format!("for repository {CJK}")));
    assert!(text.contains(&format!("for repository {EMOJI}")));
    // 63 columns of title and the 64-column name (32 `char`s) do not fit in 100: the name goes to
    // its own line.
    assert!(
        text.contains(&format!("for repository\n    {LONG}\n")),
        "{text}"
    );
    insta::assert_snapshot!(text);
}
