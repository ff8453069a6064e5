//! A secret field: it shows one bullet per character and the count, never the characters.
//!
//! The value lives in a `SecretString` from the first keystroke; editing rebuilds it so the previous
//! copy is zeroised when dropped. Only appending and deleting at the end are offered: moving a cursor
//! through text you cannot see helps no one.

use std::fmt;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use secrecy::{ExposeSecret, SecretString};

use crate::columns;
use crate::tui::keymap::Edit;
use crate::tui::theme::Theme;

pub const BULLET: char = '•';

/// The state of a secret field.
pub struct MaskedInput {
    secret: SecretString,
    len: usize,
}

impl Default for MaskedInput {
    fn default() -> Self {
        Self::new(SecretString::from(String::new()))
    }
}

/// Shows only the length, so the secret cannot leak through `{:?}`.
impl fmt::Debug for MaskedInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskedInput")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl MaskedInput {
    pub fn new(secret: SecretString) -> Self {
        let len = secret.expose_secret().chars().count();
        Self { secret, len }
    }

    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// Number of characters, the only thing about the value the screen may show.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `edit` would change the field: only Backspace and Ctrl+U edit a masked field (the
    /// cursor stays at the end: nothing is shown to move it over).
    pub fn can(&self, edit: Edit) -> bool {
        matches!(edit, Edit::Backspace | Edit::Clear) && !self.is_empty()
    }

    /// Appends typed or pasted text. Whitespace (spaces, tabs, line breaks) is kept, so that
    /// [`crate::token::Pat::parse`] removes it around the token and points at it inside; other
    /// control characters (terminal noise) are dropped. Returns whether the value changed.
    pub fn push_str(&mut self, text: &str) -> bool {
        let current = self.secret.expose_secret();
        let mut next = String::with_capacity(current.len() + text.len());
        next.push_str(current);
        next.extend(
            text.chars()
                .filter(|c| c.is_whitespace() || !c.is_control()),
        );
        if next.len() == current.len() {
            return false;
        }
        self.replace(next);
        true
    }

    /// Removes the last character; returns whether the value changed.
    pub fn backspace(&mut self) -> bool {
        let current = self.secret.expose_secret();
        let Some((last, _)) = current.char_indices().next_back() else {
            return false;
        };
        let next = current[..last].to_owned();
        self.replace(next);
        true
    }

    /// Empties the field; returns whether the value changed.
    pub fn clear(&mut self) -> bool {
        if self.is_empty() {
            return false;
        }
        self.replace(String::new());
        true
    }

    fn replace(&mut self, next: String) {
        self.len = next.chars().count();
        self.secret = SecretString::from(next);
    }
}

/// Draws bullets in a bordered box titled `title` (with an ellipsis when they do not fit).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    input: &MaskedInput,
    title: &str,
    focused: bool,
    theme: Theme,
) {
    let block = super::text_input::field_block(title, focused, theme);
    let inner = block.inner(area);
    let width = usize::from(inner.width.max(1));
    let shown = if input.len < width {
        BULLET.to_string().repeat(input.len)
    } else {
        format!("…{}", BULLET.to_string().repeat(width.saturating_sub(2)))
    };
    let column = u16::try_from(columns::width(&shown)).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(shown, theme.value()))).block(block),
        area,
    );
    if focused {
        frame.set_cursor_position(Position::new(inner.x.saturating_add(column), inner.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keeps_the_length_and_the_secret_in_step() {
        let mut input = MaskedInput::default();
        assert!(input.push_str("ab\u{1b}c\r\n"));
        assert_eq!(input.secret().expose_secret(), "abc\r\n");
        assert_eq!(input.len(), 5);
        assert!(!input.push_str("\u{7}"));
        assert!(input.backspace());
        assert!(input.backspace());
        assert!(input.backspace());
        assert_eq!(input.secret().expose_secret(), "ab");
        assert!(input.clear());
        assert!(!input.backspace());
        assert!(input.is_empty());
    }

    #[test]
    fn debug_shows_the_length_only() {
        let input = MaskedInput::new(SecretString::from("s3cr3t-token".to_owned()));
        let shown = format!("{input:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("12"), "{shown}");
    }
}
