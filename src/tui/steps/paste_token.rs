//! Step 4: the token, typed or pasted into a masked field, and the expiration date the admin chose.
//!
//! The local format check runs as the token is typed (in `update`, so drawing stays cheap); Enter
//! refuses what cannot be a token at all and otherwise hands both fields to the verify step.

use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use secrecy::{ExposeSecret, SecretString};

use crate::checks::format::{self, FormatReport, Mistake};
use crate::token::{Pat, PatError};
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::expiry::{self, ExpiryError};
use crate::tui::flow::Flow;
use crate::tui::keymap::{
    Action, BACK_TAB, Binding, EDITING, ENTER, ESC, Edit, GLOBAL, Keymap, TAB,
};
use crate::tui::theme::Theme;
use crate::tui::widgets::hanging;
use crate::tui::widgets::masked_input::{self, MaskedInput};
use crate::tui::widgets::text_input::{self, TextInput};
use crate::words;

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(&[ENTER], Action::Continue, "Check both fields and continue")
            .hint("continue")
            .when(can_continue),
        Binding::new(
            &[TAB, BACK_TAB],
            Action::NextField,
            "Switch between the token and its expiration date",
        )
        .hint("switch field"),
        Binding::new(
            &[ESC],
            Action::Back,
            "Back to the token recipe (what you typed is kept)",
        )
        .hint("back"),
    ],
    GLOBAL,
    EDITING,
];

/// Enter moves on, or shows what is missing and focuses it — unless it already does.
fn can_continue(app: &App) -> bool {
    let state = &app.paste;
    state.ready(app.today) || !state.submitted || state.focus != state.field_to_fix()
}

/// The field that takes typing: there is always one on this step.
pub(crate) fn focused_field(app: &App) -> crate::tui::steps::Field<'_> {
    match app.paste.focus {
        Field::Token => crate::tui::steps::Field::Masked(&app.paste.token),
        Field::Expiry => crate::tui::steps::Field::Text(&app.paste.expiry),
    }
}

/// Which field takes typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Token,
    Expiry,
}

/// The two fields, the focus, and whether Enter was pressed (which reveals "missing" errors).
#[derive(Debug)]
pub struct PasteTokenState {
    /// What was typed or pasted, surrounding whitespace included; [`PasteTokenState::pat`] cleans it.
    pub(crate) token: MaskedInput,
    pub(crate) expiry: TextInput,
    pub(crate) focus: Field,
    pub(crate) submitted: bool,
    /// The local format verdict for the current token; `None` while the field is empty. Holds the
    /// token's shape only, never its characters.
    pub(crate) format: Option<FormatReport>,
    /// Why the field's content cannot be sent (a URL, a space inside, the token already in use);
    /// never quotes the token.
    pub(crate) refusal: Option<String>,
}

impl PasteTokenState {
    pub(crate) fn new(token: SecretString, suggested_expiry: Date) -> Self {
        let mut state = Self {
            token: MaskedInput::new(token),
            expiry: TextInput::new(suggested_expiry.to_string()),
            focus: Field::Token,
            submitted: false,
            format: None,
            refusal: None,
        };
        state.inspect();
        state
    }

    pub(crate) fn expiry(&self, today: Date) -> Result<Date, ExpiryError> {
        expiry::parse(self.expiry.value(), today)
    }

    /// The token as it will be verified, stored and sent.
    pub(crate) fn pat(&self) -> Result<Pat, PatError> {
        Pat::parse(self.token.secret().expose_secret())
    }

    /// Re-runs the local checks after the token changed. A recognisable mistake (a pasted
    /// `Basic …` header, a URL) explains more than "a space at position 6", so it speaks first.
    fn inspect(&mut self) {
        self.refusal = None;
        if self.token.is_empty() {
            self.format = None;
            return;
        }
        let report = match self.pat() {
            Ok(pat) => format::inspect(pat.secret().expose_secret()),
            Err(error) => {
                let report = format::inspect(self.token.secret().expose_secret());
                if matches!(report.mistake, None | Some(Mistake::InnerWhitespace)) {
                    self.refusal = Some(error.to_string());
                }
                report
            }
        };
        if self.refusal.is_none() {
            self.refusal = report.mistake.map(|m| m.message().to_owned());
        }
        self.format = Some(report);
    }

    /// Empty fields with the suggested expiry (a new token is about to be pasted: a rotation, or
    /// another organization).
    pub(crate) fn reset(&mut self, suggested_expiry: Date) {
        *self = Self::new(SecretString::from(String::new()), suggested_expiry);
    }

    /// The field Enter points at when the fields are not ready: the token first.
    fn field_to_fix(&self) -> Field {
        if self.token.is_empty() || self.refusal.is_some() {
            Field::Token
        } else {
            Field::Expiry
        }
    }

    /// Both fields hold something worth sending to Azure DevOps.
    fn ready(&self, today: Date) -> bool {
        !self.token.is_empty() && self.refusal.is_none() && self.expiry(today).is_ok()
    }
}

/// Rotation refuses the token it is replacing: the fingerprints match.
fn refuse_the_stored_token(app: &mut App) {
    let stored = app
        .rotation_old
        .as_ref()
        .and_then(|m| m.fingerprint.clone());
    let same = app.flow == Flow::Rotate
        && stored.is_some()
        && app.paste.pat().ok().map(|p| p.fingerprint()) == stored;
    if same {
        app.paste.refusal = Some(
            "this is the token already in use (same fingerprint): create a new token and paste that one"
                .to_owned(),
        );
    }
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let today = app.today;
    if action == Action::Continue {
        refuse_the_stored_token(app);
    }
    let state = &mut app.paste;
    match action {
        Action::Continue => {
            state.submitted = true;
            if state.ready(today) {
                return app.advance();
            }
            state.focus = state.field_to_fix();
        }
        Action::NextField => {
            state.focus = match state.focus {
                Field::Token => Field::Expiry,
                Field::Expiry => Field::Token,
            };
        }
        Action::Edit(edit) => {
            let changed = match state.focus {
                Field::Token => {
                    let changed = match edit {
                        Edit::Backspace => state.token.backspace(),
                        Edit::Clear => state.token.clear(),
                        _ => false,
                    };
                    if changed {
                        state.inspect();
                    }
                    changed
                }
                Field::Expiry => state.expiry.edit(edit),
            };
            app.touched |= changed;
        }
        _ => {}
    }
    Vec::new()
}

pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    let state = &mut app.paste;
    let changed = match state.focus {
        Field::Token => {
            let changed = state.token.push_str(text);
            if changed {
                state.inspect();
            }
            changed
        }
        Field::Expiry => {
            let before = state.expiry.value().len();
            state.expiry.insert(text);
            state.expiry.value().len() != before
        }
    };
    app.touched |= changed;
    Vec::new()
}

/// The as-you-type verdict of the local format check, shown under the token's character count;
/// the warning wraps under its marker to `width` columns.
pub fn format_lines(
    format_label: &str,
    warning: Option<&str>,
    theme: Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("  Format: ", theme.muted()),
        Span::styled(format_label.to_owned(), theme.value()),
    ])];
    if let Some(warning) = warning {
        lines.extend(hanging::wrap(
            "  ⚠ ",
            theme.warning(),
            warning,
            theme.warning(),
            width,
        ));
    }
    lines
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.paste;
    let typing = app.popup.is_none();
    let [intro, token_area, token_info, expiry_area, expiry_info] =
        area.layout(&Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(3),
            Constraint::Length(4),
            Constraint::Length(3),
            Constraint::Fill(1),
        ]));
    let mut intro_lines = vec![
        Line::from(Span::styled(
            "The token and its expiration date",
            theme.title(),
        )),
        Line::default(),
    ];
    intro_lines.extend(hanging::wrap(
        "",
        Style::new(),
        "Paste the token Azure DevOps showed after Create. It stays in memory and is never displayed.",
        Style::new(),
        intro.width,
    ));
    frame.render_widget(Paragraph::new(intro_lines), intro);

    let token_area = token_area.intersection(Rect {
        width: 72,
        ..token_area
    });
    masked_input::render(
        frame,
        token_area,
        &state.token,
        "Token",
        typing && state.focus == Field::Token,
        theme,
    );
    // What will be sent: surrounding whitespace does not count, here as in every message about
    // the token (its format, a refused character's position), so all give the same length.
    let count = format::normalize(state.token.secret().expose_secret())
        .chars()
        .count();
    let mut info = vec![Line::from(vec![
        Span::styled(
            format!("  {}", words::count(count, "character", "characters")),
            theme.value(),
        ),
        Span::styled(" · Ctrl+U clears", theme.muted()),
    ])];
    if state.submitted && state.token.is_empty() {
        info.extend(hanging::wrap(
            "  ✗ ",
            theme.error(),
            "Paste the token you created in the previous step.",
            theme.error(),
            token_info.width,
        ));
    }
    if let Some(report) = &state.format {
        match &state.refusal {
            Some(refusal) => info.extend(hanging::wrap(
                "  ✗ ",
                theme.error(),
                refusal,
                theme.error(),
                token_info.width,
            )),
            None => info.extend(format_lines(
                report.format.as_str(),
                report.warning.as_deref(),
                theme,
                token_info.width,
            )),
        }
    }
    frame.render_widget(Paragraph::new(info), token_info);

    let expiry_area = expiry_area.intersection(Rect {
        width: 30,
        ..expiry_area
    });
    text_input::render(
        frame,
        expiry_area,
        &state.expiry,
        "Expires on (YYYY-MM-DD)",
        typing && state.focus == Field::Expiry,
        theme,
    );
    let width = expiry_info.width;
    let mut expiry_lines = match state.expiry(app.today) {
        Ok(date) => {
            let days = app.today.until(date).map_or(0, |span| span.get_days());
            hanging::wrap(
                "  ✓ ",
                theme.success(),
                &format!("{}, in {days} days", date.strftime("%A %Y-%m-%d")),
                Style::new(),
                width,
            )
        }
        Err(error) => hanging::wrap(
            "  ✗ ",
            theme.error(),
            &error.to_string(),
            theme.error(),
            width,
        ),
    };
    expiry_lines.extend(hanging::wrap(
        "  ",
        theme.muted(),
        "The date Azure DevOps showed for this token: azdo-gate reminds you before it.",
        theme.muted(),
        width,
    ));
    frame.render_widget(Paragraph::new(expiry_lines), expiry_info);
}
