//! Entering and leaving the full-screen terminal, on every exit path.
//!
//! [`restore`] is idempotent and runs from three places: the normal exit, the [`Session`] guard's
//! `Drop` (early returns and errors), and a panic hook installed before the terminal is touched, so
//! a panic message lands on a usable screen instead of a raw-mode alternate buffer.

use std::io::{self, Stdout, Write, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Set while the terminal is in wizard mode, so restoring twice does nothing the second time.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

pub(crate) type WizardTerminal = Terminal<CrosstermBackend<Stdout>>;

/// The terminal in wizard mode; restored when dropped.
pub(crate) struct Session {
    terminal: WizardTerminal,
}

impl Session {
    /// Raw mode, alternate screen, bracketed paste. Anything done before a failure is undone.
    pub(crate) fn enter() -> io::Result<Self> {
        install_panic_hook();
        ACTIVE.store(true, Ordering::SeqCst);
        let entered = enable_raw_mode()
            .and_then(|()| execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste))
            .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
        match entered {
            Ok(terminal) => Ok(Self { terminal }),
            Err(error) => {
                // The setup error is the one worth reporting; a failure to undo it adds nothing.
                let _ = restore();
                Err(error)
            }
        }
    }

    pub(crate) fn terminal(&mut self) -> &mut WizardTerminal {
        &mut self.terminal
    }

    /// Restores the terminal and reports whether that worked.
    pub(crate) fn leave(self) -> io::Result<()> {
        restore()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Drop cannot report; `leave` is the path that does. Restoring twice is a no-op.
        let _ = restore();
    }
}

/// Leaves wizard mode if it is active: raw mode off, bracketed paste off, main screen, cursor shown.
pub fn restore() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let screen = write_restore_sequence(&mut stdout());
    raw.and(screen)
}

fn write_restore_sequence(out: &mut impl Write) -> io::Result<()> {
    execute!(out, DisableBracketedPaste, LeaveAlternateScreen, Show)
}

/// Chains a hook that restores the terminal before the previous hook prints the panic. Installed
/// once per process.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Nothing can be done if this fails while panicking; the message must still print.
            let _ = restore();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_sequence_leaves_paste_mode_and_the_alternate_screen() {
        let mut out = Vec::new();
        write_restore_sequence(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[?2004l"), "{text:?}");
        assert!(text.contains("\x1b[?1049l"), "{text:?}");
        assert!(text.contains("\x1b[?25h"), "{text:?}");
    }

    #[test]
    fn restore_is_idempotent_and_the_panic_hook_runs_it() {
        // One test, because both halves read the process-wide ACTIVE flag.
        assert!(restore().is_ok());
        assert!(restore().is_ok());
        assert!(!ACTIVE.load(Ordering::SeqCst));
        install_panic_hook();
        install_panic_hook();
        ACTIVE.store(true, Ordering::SeqCst);
        let outcome = std::panic::catch_unwind(|| panic!("boom"));
        assert!(outcome.is_err());
        assert!(
            !ACTIVE.load(Ordering::SeqCst),
            "the hook restored the terminal"
        );
    }
}
