//! What several steps do and say the same way: moving through a list, the audit's progress, the
//! coverage sentence, and the words for a plan action (the same [`ActionKind::words`] the commands print).
//!
//! [`ActionKind::words`]: crate::plan::ActionKind::words

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::audit::{AuditPhase, AuditSummary};
use crate::plan::Action as PlanAction;
use crate::tui::app::App;
use crate::tui::audit_state::AuditRun;
use crate::tui::keymap::Move;
use crate::tui::widgets::{progress_bar, spinner};

/// The cursor after a movement in a list of `len` rows, `page` rows to a page.
pub(crate) fn moved(cursor: usize, len: usize, movement: Move, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match movement {
        Move::Up => cursor.saturating_sub(1),
        Move::Down => (cursor + 1).min(last),
        Move::PageUp => cursor.saturating_sub(page),
        Move::PageDown => (cursor + page).min(last),
        Move::Top => 0,
        Move::Bottom => last,
    }
}

/// `14 repositories · 5 covered · 1 partial · …`, the same words everywhere.
pub(crate) fn coverage_sentence(summary: &AuditSummary) -> String {
    let c = &summary.coverage;
    format!(
        "{} repositories · {} covered · {} partial · {} unhealthy · {} missing · {} n/a",
        summary.repositories, c.covered, c.partial, c.unhealthy, c.missing, c.not_applicable
    )
}

/// `storefront-web · git.pullrequest.created`, or `whole project` for project-wide actions.
pub(crate) fn target_words(action: &PlanAction) -> String {
    let place = action.repository.as_deref().unwrap_or("whole project");
    match &action.event_type {
        Some(event) => format!("{place} · {event}"),
        None => place.to_owned(),
    }
}

/// `create subscription: storefront-web · git.pullrequest.created`.
pub(crate) fn action_words(action: &PlanAction) -> String {
    format!("{}: {}", action.kind.words(), target_words(action))
}

/// The audit's progress: a bar and one line per phase.
pub(crate) fn audit_progress_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let AuditRun::Running { phases, .. } = &app.audit.run else {
        return Vec::new();
    };
    let mut lines = vec![progress_bar::line(
        app.audit.fraction(),
        width.min(60),
        theme,
    )];
    lines.push(Line::default());
    for (phase, progress) in AuditPhase::ALL.iter().zip(phases) {
        let (mark, style, count) = match progress {
            None => (
                Span::styled("·", theme.muted()),
                theme.muted(),
                String::new(),
            ),
            Some(p) if p.done >= p.total => (
                Span::styled("✓", theme.success()),
                Style::new(),
                format!("  {}/{}", p.done, p.total),
            ),
            Some(p) => (
                Span::styled(spinner::frame(app.tick), theme.title()),
                Style::new(),
                format!("  {}/{}", p.done, p.total),
            ),
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            mark,
            Span::raw(" "),
            Span::styled(phase.label(), style),
            Span::styled(count, theme.muted()),
        ]));
    }
    lines
}
