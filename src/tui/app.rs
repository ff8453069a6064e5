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
use crate::tui::old_token::OldTokenState;
use crate::tui::steps::apply::ApplyState;
use crate::tui::steps::coverage::CoverageState;
use crate::tui::steps::gate::GateState;
use crate::tui::steps::handover::HandOverState;
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
use crate::tui::view::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::{WizardOptions, expiry};
use crate::words::{count, plural};

/// The demo's gate: where it listens and the basic auth it expects.
pub(crate) struct DemoGate {
    pub(crate) webhook_url: String,
    pub(crate) user: String,
    pub(crate) password: secrecy::SecretString,
}

/// A popup drawn over the step; it takes the keys while open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    Help,
    ConfirmQuit,
    /// "Apply N changes to ORG?" before anything is written.
    ConfirmApply,
    /// Ctrl+C or `q` while changes are being made: stop, quit now, or keep going.
    StopApply,
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
    /// The only organization the demo knows (the simulator on loopback): any other address is
    /// explained, never looked up, so the demo sends nothing beyond loopback.
    pub(crate) demo_org: Option<OrgUrl>,
    pub(crate) flow: Flow,
    pub(crate) step: Step,
    pub(crate) popup: Option<Popup>,
    /// Lines the help popup is scrolled down by, when it is longer than the screen.
    pub(crate) help_scroll: usize,
    pub(crate) status: Option<Status>,
    /// The admin changed something since the wizard started, so quitting asks first.
    pub(crate) touched: bool,
    /// The last request to quit was Ctrl+C (the process exits 130 if it is confirmed).
    pub(crate) quit_by_interrupt: bool,
    /// Spinner animation counter, advanced by `Msg::Tick`.
    pub(crate) tick: u64,
    /// The terminal's size as the runner last reported it; `None` until it does.
    pub(crate) size: Option<(u16, u16)>,
    last_request: u64,
    /// Where `state.toml` (and the insecure token file) live; shown, never read here.
    pub(crate) config_dir: PathBuf,
    /// What is remembered between runs; `update` edits it and asks the runner to write it.
    pub(crate) state: State,
    /// What the demo's gate expects, pre-filled on the gate step.
    pub(crate) demo_gate: Option<DemoGate>,
    /// The gating service's token page the demo pre-fills.
    pub(crate) demo_token_page: Option<String>,
    /// The gate profile of the organization being worked on.
    pub(crate) profile: GateProfile,
    pub(crate) organization: OrganizationState,
    pub(crate) paste: PasteTokenState,
    pub(crate) verify: VerifyState,
    pub(crate) handover: HandOverState,
    pub(crate) gate: GateState,
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
    /// While rotating: whether the runner keeps the old token, and putting it back.
    pub(crate) old_token: OldTokenState,
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
        let demo_org = options
            .demo
            .as_ref()
            .and_then(|d| OrgUrl::parse(&d.org_url).ok());
        let (organization, paste, demo_gate, demo_token_page) = match options.demo {
            Some(demo) => (
                OrganizationState::new(&demo.org_url),
                PasteTokenState::new(demo.token, expiry::suggested(today)),
                Some(DemoGate {
                    webhook_url: demo.webhook_url,
                    user: demo.webhook_user,
                    password: demo.webhook_password,
                }),
                Some(demo.token_page_url),
            ),
            None => (
                OrganizationState::new(""),
                PasteTokenState::new(Default::default(), expiry::suggested(today)),
                None,
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
            demo_org,
            flow: Flow::Setup,
            step,
            popup: None,
            help_scroll: 0,
            status: None,
            touched: false,
            quit_by_interrupt: false,
            tick: 0,
            size: None,
            last_request: 0,
            config_dir: options.config_dir,
            state: options.state,
            demo_gate,
            demo_token_page,
            profile: GateProfile::default_profile(),
            organization,
            paste,
            verify: VerifyState::default(),
            handover: HandOverState::default(),
            gate: GateState::default(),
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
            old_token: OldTokenState::default(),
            token_stored: None,
            state_recorded: false,
            test_delivery: TestDeliveryState::default(),
        }
    }

    /// The step on screen.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The terminal cannot show the wizard: only "please enlarge" is drawn, and only quitting works.
    pub fn too_small(&self) -> bool {
        self.size
            .is_some_and(|(width, height)| width < MIN_WIDTH || height < MIN_HEIGHT)
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

    /// The store the current organization's token was saved in, as `state.toml` records it.
    pub(crate) fn token_storage(&self) -> Option<crate::store::StorageKind> {
        self.state.token_storage(&self.org()?.key())
    }

    /// The current organization's stored profile, or the default when none is stored. A stored
    /// profile that no longer validates is replaced by the default (the admin is asked again).
    pub(crate) fn stored_profile(&self) -> GateProfile {
        self.current_org_state()
            .filter(|o| !o.profile.is_empty())
            .and_then(|o| GateProfile::from_table(&o.profile).ok())
            .unwrap_or_else(GateProfile::default_profile)
    }

    /// A journey with a new token begins (a rotation, another organization): the last journey's
    /// pasted token, its check, its hand-over, the gate password typed and where it was stored are
    /// forgotten; the store choice is kept.
    pub(crate) fn forget_token(&mut self) {
        self.paste.reset(expiry::suggested(self.today));
        self.verify = VerifyState::default();
        self.handover = HandOverState::default();
        self.gate = GateState::default();
        self.save = SaveState::new(self.save.target);
        self.token_stored = None;
        self.old_token = OldTokenState::default();
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
        let mut effects = vec![Effect::CancelStep(left)];
        if self.flow == Flow::Rotate && matches!(step, Step::Summary | Step::Home) {
            // The rotation ends here: the old token the runner kept is no longer needed.
            self.old_token.kept = false;
            effects.push(Effect::ForgetOldToken);
        }
        effects
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

    /// What this run stored and changed, in sentences: the quit popup and the text printed after
    /// quitting both say it, so neither can claim less than was done.
    pub(crate) fn saved_and_changed(&self) -> Vec<String> {
        let stored = self
            .token_stored
            .as_ref()
            .filter(|s| s.target != StoreTarget::SessionOnly);
        let saved = match (stored, self.state_recorded) {
            (Some(stored), _) => Some(format!("The token is stored in {}.", stored.description)),
            (None, true) => Some("The organization was recorded.".to_owned()),
            (None, false) => None,
        };
        let changed = match self.apply.made() {
            0 if saved.is_none() => "Nothing was saved or changed in Azure DevOps.".to_owned(),
            0 => "Nothing was changed in Azure DevOps.".to_owned(),
            n => format!(
                "{} made in Azure DevOps.",
                count(n, "change was", "changes were")
            ),
        };
        let mut sentences: Vec<String> = saved.into_iter().chain([changed]).collect();
        let flying = self.apply.in_flight();
        if flying > 0 {
            sentences.push(format!(
                "{} in flight: {} outcome is unknown until the next audit.",
                count(flying, "change was", "changes were"),
                plural(flying, "its", "their")
            ));
        }
        sentences
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
        for sentence in self.saved_and_changed() {
            summary.push(' ');
            summary.push_str(&sentence);
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
