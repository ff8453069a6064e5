//! Output of `azdo-gate configure`: the plan (or what applying it did) as JSON with
//! `schema_version`, or as text grouped by project with reasons and fixes. Neither ever contains a
//! secret: actions carry no credentials, only ids, names and reasons.

use std::fmt::Write as _;

use serde::Serialize;

use super::plan_view::{self, ChangeKind, PlanCounts, ViewLine, plan_lines};
use super::style;
use super::to_json;
use crate::audit::CoverageCounts;
use crate::columns;
use crate::org::OrgInfo;
use crate::org::OrgUrl;
use crate::plan::{Action, ActionKind, ActionResult, Mode, Outcome, Plan};
use crate::words::{count, plural};

/// Text is wrapped to this many display columns so it reads in a 100-column terminal.
const WIDTH: usize = 100;

#[derive(Serialize)]
struct ConfigureReport<'a> {
    organization: OrgInfo,
    mode: Mode,
    actions: Vec<ActionLine<'a>>,
    summary: Summary,
    /// The plan's actions by kind, as the text's summary line counts them: lets a script see
    /// "nothing would be deleted" without knowing which kinds delete.
    changes: PlanCounts,
    coverage_after: Option<&'a CoverageCounts>,
}

#[derive(Serialize)]
struct ActionLine<'a> {
    kind: ActionKind,
    project_id: &'a str,
    repository_id: Option<&'a str>,
    event_type: Option<&'a str>,
    reason: &'a str,
    /// The existing subscription acted on (recreated, enabled or deleted as a duplicate).
    subscription_id: Option<&'a str>,
    /// The existing Status policy acted on (deleted as a duplicate).
    policy_id: Option<&'a str>,
    /// What the admin can do about a skip.
    fix: Option<&'a str>,
    outcome: Outcome,
    error: Option<&'a str>,
}

#[derive(Serialize, Default)]
struct Summary {
    planned: usize,
    done: usize,
    failed: usize,
    skipped: usize,
    not_started: usize,
}

impl Summary {
    fn count(outcomes: impl IntoIterator<Item = Outcome>) -> Self {
        let mut summary = Self::default();
        for outcome in outcomes {
            let slot = match outcome {
                Outcome::Planned => &mut summary.planned,
                Outcome::Done => &mut summary.done,
                Outcome::Failed => &mut summary.failed,
                Outcome::Skipped => &mut summary.skipped,
                Outcome::NotStarted => &mut summary.not_started,
            };
            *slot += 1;
        }
        summary
    }
}

/// The outcome of each action: its result when there is one, otherwise what a plan says.
fn outcomes<'a>(
    plan: &'a Plan,
    results: Option<&'a [ActionResult]>,
) -> impl Iterator<Item = (&'a Action, Outcome, Option<&'a str>)> {
    plan.actions.iter().enumerate().map(move |(index, action)| {
        let result = results.and_then(|r| r.iter().find(|r| r.index == index));
        match result {
            Some(r) => (action, r.outcome, r.error.as_deref()),
            None if action.kind == ActionKind::Skip => (action, Outcome::Skipped, None),
            None => (action, Outcome::Planned, None),
        }
    })
}

/// `configure --json`.
pub fn configure_json(
    org: &OrgUrl,
    mode: Mode,
    plan: &Plan,
    results: Option<&[ActionResult]>,
    coverage_after: Option<&CoverageCounts>,
) -> Result<String, serde_json::Error> {
    let actions: Vec<ActionLine<'_>> = outcomes(plan, results)
        .map(|(action, outcome, error)| ActionLine {
            kind: action.kind,
            project_id: &action.project_id,
            repository_id: action.repository_id.as_deref(),
            event_type: action.event_type.as_deref(),
            reason: &action.reason,
            subscription_id: action.subscription_id.as_deref(),
            policy_id: action.policy_id.as_deref(),
            fix: action.fix.as_deref(),
            outcome,
            error,
        })
        .collect();
    let summary = Summary::count(actions.iter().map(|a| a.outcome));
    to_json(&ConfigureReport {
        organization: OrgInfo::from(org),
        mode,
        actions,
        summary,
        changes: PlanCounts::of(plan),
        coverage_after,
    })
}

/// `configure` without `--json`: the plan as [`plan_lines`] lays it out, then what a plan or an
/// apply leaves to say.
pub fn configure_text(
    org: &OrgUrl,
    mode: Mode,
    plan: &Plan,
    results: Option<&[ActionResult]>,
    coverage_after: Option<&CoverageCounts>,
) -> String {
    if mode == Mode::Plan {
        let mut out = plan_text(org, plan);
        if plan.is_empty_of_work() {
            out.push_str("Nothing to change.\n");
        } else {
            wrap(
                &mut out,
                "",
                "  ",
                &format!(
                    "Nothing has been changed yet: run again with --apply --yes to make {}.",
                    plural(plan.work_count(), "this change", "these changes")
                ),
            );
        }
        return out;
    }
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{} ({})", org.name(), org.base());
    let summary = Summary::count(outcomes(plan, results).map(|(_, outcome, _)| outcome));
    let _ = writeln!(out, "{}", applied_headline(&summary));
    let _ = writeln!(out);
    write_lines(
        &mut out,
        &plan_lines(plan, Some(results.unwrap_or_default())),
    );
    let _ = writeln!(out);
    if summary.failed > 0 {
        let failed = count(summary.failed, "action", "actions");
        wrap(
            &mut out,
            "",
            "  ",
            &format!(
                "{failed} failed: fix the cause and run configure again; it redoes only what is still missing."
            ),
        );
    }
    match coverage_after {
        Some(c) => wrap(
            &mut out,
            "",
            "  ",
            &format!(
                "Changed repositories now: {} covered, {} partial, {} unhealthy, {} missing, {} not applicable.",
                c.covered, c.partial, c.unhealthy, c.missing, c.not_applicable
            ),
        ),
        None => {
            let _ = writeln!(
                out,
                "Coverage after applying is unknown: the verifying audit did not complete."
            );
        }
    }
    out
}

/// The plan as terraform shows it before asking: the organization, the changes and skips, then
/// the summary line (`Plan: 3 to create, …`) last, right above the question or the hint.
pub fn plan_text(org: &OrgUrl, plan: &Plan) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{} ({})", org.name(), org.base());
    let lines = plan_lines(plan, None);
    if !lines.is_empty() {
        let _ = writeln!(out);
        write_lines(&mut out, &lines);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Plan: {}", PlanCounts::of(plan).sentence());
    out
}

fn write_lines(out: &mut String, lines: &[ViewLine]) {
    for line in lines {
        let rest = " ".repeat(columns::width(&line.lead));
        // The mark inside the lead (`  + `, `-/+ `, `  ✓ `) is coloured by what it means.
        let mark = line.lead.trim();
        let lead = if mark.is_empty() {
            line.lead.clone()
        } else {
            line.lead.replacen(mark, &style::mark(mark), 1)
        };
        wrap(out, &lead, &rest, &line.text);
    }
}

/// The stderr line of `configure --apply` for a change that finished (`+ create subscription … ok`,
/// with the plan's symbol); `None` for one that did not run.
pub fn configure_progress_line(action: &Action, result: &ActionResult) -> Option<String> {
    let symbol = style::mark(ChangeKind::of(action.kind).map_or("-", ChangeKind::symbol));
    let title = plan_view::title(action);
    match result.outcome {
        Outcome::Done => Some(format!("{symbol} {title} … {}", style::good("ok"))),
        Outcome::Failed => Some(format!(
            "{symbol} {title} … {}",
            style::bad(&format!(
                "failed: {}",
                result.error.as_deref().unwrap_or("no reason given")
            ))
        )),
        Outcome::Planned | Outcome::Skipped | Outcome::NotStarted => None,
    }
}

fn applied_headline(s: &Summary) -> String {
    format!(
        "Applied: {} done, {} failed, {} skipped{}",
        s.done,
        s.failed,
        s.skipped,
        if s.planned + s.not_started > 0 {
            format!(", {} not carried out", s.planned + s.not_started)
        } else {
            String::new()
        }
    )
}

/// Appends `text` word-wrapped to [`WIDTH`] display columns, the first line after `first`, the rest
/// after `rest`. A word longer than a line (a URL) stays whole.
fn wrap(out: &mut String, first: &str, rest: &str, text: &str) {
    // `first` may carry a coloured mark: only what shows takes columns.
    let shown = anstream::adapter::strip_str(first).to_string();
    let rows = columns::wrap(
        text,
        WIDTH.saturating_sub(columns::width(&shown)),
        WIDTH.saturating_sub(columns::width(rest)),
    );
    for (i, row) in rows.iter().enumerate() {
        let lead = if i == 0 { first } else { rest };
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{lead}{row}");
    }
}
