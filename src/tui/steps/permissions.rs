//! Step 7: can the gate user manage service hooks and policies in every project? The audit runs on
//! arrival (a progress bar follows its phases); projects where the answer is no come first, each
//! with its fix, then those where it could not be determined, with the reason.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::audit::ProjectAudit;
use crate::columns;
use crate::org::user_name;
use crate::tui::app::App;
use crate::tui::audit_state::{self, AuditRun};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, GLOBAL, Key, Keymap, LIST, Move};
use crate::tui::old_token;
use crate::tui::steps::shared::{audit_progress_lines, moved};
use crate::tui::theme::Theme;
use crate::tui::widgets::{hanging, scrolled, truncated};

/// One keymap: while the audit runs, when it failed, and over the project table.
pub const KEYMAP: Keymap = &[
    &[
        old_token::RESTORE,
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Continue (projects without permissions are skipped until fixed)",
        )
        .hint("continue")
        .when(table),
        Binding::new(
            &[Key::char('o')],
            Action::OpenPage,
            "Open the selected project's permissions page in the browser",
        )
        .hint("open fix")
        .when(can_open),
        Binding::new(
            &[Key::char('r')],
            Action::Recheck,
            "Run the audit again (after fixing permissions in Azure DevOps)",
        )
        .hint("re-check")
        .when(not_running),
        Binding::new(&[ESC], Action::Back, "Back to the previous step").hint("back"),
    ],
    LIST,
    GLOBAL,
];

/// The project table is shown: a report made with the current token, no audit running.
fn table(app: &App) -> bool {
    !app.audit.running() && app.audit.fresh_report().is_some()
}

fn not_running(app: &App) -> bool {
    !app.audit.running()
}

fn can_open(app: &App) -> bool {
    table(app) && app.org().is_some() && selected(app).is_some()
}

/// The cursor moves through the table's projects.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    let state = &app.permissions;
    table(app) && moved(state.cursor, state.order.len(), movement, 10) != state.cursor
}

/// Projects in display order and the cursor.
#[derive(Debug, Clone, Default)]
pub struct PermissionsState {
    /// Indexes into the report's projects: missing permissions, then unknown, then fine.
    pub(crate) order: Vec<usize>,
    pub(crate) cursor: usize,
}

/// How a project stands, in display order.
fn rank(project: &ProjectAudit) -> u8 {
    if project.lacks_permissions() {
        0
    } else if project.permissions_unknown() {
        1
    } else {
        2
    }
}

/// Rebuilds the display order after an audit.
pub(crate) fn index(app: &mut App) {
    let Some(report) = &app.audit.report else {
        app.permissions = PermissionsState::default();
        return;
    };
    let mut order: Vec<usize> = (0..report.projects.len()).collect();
    order.sort_by(|a, b| {
        let (a, b) = (&report.projects[*a], &report.projects[*b]);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    let cursor = app.permissions.cursor.min(order.len().saturating_sub(1));
    app.permissions = PermissionsState { order, cursor };
}

/// Arriving: audit unless a report made with the current token is at hand.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    if app.audit.fresh_report().is_some() || app.audit.running() {
        index(app);
        return Vec::new();
    }
    audit_state::start(app)
}

fn selected(app: &App) -> Option<&ProjectAudit> {
    let report = app.audit.fresh_report()?;
    let index = *app.permissions.order.get(app.permissions.cursor)?;
    report.projects.get(index)
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue => {
            if app.audit.running() || app.audit.fresh_report().is_none() {
                return Vec::new();
            }
            app.advance()
        }
        Action::Recheck if !app.audit.running() => audit_state::start(app),
        Action::RestoreOldToken => old_token::restore(app),
        Action::OpenPage => match (app.org(), selected(app)) {
            (Some(org), Some(project)) => {
                vec![Effect::OpenUrl(org.project_permissions_page(&project.name))]
            }
            _ => Vec::new(),
        },
        Action::Move(movement) => {
            let len = app.permissions.order.len();
            app.permissions.cursor = moved(app.permissions.cursor, len, movement, 10);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// What every screen calls the integration user ([`user_name`]): its display name as the token
/// check or the state file knows it.
pub(crate) fn gate_user(app: &App) -> String {
    let identity = app
        .verify
        .report()
        .and_then(|r| r.identity.as_ref())
        .or_else(|| app.current_org_state()?.token.as_ref()?.identity.as_ref());
    user_name(identity)
}

/// "view ✓ edit ✗" for a pair of permission answers.
fn yes_no(value: Option<bool>, theme: Theme) -> Span<'static> {
    match value {
        Some(true) => Span::styled("✓", theme.success()),
        Some(false) => Span::styled("✗", theme.error()),
        None => Span::styled("?", theme.warning()),
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let user = gate_user(app);
    let report = match (&app.audit.run, app.audit.fresh_report()) {
        (AuditRun::Running { .. }, _) => {
            let mut lines = vec![
                Line::from(Span::styled(
                    format!("Checking what {user} may do in every project…"),
                    theme.title(),
                )),
                Line::default(),
            ];
            lines.extend(audit_progress_lines(app, area.width));
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        (AuditRun::Failed(error), _) => {
            let mut lines = vec![
                Line::from(Span::styled("The audit could not run", theme.title())),
                Line::default(),
            ];
            lines.extend(hanging::wrap(
                "✗ ",
                theme.error(),
                &error.to_string(),
                theme.error(),
                area.width,
            ));
            lines.push(Line::default());
            lines.push(Line::from("Press r to try again."));
            lines.extend(old_token::lines(app, area.width));
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        (AuditRun::Idle, Some(report)) => report,
        (AuditRun::Idle, None) => {
            frame.render_widget(Paragraph::new("No audit yet: press r to run it."), area);
            return;
        }
    };
    let lacking = report
        .projects
        .iter()
        .filter(|p| p.lacks_permissions())
        .count();
    let unknown = report
        .projects
        .iter()
        .filter(|p| !p.lacks_permissions() && p.permissions_unknown())
        .count();
    // The projects' column: 27 wide where there is room, else as wide as the longest name, so
    // the note after the permissions still fits beside them.
    let longest = report
        .projects
        .iter()
        .map(|p| columns::width(&p.name))
        .max()
        .unwrap_or(0);
    let project_column = usize::from(area.width)
        .saturating_sub(4 + 13 + 13 + 5 + 28)
        .max(longest + 1)
        .min(27);
    let verdict = if lacking == 0 && unknown == 0 {
        Span::styled(
            format!("{user} may manage service hooks and policies everywhere."),
            theme.success(),
        )
    } else {
        Span::styled(
            format!(
                "{lacking} where {user} cannot manage service hooks or policies · {unknown} unknown"
            ),
            if lacking > 0 {
                theme.error()
            } else {
                theme.warning()
            },
        )
    };
    let mut intro_lines = vec![Line::from(Span::styled(
        format!("What {user} may do in each project"),
        theme.title(),
    ))];
    intro_lines.extend(hanging::wrap_spans(
        "",
        Style::new(),
        &[
            Span::raw(format!("{} projects · ", report.projects.len())),
            verdict,
        ],
        area.width,
    ));
    intro_lines.push(Line::default());
    intro_lines.push(Line::from(Span::styled(
        format!(
            "    {}{:<20}{:<12}",
            columns::pad("Project", project_column),
            "Service hooks",
            "Policies"
        ),
        theme.muted(),
    )));
    let [intro, table, detail] = area.layout(&Layout::vertical([
        Constraint::Length(u16::try_from(intro_lines.len()).unwrap_or(u16::MAX)),
        Constraint::Fill(1),
        Constraint::Length(6),
    ]));
    frame.render_widget(Paragraph::new(intro_lines), intro);

    let state = &app.permissions;
    let (start, end, table) = scrolled(frame, table, state.cursor, state.order.len(), theme);
    let mut rows = Vec::with_capacity(end - start);
    for (position, index) in state.order[start..end].iter().enumerate() {
        let project = &report.projects[*index];
        let (mark, note) = match rank(project) {
            0 => (
                Span::styled("✗", theme.error()),
                Span::styled("needs Project Administrators", theme.error()),
            ),
            1 => (
                Span::styled("?", theme.warning()),
                Span::styled("unknown", theme.warning()),
            ),
            _ => (Span::styled("✓", theme.success()), Span::raw("")),
        };
        let name = columns::truncate(&project.name, project_column - 1);
        let mut line = Line::from(vec![
            Span::raw(if start + position == state.cursor {
                "▶ "
            } else {
                "  "
            }),
            mark,
            Span::raw(format!(" {}", columns::pad(&name, project_column))),
            Span::raw("view "),
            yes_no(project.service_hooks.view, theme),
            Span::raw(" edit "),
            yes_no(project.service_hooks.edit, theme),
            Span::raw("       edit "),
            yes_no(project.edit_policies, theme),
            Span::raw("     "),
            note,
        ]);
        if start + position == state.cursor {
            line = line.patch_style(Style::new().add_modifier(Modifier::BOLD));
        }
        rows.push(truncated(line, table.width));
    }
    frame.render_widget(Paragraph::new(rows), table);
    frame.render_widget(
        Paragraph::new(detail_lines(app, &user, detail.width)),
        detail,
    );
}

/// The selected project's fix or reason.
fn detail_lines(app: &App, user: &str, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let (Some(project), Some(org)) = (selected(app), app.org()) else {
        return Vec::new();
    };
    let page = org.project_permissions_page(&project.name);
    let mut lines = vec![Line::default()];
    match rank(project) {
        0 => {
            lines.extend(hanging::wrap(
                "✗ ",
                theme.error(),
                &format!(
                    "{}: {user} cannot manage service hooks or policies here, so its repositories are skipped until this is fixed.",
                    project.name
                ),
                Style::new(),
                width,
            ));
            lines.extend(hanging::wrap(
                "  Fix: ",
                theme.muted(),
                &format!(
                    "add {user} to Project Administrators of {} at {page} (o opens it), then press r.",
                    project.name
                ),
                Style::new(),
                width,
            ));
        }
        1 => {
            let reason = project
                .permissions_note
                .as_deref()
                .unwrap_or("Azure DevOps did not answer the permission question");
            lines.extend(hanging::wrap(
                "? ",
                theme.warning(),
                &format!("{}: unknown — {reason}.", project.name),
                Style::new(),
                width,
            ));
            lines.extend(hanging::wrap(
                "  ",
                theme.muted(),
                &format!(
                    "The plan will try; if Azure DevOps refuses, add {user} to Project Administrators at {page}."
                ),
                theme.muted(),
                width,
            ));
        }
        _ => lines.extend(hanging::wrap(
            "✓ ",
            theme.success(),
            &format!(
                "{}: {user} may manage service hooks and policies.",
                project.name
            ),
            Style::new(),
            width,
        )),
    }
    lines
}
