//! Output of `azdo-gate configure`: the plan (or what applying it did) as JSON with
//! `schema_version`, or as text grouped by project with reasons and fixes. Neither ever contains a
//! secret: actions carry no credentials, only ids, names and reasons.

use std::fmt::Write as _;

use serde::Serialize;

use super::clean::escape_controls;
use super::style::{self, PLAIN};
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
        coverage_after,
    })
}

/// `configure` without `--json`: the plan grouped by project, then results and coverage after.
pub fn configure_text(
    org: &OrgUrl,
    mode: Mode,
    plan: &Plan,
    results: Option<&[ActionResult]>,
    coverage_after: Option<&CoverageCounts>,
) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{} ({})", org.name(), org.base());
    let lines: Vec<_> = outcomes(plan, results).collect();
    let summary = Summary::count(lines.iter().map(|(_, outcome, _)| *outcome));
    let _ = writeln!(out, "{}", headline(mode, &summary));

    let mut project: Option<&str> = None;
    for (action, outcome, error) in &lines {
        if project != Some(action.project_id.as_str()) {
            project = Some(&action.project_id);
            let _ = writeln!(out, "\nProject {}", escape_controls(&action.project));
        }
        let mark = style::mark(mark(mode, action.kind, *outcome));
        wrap(&mut out, &format!("  {mark} "), "    ", &title(action));
        wrap(
            &mut out,
            "      ",
            "      ",
            &escape_controls(&action.reason),
        );
        if let Some(fix) = &action.fix {
            wrap(
                &mut out,
                "      Fix: ",
                "           ",
                &escape_controls(fix),
            );
        }
        if let Some(error) = error {
            wrap(&mut out, "      Error: ", "             ", error);
        }
    }

    let _ = writeln!(out);
    match mode {
        Mode::Plan if summary.planned == 0 => {
            let _ = writeln!(out, "Nothing to change.");
        }
        Mode::Plan => {
            let _ = writeln!(
                out,
                "Nothing has been changed yet: run again with --apply --yes to make {}.",
                plural(summary.planned, "this change", "these changes")
            );
        }
        Mode::Apply => {
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
        }
    }
    out
}

fn headline(mode: Mode, s: &Summary) -> String {
    match mode {
        Mode::Plan => format!(
            "Plan: {}, {} skipped",
            count(s.planned, "change", "changes"),
            s.skipped
        ),
        Mode::Apply => format!(
            "Applied: {} done, {} failed, {} skipped{}",
            s.done,
            s.failed,
            s.skipped,
            if s.planned + s.not_started > 0 {
                format!(", {} not carried out", s.planned + s.not_started)
            } else {
                String::new()
            }
        ),
    }
}

fn mark(mode: Mode, kind: ActionKind, outcome: Outcome) -> &'static str {
    match (mode, outcome) {
        (_, Outcome::Skipped) => "-",
        (_, Outcome::Done) => PLAIN.ok,
        (_, Outcome::Failed) => PLAIN.fail,
        (Mode::Apply, Outcome::Planned) | (_, Outcome::NotStarted) => PLAIN.warn,
        (Mode::Plan, Outcome::Planned) => match kind {
            ActionKind::RecreateSubscription | ActionKind::EnableSubscription => "~",
            ActionKind::DeleteDuplicateSubscription | ActionKind::DeleteDuplicateStatusPolicy => {
                "-"
            }
            _ => "+",
        },
    }
}

/// What an action does, for the progress of an apply.
pub fn configure_action_title(action: &Action) -> String {
    title(action)
}

/// The stderr line of `configure --apply` for a change that finished (`+ create subscription … ok`,
/// with the plan's symbol); `None` for one that did not run.
pub fn configure_progress_line(action: &Action, result: &ActionResult) -> Option<String> {
    let symbol = style::mark(mark(Mode::Plan, action.kind, Outcome::Planned));
    let title = title(action);
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

/// One line saying what the action does and to what.
fn title(action: &Action) -> String {
    let event = action.event_type.as_deref().unwrap_or_default();
    let target = match (&action.repository, &action.repository_id) {
        (Some(name), _) => format!("repository {}", escape_controls(name)),
        (None, Some(id)) => format!("repository {id}"),
        (None, None) if event == crate::profile::REPO_CREATED_EVENT => "the project".to_owned(),
        (None, None) => "every repository of the project".to_owned(),
    };
    let existing = action
        .subscription_id
        .as_deref()
        .map(|id| format!(" {id}"))
        .unwrap_or_default();
    let words = action.kind.words();
    match action.kind {
        ActionKind::CreateSubscription => format!("{words} {event} for {target}"),
        ActionKind::RecreateSubscription | ActionKind::EnableSubscription => {
            format!("{words}{existing} ({event}) for {target}")
        }
        ActionKind::CreateStatusPolicy => match &action.ref_name {
            Some(branch) => format!("{words} on {branch} of {target}"),
            None => format!("{words} on the default branch of every repository"),
        },
        ActionKind::DeleteDuplicateSubscription => {
            format!("{words}{existing} ({event}) for {target}")
        }
        ActionKind::DeleteDuplicateStatusPolicy => {
            let policy = action.policy_id.as_deref().unwrap_or_default();
            format!("{words} {policy} of {target}")
        }
        ActionKind::UpdateStatusPolicy => match action.policy_id.as_deref() {
            Some(id) => format!("{words} {id} of {target}"),
            None => format!("{words} of {target}"),
        },
        ActionKind::Skip if event.is_empty() => format!("{words} {target}"),
        ActionKind::Skip => format!("{words} {event} for {target}"),
    }
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
