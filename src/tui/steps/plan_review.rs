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
use crossterm::event::KeyCode;

use crate::tui::keymap::{
    Action, BACK_TAB, Binding, ENTER, ESC, GLOBAL, Key, Keymap, LIST, Move, QUIT_CTRL_C, TAB,
};
use crate::tui::steps::shared::{action_words, moved};
use crate::tui::steps::{Step, apply};
use crate::tui::theme::Theme;
use crate::tui::widgets::hanging;
use crate::words::count;

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Apply the plan (asks for confirmation first)",
        )
        .hint("apply…"),
        Binding::new(&[ESC], Action::Back, "Back to the repository selection")
            .hint("back to selection"),
    ],
    LIST,
    GLOBAL,
];

/// The confirmation's keys. Nothing is applied by a single key: the admin highlights "Apply"
/// (arrows or Tab; "Back to the plan" is highlighted first) and presses Enter.
pub const CONFIRM_APPLY: Keymap = &[&[
    Binding::new(&[ENTER], Action::Continue, "Do what is highlighted").hint("choose"),
    Binding::new(
        &[Key::plain(KeyCode::Up), Key::plain(KeyCode::Down)],
        Action::Move(Move::Down),
        "Highlight the other choice",
    )
    .hint("switch"),
    Binding::new(
        &[
            TAB,
            BACK_TAB,
            Key::plain(KeyCode::Left),
            Key::plain(KeyCode::Right),
        ],
        Action::Move(Move::Down),
        "Highlight the other choice",
    ),
    Binding::new(
        &[ESC],
        Action::Dismiss,
        "Back to the plan; nothing is written",
    )
    .hint("not now"),
    QUIT_CTRL_C,
]];

/// The confirmation's two choices, in the order shown.
pub(crate) fn confirm_choices(app: &App) -> [(&'static str, bool); 2] {
    [
        (
            "Back to the plan (nothing is written)",
            !app.plan.apply_highlighted,
        ),
        ("Apply the changes", app.plan.apply_highlighted),
    ]
}

/// The first entry scrolls through the plan.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    let state = &app.plan;
    moved(state.scroll, state.entries.len(), movement, 10) != state.scroll
}

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
    /// In the confirmation: "Apply" is highlighted (rather than "Back to the plan").
    pub(crate) apply_highlighted: bool,
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
            apply_highlighted: false,
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
                app.plan.apply_highlighted = false;
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

/// The popup's keys: switch the highlight, do what it says, or close.
pub(crate) fn on_confirm(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Move(_) => {
            app.plan.apply_highlighted = !app.plan.apply_highlighted;
            Vec::new()
        }
        Action::Continue if app.plan.apply_highlighted => {
            app.popup = None;
            let plan = app.plan.plan.clone();
            let mut effects = app.go_to(Step::Apply);
            effects.extend(apply::start(app, plan));
            effects
        }
        Action::Continue | Action::Dismiss => {
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
        format!("Apply {} to {org}?", count(work, "change", "changes")),
        vec![
            format!(
                "Webhook subscriptions and status policies for {} repositories.",
                app.plan.repositories_touched()
            ),
            "Nothing else in Azure DevOps is changed.".to_owned(),
        ],
    )
}

fn action_lines(action: &PlanAction, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let (marker, style) = match action.kind {
        ActionKind::Skip => ("  – ", theme.muted()),
        _ => ("  + ", theme.success()),
    };
    let mut lines = hanging::wrap(marker, style, &action_words(action), Style::new(), width);
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
            "{} in {} repositories · {skips} skipped",
            count(work, "change", "changes"),
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
