//! After verification: give the token to the gating service, which is what the token is for.
//!
//! The gate profile's `token_page_url` names the service's page that takes the token (asked here
//! when empty). `o` opens it, `c` copies the token (OSC 52 through the terminal, and the system
//! clipboard where there is one), `x` clears the clipboard once pasted. Moving on needs an explicit
//! answer: `y` "I pasted it and saved it in the gating service", or `s` to skip, which is recorded
//! and shown as an open item. In a rotation this comes before the new token is stored and long
//! before the old one is revoked, so the gate is never left holding a dead token.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::store::HandOver;
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::Effect;
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, EDITING, ENTER, ESC, GLOBAL, Key, Keymap};
use crate::tui::widgets::hanging;
use crate::tui::widgets::text_input::{self, TextInput};

/// One keymap: typing the page's address, then handing the token over.
pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Use this address for the gating service's token page (stored with the gate settings)",
        )
        .hint("use this page")
        .when(can_use_page),
        Binding::new(
            &[Key::char('o')],
            Action::OpenPage,
            "Open the gating service's token page in the browser",
        )
        .hint("open page")
        .when(handing_over),
        Binding::new(
            &[Key::char('c')],
            Action::CopyToken,
            "Copy the token to the clipboard (through the terminal, and the system clipboard where there is one)",
        )
        .hint("copy token")
        .when(can_copy),
        Binding::new(
            &[Key::char('x')],
            Action::ClearClipboard,
            "Clear the clipboard once the token is pasted: it holds a secret",
        )
        .hint("clear")
        .when(handing_over),
        Binding::new(
            &[Key::char('y')],
            Action::ConfirmHandOver,
            "Confirm: the token is pasted and saved in the gating service",
        )
        .hint("pasted & saved")
        .when(handing_over),
        Binding::new(
            &[Key::char('s')],
            Action::SkipHandOver,
            "Skip for now: recorded, and shown as an open item on the summary and the home screen",
        )
        .hint("skip")
        .when(handing_over),
        Binding::new(
            &[Key::char('e')],
            Action::EditPage,
            "Change the gating service's token page address",
        )
        .when(handing_over),
        Binding::new(&[ESC], Action::Back, "Back to the verification").hint("back"),
    ],
    GLOBAL,
    EDITING,
];

/// The page's address is being typed.
pub(crate) fn focused_field(app: &App) -> Option<&TextInput> {
    app.handover.editing.as_ref()
}

fn handing_over(app: &App) -> bool {
    app.handover.editing.is_none()
}

fn can_copy(app: &App) -> bool {
    handing_over(app) && app.paste.pat().is_ok()
}

/// Enter checks the typed address, unless it was just refused and not edited since.
fn can_use_page(app: &App) -> bool {
    app.handover.editing.is_some() && app.handover.page_error.is_none()
}

#[derive(Debug, Clone, Default)]
pub struct HandOverState {
    /// The page address being typed; `None` once one is chosen.
    pub(crate) editing: Option<TextInput>,
    /// Why the typed address was refused.
    pub(crate) page_error: Option<String>,
    /// The gating service's token page chosen on this step (the profile's, or the one typed).
    pub(crate) page: Option<String>,
    /// The token was sent to the clipboard and not cleared since.
    pub(crate) on_clipboard: bool,
    /// The admin's answer; `None` until `y` or `s`.
    pub(crate) outcome: Option<HandOver>,
}

/// Arriving (forwards): the page from the organization's profile, else ask for it.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    if app.handover.page.is_none() {
        app.profile = app.stored_profile();
        app.handover.page = app.profile.token_page_url.clone();
    }
    app.handover.outcome = None;
    if app.handover.page.is_none() {
        let suggested = app.demo_token_page.clone().unwrap_or_default();
        app.handover.editing = Some(TextInput::new(suggested));
    }
    Vec::new()
}

pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    if let Some(input) = &mut app.handover.editing {
        input.insert(text);
        app.handover.page_error = None;
        app.touched = true;
    }
    Vec::new()
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(input) = &mut app.handover.editing {
        match action {
            Action::Continue => match crate::profile::check_token_page_url(input.value()) {
                Ok(url) => {
                    app.handover.page = Some(url);
                    app.handover.editing = None;
                    app.handover.page_error = None;
                }
                Err(message) => app.handover.page_error = Some(message),
            },
            Action::Edit(edit) if input.edit(edit) => {
                app.touched = true;
                app.handover.page_error = None;
            }
            _ => {}
        }
        return Vec::new();
    }
    match action {
        Action::OpenPage => app
            .handover
            .page
            .clone()
            .map(Effect::OpenUrl)
            .into_iter()
            .collect(),
        Action::CopyToken => match app.paste.pat() {
            Ok(token) => {
                app.handover.on_clipboard = true;
                vec![Effect::CopySecret(token)]
            }
            Err(_) => Vec::new(),
        },
        Action::ClearClipboard => {
            app.handover.on_clipboard = false;
            vec![Effect::ClearClipboard]
        }
        Action::ConfirmHandOver => {
            app.handover.outcome = Some(HandOver::Confirmed);
            app.advance()
        }
        Action::SkipHandOver => {
            app.handover.outcome = Some(HandOver::Skipped);
            app.advance()
        }
        Action::EditPage => {
            let current = app.handover.page.take().unwrap_or_default();
            app.handover.editing = Some(TextInput::new(current));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The clipboard's answer while on this step.
pub(crate) fn on_clipboard_written(app: &mut App, result: Result<(), String>) -> Vec<Effect> {
    app.status = Some(match (result, app.handover.on_clipboard) {
        (Ok(()), true) => Status {
            tone: Tone::Info,
            text: "Token copied. The clipboard now holds a secret: press x once it is pasted."
                .to_owned(),
        },
        (Ok(()), false) => Status {
            tone: Tone::Success,
            text: "Clipboard cleared.".to_owned(),
        },
        (Err(reason), _) => Status {
            tone: Tone::Error,
            text: format!("Could not use the clipboard ({reason})."),
        },
    });
    Vec::new()
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let width = area.width;
    let state = &app.handover;
    let mut lines = vec![
        Line::from(Span::styled(
            "The token is for the gating service: give it the token now",
            theme.title(),
        )),
        Line::default(),
    ];
    let why = if app.flow == Flow::Rotate {
        "The gating service reads pull requests and posts the status with this token. Give it the new token before azdo-gate stores it; the old one keeps working until you revoke it, last."
    } else {
        "The gating service reads pull requests and posts the status with this token: without it, the gate cannot work."
    };
    lines.extend(hanging::wrap("", Style::new(), why, Style::new(), width));
    lines.push(Line::default());

    if let Some(input) = &state.editing {
        let [text_area, input_area, verdict_area] = area.layout(&Layout::vertical([
            Constraint::Length(u16::try_from(lines.len() + 2).unwrap_or(u16::MAX)),
            Constraint::Length(3),
            Constraint::Fill(1),
        ]));
        lines.extend(hanging::wrap(
            "",
            theme.muted(),
            "Where does the gating service take the token? Its personal-access-token settings page (https://…).",
            theme.muted(),
            width,
        ));
        frame.render_widget(Paragraph::new(lines), text_area);
        text_input::render(
            frame,
            input_area.intersection(Rect {
                width: 72,
                ..input_area
            }),
            input,
            "Gating service token page",
            app.popup.is_none(),
            theme,
        );
        if let Some(error) = &state.page_error {
            frame.render_widget(
                Paragraph::new(hanging::wrap(
                    "  ✗ ",
                    theme.error(),
                    error,
                    theme.error(),
                    width,
                )),
                verdict_area,
            );
        }
        return;
    }

    let page = state.page.as_deref().unwrap_or_default();
    lines.extend(hanging::wrap_spans(
        "  1. ",
        theme.value(),
        &[
            Span::raw("open "),
            Span::styled(page.to_owned(), theme.link()),
            Span::styled("  (o opens it, e changes it)", theme.muted()),
        ],
        width,
    ));
    lines.extend(hanging::wrap(
        "  2. ",
        theme.value(),
        "press c to copy the token, paste it there and save;",
        Style::new(),
        width,
    ));
    lines.extend(hanging::wrap(
        "  3. ",
        theme.value(),
        "press x to clear the clipboard, then y here.",
        Style::new(),
        width,
    ));
    lines.push(Line::default());
    if state.on_clipboard {
        lines.extend(hanging::wrap(
            "  ⚠ ",
            theme.warning(),
            "The clipboard holds the token, a secret: press x once it is pasted.",
            theme.warning(),
            width,
        ));
    }
    lines.push(Line::from(vec![
        Span::styled("  [ ] ", theme.value()),
        Span::raw("I pasted it and saved it in the gating service (y)"),
    ]));
    lines.extend(hanging::wrap(
        "      ",
        theme.muted(),
        "Or s to skip for now: the summary and the home screen will keep it as an open item.",
        theme.muted(),
        width,
    ));
    frame.render_widget(Paragraph::new(lines), area);
}
