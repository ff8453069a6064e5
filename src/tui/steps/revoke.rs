//! Rotation, last step: only now — the new token verified, stored, and the organization audited
//! with it — is the old token revoked. A checklist with the tokens page; a key records that it is
//! done (or that it will be done later, which the home screen then reminds of).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::store::{HandOver, Rotation, StoreError};
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, GLOBAL, Key, Keymap};
use crate::tui::msg::RequestId;
use crate::tui::steps::permissions;
use crate::tui::widgets::{hanging, spinner};

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[Key::char('d')],
            Action::MarkRevoked,
            "Record that the old token is revoked and continue to the summary",
        )
        .hint("done: revoked")
        .when(can_mark),
        Binding::new(
            &[Key::char('o')],
            Action::OpenPage,
            "Open the personal access tokens page in the browser",
        )
        .hint("open tokens page")
        .when(idle),
        Binding::new(
            &[Key::char('l')],
            Action::Continue,
            "Revoke it later: the home screen reminds you until it is marked done",
        )
        .hint("later")
        .when(idle),
    ],
    GLOBAL,
];

fn idle(app: &App) -> bool {
    !matches!(app.revoke.recording, Recording::Running { .. }) && app.org().is_some()
}

/// `d` records the revocation of the rotation in progress.
fn can_mark(app: &App) -> bool {
    idle(app)
        && app
            .current_org_state()
            .is_some_and(|o| o.rotation.is_some())
}

/// Recording the answer.
#[derive(Debug, Clone, Default)]
pub(crate) enum Recording {
    #[default]
    Idle,
    Running {
        request: RequestId,
    },
    Failed(StoreError),
}

#[derive(Debug, Clone, Default)]
pub struct RevokeState {
    pub(crate) recording: Recording,
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    if matches!(app.revoke.recording, Recording::Running { .. }) {
        return Vec::new();
    }
    match action {
        Action::OpenPage => match app.org() {
            Some(org) => vec![Effect::OpenUrl(org.tokens_page())],
            None => Vec::new(),
        },
        Action::MarkRevoked => {
            let Some(org) = app.org().cloned() else {
                return Vec::new();
            };
            let entry = app.state.org_mut(&org.key(), org.name(), org.base());
            let Some(rotation) = entry.rotation.as_mut() else {
                return Vec::new();
            };
            *rotation = Rotation {
                old_token_revoked: true,
                rotated_at: rotation.rotated_at,
            };
            let request = app.new_request();
            app.revoke.recording = Recording::Running { request };
            vec![Effect::SaveState {
                request,
                state: app.state.clone(),
            }]
        }
        Action::Continue => app.advance(),
        _ => Vec::new(),
    }
}

pub(crate) fn on_state_saved(
    app: &mut App,
    request: RequestId,
    result: Result<(), StoreError>,
) -> Vec<Effect> {
    if !matches!(app.revoke.recording, Recording::Running { request: current } if current == request)
    {
        return Vec::new();
    }
    match result {
        Ok(()) => {
            app.revoke.recording = Recording::Idle;
            app.advance()
        }
        Err(error) => {
            app.revoke.recording = Recording::Failed(error);
            Vec::new()
        }
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let width = area.width;
    let Some(org) = app.org() else {
        return;
    };
    let mut lines = vec![
        Line::from(Span::styled("Revoke the old token", theme.title())),
        Line::default(),
    ];
    lines.extend(hanging::wrap(
        "✓ ",
        theme.success(),
        &format!(
            "The new token is verified, {}stored, and the organization was audited with it: azdo-gate no longer needs the old token.",
            if app.handover.outcome == Some(HandOver::Confirmed) {
                "given to the gating service (you confirmed it), "
            } else {
                ""
            }
        ),
        Style::new(),
        width,
    ));
    if app.handover.outcome == Some(HandOver::Skipped) {
        lines.extend(hanging::wrap(
            "⚠ ",
            theme.warning(),
            "You skipped giving the new token to the gating service: it still uses the old one, so revoking it now stops the gate. Give the service the new token first, or choose later (l).",
            theme.warning(),
            width,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(format!(
        "Now, signed in as {}:",
        permissions::gate_user(app)
    )));
    lines.push(Line::from(vec![
        Span::styled("  1. ", theme.value()),
        Span::raw("open "),
        Span::styled(org.tokens_page(), theme.link()),
        Span::styled("  (o opens it)", theme.muted()),
    ]));
    let old = app.rotation_old.as_ref();
    let name = old.and_then(|m| m.name.as_deref());
    let which = match (name, old.and_then(|m| m.expires_on)) {
        (Some(name), Some(date)) => format!(
            "find the old token — \"{name}\" if you kept the suggested name, expiring on {date} — open its menu and choose Revoke;"
        ),
        (None, Some(date)) => {
            format!("find the old token (it expires on {date}), open its menu and choose Revoke;")
        }
        (Some(name), None) => format!(
            "find the old token — \"{name}\" if you kept the suggested name — open its menu and choose Revoke;"
        ),
        (None, None) => {
            "find the old token (the one that is not today's), open its menu and choose Revoke;"
                .to_owned()
        }
    };
    lines.extend(hanging::wrap(
        "  2. ",
        theme.value(),
        &which,
        Style::new(),
        width,
    ));
    lines.extend(hanging::wrap(
        "  3. ",
        theme.value(),
        "press d here once it is revoked. (l leaves it for later; the home screen keeps it as an open item, and d there marks it done.)",
        Style::new(),
        width,
    ));
    lines.push(Line::default());
    match &app.revoke.recording {
        Recording::Idle => lines.push(Line::from(vec![
            Span::styled("  [ ] ", theme.value()),
            Span::raw("Old token revoked"),
        ])),
        Recording::Running { .. } => lines.push(Line::from(vec![
            Span::styled(format!("  {} ", spinner::frame(app.tick)), theme.title()),
            Span::raw("Recording…"),
        ])),
        Recording::Failed(error) => lines.extend(hanging::wrap(
            "✗ ",
            theme.error(),
            &format!("Could not record it: {error}. Press d to try again."),
            theme.error(),
            width,
        )),
    }
    frame.render_widget(Paragraph::new(lines), area);
}
