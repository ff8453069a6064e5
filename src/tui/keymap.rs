//! Key bindings as data. Each step (and each popup) declares one [`Keymap`]; every binding says
//! when it is available. [`active`] is the only source of the keys that act now: key handling,
//! the footer and the help popup all read it, so they can never disagree, and a key that would do
//! nothing in the current state is neither shown nor dispatched.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::app::{App, Popup};
use crate::tui::steps::{self, apply, plan_review};
use crate::tui::view;

/// One key chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl Key {
    /// A key pressed on its own.
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// A printable character on its own.
    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    /// Ctrl + a character.
    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Shift is ignored for characters (terminals disagree on whether `?` or `Q` carry it) and for
    /// Shift+Tab (crossterm reports tmux's `ESC [ Z` as BackTab with Shift).
    pub fn matches(&self, event: &KeyEvent) -> bool {
        if self.code != event.code {
            return false;
        }
        // Terminals report Shift+Tab as BackTab with Shift (tmux: `ESC [ Z`).
        let ignored = match event.code {
            KeyCode::Char(_) | KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        event.modifiers.difference(ignored) == self.modifiers
    }

    /// The key press this chord stands for (tests press every advertised key).
    pub fn event(&self) -> KeyEvent {
        KeyEvent::new(self.code, self.modifiers)
    }

    /// How the key is written in hints: `Enter`, `Ctrl+U`, `q`.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift+Tab".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Delete => "Del".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            other => other.to_string(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl+{name}")
        } else {
            name
        }
    }
}

/// What a key does; steps interpret the actions that concern them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    Back,
    Quit,
    Help,
    OpenTokensPage,
    CopyTokensPage,
    NextField,
    /// Gate: back to the previous field.
    PreviousField,
    /// Gate: switch the focused choice on or off.
    Toggle,
    Edit(Edit),
    /// Answer "yes" to the open confirmation popup.
    Confirm,
    /// Close the open popup without doing anything.
    Dismiss,
    /// Move the cursor or scroll a list.
    Move(Move),
    /// Run the step's check or task again.
    Recheck,
    /// Verify: go back to the token field.
    EditToken,
    /// Verify: the token's user is the dedicated integration user.
    ConfirmIdentity,
    /// Verify: go on despite the warnings shown.
    AcceptWarnings,
    /// Open the page that fixes the selected item (a project's permissions, the tokens page).
    OpenPage,
    /// Coverage: start typing a filter.
    Filter,
    /// Coverage: leave the filter field, keeping the filter.
    FilterDone,
    /// Coverage: clear the filter.
    ClearFilter,
    /// Coverage: select or unselect the repository (or project) under the cursor.
    ToggleSelect,
    /// Coverage: select every repository that is not covered.
    SelectMissing,
    /// Coverage: unselect everything.
    SelectNone,
    /// Apply: audit and plan again for the failed repositories, then apply.
    RetryFailed,
    /// Summary: write a calendar reminder for the token's expiry.
    WriteCalendar,
    /// Home: switch to the next organization.
    NextOrganization,
    /// Home: switch to the previous organization.
    PreviousOrganization,
    /// Home: rotate the token.
    Rotate,
    /// Home: configure new and broken repositories.
    ConfigureRepositories,
    /// Home: audit permissions and coverage.
    Audit,
    /// Home: set up another organization.
    AddOrganization,
    /// Revoke (and home): the old token has been revoked.
    MarkRevoked,
    /// Rotation's failure screens: write the old token back in place of the new one.
    RestoreOldToken,
    /// Hand-over: copy the token to the clipboard.
    CopyToken,
    /// Hand-over: clear the clipboard.
    ClearClipboard,
    /// Hand-over: "I pasted it and saved it in the gating service".
    ConfirmHandOver,
    /// Hand-over: skip for now (recorded as an open item).
    SkipHandOver,
    /// Hand-over: change the gating service's token page address.
    EditPage,
    /// Home: the token was given to the gating service after all.
    MarkHandedOver,
    /// Summary: commands use this organization when `--org` is omitted.
    MakeDefault,
    /// Coverage and summary: have Azure DevOps send a test event through a gate subscription.
    TestDelivery,
}

/// Cursor and scroll movements in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

/// Editing inside the focused input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    Clear,
}

/// When a binding does something, judged on the whole state.
pub type Available = fn(&App) -> bool;

/// Available in every state.
pub fn always(_: &App) -> bool {
    true
}

/// One row of a keymap.
#[derive(Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    /// Short footer text; `None` keeps the binding out of the footer (it still appears in help).
    pub hint: Option<&'static str>,
    /// The sentence shown in the help popup.
    pub help: &'static str,
    /// Whether the binding does something now; when not, it is neither shown nor dispatched.
    pub available: Available,
}

impl Binding {
    /// A binding available in every state, listed in help but not in the footer.
    pub const fn new(keys: &'static [Key], action: Action, help: &'static str) -> Self {
        Self {
            keys,
            action,
            hint: None,
            help,
            available: always,
        }
    }

    /// Shown in the footer as `hint`.
    pub const fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Kept out of the footer (still in help).
    pub const fn quiet(mut self) -> Self {
        self.hint = None;
        self
    }

    /// Available only when `available` says so.
    pub const fn when(mut self, available: Available) -> Self {
        self.available = available;
        self
    }
}

/// A screen's keys: its own bindings, then the shared groups it uses, in the order the footer
/// and help list them. The first available binding of a key wins.
pub type Keymap = &'static [&'static [Binding]];

/// The bindings of `map` available in `app`, in order.
pub fn available(map: Keymap, app: &App) -> Vec<Binding> {
    map.iter()
        .flat_map(|group| group.iter())
        .filter(|b| (b.available)(app))
        .copied()
        .collect()
}

/// The keymap that takes the keys now: the "enlarge the terminal" screen's, an open popup's, or
/// the step's.
fn current(app: &App) -> Keymap {
    if app.too_small() {
        return TOO_SMALL;
    }
    match app.popup {
        Some(Popup::Help) => HELP_POPUP,
        Some(Popup::ConfirmQuit) => CONFIRM_QUIT,
        Some(Popup::ConfirmApply) => plan_review::CONFIRM_APPLY,
        Some(Popup::StopApply) => apply::STOP_APPLY,
        None => steps::keymap(app.step),
    }
}

/// The keys that act now. The dispatcher, the footer and the help popup all read this.
pub fn active(app: &App) -> Vec<Binding> {
    available(current(app), app)
}

/// The current step's available keys, which the help popup lists over the step.
pub fn step_keys(app: &App) -> Vec<Binding> {
    available(steps::keymap(app.step), app)
}

/// The action bound to `event` in `bindings`, if any.
pub fn lookup(bindings: &[Binding], event: &KeyEvent) -> Option<Action> {
    bindings
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(event)))
        .map(|b| b.action)
}

/// `Enter/Space` style label for all keys of a binding.
pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join("/")
}

pub const ENTER: Key = Key::plain(KeyCode::Enter);
pub const ESC: Key = Key::plain(KeyCode::Esc);
pub const TAB: Key = Key::plain(KeyCode::Tab);
pub const BACK_TAB: Key = Key::plain(KeyCode::BackTab);
pub const F1: Key = Key::plain(KeyCode::F(1));
pub const CTRL_C: Key = Key::ctrl('c');

fn typing(app: &App) -> bool {
    steps::focused_field(app).is_some()
}

fn not_typing(app: &App) -> bool {
    !typing(app)
}

/// Help: `?` too while no text field takes it as text.
pub const HELP: Binding = Binding::new(&[Key::char('?'), F1], Action::Help, "Show this help")
    .hint("help")
    .when(not_typing);
const HELP_F1: Binding = Binding::new(&[F1], Action::Help, "Show this help")
    .hint("help")
    .when(typing);
pub(crate) const QUIT_Q: Binding = Binding::new(&[Key::char('q')], Action::Quit, "Quit the wizard")
    .hint("quit")
    .when(not_typing);
/// Ctrl+C quits from anywhere (raw mode turns it into an ordinary key); the footer names it
/// where `q` is typed into a field instead.
pub const QUIT_CTRL_C: Binding = Binding::new(
    &[CTRL_C],
    Action::Quit,
    "Quit the wizard (asks first if you entered anything)",
)
.when(not_typing);
const QUIT_CTRL_C_TYPING: Binding = Binding::new(
    &[CTRL_C],
    Action::Quit,
    "Quit the wizard (asks first if you entered anything)",
)
.hint("quit")
.when(typing);

/// Help and quitting, on every step but the summary (where `q` finishes).
pub const GLOBAL: &[Binding] = &[HELP, HELP_F1, QUIT_Q, QUIT_CTRL_C, QUIT_CTRL_C_TYPING];

fn can_backspace(app: &App) -> bool {
    steps::can_edit(app, Edit::Backspace)
}
fn can_delete(app: &App) -> bool {
    steps::can_edit(app, Edit::Delete)
}
fn can_left(app: &App) -> bool {
    steps::can_edit(app, Edit::Left)
}
fn can_right(app: &App) -> bool {
    steps::can_edit(app, Edit::Right)
}
fn can_home(app: &App) -> bool {
    steps::can_edit(app, Edit::Home)
}
fn can_end(app: &App) -> bool {
    steps::can_edit(app, Edit::End)
}
fn can_clear(app: &App) -> bool {
    steps::can_edit(app, Edit::Clear)
}

/// The editing keys of the focused text field, each while it would change the field.
pub const EDITING: &[Binding] = &[
    Binding::new(
        &[Key::plain(KeyCode::Backspace)],
        Action::Edit(Edit::Backspace),
        "Delete the character before the cursor",
    )
    .when(can_backspace),
    Binding::new(
        &[Key::ctrl('u')],
        Action::Edit(Edit::Clear),
        "Clear the field",
    )
    .when(can_clear),
    Binding::new(
        &[Key::plain(KeyCode::Delete)],
        Action::Edit(Edit::Delete),
        "Delete the character under the cursor",
    )
    .when(can_delete),
    Binding::new(
        &[Key::plain(KeyCode::Left)],
        Action::Edit(Edit::Left),
        "Move the cursor left",
    )
    .when(can_left),
    Binding::new(
        &[Key::plain(KeyCode::Right)],
        Action::Edit(Edit::Right),
        "Move the cursor right",
    )
    .when(can_right),
    Binding::new(
        &[Key::plain(KeyCode::Home), Key::ctrl('a')],
        Action::Edit(Edit::Home),
        "Move to the start of the field",
    )
    .when(can_home),
    Binding::new(
        &[Key::plain(KeyCode::End), Key::ctrl('e')],
        Action::Edit(Edit::End),
        "Move to the end of the field",
    )
    .when(can_end),
];

fn can_up(app: &App) -> bool {
    not_typing(app) && steps::can_move(app, Move::Up)
}
fn can_down(app: &App) -> bool {
    not_typing(app) && steps::can_move(app, Move::Down)
}
fn can_page_up(app: &App) -> bool {
    not_typing(app) && steps::can_move(app, Move::PageUp)
}
fn can_page_down(app: &App) -> bool {
    not_typing(app) && steps::can_move(app, Move::PageDown)
}
fn can_top(app: &App) -> bool {
    not_typing(app) && steps::can_move(app, Move::Top)
}
fn can_bottom(app: &App) -> bool {
    not_typing(app) && steps::can_move(app, Move::Bottom)
}

/// Moving through a list: arrows (and `k`/`j`), pages, ends — each while it would move.
pub const LIST: &[Binding] = &[
    Binding::new(
        &[Key::plain(KeyCode::Up), Key::char('k')],
        Action::Move(Move::Up),
        "Move up",
    )
    .when(can_up),
    Binding::new(
        &[Key::plain(KeyCode::Down), Key::char('j')],
        Action::Move(Move::Down),
        "Move down",
    )
    .when(can_down),
    Binding::new(
        &[Key::plain(KeyCode::PageUp)],
        Action::Move(Move::PageUp),
        "Up one page",
    )
    .when(can_page_up),
    Binding::new(
        &[Key::plain(KeyCode::PageDown)],
        Action::Move(Move::PageDown),
        "Down one page",
    )
    .when(can_page_down),
    Binding::new(
        &[Key::plain(KeyCode::Home), Key::char('g')],
        Action::Move(Move::Top),
        "Go to the first line",
    )
    .when(can_top),
    Binding::new(
        &[Key::plain(KeyCode::End), Key::char('G')],
        Action::Move(Move::Bottom),
        "Go to the last line",
    )
    .when(can_bottom),
];

/// Arrow-key scrolling for steps whose text may be longer than the screen (no `k`/`j`: those
/// steps use letters for their actions).
pub const SCROLL: &[Binding] = &[
    Binding::new(
        &[Key::plain(KeyCode::Up)],
        Action::Move(Move::Up),
        "Scroll up",
    )
    .when(can_up),
    Binding::new(
        &[Key::plain(KeyCode::Down)],
        Action::Move(Move::Down),
        "Scroll down",
    )
    .when(can_down),
];

/// Choosing among a few options: arrows and Tab move the highlight (wrapping around), Enter
/// takes it. Letters never choose.
pub const CHOICE: &[Binding] = &[
    Binding::new(
        &[Key::plain(KeyCode::Down), TAB],
        Action::Move(Move::Down),
        "Highlight the next choice",
    )
    .when(can_down),
    Binding::new(
        &[Key::plain(KeyCode::Up), BACK_TAB],
        Action::Move(Move::Up),
        "Highlight the previous choice",
    )
    .when(can_up),
];

/// While the terminal is too small to show the wizard, only quitting works.
pub const TOO_SMALL: Keymap =
    &[&[Binding::new(&[Key::char('q'), CTRL_C], Action::Quit, "Quit the wizard").hint("quit")]];

fn help_can_scroll_up(app: &App) -> bool {
    view::help_scrolled(app, Move::Up) != app.help_scroll
}
fn help_can_scroll_down(app: &App) -> bool {
    view::help_scrolled(app, Move::Down) != app.help_scroll
}

/// The help popup's own keys; ↑/↓ scroll it while it is longer than the screen.
pub const HELP_POPUP: Keymap = &[&[
    Binding::new(&[ESC], Action::Dismiss, "Close this help").hint("close"),
    Binding::new(
        &[Key::char('?'), F1, Key::char('q'), ENTER],
        Action::Dismiss,
        "Also close this help",
    ),
    Binding::new(
        &[Key::plain(KeyCode::Up)],
        Action::Move(Move::Up),
        "Scroll the help up",
    )
    .when(help_can_scroll_up),
    Binding::new(
        &[Key::plain(KeyCode::Down)],
        Action::Move(Move::Down),
        "Scroll the help down, when it is longer than the screen",
    )
    .when(help_can_scroll_down),
    Binding::new(
        &[CTRL_C],
        Action::Quit,
        "Quit the wizard (asks first if you entered anything)",
    ),
]];

/// The quit confirmation's keys. Enter is deliberately not "yes": it is pressed out of habit.
pub const CONFIRM_QUIT: Keymap = &[&[
    Binding::new(
        &[Key::char('y')],
        Action::Confirm,
        "Quit and discard what you entered",
    )
    .hint("quit"),
    Binding::new(&[CTRL_C], Action::Confirm, "Quit at once (Ctrl+C twice)"),
    Binding::new(
        &[Key::char('n'), ESC],
        Action::Dismiss,
        "Go back to the wizard",
    )
    .hint("stay"),
]];

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn shift_is_ignored_for_characters_only() {
        let question = Key::char('?');
        assert!(question.matches(&press(KeyCode::Char('?'), KeyModifiers::SHIFT)));
        assert!(question.matches(&press(KeyCode::Char('?'), KeyModifiers::NONE)));
        assert!(!question.matches(&press(KeyCode::Char('?'), KeyModifiers::CONTROL)));
        assert!(!ENTER.matches(&press(KeyCode::Enter, KeyModifiers::SHIFT)));
        assert!(CTRL_C.matches(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(!CTRL_C.matches(&press(KeyCode::Char('c'), KeyModifiers::NONE)));
    }

    #[test]
    fn shift_tab_matches_with_or_without_shift() {
        assert!(BACK_TAB.matches(&press(KeyCode::BackTab, KeyModifiers::SHIFT)));
        assert!(BACK_TAB.matches(&press(KeyCode::BackTab, KeyModifiers::NONE)));
        assert!(!TAB.matches(&press(KeyCode::Tab, KeyModifiers::SHIFT)));
    }

    #[test]
    fn labels_read_like_the_keyboard() {
        assert_eq!(Key::ctrl('u').label(), "Ctrl+U");
        assert_eq!(ENTER.label(), "Enter");
        assert_eq!(F1.label(), "F1");
        assert_eq!(BACK_TAB.label(), "Shift+Tab");
        assert_eq!(keys_label(&HELP), "?/F1");
    }

    #[test]
    fn lookup_finds_the_first_matching_binding() {
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(lookup(CONFIRM_QUIT[0], &enter), None);
        assert_eq!(
            lookup(
                CONFIRM_QUIT[0],
                &press(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Confirm)
        );
        assert_eq!(lookup(HELP_POPUP[0], &enter), Some(Action::Dismiss));
        assert_eq!(
            lookup(EDITING, &press(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
    }
}
