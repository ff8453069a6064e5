//! Small, reusable pieces of the wizard's screen. Each one renders from borrowed state and a theme.

pub mod confirm_popup;
pub mod footer;
pub mod hanging;
pub mod help_popup;
pub mod masked_input;
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
