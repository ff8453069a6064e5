//! The top line: the tool's name and the journey on the left, "Step 2 of 11 · Organization" and a
//! progress row on the right, so the admin always knows how far along they are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// Draws the header into a one-line `area`. `position` is `(step, steps)` within the journey;
/// `None` (the home screen) shows the title alone.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    journey: &str,
    position: Option<(u8, u8)>,
    title: &str,
    theme: Theme,
) {
    let left = Line::from(Span::styled(
        format!(" azdo-gate · {journey}"),
        theme.title(),
    ));
    let right = match position {
        Some((number, total)) => {
            let done = usize::from(number);
            let dots: String = (1..=usize::from(total))
                .map(|i| if i <= done { '●' } else { '○' })
                .collect();
            Line::from(vec![
                Span::styled(format!("Step {number} of {total} · {title}"), theme.value()),
                Span::raw("  "),
                Span::styled(dots, theme.muted()),
                Span::raw(" "),
            ])
        }
        None => Line::from(vec![
            Span::styled(title.to_owned(), theme.value()),
            Span::raw(" "),
        ]),
    }
    .right_aligned();
    frame.render_widget(left, area);
    frame.render_widget(right, area);
}
