//! The bottom line: the current keymap's hints, so every action is discoverable without help.

use ratatui::text::{Line, Span};

use crate::tui::keymap::{Binding, keys_label};
use crate::tui::theme::Theme;

/// `Enter continue  Esc back  F1 help` built from the bindings that carry a hint.
pub fn line(bindings: &[Binding], theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for binding in bindings {
        let Some(hint) = binding.hint else { continue };
        spans.push(Span::styled(
            format!(" {} ", keys_label(binding)),
            theme.key(),
        ));
        spans.push(Span::raw(format!(" {hint}   ")));
    }
    Line::from(spans)
}
