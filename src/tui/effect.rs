//! Side effects `update` asks for. Only the runner carries them out; `update` stays pure.

use crate::org::OrgUrl;
use crate::tui::msg::RequestId;
use crate::tui::steps::Step;

/// A request from [`crate::tui::update`] to the effect runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Probe whether the organization exists (no token sent); answers with `Msg::OrgProbed`.
    ProbeOrganization { request: RequestId, org: OrgUrl },
    /// Open `url` in the default browser; answers with `Msg::BrowserOpened`.
    OpenUrl(String),
    /// Put the text on the clipboard through the terminal (OSC 52, works over SSH); answers with
    /// `Msg::ClipboardWritten`.
    CopyToClipboard(String),
    /// Abort every task started for this step: its answers are no longer wanted.
    CancelStep(Step),
    /// Leave the wizard; the summary is printed on stdout once the terminal is restored.
    Exit { summary: String },
}
