//! Side effects `update` asks for. Only the runner carries them out; `update` stays pure.

use std::collections::BTreeSet;

use jiff::civil::Date;

use secrecy::{ExposeSecret, SecretString};

use crate::org::OrgUrl;
use crate::plan::{Plan, StopFlag};
use crate::profile::GateProfile;
use crate::store::{State, StorageKind};
use crate::token::Pat;
use crate::tui::msg::RequestId;
use crate::tui::steps::Step;

/// Where a verified token goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreTarget {
    /// The OS credential store (Secret Service, Keychain, Credential Manager).
    OsStore,
    /// The plain-text token file, chosen explicitly (`--insecure-storage` or a key press).
    InsecureFile,
    /// Process memory, shared with the runner's in-memory store (the demo).
    Memory,
    /// Nowhere: the token is used for this run and forgotten when the wizard ends.
    SessionOnly,
}

impl StoreTarget {
    /// The kind recorded in `state.toml`; `None` for a token that is not stored at all.
    pub fn kind(self) -> Option<StorageKind> {
        match self {
            Self::OsStore => Some(StorageKind::Keyring),
            Self::InsecureFile => Some(StorageKind::File),
            Self::Memory => Some(StorageKind::Memory),
            Self::SessionOnly => None,
        }
    }

    /// Where a token recorded as `kind` lives.
    pub fn for_kind(kind: StorageKind) -> Self {
        match kind {
            StorageKind::Keyring => Self::OsStore,
            StorageKind::File => Self::InsecureFile,
            StorageKind::Memory => Self::Memory,
        }
    }
}

/// The webhook's basic-auth password on its way into the credential store, beside the token:
/// the entry the profile names and the password. `Debug` shows the entry only.
#[derive(Clone)]
pub struct WebhookPassword {
    pub entry: String,
    pub password: SecretString,
}

impl std::fmt::Debug for WebhookPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookPassword")
            .field("entry", &self.entry)
            .finish_non_exhaustive()
    }
}

/// Equality on the secret too, so tests can assert which password travels where.
impl PartialEq for WebhookPassword {
    fn eq(&self, other: &Self) -> bool {
        self.entry == other.entry && self.password.expose_secret() == other.password.expose_secret()
    }
}

/// A request from [`crate::tui::update`] to the effect runner.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Probe whether the organization exists (no token sent); answers with `Msg::OrgProbed`.
    ProbeOrganization { request: RequestId, org: OrgUrl },
    /// Open `url` in the default browser; answers with `Msg::BrowserOpened`.
    OpenUrl(String),
    /// Put the text on the clipboard through the terminal (OSC 52, works over SSH); answers with
    /// `Msg::ClipboardWritten`.
    CopyToClipboard(String),
    /// Put the token on the clipboard (OSC 52, and the system clipboard where there is one);
    /// answers with `Msg::ClipboardWritten`.
    CopySecret(Pat),
    /// Empty the clipboard the same ways; answers with `Msg::ClipboardWritten`.
    ClearClipboard,
    /// Run every token check; answers with `Msg::CheckProgress` as checks go and `Msg::Verified`.
    VerifyToken {
        request: RequestId,
        org: OrgUrl,
        token: Pat,
        expires_on: Date,
        today: Date,
    },
    /// Store the verified token (replacing any previous one for the organization) and use it for
    /// the rest of the run; answers with `Msg::TokenStored`. In a rotation, `keep_old` names the
    /// store the token being replaced is in: the runner reads it from there first (once) and keeps
    /// it in memory until [`Effect::ForgetOldToken`], answering `Msg::OldTokenKept`. The webhook
    /// password the gate step asked for, if any, goes into the same store (into this run's memory
    /// for a token kept for this run only).
    StoreToken {
        request: RequestId,
        org: OrgUrl,
        token: Pat,
        target: StoreTarget,
        keep_old: Option<StoreTarget>,
        webhook_password: Option<WebhookPassword>,
    },
    /// Write the old token the runner kept back into `target` and use it again for the rest of
    /// the run; answers with `Msg::OldTokenRestored`.
    RestoreOldToken {
        request: RequestId,
        org: OrgUrl,
        target: StoreTarget,
    },
    /// The rotation is over: the runner drops the old token it kept.
    ForgetOldToken,
    /// Audit the organization with the token in use (or the one stored as `storage`); answers
    /// with `Msg::AuditProgress` as phases go and `Msg::Audited`.
    RunAudit {
        request: RequestId,
        org: OrgUrl,
        profile: GateProfile,
        /// The previous run's repository ids, so new repositories are recognised.
        previous: Option<BTreeSet<String>>,
        storage: Option<StorageKind>,
    },
    /// Carry the plan out, then audit again for the coverage it left; answers with
    /// `Msg::ApplyProgress` per action and `Msg::Applied`.
    ApplyPlan {
        request: RequestId,
        org: OrgUrl,
        plan: Plan,
        profile: GateProfile,
        /// The integration user, the Status policy's authorized account.
        user_id: Option<String>,
        /// For the audit that follows, as in [`Effect::RunAudit`].
        previous: Option<BTreeSet<String>>,
        storage: Option<StorageKind>,
        /// Raised when the admin stops the apply: no action starts after it.
        stop: StopFlag,
    },
    /// Have Azure DevOps send a test event through `subscription_id` and wait for the outcome;
    /// answers with `Msg::TestDelivered`.
    TestDelivery {
        request: RequestId,
        org: OrgUrl,
        subscription_id: String,
        storage: Option<StorageKind>,
    },
    /// Write `state.toml` in the configuration directory; answers with `Msg::StateSaved`.
    SaveState { request: RequestId, state: State },
    /// Write a calendar file (atomically) in the current directory (when `in_current_dir`, falling
    /// back to the configuration directory if that fails) or in the configuration directory (the
    /// demo writes nowhere else); answers with `Msg::CalendarWritten`.
    WriteCalendar {
        file_name: String,
        contents: String,
        in_current_dir: bool,
    },
    /// Abort every task started for this step: its answers are no longer wanted.
    CancelStep(Step),
    /// Leave the wizard; the summary is printed on stdout once the terminal is restored.
    /// `interrupted`: the admin pressed Ctrl+C, so the process exits 130.
    Exit { summary: String, interrupted: bool },
}
