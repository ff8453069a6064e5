//! The top line: the tool's name on the left, "Step 2 of 11 · Organization" and a progress row on
//! the right, so the admin always knows how far along the setup is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// Draws the header into a one-line `area`.
pub fn render(frame: &mut Frame, area: Rect, number: u8, total: u8, title: &str, theme: Theme) {
    let left = Line::from(Span::styled(" azdo-gate · setup", theme.title()));
    let done = usize::from(number);
    let dots: String = (1..=usize::from(total))
        .map(|i| if i <= done { '●' } else { '○' })
        .collect();
    let right = Line::from(vec![
        Span::styled(format!("Step {number} of {total} · {title}"), theme.value()),
        Span::raw("  "),
        Span::styled(dots, theme.muted()),
        Span::raw(" "),
    ])
    .right_aligned();
    frame.render_widget(left, area);
    frame.render_widget(right, area);
}
