//! Step 9: the changes the planner proposes for the selected repositories, laid out as
//! `configure --plan` prints them ([`plan_lines`]): changes first with their symbols, skips
//! grouped with their fix, the counts per kind above. The list scrolls by rows and pages without
//! skipping any. Nothing is written until the admin confirms in a popup that says what applying
//! deletes.

use std::cell::{Cell, RefCell};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::columns;
use crate::plan::{self, Outcome, Plan, Selection};
use crate::report::plan_view::{
    ChangeKind, PlanCounts, Role, ViewLine, apply_question, deletions, plan_lines,
};
use crate::tui::app::{App, Popup};
use crate::tui::effect::Effect;
use crossterm::event::KeyCode;

use crate::tui::keymap::{
    Action, BACK_TAB, Binding, ENTER, ESC, GLOBAL, Key, Keymap, LIST, Move, QUIT_CTRL_C, TAB,
};
use crate::tui::steps::{Step, apply};
use crate::tui::theme::Theme;
use crate::tui::widgets::{confirm_popup, hanging};
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

/// Whether `movement` would scroll the plan as last drawn.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    let state = &app.plan;
    let drawn = state.drawn.get();
    state.scrolled(movement).min(drawn.last_top()) != state.scroll.min(drawn.last_top())
}

/// The list as last drawn: render has only `&App`, yet a page is what the admin saw and End needs
/// the wrapped length at the drawn width, so drawing records them here for the keys that follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Drawn {
    height: usize,
    rows: usize,
}

impl Drawn {
    /// The first row of the last page: End shows a full page, never a lone row.
    fn last_top(self) -> usize {
        self.rows.saturating_sub(self.height)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanState {
    pub(crate) plan: Plan,
    /// The plan's lines as `configure --plan` prints them, built once.
    lines: Vec<ViewLine>,
    /// The first wrapped row on screen; drawing (and every movement) first brings it back to
    /// the last page's top when it is beyond.
    scroll: usize,
    drawn: Cell<Drawn>,
    /// The lines wrapped at the width last drawn: a plan of thousands of changes is wrapped once
    /// per width, not on every frame (a frame then costs what the visible rows cost).
    wrapped: RefCell<Option<(u16, Vec<Line<'static>>)>>,
    /// In the confirmation: "Apply" is highlighted (rather than "Back to the plan").
    pub(crate) apply_highlighted: bool,
}

impl PlanState {
    fn new(plan: Plan) -> Self {
        Self {
            lines: plan_lines(&plan, None),
            plan,
            scroll: 0,
            drawn: Cell::default(),
            wrapped: RefCell::default(),
            apply_highlighted: false,
        }
    }

    /// The scroll after a movement: by rows, or by a page less one row so the row that ends a
    /// page starts the next and nothing is ever stepped over.
    fn scrolled(&self, movement: Move) -> usize {
        let drawn = self.drawn.get();
        let last_top = drawn.last_top();
        let page = drawn.height.saturating_sub(1).max(1);
        let scroll = self.scroll.min(last_top);
        match movement {
            Move::Up => scroll.saturating_sub(1),
            Move::Down => (scroll + 1).min(last_top),
            Move::PageUp => scroll.saturating_sub(page),
            Move::PageDown => (scroll + page).min(last_top),
            Move::Top => 0,
            // Past any end: drawing puts the last page on screen, whatever the width then.
            Move::Bottom => usize::MAX,
        }
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
                app.plan.apply_highlighted = false;
                Vec::new()
            }
        }
        Action::Move(movement) => {
            app.plan.scroll = app.plan.scrolled(movement);
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

/// Deletions listed by name in the confirmation; the rest are counted (the plan shows them all).
const LISTED_DELETIONS: usize = 4;

/// The confirmation's question and detail, from the plan: the counts per kind, and by name what
/// applying deletes, so "yes" is never said to a deletion the admin was not shown.
pub(crate) fn confirm_text(app: &App) -> (String, Vec<String>) {
    let org = app.org().map_or("the organization", |o| o.name());
    let plan = &app.plan.plan;
    let width = usize::from(confirm_popup::INNER_WIDTH);
    let mut detail = wrapped("", &format!("{}.", PlanCounts::of(plan).sentence()), width);
    let deletions = deletions(plan);
    if deletions.is_empty() {
        detail.push("Nothing is deleted, and nothing else in Azure DevOps is changed.".to_owned());
    } else {
        detail.push(format!("Deleted from Azure DevOps ({}):", deletions.len()));
        for deletion in deletions.iter().take(LISTED_DELETIONS) {
            detail.extend(wrapped("· ", deletion, width));
        }
        if deletions.len() > LISTED_DELETIONS {
            let more = deletions.len() - LISTED_DELETIONS;
            detail.extend(wrapped(
                "· ",
                &format!("and {more} more, marked - or -/+ in the plan"),
                width,
            ));
        }
    }
    (apply_question(plan, org), detail)
}

/// `text` after `marker`, wrapped to the popup's width so the popup's own wrapping never has to;
/// continuation rows start at the left edge, where the popup would put them anyway.
fn wrapped(marker: &str, text: &str, width: usize) -> Vec<String> {
    let marker_width = columns::width(marker);
    columns::wrap(text, width.saturating_sub(marker_width), width)
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            if i == 0 {
                format!("{marker}{row}")
            } else {
                row
            }
        })
        .collect()
}

/// The styles of a line's lead and text, by what the line is.
fn styles(role: Role, theme: Theme) -> (Style, Style) {
    match role {
        Role::Project | Role::SkippedProject => (theme.title(), theme.title()),
        Role::Change(kind) => (
            match kind {
                ChangeKind::Create => theme.success(),
                ChangeKind::Replace | ChangeKind::Update => theme.warning(),
                ChangeKind::Delete => theme.error(),
            },
            Style::new(),
        ),
        Role::Result(Outcome::Done) => (theme.success(), Style::new()),
        Role::Result(Outcome::Failed) | Role::Error => (theme.error(), Style::new()),
        Role::Result(_) => (theme.warning(), Style::new()),
        Role::Reason => (Style::new(), theme.muted()),
        Role::Note => (Style::new(), theme.warning()),
        Role::Skip => (theme.muted(), Style::new()),
        Role::Fix => (theme.warning(), Style::new()),
        Role::Blank => (Style::new(), Style::new()),
    }
}

/// Every row of the plan at `width`, each line wrapped under its lead.
fn rows(lines: &[ViewLine], width: u16, theme: Theme) -> Vec<Line<'static>> {
    lines
        .iter()
        .flat_map(|line| {
            let (lead, text) = styles(line.role, theme);
            hanging::wrap(&line.lead, lead, &line.text, text, width)
        })
        .collect()
}

/// `↑ 12 lines above · ↓ 30 lines below`, or nothing when the whole plan is on screen.
fn more_lines(above: usize, below: usize) -> String {
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("↑ {} above", count(above, "line", "lines")));
    }
    if below > 0 {
        parts.push(format!("↓ {} below", count(below, "line", "lines")));
    }
    parts.join(" · ")
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.plan;
    let org = app.org().map_or("the organization", |o| o.name());
    let [header, list, indicator] = area.layout(&Layout::vertical([
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(1),
    ]));
    let blocked = state.plan.actions.iter().any(|a| a.fix.is_some());
    let summary = if state.plan.is_empty_of_work() && blocked {
        Span::styled(
            "Nothing can be changed until the skipped items below are fixed. Enter shows the summary.",
            theme.warning(),
        )
    } else if state.plan.is_empty_of_work() {
        Span::styled(
            "Nothing to change: every selected repository is already gated. Enter shows the summary.",
            theme.success(),
        )
    } else {
        Span::raw(PlanCounts::of(&state.plan).sentence())
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("The plan for {org}."), theme.title()),
                Span::styled(" Nothing is written until you confirm.", theme.muted()),
            ]),
            Line::from(summary),
        ])
        .wrap(Wrap { trim: false }),
        header,
    );
    let mut wrapped = state.wrapped.borrow_mut();
    let rows = match &mut *wrapped {
        Some((width, rows)) if *width == list.width => rows,
        cache => {
            &mut cache
                .insert((list.width, rows(&state.lines, list.width, theme)))
                .1
        }
    };
    let drawn = Drawn {
        height: usize::from(list.height),
        rows: rows.len(),
    };
    state.drawn.set(drawn);
    let top = state.scroll.min(drawn.last_top());
    let bottom = (top + drawn.height).min(drawn.rows);
    frame.render_widget(Paragraph::new(rows[top..bottom].to_vec()), list);
    frame.render_widget(
        Line::from(Span::styled(
            more_lines(top, drawn.rows - bottom),
            theme.muted(),
        ))
        .right_aligned(),
        indicator,
    );
}
