//! Step 1: what the wizard will do, and the one decision that matters before starting — which user
//! the token belongs to.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, GLOBAL, Keymap};
use crate::tui::widgets::fit::{Keep, fit};
use crate::tui::widgets::hanging;

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(&[ENTER], Action::Continue, "Start: choose the organization").hint("start"),
        Binding::new(
            &[ESC],
            Action::Back,
            "Quit the wizard (or back to the home screen)",
        ),
    ],
    GLOBAL,
];

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue => app.advance(),
        _ => Vec::new(),
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let width = area.width;
    let text = |spans: &[Span<'static>]| hanging::wrap_spans("", Style::new(), spans, width);
    let item = |n: &str, words: &'static str| {
        hanging::wrap_spans(
            &format!("  {n}. "),
            theme.value(),
            &[Span::raw(words)],
            width,
        )
    };
    let bullet = |spans: &[Span<'static>]| hanging::wrap_spans("  • ", Style::new(), spans, width);
    let rows = vec![
        (
            Keep::Always,
            text(&[Span::styled(
                "Connect an Azure DevOps organization to the pull-request gate.",
                theme.title(),
            )]),
        ),
        (Keep::Spacing, vec![Line::default()]),
        (
            Keep::Always,
            text(&[Span::raw("This wizard walks you through:")]),
        ),
        (
            Keep::Always,
            item("1", "creating a personal access token (PAT) for the gate,"),
        ),
        (Keep::Always, item("2", "verifying that token,")),
        (
            Keep::Always,
            item(
                "3",
                "checking that its user has the permissions the gate needs in every project,",
            ),
        ),
        (
            Keep::Always,
            item(
                "4",
                "configuring the repositories: webhooks and, if you choose it when asked, a status policy.",
            ),
        ),
        (Keep::Spacing, vec![Line::default()]),
        (
            Keep::Always,
            text(&[Span::styled(
                "Nothing changes in Azure DevOps until you have reviewed the plan and confirmed it.",
                theme.muted(),
            )]),
        ),
        (Keep::Spacing, vec![Line::default()]),
        (
            Keep::Always,
            text(&[Span::styled(
                "Before you start: choose the user the token belongs to",
                theme.title(),
            )]),
        ),
        (
            Keep::Always,
            bullet(&[
                Span::raw("Use a "),
                Span::styled("newly created, dedicated user", theme.value()),
                Span::raw(". The gate's comments on pull requests carry its name."),
            ]),
        ),
        (
            Keep::Always,
            bullet(&[
                Span::raw("Give it "),
                Span::styled("Basic", theme.value()),
                Span::raw(" access, not Stakeholder: Stakeholder cannot read code."),
            ]),
        ),
        (
            Keep::Always,
            bullet(&[
                Span::raw("It must be able to "),
                Span::styled("manage service hooks in every project", theme.value()),
                Span::raw(": add it to "),
                Span::styled("Project Collection Administrators", theme.value()),
                Span::raw(", or to "),
                Span::styled("Project Administrators", theme.value()),
                Span::raw(" in each project."),
            ]),
        ),
    ];
    frame.render_widget(Paragraph::new(fit(rows, usize::from(area.height))), area);
}
