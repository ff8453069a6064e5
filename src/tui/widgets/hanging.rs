//! Word wrapping with a hanging indent, so a wrapped message stays aligned under its marker
//! (`✗`, `✓`, `→`) instead of running back to the left edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::columns;

/// Wraps `text` to `width` display columns: the first line starts with `marker` (styled
/// `marker_style`), the others with as many spaces as the marker is wide. A word longer than a
/// line gets a line of its own, moved left as far as needed to show it whole.
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

/// Separates items in a run of them (`3 covered · 1 partial`); never starts or ends a line.
const SEPARATOR: &str = "·";

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
    // A `·` between items waits for the item after it: where the line breaks, it is dropped.
    let mut separator: Option<Word> = None;
    for word in words(spans) {
        if matches!(word.as_slice(), [(text, _)] if text == SEPARATOR) {
            separator = Some(word);
            continue;
        }
        let word_width: usize = word.iter().map(|(text, _)| columns::width(text)).sum();
        let separator_width = if separator.is_some() { 2 } else { 0 };
        if !row.is_empty() && used + separator_width + 1 + word_width > room {
            rows.push(std::mem::take(&mut row));
            used = 0;
            separator = None;
        }
        for word in separator.take().into_iter().chain([word]) {
            if !row.is_empty() {
                row.push(Span::raw(" "));
                used += 1;
            }
            used += word
                .iter()
                .map(|(text, _)| columns::width(text))
                .sum::<usize>();
            row.extend(
                word.into_iter()
                    .map(|(text, style)| Span::styled(text, style)),
            );
        }
    }
    if let Some(word) = separator {
        row.push(Span::raw(" "));
        row.extend(
            word.into_iter()
                .map(|(text, style)| Span::styled(text, style)),
        );
    }
    rows.push(row);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                Span::styled(marker.to_owned(), marker_style)
            } else {
                // A word too wide for its column (a URL) moves left as far as it must to be
                // shown whole, rather than being cut by the screen's edge.
                let row_width: usize = row.iter().map(|s| columns::width(&s.content)).sum();
                Span::raw(" ".repeat(indent.min(usize::from(width).saturating_sub(row_width))))
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
            ["→ see", "https://example.com/a/long/path", "  now"],
            "wider than the screen: from its left edge"
        );
        let lines = wrap(
            "Fix:  ",
            Style::new(),
            "see https://example.com",
            Style::new(),
            21,
        );
        assert_eq!(
            text(&lines),
            ["Fix:  see", "  https://example.com"],
            "moved left just enough to be whole"
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
    fn a_line_breaks_between_items_without_their_separator() {
        let lines = wrap(
            "",
            Style::new(),
            "3 covered · 1 partial · 2 missing",
            Style::new(),
            22,
        );
        assert_eq!(text(&lines), ["3 covered · 1 partial", "2 missing"]);
        let lines = wrap("", Style::new(), "3 covered · 1 partial", Style::new(), 10);
        assert_eq!(text(&lines), ["3 covered", "1 partial"]);
    }

    #[test]
    fn a_wide_marker_indents_by_its_columns() {
        let lines = wrap("😀 ", Style::new(), "数据 管道", Style::new(), 7);
        assert_eq!(text(&lines), ["😀 数据", "   管道"]);
    }
}
