//! Everything that can happen to the wizard: key presses, pastes, the spinner tick, and the results
//! the effect runner sends back.
//!
//! `Msg` deliberately has no `Debug`: a paste or a typed character may be part of the token.

use crossterm::event::KeyEvent;

use crate::ado::AdoError;
use crate::checks::reachability::OrgPresence;

/// Identifies one request so an answer to an older one (the admin has since edited the input) is
/// recognised and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub u64);

/// An input to [`crate::tui::update`].
pub enum Msg {
    /// A key press (the runner drops release and repeat events).
    Key(KeyEvent),
    /// A bracketed paste: the whole pasted text at once.
    Paste(String),
    /// About 100 ms have passed; animates spinners.
    Tick,
    /// The organization probe finished.
    OrgProbed {
        request: RequestId,
        result: Result<OrgPresence, AdoError>,
    },
    /// The browser was (or could not be) launched for `url`.
    BrowserOpened {
        url: String,
        result: Result<(), String>,
    },
    /// The OSC 52 clipboard sequence was (or could not be) written to the terminal.
    ClipboardWritten { result: Result<(), String> },
}
