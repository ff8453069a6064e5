//! The wizard's whole state. `render` draws it, `update` changes it; nothing else does either.

use jiff::civil::Date;

use crate::tui::effect::Effect;
use crate::tui::msg::RequestId;
use crate::tui::steps::organization::OrganizationState;
use crate::tui::steps::paste_token::PasteTokenState;
use crate::tui::steps::{Step, TOTAL_STEPS};
use crate::tui::theme::Theme;
use crate::tui::{WizardOptions, expiry};

/// A popup drawn over the step; it takes the keys while open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    Help,
    ConfirmQuit,
}

/// How a status line reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Error,
}

/// A one-line message about the last action (a link opened, a copy failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub tone: Tone,
    pub text: String,
}

/// The wizard state. No `Debug`: it holds the token (inside [`PasteTokenState`]).
pub struct App {
    pub(crate) today: Date,
    pub(crate) theme: Theme,
    pub(crate) demo: bool,
    pub(crate) step: Step,
    pub(crate) popup: Option<Popup>,
    pub(crate) status: Option<Status>,
    /// The admin changed something since the wizard started, so quitting asks first.
    pub(crate) touched: bool,
    /// Spinner animation counter, advanced by `Msg::Tick`.
    pub(crate) tick: u64,
    last_request: u64,
    pub(crate) organization: OrganizationState,
    pub(crate) paste: PasteTokenState,
}

impl App {
    /// A wizard at the welcome step; a demo pre-fills the organization and the token.
    pub fn new(options: WizardOptions, theme: Theme) -> Self {
        let today = options.today;
        let demo = options.demo.is_some();
        let (organization, paste) = match options.demo {
            Some(demo) => (
                OrganizationState::new(&demo.org_url),
                PasteTokenState::new(demo.token, expiry::suggested(today)),
            ),
            None => (
                OrganizationState::new(""),
                PasteTokenState::new(Default::default(), expiry::suggested(today)),
            ),
        };
        Self {
            today,
            theme,
            demo,
            step: Step::Welcome,
            popup: None,
            status: None,
            touched: false,
            tick: 0,
            last_request: 0,
            organization,
            paste,
        }
    }

    /// The step on screen.
    pub fn step(&self) -> Step {
        self.step
    }

    /// A fresh id for a request whose answer may arrive after the admin has moved on.
    pub(crate) fn new_request(&mut self) -> RequestId {
        self.last_request += 1;
        RequestId(self.last_request)
    }

    /// Moves to `step`: the old step's tasks are cancelled and its transient state dropped.
    pub(crate) fn go_to(&mut self, step: Step) -> Vec<Effect> {
        let left = self.step;
        if left == step {
            return Vec::new();
        }
        if left == Step::Organization {
            self.organization.abandon_check();
        }
        self.step = step;
        self.status = None;
        vec![Effect::CancelStep(left)]
    }

    /// The text printed on stdout after the wizard ends early.
    pub(crate) fn quit_summary(&self) -> String {
        let mut summary = format!(
            "azdo-gate: setup stopped at step {} of {TOTAL_STEPS} ({}). Nothing was saved and nothing was changed in Azure DevOps.",
            self.step.number(),
            self.step.title(),
        );
        if !self.demo && !self.paste.token.is_empty() {
            let page = self.organization.confirmed().map_or_else(
                || "User settings → Personal access tokens".to_owned(),
                |org| org.tokens_page(),
            );
            summary.push_str(&format!(
                "\nThe token you pasted was not stored. If you will not use it, revoke it: {page}"
            ));
        }
        summary
    }
}
