//! Step 1: what the wizard will do, and the one decision that matters before starting — which user
//! the token belongs to.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, GLOBAL, Keymap};

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
    let item = |n: &str, text: &'static str| {
        Line::from(vec![
            Span::styled(format!("  {n}. "), theme.value()),
            Span::raw(text),
        ])
    };
    let bullet = |spans: Vec<Span<'static>>| {
        let mut line = vec![Span::raw("  • ")];
        line.extend(spans);
        Line::from(line)
    };
    let lines = vec![
        Line::from(Span::styled(
            "Connect an Azure DevOps organization to the pull-request gate.",
            theme.title(),
        )),
        Line::default(),
        Line::from("This wizard walks you through:"),
        item("1", "creating a personal access token (PAT) for the gate,"),
        item("2", "verifying that token,"),
        item(
            "3",
            "checking that its user has the permissions the gate needs in every project,",
        ),
        item(
            "4",
            "configuring the repositories: webhooks and, if you choose it when asked, a status policy.",
        ),
        Line::default(),
        Line::from(Span::styled(
            "Nothing changes in Azure DevOps until you have reviewed the plan and confirmed it.",
            theme.muted(),
        )),
        Line::default(),
        Line::from(Span::styled(
            "Before you start: choose the user the token belongs to",
            theme.title(),
        )),
        bullet(vec![
            Span::raw("Use a "),
            Span::styled("newly created, dedicated user", theme.value()),
            Span::raw(". The gate's comments on pull requests carry its name."),
        ]),
        bullet(vec![
            Span::raw("Give it "),
            Span::styled("Basic", theme.value()),
            Span::raw(" access, not Stakeholder: Stakeholder cannot read code."),
        ]),
        bullet(vec![
            Span::raw("It must be able to "),
            Span::styled("manage service hooks in every project", theme.value()),
            Span::raw(": add it to"),
        ]),
        Line::from(vec![
            Span::raw("    "),
            Span::styled("Project Collection Administrators", theme.value()),
            Span::raw(", or to "),
            Span::styled("Project Administrators", theme.value()),
            Span::raw(" in each project."),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
