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
use ratatui::widgets::Paragraph;

use crate::columns;
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
/// Draws `lines` scrolled down by `scroll` rows; when they are longer than `area`, the last row says
/// how much is above and below instead (so a screen never hides text without saying so).
pub fn scrolled_text(
    frame: &mut Frame,
    area: Rect,
    mut lines: Vec<Line<'static>>,
    scroll: u16,
    theme: Theme,
) {
    let height = usize::from(area.height);
    if lines.len() <= height || height < 2 {
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
        return;
    }
    let rows = height - 1;
    let start = usize::from(scroll).min(lines.len() - rows);
    let below = lines.len() - start - rows;
    let mut shown: Vec<Line> = lines.drain(start..start + rows).collect();
    shown.push(Line::from(Span::styled(more(start, below), theme.muted())));
    frame.render_widget(Paragraph::new(shown), area);
}

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

/// `line` cut to `width` display columns, ending in `…` when something was cut: a list row whose
/// whole text is shown elsewhere (its detail, the next step) keeps its styles and never runs into
/// the border.
pub fn truncated(line: Line<'static>, width: u16) -> Line<'static> {
    let width = usize::from(width);
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    for span in line.spans {
        let kept = columns::take(&span.content, room);
        room -= columns::width(kept);
        let whole = kept.len() == span.content.len();
        spans.push(Span::styled(kept.to_owned(), span.style));
        if !whole {
            break;
        }
    }
    let last_style = spans.last().map_or(line.style, |s: &Span| s.style);
    if width > 0 {
        spans.push(Span::styled("…", last_style));
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::{Line, Span, more, truncated, window};

    #[test]
    fn a_row_too_wide_ends_in_an_ellipsis_and_keeps_its_styles() {
        let bold = ratatui::style::Style::new().bold();
        let line = Line::from(vec![
            Span::raw("▶ "),
            Span::styled("数据-管道 is long", bold),
        ]);
        let cut = truncated(line.clone(), 9);
        assert_eq!(cut.to_string(), "▶ 数据-…");
        assert_eq!(cut.spans[1], Span::styled("数据-", bold));
        assert_eq!(truncated(line, 40).to_string(), "▶ 数据-管道 is long");
    }

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
