//! The wizard's steps. Each module owns its state, keymap, update and render; this module names the
//! steps and dispatches to the current one.

mod about;
pub mod apply;
pub mod coverage;
pub mod gate;
pub mod handover;
pub mod home;
pub mod organization;
pub mod paste_token;
pub mod permissions;
pub mod plan_review;
pub mod revoke;
pub mod save;
mod shared;
pub mod summary;
pub mod token_recipe;
pub mod verify;
pub mod welcome;

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::audit::AuditReport;
use crate::store::StoreError;
use crate::tui::app::{App, Status, Tone};
use crate::tui::audit_state;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Edit, Keymap, Move};
use crate::tui::msg::{RequestId, TaskError};
use crate::tui::widgets::masked_input::MaskedInput;
use crate::tui::widgets::text_input::TextInput;

pub(crate) use about::about;

/// Where the admin is in the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Welcome,
    Organization,
    TokenRecipe,
    PasteToken,
    Verify,
    /// Give the verified token to the gating service.
    HandOver,
    /// Setup only: the webhook, its basic auth and the status policy.
    Gate,
    Save,
    Permissions,
    Coverage,
    Plan,
    Apply,
    Summary,
    /// The returning admin's start: one panel per remembered organization.
    Home,
    /// Rotation only: revoke the old token, once the new one is proven.
    Revoke,
}

impl Step {
    pub fn title(self) -> &'static str {
        match self {
            Self::Welcome => "Welcome",
            Self::Organization => "Organization",
            Self::TokenRecipe => "Create the token",
            Self::PasteToken => "Paste the token",
            Self::Verify => "Verify the token",
            Self::HandOver => "Give the token to the gating service",
            Self::Gate => "What the gate needs",
            Self::Save => "Store the token",
            Self::Permissions => "Permissions",
            Self::Coverage => "Coverage",
            Self::Plan => "Plan",
            Self::Apply => "Apply",
            Self::Summary => "Summary",
            Self::Home => "Home",
            Self::Revoke => "Revoke the old token",
        }
    }
}

/// The step's one keymap; each binding says in which of the step's states it is available.
pub(crate) fn keymap(step: Step) -> Keymap {
    match step {
        Step::Welcome => welcome::KEYMAP,
        Step::Organization => organization::KEYMAP,
        Step::TokenRecipe => token_recipe::KEYMAP,
        Step::PasteToken => paste_token::KEYMAP,
        Step::Verify => verify::KEYMAP,
        Step::HandOver => handover::KEYMAP,
        Step::Gate => gate::KEYMAP,
        Step::Save => save::KEYMAP,
        Step::Permissions => permissions::KEYMAP,
        Step::Coverage => coverage::KEYMAP,
        Step::Plan => plan_review::KEYMAP,
        Step::Apply => apply::KEYMAP,
        Step::Summary => summary::KEYMAP,
        Step::Home => home::KEYMAP,
        Step::Revoke => revoke::KEYMAP,
    }
}

/// A text field that takes typing.
pub(crate) enum Field<'a> {
    Text(&'a TextInput),
    Masked(&'a MaskedInput),
}

/// The field typed text goes to on the current step; `None` when no field is focused (then
/// printable keys are only what the keymap binds).
pub(crate) fn focused_field(app: &App) -> Option<Field<'_>> {
    match app.step {
        Step::Organization => Some(Field::Text(&app.organization.input)),
        Step::PasteToken => Some(paste_token::focused_field(app)),
        Step::HandOver => handover::focused_field(app).map(Field::Text),
        Step::Gate => gate::focused_field(app),
        Step::Coverage => app
            .coverage
            .filtering
            .then_some(Field::Text(&app.coverage.filter)),
        _ => None,
    }
}

/// Whether `edit` would change the focused field.
pub(crate) fn can_edit(app: &App, edit: Edit) -> bool {
    match focused_field(app) {
        Some(Field::Text(input)) => input.can(edit),
        Some(Field::Masked(input)) => input.can(edit),
        None => false,
    }
}

/// Whether `movement` would move the current step's cursor, scroll or highlighted choice.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    match app.step {
        Step::Verify => verify::can_move(app, movement),
        Step::Save => save::can_move(app, movement),
        Step::Permissions => permissions::can_move(app, movement),
        Step::Coverage => coverage::can_move(app, movement),
        Step::Plan => plan_review::can_move(app, movement),
        Step::Apply => apply::can_move(app, movement),
        Step::Summary => summary::can_move(app, movement),
        _ => false,
    }
}

/// A step-specific action (navigation, quitting and help are handled by the caller).
pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match app.step {
        Step::Welcome => welcome::on_action(app, action),
        Step::Organization => organization::on_action(app, action),
        Step::TokenRecipe => token_recipe::on_action(app, action),
        Step::PasteToken => paste_token::on_action(app, action),
        Step::Verify => verify::on_action(app, action),
        Step::HandOver => handover::on_action(app, action),
        Step::Gate => gate::on_action(app, action),
        Step::Save => save::on_action(app, action),
        Step::Permissions => permissions::on_action(app, action),
        Step::Coverage => coverage::on_action(app, action),
        Step::Plan => plan_review::on_action(app, action),
        Step::Apply => apply::on_action(app, action),
        Step::Summary => summary::on_action(app, action),
        Step::Home => home::on_action(app, action),
        Step::Revoke => revoke::on_action(app, action),
    }
}

/// Text typed or pasted while no binding claimed it.
pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    match app.step {
        Step::Organization => organization::on_text(app, text),
        Step::PasteToken => paste_token::on_text(app, text),
        Step::HandOver => handover::on_text(app, text),
        Step::Gate => gate::on_text(app, text),
        Step::Coverage => coverage::on_text(app, text),
        _ => Vec::new(),
    }
}

/// Arriving at the current step going forwards: start what it runs on arrival.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    match app.step {
        Step::Verify => verify::start(app),
        Step::HandOver => handover::on_enter(app),
        Step::Gate => gate::on_enter(app),
        Step::Save => save::on_enter(app),
        Step::Permissions => permissions::on_enter(app),
        Step::Coverage => coverage::on_enter(app),
        Step::Plan => plan_review::on_enter(app),
        Step::Summary => summary::on_enter(app),
        _ => Vec::new(),
    }
}

/// Leaving `step`: its tasks are being cancelled, so forget that they were running.
pub(crate) fn on_leave(app: &mut App, step: Step) {
    match step {
        Step::Organization => app.organization.abandon_check(),
        Step::Verify => app.verify.abandon(),
        Step::Save => app.save.abandon(),
        Step::Permissions | Step::Home => app.audit.abandon(),
        Step::Coverage => {
            app.coverage.filtering = false;
            crate::tui::delivery::on_leave(app);
        }
        Step::Summary => crate::tui::delivery::on_leave(app),
        _ => {}
    }
}

/// `state.toml` was written (or not) for the step that asked.
pub(crate) fn on_state_saved(
    app: &mut App,
    request: RequestId,
    result: Result<(), StoreError>,
) -> Vec<Effect> {
    if let Some(effects) = crate::tui::old_token::on_state_saved(app, request, &result) {
        return effects;
    }
    match app.step {
        Step::Save => save::on_state_saved(app, request, result),
        Step::Summary => summary::on_state_saved(app, request, result),
        Step::Revoke => revoke::on_state_saved(app, request, result),
        Step::Home => home::on_state_saved(app, request, result),
        _ => Vec::new(),
    }
}

/// An audit finished: record it, then let the step that waits for it move on.
pub(crate) fn on_audited(
    app: &mut App,
    request: RequestId,
    result: Result<AuditReport, TaskError>,
    at: Timestamp,
) -> Vec<Effect> {
    if !audit_state::on_audited(app, request, result, at) {
        return Vec::new();
    }
    permissions::index(app);
    match app.step {
        Step::Apply => apply::on_reaudited(app),
        _ => Vec::new(),
    }
}

/// The browser was (or could not be) opened: say so on the step that asked.
pub(crate) fn on_browser_opened(
    app: &mut App,
    url: String,
    result: Result<(), String>,
) -> Vec<Effect> {
    match app.step {
        Step::TokenRecipe => token_recipe::on_browser_opened(app, url, result),
        _ => {
            app.status = Some(match result {
                Ok(()) => Status {
                    tone: Tone::Success,
                    text: format!("Opened {url} in your browser."),
                },
                Err(_) => Status {
                    tone: Tone::Error,
                    text: browser_failed(&url),
                },
            });
            Vec::new()
        }
    }
}

/// The browser could not be started (no desktop, no default browser): what to do instead. The
/// launcher's reason is logged, never shown: it is written for developers.
pub(crate) fn browser_failed(url: &str) -> String {
    format!("Could not open a browser here: open {url} in your browser by hand.")
}

/// Draws the current step's body into `area`.
pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    match app.step {
        Step::Welcome => welcome::render(app, frame, area),
        Step::Organization => organization::render(app, frame, area),
        Step::TokenRecipe => token_recipe::render(app, frame, area),
        Step::PasteToken => paste_token::render(app, frame, area),
        Step::Verify => verify::render(app, frame, area),
        Step::HandOver => handover::render(app, frame, area),
        Step::Gate => gate::render(app, frame, area),
        Step::Save => save::render(app, frame, area),
        Step::Permissions => permissions::render(app, frame, area),
        Step::Coverage => coverage::render(app, frame, area),
        Step::Plan => plan_review::render(app, frame, area),
        Step::Apply => apply::render(app, frame, area),
        Step::Summary => summary::render(app, frame, area),
        Step::Home => home::render(app, frame, area),
        Step::Revoke => revoke::render(app, frame, area),
    }
}
