//! The wizard's plan review as the admin pages through it: every row of a long plan is shown by
//! PgDn from the top, End shows a full last page, the indicator says what is above and below, and
//! the confirmation lists what applying deletes. Screens at 80×24 (the documented minimum) and
//! 120×40.

// A helper that cannot set a test up should stop it right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use azdo_gate::audit::Coverage;
use azdo_gate::tui::{App, Step};
use crossterm::event::KeyCode;
use tui_support::*;

/// The plan's list at `width`×`height`: the rows between the header and the scroll indicator,
/// without the border, and the indicator's text.
fn list(app: &App, width: u16, height: u16) -> (Vec<String>, String) {
    let terminal = screen_sized(app, width, height);
    let rows: Vec<String> = terminal
        .backend()
        .to_string()
        .lines()
        .map(|l| {
            let l = l.trim_matches('"');
            let inner: String = l.chars().skip(2).collect();
            let inner: String = inner.chars().take(inner.chars().count() - 2).collect();
            inner.trim_end().to_owned()
        })
        .collect();
    let header = rows
        .iter()
        .position(|r| r.starts_with("The plan for"))
        .unwrap();
    let bottom = terminal
        .backend()
        .to_string()
        .lines()
        .position(|l| l.starts_with("\"└"))
        .unwrap();
    // Three header rows, then the list, then the indicator row above the border.
    let list = rows[header + 3..bottom - 1].to_vec();
    (list, rows[bottom - 1].trim().to_owned())
}

/// Every row of the plan at `width`, from a screen tall enough to hold it all.
fn every_row(app: &App, width: u16) -> Vec<String> {
    let (mut rows, indicator) = list(app, width, 200);
    assert_eq!(indicator, "", "the whole plan fits");
    while rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    rows
}

/// What the scroll indicator says with `above` rows above the page and `below` below.
fn indicator_for(above: usize, below: usize) -> String {
    let rows = |n: usize| {
        if n == 1 {
            "1 line".to_owned()
        } else {
            format!("{n} lines")
        }
    };
    match (above, below) {
        (0, 0) => String::new(),
        (0, b) => format!("↓ {} below", rows(b)),
        (a, 0) => format!("↑ {} above", rows(a)),
        (a, b) => format!("↑ {} above · ↓ {} below", rows(a), rows(b)),
    }
}

/// The demo plan with duplicates on a covered repository: a recreate and two duplicate deletes.
fn at_plan_with_deletions() -> App {
    let mut report = demo_report();
    let covered = report
        .repositories
        .iter_mut()
        .find(|r| r.coverage == Coverage::Covered)
        .unwrap();
    covered.events[0].duplicate_subscription_ids =
        vec!["30000000-0000-4000-8000-0000000000d1".into()];
    covered.duplicate_status_policy_ids = vec!["7".into()];
    let mut app = audited(report);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    app
}

#[test]
fn page_down_from_the_top_shows_every_row_and_end_a_full_last_page() {
    let mut app = at_plan_with_deletions();
    let (width, height) = (80, 24);
    let all = every_row(&app, width);
    let (first, _) = list(&app, width, height);
    let page = first.len();
    assert!(all.len() > 2 * page, "a plan of several pages: {all:#?}");

    // PgDn moves by a page less one row: the last row of a page is the first of the next, up to
    // the last page, which is full.
    let mut top = 0;
    let mut seen = vec![false; all.len()];
    loop {
        let (shown, indicator) = list(&app, width, height);
        assert_eq!(shown, all[top..top + page], "the page from row {top}");
        seen[top..top + page].iter_mut().for_each(|s| *s = true);
        let below = all.len() - top - page;
        assert_eq!(indicator, indicator_for(top, below));
        if below == 0 {
            break;
        }
        key(&mut app, KeyCode::PageDown);
        top = (top + page - 1).min(all.len() - page);
    }
    assert!(seen.iter().all(|s| *s), "every row was on screen once");

    // PgUp walks back the same way, to the top.
    loop {
        key(&mut app, KeyCode::PageUp);
        top = top.saturating_sub(page - 1);
        let (shown, _) = list(&app, width, height);
        assert_eq!(shown, all[top..top + page], "back to row {top}");
        if top == 0 {
            break;
        }
    }

    // End: the last page, full to its last row; Home: the first.
    key(&mut app, KeyCode::End);
    let (shown, indicator) = list(&app, width, height);
    assert_eq!(shown, all[all.len() - page..]);
    assert_eq!(
        indicator,
        indicator_for(all.len() - page, 0),
        "nothing below"
    );
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Down);
    assert_eq!(
        list(&app, width, height).0,
        shown,
        "no further than the end"
    );
    key(&mut app, KeyCode::Home);
    assert_eq!(list(&app, width, height).0, first);
    key(&mut app, KeyCode::Down);
    assert_eq!(
        list(&app, width, height).0,
        all[1..=page],
        "Down moves one row"
    );
}

#[test]
fn plan_review_at_80x24() {
    let app = at_plan_with_deletions();
    let shown = screen_sized(&app, 80, 24).backend().to_string();
    assert!(
        shown.contains("to create, 1 to replace, 0 to update, 2 to delete"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn plan_review_at_120x40_changes_first_and_skips_grouped_with_one_fix() {
    let mut app = at_plan_with_deletions();
    let top = screen_sized(&app, 120, 40).backend().to_string();
    assert!(
        top.contains("│   - delete duplicate Status policy 7"),
        "{top}"
    );
    key(&mut app, KeyCode::End);
    let shown = screen_sized(&app, 120, 40).backend().to_string();
    assert!(shown.contains("│ -/+ recreate subscription"), "{shown}");
    assert!(shown.contains("deletes the old webhook after the new one works"));
    assert!(shown.contains("Fix for these 4: add Gate Bot"), "{shown}");
    assert_eq!(
        shown
            .matches("https://dev.azure.com/fabrikam/Payments/_settings/permissions")
            .count(),
        1,
        "one fix for the project's skips: {shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn the_confirmation_lists_what_is_deleted() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut app = at_plan_with_deletions();
        key(&mut app, KeyCode::Enter);
        let shown = screen_sized(&app, width, height).backend().to_string();
        assert!(shown.contains("Deleted from Azure DevOps (3):"), "{shown}");
        assert!(shown.contains("· old webhook of research-ml"), "{shown}");
        assert!(shown.contains("· duplicate webhook of"), "{shown}");
        assert!(shown.contains("· duplicate Status policy of"), "{shown}");
        assert!(!shown.contains("Nothing else in Azure DevOps is changed"));
        assert!(
            shown.contains("○ Apply the changes") && shown.contains("Enter  choose"),
            "the choices and keys stay on screen: {shown}"
        );
        insta::assert_snapshot!(format!("confirmation_{width}x{height}"), shown);
    }
}
