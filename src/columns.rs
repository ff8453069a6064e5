//! Text laid out by terminal display columns, the unit a terminal draws in: a CJK ideograph or an
//! emoji takes two columns, a combining mark none. Counting `char`s instead shifts every column
//! after a name like `数据-管道` and puts a cursor where the text is not. The wizard, the text
//! reports and the text input all measure, wrap, cut and pad through here.
//!
//! Widths are those of `unicode-width`, the table ratatui draws with, so what is measured here is
//! what lands on screen.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Ends a cut text; one column wide.
const ELLIPSIS: char = '…';

/// The columns `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    text.width()
}

/// Whether `c` is drawn on the cell of the character before it (a combining mark, a joiner), so a
/// cursor never stops between the two.
pub fn joins_previous(c: char) -> bool {
    c.width() == Some(0)
}

/// Word-wraps `text` into rows of at most `first` columns for the first row and `rest` for the
/// others (room left beside a marker or an indent the caller adds). Runs of whitespace become one
/// space. A word wider than its row gets a row of its own, whole: a URL must stay copyable. Blank
/// text gives one empty row, so a caller's marker still shows.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for word in text.split_whitespace() {
        let room = if rows.is_empty() { first } else { rest };
        let word_width = width(word);
        if !row.is_empty() && used + 1 + word_width > room {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        if !row.is_empty() {
            row.push(' ');
            used += 1;
        }
        row.push_str(word);
        used += word_width;
    }
    rows.push(row);
    rows
}

/// The longest start of `text` that fits in `max` columns. A wide character that would straddle
/// the limit is left out whole; combining marks stay with the character they sit on.
pub fn take(text: &str, max: usize) -> &str {
    let mut end = 0;
    for (at, c) in text.char_indices() {
        let next = at + c.len_utf8();
        if width(&text[..next]) > max {
            break;
        }
        end = next;
    }
    &text[..end]
}

/// The longest end of `text` that fits in `max` columns: what stays in view when a field scrolls.
/// Combining marks whose character did not fit go with it.
pub fn take_last(text: &str, max: usize) -> &str {
    let mut start = text.len();
    for (at, _) in text.char_indices().rev() {
        if width(&text[at..]) > max {
            break;
        }
        start = at;
    }
    text[start..].trim_start_matches(joins_previous)
}

/// `text` cut to at most `max` columns, ending in `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    Cow::Owned(format!("{}{ELLIPSIS}", take(text, max - 1)))
}

/// `text` followed by spaces up to `columns` wide; text already that wide is returned unchanged.
pub fn pad(text: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(width(text));
    let mut padded = String::with_capacity(text.len() + fill);
    padded.push_str(text);
    padded.extend(std::iter::repeat_n(' ', fill));
    padded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `e` followed by a combining acute accent: two `char`s, one column.
    const E_ACUTE: &str = "e\u{301}";

    #[test]
    fn width_counts_columns_not_chars() {
        assert_eq!(width("数据-管道"), 9);
        assert_eq!(width("😀-tools"), 8);
        assert_eq!(width(&format!("caf{E_ACUTE}")), 4);
        assert_eq!(width("storefront"), 10);
        assert!(joins_previous('\u{301}'));
        assert!(!joins_previous('数'));
    }

    #[test]
    fn pad_fills_to_the_column_count() {
        assert_eq!(pad("数据-管道", 12), "数据-管道   ");
        assert_eq!(pad("😀-tools", 10), "😀-tools  ");
        assert_eq!(pad(&format!("caf{E_ACUTE}"), 6), format!("caf{E_ACUTE}  "));
        assert_eq!(pad("数据-管道", 9), "数据-管道", "exactly as wide");
        assert_eq!(pad("数据-管道", 4), "数据-管道", "wider stays whole");
    }

    #[test]
    fn truncate_cuts_by_columns_and_never_splits_a_wide_character() {
        assert_eq!(
            truncate("数据-管道", 9),
            "数据-管道",
            "exactly as wide: kept"
        );
        assert_eq!(truncate("数据-管道", 8), "数据-管…");
        // `管` would straddle the limit: it goes, and the result is a column narrower.
        assert_eq!(truncate("数据-管道", 7), "数据-…");
        assert_eq!(width(&truncate("数据-管道", 7)), 6);
        assert_eq!(truncate("😀-tools", 8), "😀-tools");
        assert_eq!(truncate("😀-tools", 7), "😀-too…");
        assert_eq!(
            truncate("😀-tools", 2),
            "…",
            "the emoji does not fit beside …"
        );
        assert_eq!(truncate("😀-tools", 0), "");
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
    }

    #[test]
    fn combining_marks_stay_with_their_character() {
        let word = format!("{E_ACUTE}{E_ACUTE}{E_ACUTE}x");
        assert_eq!(truncate(&word, 4), word, "4 columns fit in 4");
        assert_eq!(truncate(&word, 3), format!("{E_ACUTE}{E_ACUTE}…"));
        assert_eq!(take(&word, 1), E_ACUTE);
        assert_eq!(take_last(&word, 2), format!("{E_ACUTE}x"));
        assert_eq!(
            take_last("数\u{301}", 1),
            "",
            "no mark without its character"
        );
    }

    #[test]
    fn take_and_take_last_fit_the_columns() {
        assert_eq!(take("数据-管道", 5), "数据-");
        assert_eq!(take("数据-管道", 4), "数据");
        assert_eq!(take("数据-管道", 3), "数");
        assert_eq!(take("数据-管道", 9), "数据-管道");
        assert_eq!(take_last("数据-管道", 3), "道");
        assert_eq!(take_last("数据-管道", 5), "-管道");
        assert_eq!(take_last("数据-管道", 0), "");
    }

    #[test]
    fn wrap_measures_words_in_columns() {
        // 9 + 1 + 8 = 18 columns: one row at 18, two at 17, though it is only 14 chars.
        assert_eq!(wrap("数据-管道 😀-tools", 18, 18), ["数据-管道 😀-tools"]);
        assert_eq!(
            wrap("数据-管道 😀-tools", 17, 17),
            ["数据-管道", "😀-tools"]
        );
        assert_eq!(wrap("a 数据 b", 6, 6), ["a 数据", "b"]);
    }

    #[test]
    fn wrap_gives_the_first_row_its_own_room() {
        assert_eq!(wrap("one two three four", 7, 10), ["one two", "three four"]);
        assert_eq!(wrap("one two three four", 3, 20), ["one", "two three four"]);
    }

    #[test]
    fn wrap_keeps_long_words_whole_and_blank_text_as_one_row() {
        assert_eq!(
            wrap("see https://example.com/a/long/path now", 10, 10),
            ["see", "https://example.com/a/long/path", "now"]
        );
        assert_eq!(wrap("  \n ", 10, 10), [""]);
        assert_eq!(wrap("a \n  b", 10, 10), ["a b"]);
    }
}
