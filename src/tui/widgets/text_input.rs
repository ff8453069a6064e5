//! A single-line text field: the value, a cursor, and the usual editing keys.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::keymap::Edit;
use crate::tui::theme::Theme;

/// The state of a text field. The cursor counts characters, not bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    cursor: usize,
}

impl TextInput {
    /// A field holding `value`, cursor at the end.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        Self { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    fn byte_index(&self, char_index: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_index)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Inserts text at the cursor; line breaks (a multi-line paste) are dropped because the field
    /// holds one line.
    pub fn insert(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        let at = self.byte_index(self.cursor);
        self.value.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Applies an editing key; returns whether the value changed.
    pub fn edit(&mut self, edit: Edit) -> bool {
        let len = self.value.chars().count();
        match edit {
            Edit::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_index(self.cursor);
                self.value.remove(at);
                true
            }
            Edit::Delete if self.cursor < len => {
                let at = self.byte_index(self.cursor);
                self.value.remove(at);
                true
            }
            Edit::Clear if !self.value.is_empty() => {
                self.value.clear();
                self.cursor = 0;
                true
            }
            Edit::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            Edit::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            Edit::Home => {
                self.cursor = 0;
                false
            }
            Edit::End => {
                self.cursor = len;
                false
            }
            Edit::Backspace | Edit::Delete | Edit::Clear => false,
        }
    }
}

/// The bordered, titled box every input field is drawn in; the focused one gets the accent border.
pub(crate) fn field_block(title: &str, focused: bool, theme: Theme) -> Block<'static> {
    Block::bordered()
        .title(Line::from(format!(" {title} ")))
        .border_style(if focused {
            theme.focused()
        } else {
            theme.muted()
        })
}

/// Draws `input` in a bordered box titled `title`; a focused field gets the accent border and the
/// terminal cursor. Long values scroll so the cursor stays visible.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    input: &TextInput,
    title: &str,
    focused: bool,
    theme: Theme,
) {
    let block = field_block(title, focused, theme);
    let inner = block.inner(area);
    let width = usize::from(inner.width.max(1));
    let skip = (input.cursor + 1).saturating_sub(width);
    let visible: String = input.value.chars().skip(skip).take(width).collect();
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(visible, theme.value()))).block(block),
        area,
    );
    if focused {
        let column = u16::try_from(input.cursor - skip).unwrap_or(u16::MAX);
        frame.set_cursor_position(Position::new(inner.x.saturating_add(column), inner.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_respects_the_cursor_and_multibyte_characters() {
        let mut input = TextInput::new("fabrkam");
        input.edit(Edit::Left);
        input.edit(Edit::Left);
        input.edit(Edit::Left);
        input.insert("i");
        assert_eq!(input.value(), "fabrikam");
        input.edit(Edit::Home);
        input.insert("é");
        input.edit(Edit::Backspace);
        assert_eq!(input.value(), "fabrikam");
        input.edit(Edit::Delete);
        assert_eq!(input.value(), "abrikam");
        assert!(input.edit(Edit::Clear));
        assert!(!input.edit(Edit::Backspace));
        assert_eq!(input.value(), "");
    }

    #[test]
    fn pasted_line_breaks_are_dropped() {
        let mut input = TextInput::default();
        input.insert("https://dev.azure.com/\r\nfabrikam\n");
        assert_eq!(input.value(), "https://dev.azure.com/fabrikam");
    }
}
