//! The bottom lines: the current keymap's hints, so every action is discoverable without help.
//!
//! Hints are laid out by display width and wrap onto a second line rather than being cut at the
//! screen's edge; if even two lines cannot hold them, the last hints go first, but help and quit
//! always stay: they are how the admin finds everything else, or gets out.

use ratatui::text::{Line, Span};

use crate::columns;
use crate::tui::keymap::{Action, Binding, keys_label};
use crate::tui::theme::Theme;

/// The most lines the footer takes from the step.
pub const MAX_LINES: usize = 2;

/// Columns between two hints.
const GAP: usize = 2;

/// One hint: ` Enter ` drawn as a key cap, then ` continue`.
struct Hint {
    keys: String,
    text: &'static str,
    /// Help and quit are never dropped.
    kept: bool,
}

impl Hint {
    fn width(&self) -> usize {
        columns::width(&self.keys) + 2 + 1 + columns::width(self.text)
    }
}

/// Rows of hint indexes, filled left to right within `width` columns (after a one-column margin).
fn rows(hints: &[&Hint], width: usize) -> Vec<Vec<usize>> {
    let room = width.saturating_sub(1);
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, hint) in hints.iter().enumerate() {
        let needed = hint.width();
        match rows.last_mut() {
            Some(row) if used + GAP + needed <= room => {
                row.push(i);
                used += GAP + needed;
            }
            _ => {
                rows.push(vec![i]);
                used = needed;
            }
        }
    }
    rows
}

/// The hints of `bindings` laid out in at most [`MAX_LINES`] lines of `width` columns.
pub fn lines(bindings: &[Binding], width: u16, theme: Theme) -> Vec<Line<'static>> {
    let hints: Vec<Hint> = bindings
        .iter()
        .filter_map(|binding| {
            binding.hint.map(|text| Hint {
                keys: keys_label(binding),
                text,
                kept: matches!(binding.action, Action::Help | Action::Quit),
            })
        })
        .collect();
    let width = usize::from(width);
    let mut shown: Vec<&Hint> = hints.iter().collect();
    let mut laid = rows(&shown, width);
    // Too many for the lines the footer may take: drop the last hint that may go, and retry.
    while laid.len() > MAX_LINES {
        let Some(last) = shown.iter().rposition(|h| !h.kept) else {
            break;
        };
        shown.remove(last);
        laid = rows(&shown, width);
    }
    laid.iter()
        .map(|row| {
            let mut spans = vec![Span::raw(" ")];
            for (n, &i) in row.iter().enumerate() {
                if n > 0 {
                    spans.push(Span::raw(" ".repeat(GAP)));
                }
                spans.push(Span::styled(format!(" {} ", shown[i].keys), theme.key()));
                spans.push(Span::raw(format!(" {}", shown[i].text)));
            }
            Line::from(spans)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{HELP, Key, QUIT_Q};

    const A: &[Key] = &[Key::char('a')];
    const B: &[Key] = &[Key::char('b')];
    const C: &[Key] = &[Key::char('c')];

    const fn hint(key: &'static [Key], text: &'static str) -> Binding {
        Binding::new(key, Action::Continue, "").hint(text)
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn hints_wrap_onto_a_second_line_whole() {
        let bindings = [
            hint(A, "first action"),
            hint(B, "second action"),
            HELP,
            QUIT_Q,
        ];
        assert_eq!(
            text(&lines(&bindings, 40, Theme::plain())),
            [
                "  a  first action   b  second action",
                "  ?/F1  help   q  quit"
            ]
        );
    }

    #[test]
    fn help_and_quit_stay_when_hints_must_go() {
        let bindings = [
            hint(A, "one long action here"),
            hint(B, "another long action"),
            hint(C, "a third long action"),
            HELP,
            QUIT_Q,
        ];
        let shown = text(&lines(&bindings, 30, Theme::plain()));
        assert_eq!(
            shown,
            ["  a  one long action here", "  ?/F1  help   q  quit"],
            "b and c go, the first action, help and quit stay"
        );
    }
}
