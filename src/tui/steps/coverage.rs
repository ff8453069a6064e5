//! Step 8: every repository, grouped by project, with its coverage and a NEW badge; the admin picks
//! which ones to configure. Built for 10 000 repositories: the flat row index, the search keys and
//! the filter's result are computed in `update` (once per audit, once per filter edit), so drawing
//! touches only the rows on screen.

use std::collections::BTreeSet;

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::audit::{
    AuditReport, AuditSummary, Coverage, EventStatus, PolicyPresence, RepositoryAudit,
};
use crate::columns;
use crate::tui::app::{App, Status, Tone};
use crate::tui::delivery;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, EDITING, ENTER, ESC, GLOBAL, Key, Keymap, LIST, Move};
use crate::tui::steps::shared::moved;
use crate::tui::theme::Theme;
use crate::tui::widgets::hanging;
use crate::tui::widgets::text_input::{self, TextInput};
use crate::tui::widgets::{scrolled, truncated};
use crate::words::count;

use crossterm::event::KeyCode;

/// One keymap: browsing and selecting, and typing a filter.
pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Plan the changes for the selected repositories (nothing is written yet)",
        )
        .hint("plan")
        .when(can_plan),
        Binding::new(
            &[Key::char(' ')],
            Action::ToggleSelect,
            "Select or unselect the repository (on a project: all its repositories shown)",
        )
        .hint("select")
        .when(can_toggle),
        Binding::new(
            &[Key::char('a')],
            Action::SelectMissing,
            "Select every repository shown that is not covered (missing, partial, unhealthy)",
        )
        .hint("missing")
        .when(can_select_missing),
        Binding::new(
            &[Key::char('/')],
            Action::Filter,
            "Filter by project or repository name",
        )
        .hint("filter")
        .when(browsing),
        Binding::new(&[ESC], Action::Back, "Back to the previous step")
            .hint("back")
            .when(browsing),
        Binding::new(
            &[Key::char('n')],
            Action::SelectNone,
            "Unselect every repository shown",
        )
        .when(can_select_none),
        delivery::TEST_DELIVERY.quiet().when(can_test_delivery),
        Binding::new(
            &[ENTER],
            Action::FilterDone,
            "Stop typing and keep the filter",
        )
        .hint("keep filter")
        .when(filtering),
        Binding::new(
            &[ESC],
            Action::ClearFilter,
            "Clear the filter and show every repository",
        )
        .hint("clear filter")
        .when(filtering),
        Binding::new(
            &[Key::plain(KeyCode::Up)],
            Action::Move(Move::Up),
            "Move up",
        )
        .when(filter_can_go_up),
        Binding::new(
            &[Key::plain(KeyCode::Down)],
            Action::Move(Move::Down),
            "Move down",
        )
        .when(filter_can_go_down),
    ],
    LIST,
    GLOBAL,
    EDITING,
];

/// What Enter says when nothing is selected.
const SELECT_FIRST: &str =
    "Select at least one repository: Space selects, a selects every one not covered.";

fn filtering(app: &App) -> bool {
    app.coverage.filtering
}

fn browsing(app: &App) -> bool {
    !app.coverage.filtering
}

/// Enter plans, or says (once) that nothing is selected.
fn can_plan(app: &App) -> bool {
    browsing(app)
        && (app.coverage.selected_count > 0
            || app.status.as_ref().is_none_or(|s| s.text != SELECT_FIRST))
}

/// The repositories Space would select or unselect.
fn can_toggle(app: &App) -> bool {
    let state = &app.coverage;
    browsing(app)
        && state
            .visible
            .get(state.cursor)
            .is_some_and(|r| match state.rows[*r] {
                Row::Repo(_) => true,
                Row::Project(group) => !state.project_repos(group).is_empty(),
            })
}

fn can_select_missing(app: &App) -> bool {
    browsing(app) && app.coverage.shown_unselected_uncovered > 0
}

fn can_select_none(app: &App) -> bool {
    browsing(app) && app.coverage.shown_selected > 0
}

/// The gate subscription of the repository under the cursor, which `t` tests.
fn cursor_subscription(app: &App) -> Option<String> {
    let state = &app.coverage;
    let repo = match state.rows[*state.visible.get(state.cursor)?] {
        Row::Repo(repo) => repo,
        Row::Project(_) => return None,
    };
    delivery::repository_subscription(app.audit.report.as_ref()?, repo)
}

fn can_test_delivery(app: &App) -> bool {
    browsing(app) && app.test_delivery.running.is_none() && cursor_subscription(app).is_some()
}

/// The cursor moves through the rows shown.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    let state = &app.coverage;
    moved(state.cursor, state.visible.len(), movement, 20) != state.cursor
}

fn filter_can_go_up(app: &App) -> bool {
    filtering(app) && can_move(app, Move::Up)
}

fn filter_can_go_down(app: &App) -> bool {
    filtering(app) && can_move(app, Move::Down)
}

/// One line of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Row {
    /// A project heading, by group index.
    Project(usize),
    /// A repository, by index into the report's repositories.
    Repo(usize),
}

/// A project and its repositories (sorted by name).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) repos: Vec<usize>,
    /// The gate user certainly cannot manage service hooks or policies there.
    pub(crate) no_permission: bool,
}

/// Which repositories start selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Preselect {
    /// Everything not covered.
    NotCovered,
    /// New repositories that are not covered, and broken ones (partial or unhealthy).
    NewAndBroken,
}

/// The index, the filter and the selection.
#[derive(Debug, Clone, Default)]
pub struct CoverageState {
    pub(crate) groups: Vec<Group>,
    pub(crate) rows: Vec<Row>,
    /// Lowercase `project/repository`, per repository index.
    pub(crate) search: Vec<String>,
    /// Indexes into `rows` that pass the filter, in order.
    pub(crate) visible: Vec<usize>,
    pub(crate) filter: TextInput,
    pub(crate) filtering: bool,
    /// Per repository index.
    pub(crate) selected: Vec<bool>,
    pub(crate) selected_count: usize,
    /// Per repository: not covered (what `a` selects).
    uncovered: Vec<bool>,
    /// Per repository: shown by the filter.
    shown: Vec<bool>,
    /// Shown repositories that are selected, and shown uncovered ones that are not: what the
    /// `n` and `a` keys' availability asks on every frame, kept by `refilter` and `set`.
    shown_selected: usize,
    shown_unselected_uncovered: usize,
    /// Index into `visible`.
    pub(crate) cursor: usize,
    /// The audit's summary, shown above the list.
    pub(crate) summary: AuditSummary,
    /// The delivery-health sentence (and whether it is good news), summed once per audit rather
    /// than over every repository on every frame.
    pub(crate) delivery_health: Option<(bool, String)>,
    /// The widest repository name, in columns: the names' column is sized by it, measured once
    /// per audit rather than over every repository on every frame.
    pub(crate) longest_name: usize,
    /// The audit this index was built from; a newer audit rebuilds it.
    pub(crate) built_from: Option<Timestamp>,
}

/// Needs work: not covered, or covered more than once (as `configure --repos missing` selects).
fn not_covered(repo: &RepositoryAudit) -> bool {
    matches!(
        repo.coverage,
        Coverage::Missing | Coverage::Partial | Coverage::Unhealthy
    ) || repo.has_duplicates()
}

impl CoverageState {
    /// Indexes `report`: groups by project (named as the report names them), rows, search keys,
    /// counts, and the initial selection.
    pub(crate) fn build(
        report: &AuditReport,
        preselect: Preselect,
        built_from: Option<Timestamp>,
    ) -> Self {
        let mut by_project: std::collections::BTreeMap<(String, String), Vec<usize>> =
            std::collections::BTreeMap::new();
        for (index, repo) in report.repositories.iter().enumerate() {
            by_project
                .entry((repo.project.to_lowercase(), repo.project_id.clone()))
                .or_default()
                .push(index);
        }
        let mut groups = Vec::with_capacity(by_project.len());
        let mut rows = Vec::with_capacity(report.repositories.len() + by_project.len());
        for ((_, project_id), mut repos) in by_project {
            repos.sort_by_cached_key(|i| report.repositories[*i].name.to_lowercase());
            let name = report.repositories[repos[0]].project.clone();
            let no_permission = report
                .project(&project_id)
                .is_some_and(|p| p.lacks_permissions());
            rows.push(Row::Project(groups.len()));
            rows.extend(repos.iter().map(|i| Row::Repo(*i)));
            groups.push(Group {
                name,
                repos,
                no_permission,
            });
        }
        let search = report
            .repositories
            .iter()
            .map(|r| format!("{}/{}", r.project, r.name).to_lowercase())
            .collect();
        let selected: Vec<bool> = report
            .repositories
            .iter()
            .map(|r| match preselect {
                Preselect::NotCovered => not_covered(r),
                Preselect::NewAndBroken => {
                    (r.new && not_covered(r))
                        || matches!(r.coverage, Coverage::Partial | Coverage::Unhealthy)
                }
            })
            .collect();
        let mut state = Self {
            visible: (0..rows.len()).collect(),
            groups,
            rows,
            search,
            filter: TextInput::default(),
            filtering: false,
            selected_count: selected.iter().filter(|s| **s).count(),
            selected,
            uncovered: report.repositories.iter().map(not_covered).collect(),
            shown: Vec::new(),
            shown_selected: 0,
            shown_unselected_uncovered: 0,
            cursor: 0,
            summary: report.summary.clone(),
            delivery_health: delivery::health_sentence(report),
            longest_name: report
                .repositories
                .iter()
                .map(|r| columns::width(&r.name))
                .max()
                .unwrap_or(0),
            built_from,
        };
        state.refilter();
        state
    }

    /// Recomputes the visible rows from the filter: a project heading shows when any of its
    /// repositories does.
    pub(crate) fn refilter(&mut self) {
        let needle = self.filter.value().trim().to_lowercase();
        self.visible.clear();
        if needle.is_empty() {
            self.visible.extend(0..self.rows.len());
        } else {
            let mut row = 0;
            for group in &self.groups {
                let heading = row;
                row += 1;
                let mut shown = false;
                for (offset, repo) in group.repos.iter().enumerate() {
                    if self.search[*repo].contains(&needle) {
                        if !shown {
                            self.visible.push(heading);
                            shown = true;
                        }
                        self.visible.push(row + offset);
                    }
                }
                row += group.repos.len();
            }
        }
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
        self.shown = vec![false; self.selected.len()];
        for row in &self.visible {
            if let Row::Repo(repo) = self.rows[*row] {
                self.shown[repo] = true;
            }
        }
        self.shown_selected = (0..self.selected.len())
            .filter(|r| self.shown[*r] && self.selected[*r])
            .count();
        self.shown_unselected_uncovered = (0..self.selected.len())
            .filter(|r| self.shown[*r] && !self.selected[*r] && self.uncovered[*r])
            .count();
    }

    /// The repositories shown (in display order).
    /// A project's repositories that the filter shows.
    fn project_repos(&self, group: usize) -> Vec<usize> {
        let needle = self.filter.value().trim().to_lowercase();
        self.groups[group]
            .repos
            .iter()
            .copied()
            .filter(|r| needle.is_empty() || self.search[*r].contains(&needle))
            .collect()
    }

    fn visible_repos(&self) -> impl Iterator<Item = usize> + '_ {
        self.visible.iter().filter_map(|row| match self.rows[*row] {
            Row::Repo(repo) => Some(repo),
            Row::Project(_) => None,
        })
    }

    fn set(&mut self, repo: usize, on: bool) {
        if self.selected[repo] != on {
            self.selected[repo] = on;
            if on {
                self.selected_count += 1;
            } else {
                self.selected_count -= 1;
            }
            if self.shown[repo] {
                if on {
                    self.shown_selected += 1;
                } else {
                    self.shown_selected -= 1;
                }
                if self.uncovered[repo] {
                    if on {
                        self.shown_unselected_uncovered -= 1;
                    } else {
                        self.shown_unselected_uncovered += 1;
                    }
                }
            }
        }
    }

    /// Space: the repository under the cursor, or every shown repository of the project.
    pub(crate) fn toggle(&mut self) {
        let Some(row) = self.visible.get(self.cursor).map(|r| self.rows[*r]) else {
            return;
        };
        match row {
            Row::Repo(repo) => {
                let on = !self.selected[repo];
                self.set(repo, on);
            }
            Row::Project(group) => {
                let repos = self.project_repos(group);
                let on = !repos.iter().all(|r| self.selected[*r]);
                for repo in repos {
                    self.set(repo, on);
                }
            }
        }
    }

    /// `a`: every shown repository that is not covered.
    pub(crate) fn select_missing(&mut self, report: &AuditReport) {
        let repos: Vec<usize> = self
            .visible_repos()
            .filter(|r| not_covered(&report.repositories[*r]))
            .collect();
        for repo in repos {
            self.set(repo, true);
        }
    }

    /// `n`: nothing shown stays selected.
    pub(crate) fn select_none(&mut self) {
        let repos: Vec<usize> = self.visible_repos().collect();
        for repo in repos {
            self.set(repo, false);
        }
    }

    /// The selected repositories' ids, for the planner.
    pub(crate) fn selected_ids(&self, report: &AuditReport) -> BTreeSet<String> {
        self.selected
            .iter()
            .zip(&report.repositories)
            .filter(|(on, _)| **on)
            .map(|(_, r)| r.id.to_ascii_lowercase())
            .collect()
    }
}

/// (Re)builds the index when the audit is newer than it, keeping the admin's selection for the
/// repositories that are still there.
pub(crate) fn prepare(app: &mut App, preselect: Preselect) {
    let Some(report) = &app.audit.report else {
        return;
    };
    if app.coverage.built_from.is_some() && app.coverage.built_from == app.audit.taken_at {
        return;
    }
    app.coverage = CoverageState::build(report, preselect, app.audit.taken_at);
}

pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    let preselect = match app.flow {
        crate::tui::flow::Flow::Configure => Preselect::NewAndBroken,
        _ => Preselect::NotCovered,
    };
    prepare(app, preselect);
    Vec::new()
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let state = &mut app.coverage;
    match action {
        Action::Continue => {
            if state.selected_count == 0 {
                app.status = Some(Status {
                    tone: Tone::Error,
                    text: SELECT_FIRST.to_owned(),
                });
                return Vec::new();
            }
            return app.advance();
        }
        Action::ToggleSelect => state.toggle(),
        Action::SelectMissing => {
            if let Some(report) = &app.audit.report {
                state.select_missing(report);
            }
        }
        Action::SelectNone => state.select_none(),
        Action::TestDelivery => {
            return match cursor_subscription(app) {
                Some(subscription) => delivery::start(app, subscription),
                None => Vec::new(),
            };
        }
        Action::Filter => state.filtering = true,
        Action::FilterDone => state.filtering = false,
        Action::ClearFilter => {
            state.filtering = false;
            if state.filter.edit(crate::tui::keymap::Edit::Clear) {
                state.cursor = 0;
                state.refilter();
            }
        }
        Action::Edit(edit) if state.filter.edit(edit) => {
            state.cursor = 0;
            state.refilter();
        }
        Action::Move(movement) => {
            state.cursor = moved(state.cursor, state.visible.len(), movement, 20);
        }
        _ => {}
    }
    Vec::new()
}

pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    let state = &mut app.coverage;
    if state.filtering {
        state.filter.insert(text);
        state.cursor = 0;
        state.refilter();
    }
    Vec::new()
}

/// What is wrong (or right) with a repository, in a few words; duplicates are named after the
/// coverage, in the audit report's words.
pub(crate) fn coverage_words(repo: &RepositoryAudit) -> (&'static str, String) {
    let (mark, mut words) = coverage_class_words(repo);
    // Subscriptions and Status policies together: the row is narrow; the plan names each one.
    let duplicates: usize = repo
        .events
        .iter()
        .map(|e| e.duplicate_subscription_ids.len())
        .sum::<usize>()
        + repo.duplicate_status_policy_ids.len();
    if duplicates > 0 {
        words.push_str(&format!(
            " · {duplicates} duplicate{}",
            if duplicates == 1 { "" } else { "s" }
        ));
    }
    (mark, words)
}

fn coverage_class_words(repo: &RepositoryAudit) -> (&'static str, String) {
    match repo.coverage {
        Coverage::Covered => ("✓", "covered".to_owned()),
        Coverage::Missing => ("✗", "missing".to_owned()),
        Coverage::NotApplicable => (
            "–",
            if repo.disabled {
                "n/a: disabled".to_owned()
            } else {
                "n/a: empty".to_owned()
            },
        ),
        Coverage::Unhealthy => {
            let why = repo
                .events
                .iter()
                .find_map(|e| match e.status {
                    EventStatus::DisabledBySystem => Some("disabled by the system"),
                    EventStatus::OnProbation => Some("on probation"),
                    EventStatus::DisabledByUser => Some("disabled by a user"),
                    EventStatus::DisabledByInactiveIdentity => Some("disabled: inactive identity"),
                    EventStatus::Other(_) => Some("unknown hook status"),
                    EventStatus::Enabled | EventStatus::Absent => None,
                })
                .unwrap_or("hook not enabled");
            ("!", format!("unhealthy: {why}"))
        }
        Coverage::Partial => {
            let absent = repo
                .events
                .iter()
                .filter(|e| e.status == EventStatus::Absent)
                .count();
            let why = if absent > 0 {
                format!("{} missing", count(absent, "event", "events"))
            } else if repo.events.iter().any(|e| e.restricted) {
                "filtered hook".to_owned()
            } else if repo.status_policy == PolicyPresence::Absent {
                "no status policy".to_owned()
            } else if !repo.status_policy.is_satisfied() {
                format!(
                    "status policy {}",
                    repo.status_policy.as_str().replace('_', " ")
                )
            } else {
                "incomplete".to_owned()
            };
            ("◐", format!("partial: {why}"))
        }
    }
}

fn coverage_style(coverage: Coverage, theme: Theme) -> Style {
    match coverage {
        Coverage::Covered => theme.success(),
        Coverage::Missing => theme.error(),
        Coverage::Partial | Coverage::Unhealthy => theme.warning(),
        Coverage::NotApplicable => theme.muted(),
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.coverage;
    let Some(report) = &app.audit.report else {
        frame.render_widget(
            Paragraph::new("No audit yet: go back to the permissions step."),
            area,
        );
        return;
    };
    let org = app.org().map_or("the organization", |o| o.name());
    // Delivery health and the test delivery's result, under the counts (only when there are some).
    let mut doctor: Vec<Line> = Vec::new();
    if let Some((good, sentence)) = &state.delivery_health {
        doctor.push(Line::from(vec![
            Span::styled(
                sentence.as_str(),
                if *good {
                    theme.success()
                } else {
                    theme.warning()
                },
            ),
            Span::styled(" · t tests a hook", theme.muted()),
        ]));
    }
    doctor.extend(delivery::lines(app, area.width));
    let doctor_height = u16::try_from(doctor.len()).unwrap_or(u16::MAX);
    let summary = &state.summary;
    let counts = &summary.coverage;
    let mut header_lines = vec![Line::from(Span::styled(
        format!("Repositories in {org}"),
        theme.title(),
    ))];
    header_lines.extend(hanging::wrap_spans(
        "",
        Style::new(),
        &[
            Span::raw(format!("{} repositories · ", summary.repositories)),
            Span::styled(format!("{} covered", counts.covered), theme.success()),
            Span::raw(" · "),
            Span::styled(format!("{} partial", counts.partial), theme.warning()),
            Span::raw(" · "),
            Span::styled(format!("{} unhealthy", counts.unhealthy), theme.warning()),
            Span::raw(" · "),
            Span::styled(format!("{} missing", counts.missing), theme.error()),
            Span::raw(format!(" · {} n/a · ", counts.not_applicable)),
            Span::styled(format!("{} NEW", summary.new), theme.value()),
        ],
        area.width,
    ));
    header_lines.push(Line::from(vec![
        Span::styled(format!("{} selected", state.selected_count), theme.value()),
        Span::styled(" to configure", theme.muted()),
    ]));
    let header_height = u16::try_from(header_lines.len()).unwrap_or(u16::MAX);
    let [header, doctor_area, filter_area, list] = area.layout(&Layout::vertical([
        Constraint::Length(header_height),
        Constraint::Length(doctor_height),
        Constraint::Length(if state.filtering { 3 } else { 1 }),
        Constraint::Fill(1),
    ]));
    frame.render_widget(Paragraph::new(header_lines), header);
    frame.render_widget(Paragraph::new(doctor), doctor_area);
    if state.filtering {
        text_input::render(
            frame,
            filter_area.intersection(Rect {
                width: 50,
                ..filter_area
            }),
            &state.filter,
            "Filter",
            app.popup.is_none(),
            theme,
        );
    } else if !state.filter.value().is_empty() {
        frame.render_widget(
            Line::from(vec![
                Span::styled("Filter: ", theme.muted()),
                Span::styled(state.filter.value().to_owned(), theme.value()),
                Span::styled(
                    format!(
                        "  ({} rows shown · / edits · Esc in the filter clears)",
                        state.visible.len()
                    ),
                    theme.muted(),
                ),
            ]),
            filter_area,
        );
    }

    if state.visible.is_empty() {
        let text = if state.rows.is_empty() {
            "The token sees no repository in this organization: nothing to configure."
        } else {
            "No repository matches the filter."
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.muted())), list);
        return;
    }
    let (start, end, list) = scrolled(frame, list, state.cursor, state.visible.len(), theme);
    // The names' column: as wide as the longest name (up to 40), wider only while the notes
    // beside it keep their 34 columns.
    let name_column = usize::from(list.width)
        .saturating_sub(2 + 6 + 2 + 34 + 5)
        .max(state.longest_name + 2)
        .min(40);
    let mut lines = Vec::with_capacity(end - start);
    for (offset, row) in state.visible[start..end].iter().enumerate() {
        let at_cursor = start + offset == state.cursor;
        let pointer = if at_cursor { "▶ " } else { "  " };
        let mut line = match state.rows[*row] {
            Row::Project(group) => {
                let group = &state.groups[group];
                let chosen = group.repos.iter().filter(|r| state.selected[**r]).count();
                let mut spans = vec![
                    Span::raw(pointer),
                    Span::styled(group.name.clone(), theme.title()),
                    Span::styled(
                        match group.repos.len() {
                            1 => format!(" · 1 repository · {chosen} selected"),
                            n => format!(" · {n} repositories · {chosen} selected"),
                        },
                        theme.muted(),
                    ),
                ];
                if group.no_permission {
                    spans.push(Span::styled(
                        " · ✗ no permission: skipped by the plan",
                        theme.error(),
                    ));
                }
                Line::from(spans)
            }
            Row::Repo(index) => {
                let repo = &report.repositories[index];
                let (mark, mut words) = coverage_words(repo);
                if let Some(failing) = repo
                    .events
                    .iter()
                    .find_map(|e| e.deliveries.as_ref().and_then(delivery::failing_words))
                {
                    words = columns::truncate(&format!("{words} · {failing}"), 42).into_owned();
                }
                let name = columns::truncate(&repo.name, name_column - 2);
                let style = coverage_style(repo.coverage, theme);
                let mut spans = vec![
                    Span::raw(pointer),
                    Span::raw(if state.selected[index] {
                        "  [x] "
                    } else {
                        "  [ ] "
                    }),
                    Span::raw(columns::pad(&name, name_column)),
                    Span::styled(format!("{mark} "), style),
                    Span::styled(format!("{words:<34}"), style),
                ];
                if repo.new {
                    spans.push(Span::styled(" NEW ", theme.key()));
                }

                Line::from(spans)
            }
        };
        if at_cursor {
            line = line.patch_style(Style::new().add_modifier(Modifier::BOLD));
        }
        lines.push(truncated(line, list.width));
    }
    frame.render_widget(Paragraph::new(lines), list);
}
