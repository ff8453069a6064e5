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
    wrap_spans(
        marker,
        marker_style,
        &[Span::styled(text.to_owned(), style)],
        width,
    )
}

/// A word, in as many styled pieces as it crosses spans: `(` then a bold `Show`.
type Word = Vec<(String, Style)>;

/// The words of `spans`: whitespace separates them, a span boundary without whitespace does not.
fn words(spans: &[Span<'_>]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut glued = false;
    for span in spans {
        for (i, piece) in span.content.split(char::is_whitespace).enumerate() {
            if piece.is_empty() {
                continue;
            }
            let piece = (piece.to_owned(), span.style);
            match words.last_mut() {
                Some(word) if i == 0 && glued => word.push(piece),
                _ => words.push(vec![piece]),
            }
        }
        glued = !span.content.is_empty() && !span.content.ends_with(char::is_whitespace);
    }
    words
}

/// [`wrap`] for text in several styles: the words of `spans` keep their styles across lines.
pub fn wrap_spans(
    marker: &str,
    marker_style: Style,
    spans: &[Span<'_>],
    width: u16,
) -> Vec<Line<'static>> {
    let indent = columns::width(marker);
    let room = usize::from(width).saturating_sub(indent).max(1);
    let mut rows: Vec<Vec<Span<'static>>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for word in words(spans) {
        let word_width: usize = word.iter().map(|(text, _)| columns::width(text)).sum();
        if !row.is_empty() && used + 1 + word_width > room {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        if !row.is_empty() {
            row.push(Span::raw(" "));
            used += 1;
        }
        row.extend(
            word.into_iter()
                .map(|(text, style)| Span::styled(text, style)),
        );
        used += word_width;
    }
    rows.push(row);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                Span::styled(marker.to_owned(), marker_style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            let mut spans = vec![lead];
            spans.extend(row);
            Line::from(spans)
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
    fn styles_follow_their_words_across_lines() {
        let bold = Style::new().bold();
        let lines = wrap_spans(
            "  Scopes  ",
            Style::new(),
            &[
                Span::raw("tick these ("),
                Span::styled("Show all", bold),
                Span::raw(") now"),
            ],
            25,
        );
        assert_eq!(
            text(&lines),
            ["  Scopes  tick these", "          (Show all) now"]
        );
        assert_eq!(lines[1].spans[2], Span::styled("Show", bold));
        assert_eq!(lines[1].spans[4], Span::styled("all", bold));
    }

    #[test]
    fn a_wide_marker_indents_by_its_columns() {
        let lines = wrap("😀 ", Style::new(), "数据 管道", Style::new(), 7);
        assert_eq!(text(&lines), ["😀 数据", "   管道"]);
    }
}
