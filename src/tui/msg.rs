//! Everything that can happen to the wizard: key presses, pastes, the spinner tick, and the results
//! the effect runner sends back.
//!
//! `Msg` deliberately has no `Debug`: a paste or a typed character may be part of the token.

use crate::audit::test_delivery::DeliveryOutcome;
use std::path::PathBuf;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use crate::ado::AdoError;
use crate::audit::{AuditEvent, AuditReport};
use crate::checks::reachability::OrgPresence;
use crate::checks::{CheckEvent, TokenReport};
use crate::domain::BasicAuthError;
use crate::plan::{ActionResult, ApplyEvent};
use crate::store::StoreError;
use crate::tui::effect::StoreTarget;

/// Identifies one request so an answer to an older one (the admin has since edited the input) is
/// recognised and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub u64);

/// Where a token was stored, as the runner reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub target: StoreTarget,
    /// The store's name as users know it ("Secret Service (GNOME Keyring)", a file path).
    pub description: String,
}

/// Why a task that needed the stored token and Azure DevOps could not finish.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Ado(#[from] AdoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "no token for {org} in {store}: rotate the token from the home screen, or set the organization up again"
    )]
    NoToken { org: String, store: String },
    #[error(transparent)]
    BasicAuth(#[from] BasicAuthError),
    /// Another azdo-gate kept the organization's writer lock too long (or it could not be taken).
    #[error("{0}")]
    Lock(String),
}

/// An input to [`crate::tui::update`].
pub enum Msg {
    /// The wizard is on screen: start what the first screen runs on arrival.
    Started,
    /// A key press (the runner drops release and repeat events).
    Key(KeyEvent),
    /// A bracketed paste: the whole pasted text at once.
    Paste(String),
    /// The terminal's size, at start and after every resize.
    Resized { width: u16, height: u16 },
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
    /// One token check started or finished.
    CheckProgress {
        request: RequestId,
        event: CheckEvent,
    },
    /// The token check finished; `at` is when (for the recorded `checked_at`).
    Verified {
        request: RequestId,
        result: Result<TokenReport, AdoError>,
        at: Timestamp,
    },
    /// The token was (or could not be) stored.
    TokenStored {
        request: RequestId,
        result: Result<Stored, StoreError>,
        at: Timestamp,
    },
    /// Rotation: the runner read the token being replaced before overwriting it, and keeps it in
    /// memory so it can be put back.
    OldTokenKept,
    /// The kept old token was (or could not be) written back to its store.
    OldTokenRestored {
        request: RequestId,
        result: Result<Stored, StoreError>,
    },
    /// An audit phase moved on.
    AuditProgress {
        request: RequestId,
        event: AuditEvent,
    },
    /// The audit finished.
    Audited {
        request: RequestId,
        result: Result<AuditReport, TaskError>,
        at: Timestamp,
    },
    /// A test delivery finished (or could not be made).
    TestDelivered {
        request: RequestId,
        result: Result<DeliveryOutcome, String>,
    },
    /// An action of the plan started or finished.
    ApplyProgress {
        request: RequestId,
        event: ApplyEvent,
    },
    /// The plan was carried out (one result per action, in plan order), and the organization
    /// audited again; `after` is that audit.
    Applied {
        request: RequestId,
        result: Result<Vec<ActionResult>, TaskError>,
        after: Option<Result<AuditReport, TaskError>>,
        at: Timestamp,
    },
    /// `state.toml` was (or could not be) written.
    StateSaved {
        request: RequestId,
        result: Result<(), StoreError>,
    },
    /// The calendar reminder was (or could not be) written; `Ok` holds its path.
    CalendarWritten { result: Result<PathBuf, String> },
}
