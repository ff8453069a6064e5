//! Rotation: the token being replaced. The runner reads it from its store just before the new one
//! overwrites it and keeps it in memory (never in `App`) until the rotation ends. If Azure DevOps
//! then rejects the new token in the re-audit, or the write of the new one failed, the admin may
//! put the old one back, so the machine is not left with a token that does not work while the
//! old one still does.

use ratatui::style::Style;
use ratatui::text::Line;

use crate::store::{Rotation, StoreError};
use crate::tui::app::{App, Status, Tone};
use crate::tui::audit_state::{AuditRun, AuditState};
use crate::tui::effect::{Effect, StoreTarget};
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::msg::{RequestId, Stored, TaskError};
use crate::tui::steps::save::{Storing, target_name};
use crate::tui::steps::{Step, home};
use crate::tui::widgets::{hanging, spinner};

/// `u` on the permissions step when Azure DevOps rejected a rotation's new token (on the store
/// step, putting the old token back is one of the highlighted choices instead).
pub const RESTORE: Binding = Binding::new(
    &[Key::char('u')],
    Action::RestoreOldToken,
    "Write the old token back into its store in place of the new one and use it again (the rotation is undone)",
)
.hint("put the old token back")
.when(offered);

/// Putting the old token back.
#[derive(Debug, Clone, Default)]
pub(crate) enum Restoring {
    #[default]
    Idle,
    Storing {
        request: RequestId,
    },
    /// The token is back; `state.toml` is being written with the old token's record.
    Recording {
        request: RequestId,
        stored: Stored,
    },
    Failed(String),
}

/// What `update` knows of the old token: never its value, which only the runner holds.
#[derive(Debug, Clone, Default)]
pub struct OldTokenState {
    /// The runner said it keeps the old token (`Msg::OldTokenKept`).
    pub(crate) kept: bool,
    pub(crate) restoring: Restoring,
    /// The rotation record before this rotation began, recorded again with the old token.
    pub(crate) rotation_before: Option<Rotation>,
}

/// Where the token being replaced is stored; `None` outside a rotation.
pub(crate) fn old_store(app: &App) -> Option<StoreTarget> {
    if app.flow != Flow::Rotate {
        return None;
    }
    app.rotation_old
        .as_ref()?
        .storage
        .map(StoreTarget::for_kind)
}

/// Whether the current screen offers `u`: a rotation whose old token is kept, on the store step
/// after a failed write or on the permissions step after Azure DevOps rejected the new token.
pub(crate) fn offered(app: &App) -> bool {
    let busy = matches!(
        app.old_token.restoring,
        Restoring::Storing { .. } | Restoring::Recording { .. }
    );
    if busy || !app.old_token.kept || old_store(app).is_none() {
        return false;
    }
    match app.step {
        Step::Save => matches!(app.save.storing, Storing::Failed { .. }),
        Step::Permissions => matches!(
            &app.audit.run,
            AuditRun::Failed(TaskError::Ado(error)) if error.is_token_problem()
        ),
        _ => false,
    }
}

/// `u`: ask the runner to write the old token back.
pub(crate) fn restore(app: &mut App) -> Vec<Effect> {
    let (true, Some(org), Some(target)) = (offered(app), app.org().cloned(), old_store(app)) else {
        return Vec::new();
    };
    let request = app.new_request();
    app.old_token.restoring = Restoring::Storing { request };
    vec![Effect::RestoreOldToken {
        request,
        org,
        target,
    }]
}

/// The old token is back in its store (or not): record it again in `state.toml`.
pub(crate) fn on_restored(
    app: &mut App,
    request: RequestId,
    result: Result<Stored, StoreError>,
) -> Vec<Effect> {
    if !matches!(app.old_token.restoring, Restoring::Storing { request: current } if current == request)
    {
        return Vec::new();
    }
    let stored = match result {
        Ok(stored) => stored,
        Err(error) => {
            app.old_token.restoring = Restoring::Failed(error.to_string());
            return Vec::new();
        }
    };
    let Some(org) = app.org().cloned() else {
        return Vec::new();
    };
    let (old, before) = (
        app.rotation_old.clone(),
        app.old_token.rotation_before.clone(),
    );
    let entry = app.state.org_mut(&org.key(), org.name(), org.base());
    entry.token = old;
    entry.rotation = before;
    app.token_stored = None;
    let request = app.new_request();
    app.old_token.restoring = Restoring::Recording { request, stored };
    vec![Effect::SaveState {
        request,
        state: app.state.clone(),
    }]
}

/// `state.toml` was written for the restore (`None`: the write was someone else's). Done: the
/// rotation is over, and home audits again with the old token.
pub(crate) fn on_state_saved(
    app: &mut App,
    request: RequestId,
    result: &Result<(), StoreError>,
) -> Option<Vec<Effect>> {
    let Restoring::Recording {
        request: current,
        stored,
    } = &app.old_token.restoring
    else {
        return None;
    };
    if *current != request {
        return None;
    }
    let where_ = stored.description.clone();
    if let Err(error) = result {
        app.old_token.restoring = Restoring::Failed(format!(
            "it is back in {where_}, but state.toml could not be written: {error}"
        ));
        return Some(Vec::new());
    }
    app.old_token.restoring = Restoring::Idle;
    app.audit = AuditState::default();
    let effects = home::return_home(app);
    app.status = Some(Status {
        tone: Tone::Success,
        text: format!(
            "The old token is back in {where_} and azdo-gate uses it again; the rotation is undone. The new token is still valid in Azure DevOps until you revoke it."
        ),
    });
    Some(effects)
}

/// How putting the old token back goes, for the failure screens.
pub(crate) fn progress_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let Some(target) = old_store(app) else {
        return Vec::new();
    };
    let store = target_name(target);
    match &app.old_token.restoring {
        Restoring::Storing { .. } => hanging::wrap(
            &format!("  {} ", spinner::frame(app.tick)),
            theme.title(),
            &format!("Putting the old token back in {store}…"),
            Style::new(),
            width,
        ),
        Restoring::Recording { .. } => hanging::wrap(
            &format!("  {} ", spinner::frame(app.tick)),
            theme.title(),
            "Recording the old token again in state.toml…",
            Style::new(),
            width,
        ),
        Restoring::Failed(error) => hanging::wrap(
            "  ✗ ",
            theme.error(),
            &format!("Could not put the old token back: {error}."),
            theme.error(),
            width,
        ),
        Restoring::Idle => Vec::new(),
    }
}

/// What putting the old token back does, while it is offered.
pub(crate) fn offer(app: &App) -> Option<String> {
    let store = target_name(old_store(app).filter(|_| offered(app))?);
    Some(format!(
        "put the old token back: azdo-gate kept it in memory, and writes it into {store} in place of the new one, records it again in state.toml and uses it from now on; the rotation is undone. The new token is not revoked: revoke it in Azure DevOps, and if you gave it to the gating service, give the service the old one again."
    ))
}

/// The permissions step's lines: how putting the token back goes, then the `u` offer.
pub(crate) fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let mut lines = progress_lines(app, width);
    if let Some(offer) = offer(app) {
        lines.push(Line::default());
        lines.extend(hanging::wrap(
            "u  ",
            app.theme.value(),
            &offer,
            Style::new(),
            width,
        ));
    }
    lines
}
