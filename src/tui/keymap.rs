//! Key bindings as data: one table per step (and per popup) drives key handling, the footer hints
//! and the help popup, so the three can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The keymap of a list screen: the step's own bindings, then moving through the list, help and
/// quitting, which every list shares and so are written here once.
macro_rules! list_keymap {
    ($($binding:expr),* $(,)?) => {
        &[
            $($binding,)*
            $crate::tui::keymap::MOVE_UP,
            $crate::tui::keymap::MOVE_DOWN,
            $crate::tui::keymap::PAGE_UP,
            $crate::tui::keymap::PAGE_DOWN,
            $crate::tui::keymap::MOVE_TOP,
            $crate::tui::keymap::MOVE_BOTTOM,
            $crate::tui::keymap::HELP,
            $crate::tui::keymap::QUIT_Q,
            $crate::tui::keymap::QUIT_CTRL_C,
        ]
    };
}
pub(crate) use list_keymap;

/// The keymap of a screen with a text field: the step's own bindings, then F1 for help (`?` is
/// typed into the field), Ctrl+C to quit (`q` is typed too), and the editing keys.
macro_rules! text_field_keymap {
    ($($binding:expr),* $(,)?) => {
        &[
            $($binding,)*
            $crate::tui::keymap::HELP_F1,
            $crate::tui::keymap::Binding {
                hint: Some("quit"),
                ..$crate::tui::keymap::QUIT_CTRL_C
            },
            $crate::tui::keymap::EDIT_BACKSPACE,
            $crate::tui::keymap::EDIT_CLEAR,
            $crate::tui::keymap::EDIT_DELETE,
            $crate::tui::keymap::EDIT_LEFT,
            $crate::tui::keymap::EDIT_RIGHT,
            $crate::tui::keymap::EDIT_HOME,
            $crate::tui::keymap::EDIT_END,
        ]
    };
}
pub(crate) use text_field_keymap;

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

    /// Shift is ignored for characters: terminals disagree on whether `?` or `Q` carry it.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        if self.code != event.code {
            return false;
        }
        let ignored = match event.code {
            KeyCode::Char(_) => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        event.modifiers.difference(ignored) == self.modifiers
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
    /// Save: keep the token in the plain-text file instead of the OS credential store.
    UseFileStore,
    /// Save: keep the token in memory for this run only.
    UseSessionOnly,
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

/// One row of a keymap.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    /// Short footer text; `None` keeps the binding out of the footer (it still appears in help).
    pub hint: Option<&'static str>,
    /// The sentence shown in the help popup.
    pub help: &'static str,
}

/// The action bound to `event` in `map`, if any.
pub fn lookup(map: &[Binding], event: &KeyEvent) -> Option<Action> {
    map.iter()
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
pub const F1: Key = Key::plain(KeyCode::F(1));
pub const CTRL_C: Key = Key::ctrl('c');

/// Help on steps where `?` would be typed into an input.
pub const HELP_F1: Binding = Binding {
    keys: &[F1],
    action: Action::Help,
    hint: Some("help"),
    help: "Show this help",
};

/// Help on steps without text input.
pub const HELP: Binding = Binding {
    keys: &[Key::char('?'), F1],
    action: Action::Help,
    hint: Some("help"),
    help: "Show this help",
};

/// Ctrl+C quits from anywhere (raw mode turns it into an ordinary key).
pub const QUIT_CTRL_C: Binding = Binding {
    keys: &[CTRL_C],
    action: Action::Quit,
    hint: None,
    help: "Quit the wizard (asks first if you entered anything)",
};

// The editing keys shared by every text field.
pub const EDIT_BACKSPACE: Binding = Binding {
    keys: &[Key::plain(KeyCode::Backspace)],
    action: Action::Edit(Edit::Backspace),
    hint: None,
    help: "Delete the character before the cursor",
};
pub const EDIT_DELETE: Binding = Binding {
    keys: &[Key::plain(KeyCode::Delete)],
    action: Action::Edit(Edit::Delete),
    hint: None,
    help: "Delete the character under the cursor",
};
pub const EDIT_LEFT: Binding = Binding {
    keys: &[Key::plain(KeyCode::Left)],
    action: Action::Edit(Edit::Left),
    hint: None,
    help: "Move the cursor left",
};
pub const EDIT_RIGHT: Binding = Binding {
    keys: &[Key::plain(KeyCode::Right)],
    action: Action::Edit(Edit::Right),
    hint: None,
    help: "Move the cursor right",
};
pub const EDIT_HOME: Binding = Binding {
    keys: &[Key::plain(KeyCode::Home), Key::ctrl('a')],
    action: Action::Edit(Edit::Home),
    hint: None,
    help: "Move to the start of the field",
};
pub const EDIT_END: Binding = Binding {
    keys: &[Key::plain(KeyCode::End), Key::ctrl('e')],
    action: Action::Edit(Edit::End),
    hint: None,
    help: "Move to the end of the field",
};
pub const EDIT_CLEAR: Binding = Binding {
    keys: &[Key::ctrl('u')],
    action: Action::Edit(Edit::Clear),
    hint: None,
    help: "Clear the field",
};

/// Moving through a list: arrows, pages, ends.
pub const MOVE_UP: Binding = Binding {
    keys: &[Key::plain(KeyCode::Up), Key::char('k')],
    action: Action::Move(Move::Up),
    hint: None,
    help: "Move up",
};
pub const MOVE_DOWN: Binding = Binding {
    keys: &[Key::plain(KeyCode::Down), Key::char('j')],
    action: Action::Move(Move::Down),
    hint: None,
    help: "Move down",
};
pub const PAGE_UP: Binding = Binding {
    keys: &[Key::plain(KeyCode::PageUp)],
    action: Action::Move(Move::PageUp),
    hint: None,
    help: "Up one page",
};
pub const PAGE_DOWN: Binding = Binding {
    keys: &[Key::plain(KeyCode::PageDown)],
    action: Action::Move(Move::PageDown),
    hint: None,
    help: "Down one page",
};
pub const MOVE_TOP: Binding = Binding {
    keys: &[Key::plain(KeyCode::Home), Key::char('g')],
    action: Action::Move(Move::Top),
    hint: None,
    help: "Go to the first line",
};
pub const MOVE_BOTTOM: Binding = Binding {
    keys: &[Key::plain(KeyCode::End), Key::char('G')],
    action: Action::Move(Move::Bottom),
    hint: None,
    help: "Go to the last line",
};

/// Arrow-key scrolling for steps whose text may be longer than the screen (no `k`/`j`: those
/// steps use letters for their actions).
pub const SCROLL_UP: Binding = Binding {
    keys: &[Key::plain(KeyCode::Up)],
    action: Action::Move(Move::Up),
    hint: None,
    help: "Scroll up",
};
pub const SCROLL_DOWN: Binding = Binding {
    keys: &[Key::plain(KeyCode::Down)],
    action: Action::Move(Move::Down),
    hint: None,
    help: "Scroll down",
};

/// `q` quits on steps without a text field.
pub const QUIT_Q: Binding = Binding {
    keys: &[Key::char('q')],
    action: Action::Quit,
    hint: Some("quit"),
    help: "Quit the wizard",
};

/// The help popup's own keys.
pub const HELP_POPUP: &[Binding] = &[
    Binding {
        keys: &[ESC],
        action: Action::Dismiss,
        hint: Some("close"),
        help: "Close this help",
    },
    Binding {
        keys: &[Key::char('?'), F1, Key::char('q'), ENTER],
        action: Action::Dismiss,
        hint: None,
        help: "Also close this help",
    },
    Binding {
        help: "Scroll the help up, when it is longer than the screen",
        ..SCROLL_UP
    },
    Binding {
        help: "Scroll the help down",
        ..SCROLL_DOWN
    },
    QUIT_CTRL_C,
];

/// The quit confirmation's keys. Enter is deliberately not "yes": it is pressed out of habit.
pub const CONFIRM_QUIT: &[Binding] = &[
    Binding {
        keys: &[Key::char('y')],
        action: Action::Confirm,
        hint: Some("quit"),
        help: "Quit and discard what you entered",
    },
    Binding {
        keys: &[CTRL_C],
        action: Action::Confirm,
        hint: None,
        help: "Quit at once (Ctrl+C twice)",
    },
    Binding {
        keys: &[Key::char('n'), ESC],
        action: Action::Dismiss,
        hint: Some("stay"),
        help: "Go back to the wizard",
    },
];

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
    fn labels_read_like_the_keyboard() {
        assert_eq!(Key::ctrl('u').label(), "Ctrl+U");
        assert_eq!(ENTER.label(), "Enter");
        assert_eq!(F1.label(), "F1");
        assert_eq!(keys_label(&HELP), "?/F1");
    }

    #[test]
    fn lookup_finds_the_first_matching_binding() {
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(lookup(CONFIRM_QUIT, &enter), None);
        assert_eq!(
            lookup(
                CONFIRM_QUIT,
                &press(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Confirm)
        );
        assert_eq!(lookup(HELP_POPUP, &enter), Some(Action::Dismiss));
        assert_eq!(
            lookup(
                &[EDIT_CLEAR],
                &press(KeyCode::Char('x'), KeyModifiers::NONE)
            ),
            None
        );
    }
}
