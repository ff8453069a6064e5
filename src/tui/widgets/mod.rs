//! Small, reusable pieces of the wizard's screen. Each one renders from borrowed state and a theme.

pub mod confirm_popup;
pub mod footer;
pub mod hanging;
pub mod help_popup;
pub mod masked_input;
pub mod progress_bar;
pub mod spinner;
pub mod step_header;
pub mod text_input;

use ratatui::layout::{Constraint, Rect};

/// A `width`×`height` rectangle centred in `area`, shrunk to fit.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    )
}

/// The rows `start..end` of a `len`-row list to draw in `height` lines: everything when it fits,
/// otherwise a window that keeps `cursor` near the middle. Stateless, so drawing needs only the
/// cursor; only the visible rows are ever built.
pub fn window(cursor: usize, len: usize, height: usize) -> (usize, usize) {
    if len <= height {
        return (0, len);
    }
    let start = cursor.saturating_sub(height / 2).min(len - height);
    (start, start + height)
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_window_follows_the_cursor_and_stays_inside_the_list() {
        assert_eq!(window(3, 5, 10), (0, 5));
        assert_eq!(window(0, 100, 10), (0, 10));
        assert_eq!(window(50, 100, 10), (45, 55));
        assert_eq!(window(99, 100, 10), (90, 100));
    }
}
