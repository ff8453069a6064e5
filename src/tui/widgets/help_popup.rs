//! The help popup: what the step is for and what happens next, then every binding of the step
//! with its sentence, drawn over the step.
//!
//! It is sized to the screen and wrapped by display width; when it is longer than the screen
//! (a step with many keys at 80×24), ↑/↓ scroll it and its borders say how many lines are above
//! and below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::{centered, hanging, more};
use crate::columns;
use crate::tui::keymap::{Binding, keys_label};
use crate::tui::theme::Theme;

/// Wider than this, lines get too long to read.
pub const MAX_WIDTH: u16 = 96;

/// Columns between a key and its sentence.
const KEY_GAP: usize = 2;

/// The popup's text at `width` columns (inside border and padding): `about`, a blank line, then
/// one row per binding, its sentence wrapped under itself.
pub fn lines(about: &str, bindings: &[Binding], width: u16, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = hanging::wrap(
        "",
        theme.value(),
        about,
        ratatui::style::Style::new(),
        width,
    );
    lines.push(Line::default());
    let key_width = bindings
        .iter()
        .map(|b| columns::width(&keys_label(b)))
        .max()
        .unwrap_or(0);
    for binding in bindings {
        let key = columns::pad(&keys_label(binding), key_width + KEY_GAP);
        lines.extend(hanging::wrap(
            &key,
            theme.value(),
            binding.help,
            ratatui::style::Style::new(),
            width,
        ));
    }
    lines
}

/// Columns the border and padding take across.
pub const BORDER: u16 = 4;

/// Draws the help centred in `area`: `about` explains the step, `bindings` are its keys. When it
/// is longer than `area`, it starts `scroll` lines down and its borders say what is above and
/// below.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    (about, bindings): (&str, &[Binding]),
    scroll: usize,
    theme: Theme,
) {
    let width = area.width.min(MAX_WIDTH);
    let text = lines(about, bindings, width.saturating_sub(BORDER), theme);
    let wanted = u16::try_from(text.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let popup = centered(area, width, wanted.min(area.height));
    let room = usize::from(popup.height.saturating_sub(2));
    let start = scroll.min(text.len().saturating_sub(room));
    let below = text.len().saturating_sub(start + room);
    let mut block = Block::bordered()
        .title(Line::from(Span::styled(
            format!(" Help · {title} "),
            theme.title(),
        )))
        .border_style(theme.focused())
        .padding(Padding::horizontal(1));
    if start > 0 {
        block = block.title(
            Line::from(Span::styled(format!(" {} ", more(start, 0)), theme.muted()))
                .right_aligned(),
        );
    }
    if below > 0 {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" {}: ↓ scrolls ", more(0, below)),
                theme.muted(),
            ))
            .right_aligned(),
        );
    }
    let shown: Vec<Line> = text.into_iter().skip(start).take(room).collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}
