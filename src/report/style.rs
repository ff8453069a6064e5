//! Colour in text reports and messages. Renderers always ask here; the answer is plain text unless
//! the command line turned colour on with [`enable`], and even then the stream decides: the CLI
//! writes through `anstream`, which keeps the styles only on a stream that may have them (a
//! terminal, no `NO_COLOR`, no `CLICOLOR=0`; `CLICOLOR_FORCE=1` keeps them in a pipe) and strips
//! them everywhere else. Library callers (tests, the wizard) get plain text. JSON and CSV never
//! come here.

use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Lets text reports and messages carry colour; `anstream` strips it where it must not go.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();

/// The ✓ / ✗ / ! marks of human output.
pub(crate) struct Marks {
    pub ok: &'static str,
    pub fail: &'static str,
    pub warn: &'static str,
}

pub(crate) const PLAIN: Marks = Marks {
    ok: "✓",
    fail: "✗",
    warn: "!",
};

/// [`PLAIN`] in [`GREEN`], bold [`RED`] and [`YELLOW`], spelled out so they can be `'static`
/// (a test checks them against the styles).
const COLOURED: Marks = Marks {
    ok: "\u{1b}[32m✓\u{1b}[0m",
    fail: "\u{1b}[1m\u{1b}[31m✗\u{1b}[0m",
    warn: "\u{1b}[33m!\u{1b}[0m",
};

/// The marks to write: coloured when colour is on.
pub(crate) fn marks() -> &'static Marks {
    if on() { &COLOURED } else { &PLAIN }
}

/// The colour of a verdict mark (✓ ✗ !) or a plan symbol (`+` create, `~` update or enable, `-/+`
/// replace); other marks (`-` for skips, information and duplicate deletions) stay plain.
fn mark_style(mark: &str) -> Option<Style> {
    match mark {
        "✓" | "+" => Some(GREEN),
        "✗" => Some(RED.bold()),
        "!" | "~" | "-/+" => Some(YELLOW),
        _ => None,
    }
}

/// `text` in `style`, when colour is on.
fn paint_with(on: bool, style: Option<Style>, text: &str) -> String {
    match style {
        Some(style) if on => format!("{style}{text}{style:#}"),
        _ => text.to_owned(),
    }
}

fn on() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A verdict mark or plan symbol, coloured by what it means.
pub fn mark(mark: &str) -> String {
    paint_with(on(), mark_style(mark), mark)
}

/// A line's good news (`ok`, "ready for the gate").
pub fn good(text: &str) -> String {
    paint_with(on(), Some(GREEN), text)
}

/// A line's bad news (`failed`, "not ready").
pub fn bad(text: &str) -> String {
    paint_with(on(), Some(RED), text)
}

/// `error:` before a message that stopped the command.
pub fn error_prefix() -> String {
    paint_with(on(), Some(RED.bold()), "error:")
}

/// `warning:` before a message about something that did not stop the command.
pub fn warning_prefix() -> String {
    paint_with(on(), Some(YELLOW.bold()), "warning:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coloured_marks_are_the_plain_ones_in_their_styles() {
        for (plain, coloured) in [
            (PLAIN.ok, COLOURED.ok),
            (PLAIN.fail, COLOURED.fail),
            (PLAIN.warn, COLOURED.warn),
        ] {
            assert_eq!(paint_with(true, mark_style(plain), plain), coloured);
        }
    }

    #[test]
    fn marks_are_coloured_by_meaning_and_only_when_on() {
        assert_eq!(
            paint_with(true, mark_style("✓"), "✓"),
            "\u{1b}[32m✓\u{1b}[0m"
        );
        assert_eq!(
            paint_with(true, mark_style("✗"), "✗"),
            "\u{1b}[1m\u{1b}[31m✗\u{1b}[0m"
        );
        assert_eq!(
            paint_with(true, mark_style("~"), "~"),
            "\u{1b}[33m~\u{1b}[0m"
        );
        assert_eq!(paint_with(true, mark_style("-"), "-"), "-");
        assert_eq!(paint_with(false, mark_style("✓"), "✓"), "✓");
    }
}
