//! Word wrapping with a hanging indent, so a wrapped message stays aligned under its marker
//! (`✗`, `✓`, `→`) instead of running back to the left edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::columns;

/// Wraps `text` to `width` display columns: the first line starts with `marker` (styled
/// `marker_style`), the others with as many spaces as the marker is wide. A word longer than a
/// line gets a line of its own.
pub fn wrap(
    marker: &str,
    marker_style: Style,
    text: &str,
    style: Style,
    width: u16,
) -> Vec<Line<'static>> {
    let indent = columns::width(marker);
    let room = usize::from(width).saturating_sub(indent).max(1);
    columns::wrap(text, room, room)
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                Span::styled(marker.to_owned(), marker_style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            Line::from(vec![lead, Span::styled(row, style)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn continuation_lines_align_under_the_text() {
        let lines = wrap("  ✗ ", Style::new(), "one two three four", Style::new(), 13);
        assert_eq!(text(&lines), ["  ✗ one two", "    three", "    four"]);
    }

    #[test]
    fn long_words_get_their_own_line() {
        let lines = wrap(
            "→ ",
            Style::new(),
            "see https://example.com/a/long/path now",
            Style::new(),
            12,
        );
        assert_eq!(
            text(&lines),
            ["→ see", "  https://example.com/a/long/path", "  now"]
        );
    }

    #[test]
    fn a_wide_marker_indents_by_its_columns() {
        let lines = wrap("😀 ", Style::new(), "数据 管道", Style::new(), 7);
        assert_eq!(text(&lines), ["😀 数据", "   管道"]);
    }
}
