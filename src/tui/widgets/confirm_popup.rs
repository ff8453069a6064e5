//! A yes/no question drawn over the step, for actions that would lose what the admin entered.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use super::{centered, footer};
use crate::tui::keymap::Binding;
use crate::tui::theme::Theme;

/// The popup's width in columns.
const WIDTH: u16 = 60;

/// The columns a detail line has inside the border and padding; lines no wider never rewrap.
pub const INNER_WIDTH: u16 = WIDTH - 4;

/// Draws `question` (a title), `detail` lines, the `choices` (each with whether it is
/// highlighted; marked `◉`, the others `○`) and the popup's key hints in a small centred box.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    question: &str,
    detail: &[&str],
    choices: &[(&str, bool)],
    bindings: &[Binding],
    theme: Theme,
) {
    let keys = footer::lines(bindings, WIDTH - 4, theme);
    let key_rows = keys.len();
    let mut lines: Vec<Line> = detail.iter().map(|d| Line::from(*d)).collect();
    if !choices.is_empty() {
        lines.push(Line::default());
    }
    for (choice, highlighted) in choices {
        lines.push(if *highlighted {
            Line::from(Span::styled(format!("◉ {choice}"), theme.focused()))
        } else {
            Line::from(format!("○ {choice}"))
        });
    }
    lines.push(Line::default());
    lines.extend(keys);
    // Each detail line wraps inside the border and padding; count the rows it takes (roughly:
    // word wrapping may need one more, which the spare row below absorbs).
    let inner = usize::from(INNER_WIDTH);
    let rows: usize = detail
        .iter()
        .map(|d| d.chars().count().div_ceil(inner).max(1))
        .sum::<usize>()
        + choices.len()
        + usize::from(!choices.is_empty())
        + 1
        + key_rows;
    let spare = usize::from(
        rows > detail.len() + choices.len() + usize::from(!choices.is_empty()) + 1 + key_rows,
    );
    let height = u16::try_from(rows + spare)
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let popup = centered(area, WIDTH, height);
    let block = Block::bordered()
        .title(Line::from(Span::styled(
            format!(" {question} "),
            theme.warning(),
        )))
        .border_style(theme.warning())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        popup,
    );
}
