//! A yes/no question drawn over the step, for actions that would lose what the admin entered.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use super::{centered, footer};
use crate::tui::keymap::Binding;
use crate::tui::theme::Theme;

/// Draws `question` (a title), `detail` lines and the popup's key hints in a small centred box.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    question: &str,
    detail: &[&str],
    bindings: &[Binding],
    theme: Theme,
) {
    let mut lines: Vec<Line> = detail.iter().map(|d| Line::from(*d)).collect();
    lines.push(Line::default());
    lines.push(footer::line(bindings, theme));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let popup = centered(area, 60, height);
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
