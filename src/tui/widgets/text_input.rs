//! A single-line text field: the value, a cursor, and the usual editing keys.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::columns;
use crate::tui::keymap::Edit;
use crate::tui::theme::Theme;

/// The state of a text field. The cursor counts characters, not bytes, and never stops between a
/// character and the combining marks drawn on it.
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

    /// The cursor position one character to the left, past the combining marks of that character.
    fn previous(&self) -> usize {
        let before = &self.value[..self.byte_index(self.cursor)];
        let mut cursor = self.cursor;
        for c in before.chars().rev() {
            cursor -= 1;
            if !columns::joins_previous(c) {
                break;
            }
        }
        cursor
    }

    /// The cursor position one character to the right, past the combining marks that follow it.
    fn next(&self) -> usize {
        let after = &self.value[self.byte_index(self.cursor)..];
        let mut chars = after.chars();
        if chars.next().is_none() {
            return self.cursor;
        }
        self.cursor + 1 + chars.take_while(|c| columns::joins_previous(*c)).count()
    }

    /// Removes the characters between cursor positions `from` and `to`, leaving the cursor at `from`.
    fn remove(&mut self, from: usize, to: usize) {
        let range = self.byte_index(from)..self.byte_index(to);
        self.value.replace_range(range, "");
        self.cursor = from;
    }

    /// Whether `edit` would change the field (its value or its cursor).
    pub fn can(&self, edit: Edit) -> bool {
        let mut probe = self.clone();
        probe.edit(edit);
        probe != *self
    }

    /// Applies an editing key; returns whether the value changed.
    pub fn edit(&mut self, edit: Edit) -> bool {
        let len = self.value.chars().count();
        match edit {
            Edit::Backspace if self.cursor > 0 => {
                self.remove(self.previous(), self.cursor);
                true
            }
            Edit::Delete if self.cursor < len => {
                self.remove(self.cursor, self.next());
                true
            }
            Edit::Clear if !self.value.is_empty() => {
                self.value.clear();
                self.cursor = 0;
                true
            }
            Edit::Left => {
                self.cursor = self.previous();
                false
            }
            Edit::Right => {
                self.cursor = self.next();
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

    /// What a field `width` columns wide shows of the value, and the column of the cursor in it.
    /// The view scrolls so the cursor's cell stays inside; columns, not characters, are counted,
    /// because that is where the terminal draws them.
    fn view(&self, width: usize) -> (&str, usize) {
        let at = self.byte_index(self.cursor);
        let before = columns::take_last(&self.value[..at], width.saturating_sub(1));
        let start = at - before.len();
        (
            columns::take(&self.value[start..], width),
            columns::width(before),
        )
    }
}

/// The bordered, titled box every input field is drawn in; the focused one is marked `▶` in its
/// title (visible without colour) and gets the accent border.
pub(crate) fn field_block(title: &str, focused: bool, theme: Theme) -> Block<'static> {
    let title = if focused {
        format!(" ▶ {title} ")
    } else {
        format!(" {title} ")
    };
    Block::bordered()
        .title(Line::from(title))
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
    let (visible, column) = input.view(usize::from(inner.width.max(1)));
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(visible.to_owned(), theme.value()))).block(block),
        area,
    );
    if focused {
        let column = u16::try_from(column).unwrap_or(u16::MAX);
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

    #[test]
    fn the_cursor_sits_after_the_columns_of_the_text_before_it() {
        let mut input = TextInput::new("数据-管道");
        assert_eq!(input.view(20), ("数据-管道", 9));
        input.edit(Edit::Left);
        input.edit(Edit::Left);
        assert_eq!(input.view(20), ("数据-管道", 5));
        input.edit(Edit::Home);
        input.insert("😀");
        assert_eq!(input.view(20), ("😀数据-管道", 2));
    }

    #[test]
    fn a_long_value_scrolls_by_columns() {
        let mut input = TextInput::new("数据-管道😀-tools");
        // 7 columns before the cursor's cell: the emoji would make 8.
        assert_eq!(input.view(8), ("-tools", 6));
        input.edit(Edit::Home);
        assert_eq!(input.view(8), ("数据-管", 0), "道 would straddle the edge");
    }

    #[test]
    fn the_cursor_steps_over_a_character_and_its_combining_marks() {
        let mut input = TextInput::new("cafe\u{301}");
        assert_eq!(input.view(20).1, 4);
        input.edit(Edit::Left);
        assert_eq!(
            input.view(20).1,
            3,
            "before the e, not between it and its accent"
        );
        input.insert("x");
        assert_eq!(input.value(), "cafxe\u{301}");
        input.edit(Edit::Right);
        assert_eq!(input.view(20).1, 5);
        assert!(input.edit(Edit::Backspace));
        assert_eq!(input.value(), "cafx");
        input.insert("e\u{301}");
        input.edit(Edit::Left);
        assert!(input.edit(Edit::Delete));
        assert_eq!(input.value(), "cafx");
    }
}
