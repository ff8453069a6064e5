//! Step 10: the plan carried out, with a progress bar and each action's result as it arrives;
//! failures say why. `r` retries the failed ones: a fresh audit, a plan restricted to the failed
//! repositories, and an apply of that plan.

use std::collections::BTreeSet;

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::audit::AuditReport;
use crate::plan::{
    self, Action as PlanAction, ActionResult, ApplyEvent, Outcome, Plan, Selection, StopFlag,
};
use crate::tui::app::App;
use crate::tui::audit_state;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, CTRL_C, ENTER, ESC, GLOBAL, Key, Keymap, LIST, Move};
use crate::tui::msg::{RequestId, TaskError};
use crate::tui::steps::shared::{action_words, moved, target_words};
use crate::tui::widgets::{hanging, progress_bar, scrolled, spinner, truncated};

/// One keymap: while the changes are made (help and quit only), then done, with or without
/// failures to retry.
pub const KEYMAP: Keymap = &[
    &[
        Binding::new(&[ENTER], Action::Continue, "Continue to the summary")
            .hint("summary")
            .when(idle),
        Binding::new(
            &[Key::char('r')],
            Action::RetryFailed,
            "Audit again and retry the failed changes (after fixing their cause)",
        )
        .hint("retry failed")
        .when(can_retry),
    ],
    LIST,
    GLOBAL,
];

fn idle(app: &App) -> bool {
    !app.apply.busy()
}

fn can_retry(app: &App) -> bool {
    !failed_targets(app).is_empty()
}

/// The cursor moves through the plan's actions once they are done.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    let state = &app.apply;
    idle(app) && moved(state.cursor, state.plan.actions.len(), movement, 10) != state.cursor
}

/// Where applying stands.
#[derive(Debug, Clone)]
pub(crate) enum Run {
    Idle,
    Applying {
        request: RequestId,
    },
    /// Retrying: the fresh audit runs; the plan for `repositories` follows.
    Reauditing {
        repositories: BTreeSet<String>,
    },
    Done,
    /// The apply could not start (no token, a missing basic-auth secret).
    Failed(TaskError),
}

/// One apply run and what all runs changed.
#[derive(Debug, Clone)]
pub struct ApplyState {
    pub(crate) run: Run,
    pub(crate) plan: Plan,
    pub(crate) started: Vec<bool>,
    pub(crate) results: Vec<Option<ActionResult>>,
    pub(crate) finished: usize,
    pub(crate) cursor: usize,
    /// Why the audit after the changes failed, if it did.
    pub(crate) after_error: Option<TaskError>,
    /// Every action carried out this session, across retries.
    pub(crate) changed: Vec<PlanAction>,
    /// The current run's interruption flag: raised, no further action starts.
    pub(crate) stop: StopFlag,
}

impl Default for ApplyState {
    fn default() -> Self {
        Self {
            run: Run::Idle,
            plan: Plan::default(),
            started: Vec::new(),
            results: Vec::new(),
            finished: 0,
            cursor: 0,
            after_error: None,
            changed: Vec::new(),
            stop: StopFlag::default(),
        }
    }
}

impl ApplyState {
    /// The actions of the last run that failed, with their reasons.
    pub(crate) fn failures(&self) -> impl Iterator<Item = (&PlanAction, &str)> {
        self.results
            .iter()
            .flatten()
            .filter(|r| r.outcome == Outcome::Failed)
            .map(|r| {
                (
                    &self.plan.actions[r.index],
                    r.error.as_deref().unwrap_or("no reason given"),
                )
            })
    }

    /// Changes made this session, including those of a run still in progress.
    pub(crate) fn made(&self) -> usize {
        let in_flight = match self.run {
            Run::Applying { .. } => self
                .results
                .iter()
                .flatten()
                .filter(|r| r.outcome == Outcome::Done)
                .count(),
            _ => 0,
        };
        self.changed.len() + in_flight
    }

    fn busy(&self) -> bool {
        matches!(self.run, Run::Applying { .. } | Run::Reauditing { .. })
    }

    /// Changes being made right now (started, no result yet), while a run is in progress.
    pub(crate) fn in_flight(&self) -> usize {
        if !matches!(self.run, Run::Applying { .. }) {
            return 0;
        }
        self.plan
            .actions
            .iter()
            .zip(self.started.iter().zip(&self.results))
            .filter(|(action, (started, result))| {
                action.kind.is_work() && **started && result.is_none()
            })
            .count()
    }

    /// Changes of a run in progress that have not started yet.
    fn waiting(&self) -> usize {
        if !matches!(self.run, Run::Applying { .. }) {
            return 0;
        }
        self.plan
            .actions
            .iter()
            .zip(self.started.iter().zip(&self.results))
            .filter(|(action, (started, result))| {
                action.kind.is_work() && !**started && result.is_none()
            })
            .count()
    }

    /// Whether Ctrl+C or `q` should offer to stop the apply rather than quit.
    pub(crate) fn interruptible(&self) -> bool {
        matches!(self.run, Run::Applying { .. })
    }
}

/// The stop popup's keys: stop after what is in flight, quit now, or keep going.
pub const STOP_APPLY: Keymap = &[&[
    Binding::new(
        &[Key::char('s')],
        Action::Confirm,
        "Start no new change; let those in flight finish",
    )
    .hint("stop"),
    Binding::new(
        &[Key::char('q'), CTRL_C],
        Action::Quit,
        "Quit at once, abandoning the changes in flight",
    )
    .hint("quit now"),
    Binding::new(
        &[Key::char('n'), ESC],
        Action::Dismiss,
        "Close this and let the apply go on",
    )
    .hint("keep going"),
]];

/// The stop popup: how many changes are done, in flight and not started, and what each answer
/// does, from the same counts the summary uses.
pub(crate) fn stop_text(app: &App) -> (String, Vec<String>) {
    let state = &app.apply;
    let done = state.made();
    let flying = state.in_flight();
    let waiting = state.waiting();
    let question = if state.stop.is_raised() {
        "Stopping the apply".to_owned()
    } else {
        "Stop applying?".to_owned()
    };
    let (in_flight, finish, abandoned) = match flying {
        1 => (
            "the change in flight".to_owned(),
            "finishes",
            "is abandoned (its outcome unknown)",
        ),
        n => (
            format!("the {n} changes in flight"),
            "finish",
            "are abandoned (their outcome unknown)",
        ),
    };
    let mut lines = vec![format!(
        "{done} done, {flying} in flight, {waiting} not started."
    )];
    if state.stop.is_raised() {
        lines.push(format!("Waiting until {in_flight} {finish}."));
    } else {
        lines.push(format!(
            "Stop: no new change starts; {in_flight} {finish}, then the summary shows what was done."
        ));
    }
    lines.push(format!(
        "Quit now: {in_flight} {abandoned} and {waiting} never start; no repository loses its webhook. Run again to finish."
    ));
    (question, lines)
}

/// The stop popup's answer.
pub(crate) fn on_stop(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Confirm => {
            app.apply.stop.raise();
            app.popup = None;
            Vec::new()
        }
        Action::Dismiss => {
            app.popup = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Starts carrying out `plan`.
pub(crate) fn start(app: &mut App, plan: Plan) -> Vec<Effect> {
    let Some(org) = app.org().cloned() else {
        return Vec::new();
    };
    let request = app.new_request();
    let user_id = app
        .audit
        .report
        .as_ref()
        .and_then(|r| r.user_id().map(str::to_owned))
        .or_else(|| Some(app.verify.report()?.identity.as_ref()?.id.clone()));
    let (previous, storage) = audit_state::basis(app);
    let count = plan.actions.len();
    app.apply.run = Run::Applying { request };
    app.apply.plan = plan.clone();
    app.apply.started = vec![false; count];
    app.apply.results = vec![None; count];
    app.apply.finished = 0;
    app.apply.cursor = 0;
    app.apply.after_error = None;
    app.apply.stop = StopFlag::default();
    vec![Effect::ApplyPlan {
        request,
        org,
        plan,
        profile: app.profile.clone(),
        user_id,
        previous,
        storage,
        stop: app.apply.stop.clone(),
    }]
}

pub(crate) fn on_progress(app: &mut App, request: RequestId, event: ApplyEvent) -> Vec<Effect> {
    if !matches!(app.apply.run, Run::Applying { request: current } if current == request) {
        return Vec::new();
    }
    match event {
        ApplyEvent::Started { index } => {
            if let Some(started) = app.apply.started.get_mut(index) {
                *started = true;
            }
        }
        ApplyEvent::Finished(result) => {
            let index = result.index;
            if let Some(slot) = app.apply.results.get_mut(index)
                && slot.replace(result).is_none()
            {
                app.apply.finished += 1;
            }
        }
    }
    Vec::new()
}

pub(crate) fn on_applied(
    app: &mut App,
    request: RequestId,
    result: Result<Vec<ActionResult>, TaskError>,
    after: Option<Result<AuditReport, TaskError>>,
    at: Timestamp,
) -> Vec<Effect> {
    if !matches!(app.apply.run, Run::Applying { request: current } if current == request) {
        return Vec::new();
    }
    match result {
        Ok(results) => {
            app.apply.finished = results.len();
            for result in &results {
                if result.outcome == Outcome::Done
                    && let Some(action) = app.apply.plan.actions.get(result.index)
                {
                    app.apply.changed.push(action.clone());
                }
            }
            app.apply.results = results.into_iter().map(Some).collect();
            app.apply.run = Run::Done;
        }
        Err(error) => app.apply.run = Run::Failed(error),
    }
    match after {
        Some(Ok(report)) => {
            app.audit.report = Some(report);
            app.audit.taken_at = Some(at);
            app.audit.fresh = true;
        }
        Some(Err(error)) => app.apply.after_error = Some(error),
        None => {}
    }
    Vec::new()
}

/// `r`: the repositories of the failed actions (a project-wide failure stands for the project's
/// selected repositories), audited afresh before planning again.
/// The (repository, project) of each change a retry would make again: the failed ones, or every
/// change when the apply as a whole failed.
fn failed_targets(app: &App) -> Vec<(Option<String>, String)> {
    match &app.apply.run {
        Run::Failed(_) => app
            .apply
            .plan
            .actions
            .iter()
            .filter(|a| a.kind.is_work())
            .map(|a| (a.repository_id.clone(), a.project_id.clone()))
            .collect(),
        Run::Done => app
            .apply
            .failures()
            .map(|(a, _)| (a.repository_id.clone(), a.project_id.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn retry(app: &mut App) -> Vec<Effect> {
    let failed = failed_targets(app);
    if failed.is_empty() {
        return Vec::new();
    }
    let mut repositories = BTreeSet::new();
    if let Some(report) = &app.audit.report {
        let selected = app.coverage.selected_ids(report);
        for (repository, project) in failed {
            match repository {
                Some(id) => {
                    repositories.insert(id.to_ascii_lowercase());
                }
                None => repositories.extend(
                    report
                        .repositories
                        .iter()
                        .filter(|r| r.project_id == project)
                        .map(|r| r.id.to_ascii_lowercase())
                        .filter(|id| selected.contains(id)),
                ),
            }
        }
    }
    app.apply.run = Run::Reauditing { repositories };
    audit_state::start(app)
}

/// The retry's audit is in: plan for the failed repositories and apply.
pub(crate) fn on_reaudited(app: &mut App) -> Vec<Effect> {
    let Run::Reauditing { repositories } = &app.apply.run else {
        return Vec::new();
    };
    let (Some(report), Some(org)) = (app.audit.fresh_report(), app.org()) else {
        app.apply.run = Run::Done;
        return Vec::new();
    };
    let selection = Selection::Ids(repositories.clone());
    let plan = plan::plan(report, &app.profile, &selection, org);
    start(app, plan)
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue if !app.apply.busy() => app.advance(),
        Action::RetryFailed => retry(app),
        Action::Move(movement) => {
            app.apply.cursor = moved(app.apply.cursor, app.apply.plan.actions.len(), movement, 10);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.apply;
    let org = app.org().map_or("the organization", |o| o.name());
    let total = state.plan.actions.len();
    let done = state
        .results
        .iter()
        .flatten()
        .filter(|r| r.outcome == Outcome::Done)
        .count();
    let failed = state
        .results
        .iter()
        .flatten()
        .filter(|r| r.outcome == Outcome::Failed)
        .count();
    // The row under the cursor in full, under the list, when the list cuts it.
    let detail = state
        .plan
        .actions
        .get(state.cursor)
        .map(|action| action_row(app, state.cursor, action))
        .filter(|row| row.width() + 2 > usize::from(area.width))
        .map(|row| hanging::wrap_spans("  ", Style::new(), &row.spans, area.width))
        .unwrap_or_default();
    let [header, list, detail_area, footer] = area.layout(&Layout::vertical([
        Constraint::Length(4),
        Constraint::Fill(1),
        Constraint::Length(u16::try_from(detail.len()).unwrap_or(u16::MAX)),
        Constraint::Length(3),
    ]));
    let title = match &state.run {
        Run::Applying { .. } => format!("Making the changes in {org}…"),
        Run::Reauditing { .. } => format!("Auditing {org} again before retrying…"),
        _ => format!("Changes in {org}"),
    };
    let fraction = if total == 0 {
        1.0
    } else {
        state.finished as f64 / total as f64
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(title, theme.title())),
            progress_bar::line(fraction, header.width.min(60), theme),
            Line::from(vec![
                Span::raw(format!("{} of {total} finished · ", state.finished)),
                Span::styled(format!("{done} done"), theme.success()),
                Span::raw(" · "),
                Span::styled(
                    format!("{failed} failed"),
                    if failed > 0 {
                        theme.error()
                    } else {
                        Style::new()
                    },
                ),
            ]),
        ]),
        header,
    );

    let (start, end, list) = scrolled(frame, list, state.cursor, total, theme);
    let lines: Vec<Line> = (start..end)
        .map(|index| {
            let pointer = if index == state.cursor { "▶ " } else { "  " };
            let mut row = action_row(app, index, &state.plan.actions[index]);
            row.spans.insert(0, Span::raw(pointer));
            truncated(row, list.width)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    frame.render_widget(Paragraph::new(detail), detail_area);

    let width = footer.width;
    let footer_lines = match &state.run {
        Run::Failed(error) => hanging::wrap(
            "✗ ",
            theme.error(),
            &format!("Nothing was changed: {error}"),
            theme.error(),
            width,
        ),
        Run::Done => {
            // The failure under the cursor, or the first one, in full.
            let shown = state
                .failures()
                .find(|(a, _)| {
                    std::ptr::eq(
                        *a,
                        &state.plan.actions[state.cursor.min(total.saturating_sub(1))],
                    )
                })
                .or_else(|| state.failures().next());
            let mut lines = match shown {
                Some((action, reason)) => hanging::wrap(
                    "✗ ",
                    theme.error(),
                    &format!(
                        "{failed} failed. {} · {}: {reason}. Fix the cause, then press r to retry the failed ones.",
                        action.project,
                        target_words(action),
                        reason = reason.trim_end_matches('.'),
                    ),
                    theme.error(),
                    width,
                ),
                None => hanging::wrap(
                    "✓ ",
                    theme.success(),
                    "Every change was made. Press Enter for the summary.",
                    Style::new(),
                    width,
                ),
            };
            if let Some(error) = &state.after_error {
                lines.extend(hanging::wrap(
                    "! ",
                    theme.warning(),
                    &format!("Could not audit again afterwards: {error}"),
                    theme.warning(),
                    width,
                ));
            }
            lines
        }
        _ => Vec::new(),
    };
    frame.render_widget(Paragraph::new(footer_lines), footer);
}

/// One action's row, without the cursor's pointer: its mark, project, change and, once it
/// failed, why.
fn action_row(app: &App, index: usize, action: &PlanAction) -> Line<'static> {
    let theme = app.theme;
    let state = &app.apply;
    let (mark, style) = match (&state.results.get(index), state.started.get(index)) {
        (Some(Some(result)), _) => match result.outcome {
            Outcome::Done => ("✓".to_owned(), theme.success()),
            Outcome::Failed => ("✗".to_owned(), theme.error()),
            Outcome::Skipped | Outcome::Planned | Outcome::NotStarted => {
                ("–".to_owned(), theme.muted())
            }
        },
        (_, Some(true)) => (spinner::frame(app.tick).to_owned(), theme.title()),
        _ => ("·".to_owned(), theme.muted()),
    };
    let mut spans = vec![
        Span::styled(mark, style),
        Span::raw(format!(" {} · {}", action.project, action_words(action))),
    ];
    if let Some(Some(ActionResult {
        outcome: Outcome::Failed,
        error,
        ..
    })) = state.results.get(index)
    {
        spans.push(Span::styled(
            format!(" — {}", error.as_deref().unwrap_or("failed")),
            theme.error(),
        ));
    }
    Line::from(spans)
}
