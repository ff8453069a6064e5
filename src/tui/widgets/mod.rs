//! Small, reusable pieces of the wizard's screen. Each one renders from borrowed state and a theme.

pub mod confirm_popup;
pub mod fit;
pub mod footer;
pub mod hanging;
pub mod help_popup;
pub mod masked_input;
pub mod progress_bar;
pub mod spinner;
pub mod step_header;
pub mod text_input;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// A `width`×`height` rectangle centred in `area`, shrunk to fit.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    )
}

/// The rows `start..end` of a `len`-row list to draw in `height` lines: everything when it fits,
/// otherwise a window that keeps `cursor` near the middle. Stateless, so drawing needs only the
/// cursor; only the visible rows are ever built.
pub fn window(cursor: usize, len: usize, height: usize) -> (usize, usize) {
    if len <= height {
        return (0, len);
    }
    let start = cursor.saturating_sub(height / 2).min(len - height);
    (start, start + height)
}

/// [`window`] for a list drawn in `area`, keeping the last row for a scroll indicator
/// (`↑ 3 more · ↓ 12 more`) when the list does not fit, so the admin sees it continues. Returns
/// the rows to draw and the part of `area` they go in.
pub fn scrolled(
    frame: &mut Frame,
    area: Rect,
    cursor: usize,
    len: usize,
    theme: Theme,
) -> (usize, usize, Rect) {
    let height = usize::from(area.height);
    if len <= height || height < 2 {
        let (start, end) = window(cursor, len, height);
        return (start, end, area);
    }
    let (start, end) = window(cursor, len, height - 1);
    let rows = Rect {
        height: area.height - 1,
        ..area
    };
    let last = Rect {
        y: area.y + area.height - 1,
        height: 1,
        ..area
    };
    frame.render_widget(
        Line::from(Span::styled(more(start, len - end), theme.muted())),
        last,
    );
    (start, end, rows)
}

/// `↑ 3 more · ↓ 12 more`, leaving out a side with nothing hidden.
pub fn more(above: usize, below: usize) -> String {
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("↑ {above} more"));
    }
    if below > 0 {
        parts.push(format!("↓ {below} more"));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::{more, window};

    #[test]
    fn the_indicator_names_only_the_hidden_sides() {
        assert_eq!(more(0, 12), "↓ 12 more");
        assert_eq!(more(3, 12), "↑ 3 more · ↓ 12 more");
        assert_eq!(more(3, 0), "↑ 3 more");
        assert_eq!(more(0, 0), "");
    }

    #[test]
    fn the_window_follows_the_cursor_and_stays_inside_the_list() {
        assert_eq!(window(3, 5, 10), (0, 5));
        assert_eq!(window(0, 100, 10), (0, 10));
        assert_eq!(window(50, 100, 10), (45, 55));
        assert_eq!(window(99, 100, 10), (90, 100));
    }
}
