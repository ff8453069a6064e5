//! The wizard's whole state. `render` draws it, `update` changes it; nothing else does either.

use crate::tui::delivery::TestDeliveryState;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::org::OrgUrl;
use crate::profile::GateProfile;
use crate::store::{OrgState, State, TokenMeta};
use crate::tui::audit_state::AuditState;
use crate::tui::effect::{Effect, StoreTarget};
use crate::tui::flow::Flow;
use crate::tui::msg::{RequestId, Stored};
use crate::tui::steps::apply::ApplyState;
use crate::tui::steps::coverage::CoverageState;
use crate::tui::steps::home::HomeState;
use crate::tui::steps::organization::OrganizationState;
use crate::tui::steps::paste_token::PasteTokenState;
use crate::tui::steps::permissions::PermissionsState;
use crate::tui::steps::plan_review::PlanState;
use crate::tui::steps::revoke::RevokeState;
use crate::tui::steps::save::SaveState;
use crate::tui::steps::summary::{self, SummaryState};
use crate::tui::steps::verify::VerifyState;
use crate::tui::steps::{self, Step};
use crate::tui::theme::Theme;
use crate::tui::{WizardOptions, expiry};

/// A popup drawn over the step; it takes the keys while open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    Help,
    ConfirmQuit,
    /// "Apply N changes to ORG?" before anything is written.
    ConfirmApply,
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
    pub(crate) flow: Flow,
    pub(crate) step: Step,
    pub(crate) popup: Option<Popup>,
    pub(crate) status: Option<Status>,
    /// The admin changed something since the wizard started, so quitting asks first.
    pub(crate) touched: bool,
    /// Spinner animation counter, advanced by `Msg::Tick`.
    pub(crate) tick: u64,
    last_request: u64,
    /// Where `state.toml` (and the insecure token file) live; shown, never read here.
    pub(crate) config_dir: PathBuf,
    /// What is remembered between runs; `update` edits it and asks the runner to write it.
    pub(crate) state: State,
    /// The webhook URL the demo pre-fills.
    pub(crate) demo_webhook: Option<String>,
    /// The gate profile of the organization being worked on.
    pub(crate) profile: GateProfile,
    pub(crate) organization: OrganizationState,
    pub(crate) paste: PasteTokenState,
    pub(crate) verify: VerifyState,
    pub(crate) save: SaveState,
    pub(crate) audit: AuditState,
    pub(crate) permissions: PermissionsState,
    pub(crate) coverage: CoverageState,
    pub(crate) plan: PlanState,
    pub(crate) apply: ApplyState,
    pub(crate) summary: SummaryState,
    pub(crate) home: HomeState,
    pub(crate) revoke: RevokeState,
    /// What was known about the token being replaced, while rotating.
    pub(crate) rotation_old: Option<TokenMeta>,
    /// Where the token was stored during this run, for the summaries.
    pub(crate) token_stored: Option<Stored>,
    /// `state.toml` was written during this run.
    pub(crate) state_recorded: bool,
    pub(crate) test_delivery: TestDeliveryState,
}

impl App {
    /// A wizard at the welcome step; a demo pre-fills the organization, the token and the webhook.
    pub fn new(options: WizardOptions, theme: Theme) -> Self {
        let today = options.today;
        let demo = options.demo.is_some();
        let (organization, paste, demo_webhook) = match options.demo {
            Some(demo) => (
                OrganizationState::new(&demo.org_url),
                PasteTokenState::new(demo.token, expiry::suggested(today)),
                Some(demo.webhook_url),
            ),
            None => (
                OrganizationState::new(""),
                PasteTokenState::new(Default::default(), expiry::suggested(today)),
                None,
            ),
        };
        let home = if demo {
            HomeState::default()
        } else {
            HomeState::from_state(&options.state)
        };
        let step = if home.orgs.is_empty() {
            Step::Welcome
        } else {
            Step::Home
        };
        Self {
            today,
            theme,
            demo,
            flow: Flow::Setup,
            step,
            popup: None,
            status: None,
            touched: false,
            tick: 0,
            last_request: 0,
            config_dir: options.config_dir,
            state: options.state,
            demo_webhook,
            profile: GateProfile::default_profile(),
            organization,
            paste,
            verify: VerifyState::default(),
            save: SaveState::new(options.storage),
            audit: AuditState::default(),
            permissions: PermissionsState::default(),
            coverage: CoverageState::default(),
            plan: PlanState::default(),
            apply: ApplyState::default(),
            summary: SummaryState::default(),
            home,
            revoke: RevokeState::default(),
            rotation_old: None,
            token_stored: None,
            state_recorded: false,
            test_delivery: TestDeliveryState::default(),
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

    /// The organization being worked on, once confirmed.
    pub(crate) fn org(&self) -> Option<&OrgUrl> {
        self.organization.confirmed()
    }

    /// What `state.toml` remembers about the current organization.
    pub(crate) fn current_org_state(&self) -> Option<&OrgState> {
        self.state.org(&self.org()?.key())
    }

    /// The current organization's stored profile, or the default when none is stored. A stored
    /// profile that no longer validates is replaced by the default (the admin is asked again).
    pub(crate) fn stored_profile(&self) -> GateProfile {
        self.current_org_state()
            .filter(|o| !o.profile.is_empty())
            .and_then(|o| GateProfile::from_table(&o.profile).ok())
            .unwrap_or_else(GateProfile::default_profile)
    }

    /// Moves to `step`: the old step's tasks are cancelled and its transient state dropped.
    pub(crate) fn go_to(&mut self, step: Step) -> Vec<Effect> {
        let left = self.step;
        if left == step {
            return Vec::new();
        }
        steps::on_leave(self, left);
        self.step = step;
        self.status = None;
        vec![Effect::CancelStep(left)]
    }

    /// Moves forwards to the flow's next step and starts whatever that step runs on arrival.
    pub(crate) fn advance(&mut self) -> Vec<Effect> {
        let Some(next) = self.flow.next(self.step) else {
            return Vec::new();
        };
        let mut effects = self.go_to(next);
        effects.extend(steps::on_enter(self));
        effects
    }

    /// The home screen is there to return to: organizations with a stored token are remembered.
    pub(crate) fn home_available(&self) -> bool {
        !self.demo && self.state.organizations().any(|(_, o)| o.token.is_some())
    }

    /// Where Esc leads: the flow's previous step, or home from a journey's first step; `None`
    /// means Esc quits.
    pub(crate) fn previous_step(&self) -> Option<Step> {
        if self.step == Step::Home {
            return None;
        }
        self.flow
            .previous(self.step)
            .or_else(|| self.home_available().then_some(Step::Home))
    }

    /// The text printed on stdout after the wizard ends early (the full summary on its step).
    pub(crate) fn quit_summary(&self) -> String {
        if self.step == Step::Summary {
            return summary::text(self);
        }
        let mut summary = match self.flow.position(self.step) {
            Some((number, total)) if self.step != Step::Home => format!(
                "azdo-gate: {} stopped at step {number} of {total} ({}).",
                self.flow.label(),
                self.step.title(),
            ),
            _ => "azdo-gate: left the home screen.".to_owned(),
        };
        let stored = self
            .token_stored
            .as_ref()
            .filter(|s| s.target != StoreTarget::SessionOnly);
        match (stored, self.state_recorded) {
            (Some(stored), _) => {
                summary.push_str(&format!(" The token is stored in {}.", stored.description));
            }
            (None, true) => summary.push_str(" The organization was recorded."),
            (None, false) => summary.push_str(" Nothing was saved"),
        }
        let changes = self.apply.made();
        match (stored.is_some() || self.state_recorded, changes) {
            (false, 0) => summary.push_str(" and nothing was changed in Azure DevOps."),
            (true, 0) => summary.push_str(" Nothing was changed in Azure DevOps."),
            (_, n) => summary.push_str(&format!(
                " {n} change{} made in Azure DevOps.",
                if n == 1 { " was" } else { "s were" }
            )),
        }
        let unstored = self
            .token_stored
            .as_ref()
            .is_none_or(|s| s.target == StoreTarget::SessionOnly);
        if !self.demo && unstored && !self.paste.token.is_empty() {
            let page = self.org().map_or_else(
                || "User settings → Personal access tokens".to_owned(),
                OrgUrl::tokens_page,
            );
            summary.push_str(&format!(
                "\nThe token you pasted was not stored. If you will not use it, revoke it: {page}"
            ));
        }
        summary
    }
}
