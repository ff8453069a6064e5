//! Text steps on a short screen: blocks of lines marked by how much they matter, so the 80×24
//! minimum loses spacing and side notes before anything the admin must read.

use ratatui::text::Line;

/// How much a block of lines matters when the screen is short: spacing goes first, then side
/// notes; what the admin must read or type always stays.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Spacing,
    Note,
    Always,
}

/// The lines of `rows` for `height` screen rows: when they do not all fit, blank lines go, from
/// the last, then side notes. What must stay is never
/// dropped.
pub fn fit(mut rows: Vec<(Keep, Vec<Line<'static>>)>, height: usize) -> Vec<Line<'static>> {
    for least in [Keep::Spacing, Keep::Note] {
        while rows.iter().map(|(_, lines)| lines.len()).sum::<usize>() > height {
            let Some(last) = rows.iter().rposition(|(keep, _)| *keep == least) else {
                break;
            };
            rows.remove(last);
        }
    }
    rows.into_iter().flat_map(|(_, lines)| lines).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(keep: Keep, text: &'static str) -> (Keep, Vec<Line<'static>>) {
        (keep, vec![Line::from(text)])
    }

    fn blocks() -> Vec<(Keep, Vec<Line<'static>>)> {
        vec![
            block(Keep::Always, "title"),
            block(Keep::Spacing, ""),
            block(Keep::Note, "note"),
            block(Keep::Always, "value"),
            block(Keep::Spacing, ""),
            block(Keep::Always, "warning"),
        ]
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn spacing_goes_from_the_last_then_notes_never_what_must_stay() {
        assert_eq!(fit(blocks(), 6).len(), 6, "everything fits");
        assert_eq!(
            text(&fit(blocks(), 5)),
            ["title", "", "note", "value", "warning"]
        );
        assert_eq!(text(&fit(blocks(), 3)), ["title", "value", "warning"]);
        assert_eq!(
            text(&fit(blocks(), 1)),
            ["title", "value", "warning"],
            "what must stay stays, even cut by the screen"
        );
    }
}
