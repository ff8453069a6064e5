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
    let step = match position {
        Some((number, total)) => format!("Step {number} of {total} · {title}"),
        None => title.to_owned(),
    };
    let dots: String = position.map_or_else(String::new, |(number, total)| {
        (1..=total)
            .map(|i| if i <= number { '●' } else { '○' })
            .collect()
    });
    // On a narrow screen the progress dots give way first, then the journey's name: where the
    // admin is matters most.
    let fits = |right: &Line| left.width() + 1 + right.width() <= usize::from(area.width);
    let mut right = Line::from(vec![
        Span::styled(step.clone(), theme.value()),
        Span::raw("  "),
        Span::styled(dots, theme.muted()),
        Span::raw(" "),
    ]);
    if position.is_none() || !fits(&right) {
        right = Line::from(vec![Span::styled(step, theme.value()), Span::raw(" ")]);
    }
    if fits(&right) {
        frame.render_widget(left, area);
    }
    frame.render_widget(right.right_aligned(), area);
}
