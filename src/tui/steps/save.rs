//! The verified token goes into the OS credential store (the screen says which one), with the
//! webhook password the gate step asked for beside it. When there is none, the reason is shown and
//! the admin highlights another place (the plain-text file, with its warning; this run only; the
//! same store again) and takes it with Enter: no single letter chooses where a secret goes. Enter records everything but the secrets in `state.toml`, the gate settings
//! included.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain;
use crate::store::{ExpirySource, FileStore, Rotation, StoreError, TokenMeta};
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::{Effect, StoreTarget};
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, CHOICE, ENTER, ESC, GLOBAL, Keymap, Move};
use crate::tui::msg::{RequestId, Stored};
use crate::tui::old_token;
use crate::tui::steps::gate;
use crate::tui::steps::token_recipe::token_name;
use crate::tui::widgets::{hanging, spinner};

/// One keymap: storing, choosing another place after a failure, recording.
pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Record the organization and continue to the permissions check",
        )
        .hint("save & continue")
        .when(can_record),
        Binding::new(&[ENTER], Action::Continue, "Use the highlighted choice")
            .hint("choose")
            .when(can_choose),
        Binding::new(&[ESC], Action::Back, "Back to the previous step").hint("back"),
    ],
    CHOICE,
    GLOBAL,
];

/// Where the token may go instead, after the store failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// The plain-text file (mode 0600), with its warning.
    File,
    /// Memory, for this run only.
    SessionOnly,
    /// The same store again.
    TryAgain,
    /// Rotation: the old token back in place of the new one.
    RestoreOld,
}

/// The choices offered after a failed store, in the order shown; empty while none failed.
pub(crate) fn fallbacks(app: &App) -> Vec<Fallback> {
    let Storing::Failed { target, .. } = &app.save.storing else {
        return Vec::new();
    };
    let mut choices = Vec::new();
    if *target != StoreTarget::InsecureFile {
        choices.push(Fallback::File);
    }
    if app.flow != Flow::Rotate {
        choices.push(Fallback::SessionOnly);
    }
    choices.push(Fallback::TryAgain);
    if old_token::offered(app) {
        choices.push(Fallback::RestoreOld);
    }
    choices
}

/// The store failed: the admin highlights a choice and confirms it with Enter.
fn choosing(app: &App) -> bool {
    matches!(app.save.storing, Storing::Failed { .. })
}

/// A choice is highlighted among those offered (not while the old token is being put back).
fn can_choose(app: &App) -> bool {
    fallbacks(app).contains(&app.save.highlighted)
}

/// Enter records once the token is stored and nothing is being recorded.
fn can_record(app: &App) -> bool {
    matches!(app.save.storing, Storing::Stored { .. })
        && !matches!(app.save.recording, Recording::Running { .. })
}

/// Up and Down (and Tab) move the highlight through the choices, wrapping around.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    matches!(movement, Move::Up | Move::Down) && can_choose(app) && fallbacks(app).len() > 1
}

/// Where storing the token stands.
#[derive(Debug, Clone)]
pub(crate) enum Storing {
    NotStarted,
    Running {
        request: RequestId,
        target: StoreTarget,
    },
    Stored {
        stored: Stored,
        at: Timestamp,
    },
    Failed {
        target: StoreTarget,
        error: StoreError,
    },
}

/// Writing `state.toml`.
#[derive(Debug, Clone)]
pub(crate) enum Recording {
    Idle,
    Running { request: RequestId },
    Failed(StoreError),
}

#[derive(Debug, Clone)]
pub struct SaveState {
    /// Where the token goes next; the admin may switch it after a failure.
    pub(crate) target: StoreTarget,
    pub(crate) storing: Storing,
    pub(crate) recording: Recording,
    /// The highlighted choice after a failed store; Enter takes it.
    pub(crate) highlighted: Fallback,
}

impl SaveState {
    pub(crate) fn new(target: StoreTarget) -> Self {
        Self {
            target,
            storing: Storing::NotStarted,
            recording: Recording::Idle,
            highlighted: Fallback::TryAgain,
        }
    }

    /// Where the token was stored, once it is.
    /// Forgets in-flight work (its tasks are being cancelled); finished results stay.
    pub(crate) fn abandon(&mut self) {
        if matches!(self.storing, Storing::Running { .. }) {
            self.storing = Storing::NotStarted;
        }
        if matches!(self.recording, Recording::Running { .. }) {
            self.recording = Recording::Idle;
        }
    }
}

/// Entering the step (forwards): pick the store, and store the verified token (and the webhook
/// password typed on the gate step).
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    if app.flow == Flow::Rotate
        && let Some(kind) = app.token_storage()
    {
        app.save.target = StoreTarget::for_kind(kind);
    }
    app.save.recording = Recording::Idle;
    store(app, app.save.target)
}

fn store(app: &mut App, target: StoreTarget) -> Vec<Effect> {
    let (Some(org), Ok(token)) = (app.organization.confirmed().cloned(), app.paste.pat()) else {
        return Vec::new();
    };
    let request = app.new_request();
    app.save.target = target;
    app.save.storing = Storing::Running { request, target };
    vec![Effect::StoreToken {
        request,
        org,
        token,
        target,
        keep_old: old_token::old_store(app),
        webhook_password: gate::password_to_store(app),
    }]
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue if choosing(app) => use_fallback(app),
        Action::Continue => record(app),
        Action::Move(movement) => {
            let choices = fallbacks(app);
            let count = choices.len();
            if let Some(at) = choices.iter().position(|c| *c == app.save.highlighted) {
                let next = match movement {
                    Move::Up => (at + count - 1) % count,
                    _ => (at + 1) % count,
                };
                app.save.highlighted = choices[next];
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Enter after a failed store: what is highlighted.
fn use_fallback(app: &mut App) -> Vec<Effect> {
    let Storing::Failed { target, .. } = app.save.storing else {
        return Vec::new();
    };
    match app.save.highlighted {
        Fallback::File => store(app, StoreTarget::InsecureFile),
        Fallback::SessionOnly => store(app, StoreTarget::SessionOnly),
        Fallback::TryAgain => store(app, target),
        Fallback::RestoreOld => old_token::restore(app),
    }
}

pub(crate) fn on_stored(
    app: &mut App,
    request: RequestId,
    result: Result<Stored, StoreError>,
    at: Timestamp,
) -> Vec<Effect> {
    let Storing::Running {
        request: current,
        target,
    } = app.save.storing
    else {
        return Vec::new();
    };
    if current != request {
        return Vec::new();
    }
    app.save.storing = match result {
        Ok(stored) => {
            app.token_stored = Some(stored.clone());
            Storing::Stored { stored, at }
        }
        Err(error) => {
            app.save.highlighted = Fallback::TryAgain;
            Storing::Failed { target, error }
        }
    };
    Vec::new()
}

/// Enter: once the token is stored, write `state.toml`.
fn record(app: &mut App) -> Vec<Effect> {
    let complain = |app: &mut App, text: &str| {
        app.status = Some(Status {
            tone: Tone::Error,
            text: text.to_owned(),
        });
        Vec::new()
    };
    if matches!(app.save.recording, Recording::Running { .. }) {
        return Vec::new();
    }
    let Storing::Stored { stored, at } = &app.save.storing else {
        return match app.save.storing {
            Storing::Running { .. } => Vec::new(),
            _ => complain(
                app,
                "The token is not stored yet: choose where to keep it, then press Enter.",
            ),
        };
    };
    let (stored, at) = (stored.clone(), *at);
    let (Some(org), Some(report)) = (
        app.organization.confirmed().cloned(),
        app.verify.report().cloned(),
    ) else {
        return Vec::new();
    };
    let expires_on = app.paste.expiry(app.today).ok();
    let checked_at = app.verify.checked_at;
    let rotating = app.flow == Flow::Rotate;
    let fingerprint = app.paste.pat().ok().map(|p| p.fingerprint());
    let today = app.today;
    let entry = app.state.org_mut(&org.key(), org.name(), org.base());
    // An Azure DevOps Server's version, learnt by the check, so later runs start with it.
    if let Some(version) = &report.api_version {
        entry.api_version = Some(version.clone());
    }
    if let Some(kind) = stored.target.kind() {
        let mut meta = TokenMeta {
            name: Some(token_name(&org, today)),
            expires_on,
            expiry_source: expires_on.map(|_| ExpirySource::Entered),
            fingerprint,
            handover: app.handover.outcome,
            ..TokenMeta::new(Some(kind))
        };
        if let Some(checked_at) = checked_at {
            domain::record_check(&mut meta, &report, checked_at);
        }
        entry.token = Some(meta);
    }
    let mut profile = app.profile.clone();
    profile.token_page_url = app.handover.page.clone().or(profile.token_page_url);
    entry.profile = profile.to_table();
    if rotating {
        entry.rotation = Some(Rotation {
            old_token_revoked: false,
            rotated_at: at,
        });
    }
    let request = app.new_request();
    app.save.recording = Recording::Running { request };
    vec![Effect::SaveState {
        request,
        state: app.state.clone(),
    }]
}

pub(crate) fn on_state_saved(
    app: &mut App,
    request: RequestId,
    result: Result<(), StoreError>,
) -> Vec<Effect> {
    if !matches!(app.save.recording, Recording::Running { request: current } if current == request)
    {
        return Vec::new();
    }
    match result {
        Ok(()) => {
            app.save.recording = Recording::Idle;
            app.state_recorded = true;
            app.audit.invalidate();
            app.advance()
        }
        Err(error) => {
            app.save.recording = Recording::Failed(error);
            Vec::new()
        }
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.save;
    let width = area.width;
    let mut lines = vec![
        Line::from(Span::styled(
            "Keep the token where only you can read it",
            theme.title(),
        )),
        Line::default(),
    ];
    match &state.storing {
        Storing::NotStarted => {}
        Storing::Running { target, .. } => lines.extend(hanging::wrap(
            &format!("  {} ", spinner::frame(app.tick)),
            theme.title(),
            &format!("Storing the token in {}…", target_name(*target)),
            Style::new(),
            width,
        )),
        Storing::Stored { stored, .. } => {
            let text = match stored.target {
                StoreTarget::SessionOnly => {
                    "Using the token for this run only: it is not stored, and you will paste it again next time.".to_owned()
                }
                _ => format!("Stored in {}.", stored.description),
            };
            lines.extend(hanging::wrap(
                "  ✓ ",
                theme.success(),
                &text,
                Style::new(),
                width,
            ));
            if stored.target == StoreTarget::InsecureFile {
                lines.extend(hanging::wrap(
                    "  ⚠ ",
                    theme.warning(),
                    &capitalised(FileStore::WARNING),
                    theme.warning(),
                    width,
                ));
            }
        }
        Storing::Failed { target, error } => {
            lines.extend(hanging::wrap(
                "  ✗ ",
                theme.error(),
                &format!(
                    "Could not store the token in {}: {error}",
                    target_name(*target)
                ),
                theme.error(),
                width,
            ));
            lines.push(Line::default());
            lines.push(Line::from(
                "  Choose instead with ↑/↓, then press Enter (nothing is chosen for you):",
            ));
            lines.extend(old_token::progress_lines(app, width));
            for choice in fallbacks(app) {
                let text = match choice {
                    Fallback::File => format!(
                        "a plain-text file in {} (mode 0600): {}",
                        app.config_dir.display(),
                        FileStore::WARNING
                    ),
                    Fallback::SessionOnly => "this run only: the token stays in memory and is forgotten when the wizard ends".to_owned(),
                    Fallback::TryAgain => "try again (unlock the keyring first, or answer its prompt)".to_owned(),
                    Fallback::RestoreOld => old_token::offer(app).unwrap_or_default(),
                };
                let (pointer, style) = if choice == state.highlighted {
                    ("  ▶ ", theme.focused())
                } else {
                    ("    ", Style::new())
                };
                lines.extend(hanging::wrap(pointer, theme.value(), &text, style, width));
            }
        }
    }
    let store_height = u16::try_from(lines.len() + 1).unwrap_or(u16::MAX);
    let [store_area, _, record_area] = area.layout(&Layout::vertical([
        Constraint::Length(store_height),
        Constraint::Fill(1),
        Constraint::Length(3),
    ]));
    frame.render_widget(Paragraph::new(lines), store_area);

    let mut lines = Vec::new();
    match &state.recording {
        Recording::Running { .. } => lines.extend(hanging::wrap(
            &format!("{} ", spinner::frame(app.tick)),
            theme.title(),
            "Recording the organization…",
            Style::new(),
            record_area.width,
        )),
        Recording::Failed(error) => lines.extend(hanging::wrap(
            "✗ ",
            theme.error(),
            &format!("Could not record the organization: {error}. Press Enter to try again."),
            theme.error(),
            record_area.width,
        )),
        Recording::Idle => lines.extend(hanging::wrap(
            "",
            theme.muted(),
            &format!(
                "Enter records the organization, the gate settings and the token's expiry date, user and scopes in {} — never the token or a password.",
                crate::store::State::path(&app.config_dir).display()
            ),
            theme.muted(),
            record_area.width,
        )),
    }
    frame.render_widget(Paragraph::new(lines), record_area);
}

/// The store as the screens name it.
pub(crate) fn target_name(target: StoreTarget) -> &'static str {
    match target {
        StoreTarget::OsStore => "the OS credential store",
        StoreTarget::InsecureFile => "the plain-text token file",
        StoreTarget::Memory => "memory",
        StoreTarget::SessionOnly => "memory for this run",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
