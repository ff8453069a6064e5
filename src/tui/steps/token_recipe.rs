//! Step 3: the exact recipe for the token, with the values to type, and keys to open or copy the
//! page where it is created.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::columns;
use crate::org::OrgUrl;
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::Effect;
use crate::tui::expiry;
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, GLOBAL, Key, Keymap};
use crate::tui::steps::{self, Step, permissions};
use crate::tui::widgets::fit::{Keep, fit};
use crate::tui::widgets::hanging;

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

/// Width of the `  Organization  ` label column; wrapped values stay indented under their column.
const LABEL: usize = 16;

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let Some(org) = app.organization.confirmed() else {
        frame.render_widget(
            Paragraph::new("No organization chosen yet: press Esc to go back and choose one.")
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let width = area.width;
    let text = |spans: Vec<Span<'static>>| hanging::wrap_spans("", Style::new(), &spans, width);
    let field = |label: &str, spans: Vec<Span<'static>>| {
        hanging::wrap_spans(
            &columns::pad(&format!("  {label}"), LABEL),
            theme.muted(),
            &spans,
            width,
        )
    };
    let note = |words: &str| {
        hanging::wrap(
            &" ".repeat(LABEL),
            Style::new(),
            words,
            theme.muted(),
            width,
        )
    };
    let name = token_name(org, app.today);
    let expires = expiry::suggested(app.today);
    let mut rows = Vec::new();
    if app.flow == Flow::Rotate {
        rows.push((
            Keep::Always,
            text(vec![Span::styled(
                format!(
                    "Create a NEW token, signed in as {}",
                    permissions::gate_user(app)
                ),
                theme.title(),
            )]),
        ));
        rows.push((
            Keep::Always,
            text(vec![Span::styled(
                "Keep the old one: it is revoked only after the new one is verified, stored and used.",
                theme.muted(),
            )]),
        ));
    } else {
        rows.push((
            Keep::Always,
            text(vec![Span::styled(
                "Create the token, signed in as the dedicated user",
                theme.title(),
            )]),
        ));
        rows.push((Keep::Spacing, vec![Line::default()]));
    }
    rows.push((
        Keep::Always,
        text(vec![
            Span::raw("In Azure DevOps open "),
            Span::styled(
                "User settings → Personal access tokens → New Token",
                theme.value(),
            ),
            Span::raw(":"),
        ]),
    ));
    let page = org.tokens_page();
    let keys = "   o opens it · c copies it";
    // The link stays whole on its line; the key reminder follows it only if it fits beside it.
    let beside = columns::width(&page) + columns::width(keys) + 2 <= usize::from(width);
    let mut link = vec![Span::raw("  "), Span::styled(page, theme.link())];
    if beside {
        link.push(Span::styled(keys, theme.muted()));
    }
    rows.push((Keep::Always, vec![Line::from(link)]));
    rows.push((Keep::Spacing, vec![Line::default()]));
    rows.push((
        Keep::Always,
        field("Name", vec![Span::styled(name, theme.value())]),
    ));
    rows.push((
        Keep::Always,
        field(
            "Organization",
            vec![
                Span::styled(org.name().to_owned(), theme.value()),
                Span::raw(" only — "),
                Span::styled("not", theme.warning()),
                Span::raw(" \"All accessible organizations\""),
            ],
        ),
    ));
    rows.push((
        Keep::Note,
        note(&format!(
            "(tokens for all organizations stop working on {GLOBAL_PAT_END})"
        )),
    ));
    rows.push((
        Keep::Always,
        field(
            "Expiration",
            vec![
                Span::raw("Custom defined → "),
                Span::styled(expires.to_string(), theme.value()),
            ],
        ),
    ));
    rows.push((
        Keep::Note,
        note("(a tenant policy may cap it earlier: note the date Azure DevOps shows)"),
    ));
    rows.push((
        Keep::Always,
        field(
            "Scopes",
            vec![
                Span::raw("Custom defined, then tick exactly these ("),
                Span::styled("Show all scopes", theme.value()),
                Span::raw(" reveals some):"),
            ],
        ),
    ));
    for (scope, permission) in SCOPES {
        rows.push((
            Keep::Always,
            vec![Line::from(vec![
                Span::raw(" ".repeat(LABEL)),
                Span::raw("[ ] "),
                Span::styled(format!("{scope:<12}"), theme.value()),
                Span::raw(permission),
            ])],
        ));
    }
    rows.push((Keep::Spacing, vec![Line::default()]));
    rows.push((
        Keep::Always,
        text(vec![Span::raw(
            "Press Create, then copy the token: Azure DevOps shows it only once.",
        )]),
    ));
    frame.render_widget(Paragraph::new(fit(rows, usize::from(area.height))), area);
}
