//! Step 9: the changes the planner proposes for the selected repositories, grouped by project, each
//! with its reason; skips say how to fix what blocks them. Nothing is written until the admin
//! confirms in a popup ("Apply N changes to ORG?").

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::plan::{self, Action as PlanAction, ActionKind, Plan, Selection};
use crate::tui::app::{App, Popup};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, Key, QUIT_CTRL_C};
use crate::tui::steps::permissions::moved;
use crate::tui::steps::{Step, apply};
use crate::tui::theme::Theme;
use crate::tui::widgets::hanging;

pub const KEYMAP: &[Binding] = crate::tui::keymap::list_keymap![
    Binding {
        keys: &[ENTER],
        action: Action::Continue,
        hint: Some("apply…"),
        help: "Apply the plan (asks for confirmation first)",
    },
    Binding {
        keys: &[ESC],
        action: Action::Back,
        hint: Some("back to selection"),
        help: "Back to the repository selection",
    },
];

/// The confirmation's keys. Enter is deliberately not "yes": writes deserve a deliberate key.
pub const CONFIRM_APPLY: &[Binding] = &[
    Binding {
        keys: &[Key::char('y')],
        action: Action::Confirm,
        hint: Some("apply"),
        help: "Make the changes in Azure DevOps",
    },
    Binding {
        keys: &[Key::char('n'), ESC],
        action: Action::Dismiss,
        hint: Some("not now"),
        help: "Back to the plan; nothing is written",
    },
    QUIT_CTRL_C,
];

/// One entry of the plan as listed: a project heading or an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Project(usize),
    Action(usize),
}

#[derive(Debug, Clone, Default)]
pub struct PlanState {
    pub(crate) plan: Plan,
    /// Headings and actions in display order (a heading before each project's actions).
    pub(crate) entries: Vec<Entry>,
    /// The first entry on screen.
    pub(crate) scroll: usize,
}

impl PlanState {
    fn new(plan: Plan) -> Self {
        let mut entries = Vec::with_capacity(plan.actions.len() + 8);
        let mut last_project: Option<&str> = None;
        for (index, action) in plan.actions.iter().enumerate() {
            if last_project != Some(action.project_id.as_str()) {
                entries.push(Entry::Project(index));
                last_project = Some(action.project_id.as_str());
            }
            entries.push(Entry::Action(index));
        }
        Self {
            plan,
            entries,
            scroll: 0,
        }
    }

    /// Repositories the plan writes to.
    pub(crate) fn repositories_touched(&self) -> usize {
        self.plan
            .actions
            .iter()
            .filter(|a| a.kind.is_work())
            .filter_map(|a| a.repository_id.as_deref())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }
}

/// Arriving: plan for the selected repositories.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    let (Some(report), Some(org)) = (&app.audit.report, app.org()) else {
        return Vec::new();
    };
    let selection = Selection::Ids(app.coverage.selected_ids(report));
    app.plan = PlanState::new(plan::plan(report, &app.profile, &selection, org));
    Vec::new()
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue => {
            if app.plan.plan.is_empty_of_work() {
                // Nothing to write: straight to the summary.
                let mut effects = app.go_to(Step::Summary);
                effects.extend(crate::tui::steps::on_enter(app));
                effects
            } else {
                app.popup = Some(Popup::ConfirmApply);
                Vec::new()
            }
        }
        Action::Move(movement) => {
            app.plan.scroll = moved(app.plan.scroll, app.plan.entries.len(), movement, 10);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The popup's answer.
pub(crate) fn on_confirm(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Confirm => {
            app.popup = None;
            let plan = app.plan.plan.clone();
            let mut effects = app.go_to(Step::Apply);
            effects.extend(apply::start(app, plan));
            effects
        }
        Action::Dismiss => {
            app.popup = None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The confirmation's question and detail.
pub(crate) fn confirm_text(app: &App) -> (String, Vec<String>) {
    let org = app.org().map_or("the organization", |o| o.name());
    let work = app.plan.plan.work_count();
    (
        format!(
            "Apply {work} change{} to {org}?",
            if work == 1 { "" } else { "s" }
        ),
        vec![
            format!(
                "Webhook subscriptions and status policies for {} repositories.",
                app.plan.repositories_touched()
            ),
            "Nothing else in Azure DevOps is changed.".to_owned(),
        ],
    )
}

pub(crate) fn kind_words(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::CreateSubscription => "create webhook",
        ActionKind::RecreateSubscription => "recreate webhook",
        ActionKind::EnableSubscription => "re-enable webhook",
        ActionKind::CreateStatusPolicy => "create status policy",
        ActionKind::UpdateStatusPolicy => "update status policy",
        ActionKind::Skip => "skip",
    }
}

/// `storefront-web · git.pullrequest.created`, or `whole project` for project-wide actions.
pub(crate) fn target_words(action: &PlanAction) -> String {
    let place = action.repository.as_deref().unwrap_or("whole project");
    match &action.event_type {
        Some(event) => format!("{place} · {event}"),
        None => place.to_owned(),
    }
}

fn action_lines(action: &PlanAction, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let (marker, style) = match action.kind {
        ActionKind::Skip => ("  – ", theme.muted()),
        _ => ("  + ", theme.success()),
    };
    let mut lines = hanging::wrap(
        marker,
        style,
        &format!("{}: {}", kind_words(action.kind), target_words(action)),
        Style::new(),
        width,
    );
    lines.extend(hanging::wrap(
        "    ",
        theme.muted(),
        &action.reason,
        theme.muted(),
        width,
    ));
    if let Some(fix) = &action.fix {
        lines.extend(hanging::wrap(
            "    Fix: ",
            theme.warning(),
            fix,
            Style::new(),
            width,
        ));
    }
    lines
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.plan;
    let org = app.org().map_or("the organization", |o| o.name());
    let work = state.plan.work_count();
    let skips = state.plan.actions.len() - work;
    let [header, list] = area.layout(&Layout::vertical([
        Constraint::Length(4),
        Constraint::Fill(1),
    ]));
    let summary = if work == 0 {
        Span::styled(
            "Nothing to change: every selected repository is already gated. Enter shows the summary.",
            theme.success(),
        )
    } else {
        Span::raw(format!(
            "{work} change{} in {} repositories · {skips} skipped",
            if work == 1 { "" } else { "s" },
            state.repositories_touched()
        ))
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(format!("The plan for {org}"), theme.title())),
            Line::from(summary),
            Line::from(Span::styled(
                "Nothing is written until you confirm.",
                theme.muted(),
            )),
        ]),
        header,
    );
    let mut lines = Vec::new();
    let height = usize::from(list.height);
    for entry in state.entries.iter().skip(state.scroll) {
        if lines.len() >= height {
            break;
        }
        match *entry {
            Entry::Project(index) => {
                if !lines.is_empty() {
                    lines.push(Line::default());
                }
                lines.push(Line::from(Span::styled(
                    state.plan.actions[index].project.clone(),
                    theme.title(),
                )));
            }
            Entry::Action(index) => {
                lines.extend(action_lines(&state.plan.actions[index], list.width, theme));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), list);
}
