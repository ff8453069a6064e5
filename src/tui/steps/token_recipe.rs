//! Step 3: the exact recipe for the token, with the values to type, and keys to open or copy the
//! page where it is created.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::org::OrgUrl;
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::Effect;
use crate::tui::expiry;
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, GLOBAL, Key, Keymap};
use crate::tui::steps::{self, Step, permissions};
use crate::tui::theme::Theme;

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Continue: paste the token you created",
        )
        .hint("I have the token")
        .when(org_chosen),
        Binding::new(
            &[Key::char('o')],
            Action::OpenTokensPage,
            "Open the personal access tokens page in your browser",
        )
        .hint("open page")
        .when(org_chosen),
        Binding::new(
            &[Key::char('c')],
            Action::CopyTokensPage,
            "Copy the page's link to the clipboard (through the terminal, works over SSH)",
        )
        .hint("copy link")
        .when(org_chosen),
        Binding::new(&[ESC], Action::Back, "Back to the organization").hint("back"),
    ],
    GLOBAL,
];

fn org_chosen(app: &App) -> bool {
    app.organization.confirmed().is_some()
}

/// The scopes the gate needs, as Azure DevOps labels them: (scope, permission).
pub const SCOPES: [(&str, &str); 4] = [
    ("Work Items", "Read & write"),
    ("Code", "Read & write"),
    ("Code", "Status"),
    ("Build", "Read"),
];

/// The name the recipe suggests for a token created `today`; recorded, so a rotation can point
/// at the token to revoke by name.
pub(crate) fn token_name(org: &OrgUrl, today: jiff::civil::Date) -> String {
    format!("azdo-gate {} {today}", org.name())
}

/// Tokens valid for all accessible organizations stop working on this date.
const GLOBAL_PAT_END: &str = "2026-12-01";

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(page) = app.organization.confirmed().map(OrgUrl::tokens_page) else {
        return Vec::new();
    };
    match action {
        Action::Continue => app.advance(),
        Action::OpenTokensPage => vec![Effect::OpenUrl(page)],
        Action::CopyTokensPage => vec![Effect::CopyToClipboard(page)],
        _ => Vec::new(),
    }
}

/// The browser's answer while on this step.
pub(crate) fn on_browser_opened(
    app: &mut App,
    url: String,
    result: Result<(), String>,
) -> Vec<Effect> {
    app.status = Some(match result {
        Ok(()) => Status {
            tone: Tone::Success,
            text: "Opened the tokens page in your browser: sign in there as the dedicated user."
                .to_owned(),
        },
        Err(_) => Status {
            tone: Tone::Error,
            text: steps::browser_failed(&url),
        },
    });
    Vec::new()
}

pub(crate) fn on_clipboard_written(app: &mut App, result: Result<(), String>) -> Vec<Effect> {
    if app.step != Step::TokenRecipe {
        return Vec::new();
    }
    app.status = Some(match result {
        Ok(()) => Status {
            tone: Tone::Info,
            text: "Link sent to the clipboard through the terminal. If pasting gives nothing, your terminal blocks it: copy the link above.".to_owned(),
        },
        Err(reason) => Status {
            tone: Tone::Error,
            text: format!("Could not copy ({reason}): copy the link above by hand."),
        },
    });
    Vec::new()
}

fn field(label: &str, value: Vec<Span<'static>>, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("  {label:<14}"), theme.muted())];
    spans.extend(value);
    Line::from(spans)
}

fn continuation(text: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::raw(" ".repeat(16))];
    spans.extend(text);
    Line::from(spans)
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let Some(org) = app.organization.confirmed() else {
        frame.render_widget(
            Paragraph::new("No organization chosen yet: press Esc to go back and choose one."),
            area,
        );
        return;
    };
    let name = token_name(org, app.today);
    let expires = expiry::suggested(app.today);
    let (title, note) = if app.flow == Flow::Rotate {
        (
            format!(
                "Create a NEW token, signed in as {}",
                permissions::gate_user(app)
            ),
            Line::from(Span::styled(
                "Keep the old one: it is revoked only after the new one is verified, stored and used.",
                theme.muted(),
            )),
        )
    } else {
        (
            "Create the token, signed in as the dedicated user".to_owned(),
            Line::default(),
        )
    };
    let mut lines = vec![
        Line::from(Span::styled(title, theme.title())),
        note,
        Line::from(vec![
            Span::raw("In Azure DevOps open "),
            Span::styled(
                "User settings → Personal access tokens → New Token",
                theme.value(),
            ),
            Span::raw(":"),
        ]),
        Line::from(vec![
            Span::raw("  "),
            Span::styled(org.tokens_page(), theme.link()),
            Span::styled("   o opens it · c copies it", theme.muted()),
        ]),
        Line::default(),
        field("Name", vec![Span::styled(name, theme.value())], theme),
        field(
            "Organization",
            vec![
                Span::styled(org.name().to_owned(), theme.value()),
                Span::raw(" only — "),
                Span::styled("not", theme.warning()),
                Span::raw(" \"All accessible organizations\""),
            ],
            theme,
        ),
        continuation(vec![Span::styled(
            format!("(tokens for all organizations stop working on {GLOBAL_PAT_END})"),
            theme.muted(),
        )]),
        field(
            "Expiration",
            vec![
                Span::raw("Custom defined → "),
                Span::styled(expires.to_string(), theme.value()),
            ],
            theme,
        ),
        continuation(vec![Span::styled(
            "(a tenant policy may cap it earlier: note the date Azure DevOps shows)",
            theme.muted(),
        )]),
        field(
            "Scopes",
            vec![
                Span::raw("Custom defined, then tick exactly these ("),
                Span::styled("Show all scopes", theme.value()),
                Span::raw(" reveals some):"),
            ],
            theme,
        ),
    ];
    lines.extend(SCOPES.iter().map(|(scope, permission)| {
        continuation(vec![
            Span::raw("[ ] "),
            Span::styled(format!("{scope:<12}"), theme.value()),
            Span::raw(*permission),
        ])
    }));
    lines.push(Line::default());
    lines.push(Line::from(
        "Press Create, then copy the token: Azure DevOps shows it only once.",
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
