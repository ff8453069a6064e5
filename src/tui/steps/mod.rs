//! The wizard's steps. Each module owns its state, keymap, update and render; this module names the
//! steps and dispatches to the current one.

pub mod organization;
pub mod paste_token;
pub mod token_recipe;
pub mod welcome;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding};

/// How many steps the first-time flow has, for the "Step 2 of 11" indicator.
pub const TOTAL_STEPS: u8 = 11;

/// Where the admin is in the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Welcome,
    Organization,
    TokenRecipe,
    PasteToken,
}

impl Step {
    /// Position in the first-time flow, from 1.
    pub fn number(self) -> u8 {
        match self {
            Self::Welcome => 1,
            Self::Organization => 2,
            Self::TokenRecipe => 3,
            Self::PasteToken => 4,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Welcome => "Welcome",
            Self::Organization => "Organization",
            Self::TokenRecipe => "Create the token",
            Self::PasteToken => "Paste the token",
        }
    }

    /// Where Esc leads; `None` means Esc quits.
    pub fn previous(self) -> Option<Self> {
        match self {
            Self::Welcome => None,
            Self::Organization => Some(Self::Welcome),
            Self::TokenRecipe => Some(Self::Organization),
            Self::PasteToken => Some(Self::TokenRecipe),
        }
    }

    pub fn keymap(self) -> &'static [Binding] {
        match self {
            Self::Welcome => welcome::KEYMAP,
            Self::Organization => organization::KEYMAP,
            Self::TokenRecipe => token_recipe::KEYMAP,
            Self::PasteToken => paste_token::KEYMAP,
        }
    }
}

/// A step-specific action (navigation, quitting and help are handled by the caller).
pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match app.step {
        Step::Welcome => welcome::on_action(app, action),
        Step::Organization => organization::on_action(app, action),
        Step::TokenRecipe => token_recipe::on_action(app, action),
        Step::PasteToken => paste_token::on_action(app, action),
    }
}

/// Text typed or pasted while no binding claimed it.
pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    match app.step {
        Step::Organization => organization::on_text(app, text),
        Step::PasteToken => paste_token::on_text(app, text),
        Step::Welcome | Step::TokenRecipe => Vec::new(),
    }
}

/// Draws the current step's body into `area`.
pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    match app.step {
        Step::Welcome => welcome::render(app, frame, area),
        Step::Organization => organization::render(app, frame, area),
        Step::TokenRecipe => token_recipe::render(app, frame, area),
        Step::PasteToken => paste_token::render(app, frame, area),
    }
}
