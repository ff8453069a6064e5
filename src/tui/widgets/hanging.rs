//! Word wrapping with a hanging indent, so a wrapped message stays aligned under its marker
//! (`✗`, `✓`, `→`) instead of running back to the left edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Wraps `text` to `width` columns: the first line starts with `marker` (styled `marker_style`),
/// the others with as many spaces. A word longer than a line gets a line of its own.
pub fn wrap(
    marker: &str,
    marker_style: Style,
    text: &str,
    style: Style,
    width: u16,
) -> Vec<Line<'static>> {
    let indent = marker.chars().count();
    let room = usize::from(width).saturating_sub(indent).max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > room {
            rows.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    rows.push(current);
    rows.into_iter()
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
}
