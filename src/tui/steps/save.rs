//! Step 6: the verified token goes into the OS credential store (the screen says which one). When
//! there is none, the reason is shown and the admin picks, with an explicit key, the plain-text
//! file (with its warning) or using the token for this run only. The gate's webhook URL is asked
//! here when the organization's profile has none. Enter records everything but the token in
//! `state.toml`.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain;
use crate::profile::GateProfile;
use crate::store::{ExpirySource, FileStore, Rotation, StoreError, TokenMeta};
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::{Effect, StoreTarget};
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, HELP, Key, QUIT_CTRL_C, QUIT_Q};
use crate::tui::msg::{RequestId, Stored};
use crate::tui::old_token;
use crate::tui::steps::token_recipe::token_name;
use crate::tui::widgets::text_input::{self, TextInput};
use crate::tui::widgets::{hanging, spinner};

const CONTINUE: Binding = Binding {
    keys: &[ENTER],
    action: Action::Continue,
    hint: Some("save & continue"),
    help: "Record the organization and continue to the permissions check",
};

const BACK: Binding = Binding {
    keys: &[ESC],
    action: Action::Back,
    hint: Some("back"),
    help: "Back to the verification",
};

/// While the token is being stored, or once it is: the webhook field (if shown) takes typing.
pub const KEYMAP_TYPING: &[Binding] = crate::tui::keymap::text_field_keymap![CONTINUE, BACK,];

/// No field to type into.
pub const KEYMAP: &[Binding] = &[CONTINUE, BACK, HELP, QUIT_Q, QUIT_CTRL_C];

const USE_FILE: Binding = Binding {
    keys: &[Key::char('f')],
    action: Action::UseFileStore,
    hint: Some("plain-text file"),
    help: "Keep the token in a plain-text file (mode 0600) in the configuration directory — less safe",
};

const TRY_AGAIN: Binding = Binding {
    keys: &[Key::char('r')],
    action: Action::Recheck,
    hint: Some("try again"),
    help: "Try the same store again (after unlocking the keyring, for example)",
};

/// The store failed: choose another place, explicitly.
pub const KEYMAP_CHOOSE: &[Binding] = &[
    USE_FILE,
    Binding {
        keys: &[Key::char('m')],
        action: Action::UseSessionOnly,
        hint: Some("this run only"),
        help: "Use the token for this run only: nothing is stored, you paste it again next time",
    },
    TRY_AGAIN,
    BACK,
    HELP,
    QUIT_Q,
    QUIT_CTRL_C,
];

/// A rotation's write failed while the old token is kept: it may be put back instead.
pub const KEYMAP_CHOOSE_ROTATION: &[Binding] = &[
    USE_FILE,
    TRY_AGAIN,
    old_token::RESTORE,
    BACK,
    HELP,
    QUIT_Q,
    QUIT_CTRL_C,
];

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

/// The webhook URL field, validated as typed.
#[derive(Debug, Clone)]
pub(crate) struct WebhookField {
    pub(crate) input: TextInput,
    pub(crate) verdict: Result<GateProfile, String>,
}

impl WebhookField {
    fn new(value: &str, profile: &GateProfile) -> Self {
        let mut field = Self {
            input: TextInput::new(value),
            verdict: Err(String::new()),
        };
        field.validate(profile);
        field
    }

    fn validate(&mut self, profile: &GateProfile) {
        self.verdict = profile
            .clone()
            .with_webhook_url(self.input.value())
            .map_err(|e| e.to_string());
    }
}

#[derive(Debug, Clone)]
pub struct SaveState {
    /// Where the token goes next; the admin may switch it after a failure.
    pub(crate) target: StoreTarget,
    pub(crate) storing: Storing,
    /// Shown only when the organization's profile has no webhook URL.
    pub(crate) webhook: Option<WebhookField>,
    pub(crate) recording: Recording,
}

impl SaveState {
    pub(crate) fn new(target: StoreTarget) -> Self {
        Self {
            target,
            storing: Storing::NotStarted,
            webhook: None,
            recording: Recording::Idle,
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

/// The keys for the step's current state.
pub(crate) fn keymap(app: &App) -> &'static [Binding] {
    match (&app.save.storing, &app.save.webhook) {
        (Storing::Failed { .. }, _) if old_token::offered(app) => KEYMAP_CHOOSE_ROTATION,
        (Storing::Failed { .. }, _) => KEYMAP_CHOOSE,
        (_, Some(_)) => KEYMAP_TYPING,
        (_, None) => KEYMAP,
    }
}

/// Entering the step (forwards): pick the profile and the store, and store the verified token.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    app.profile = app.stored_profile();
    if app.flow == Flow::Rotate
        && let Some(kind) = app.token_storage()
    {
        app.save.target = StoreTarget::for_kind(kind);
    }
    app.save.webhook = match (&app.profile.webhook_url, app.save.webhook.take()) {
        (Some(_), _) => None,
        (None, Some(mut kept)) => {
            kept.validate(&app.profile);
            Some(kept)
        }
        (None, None) => {
            let suggested = app.demo_webhook.clone().unwrap_or_default();
            Some(WebhookField::new(&suggested, &app.profile))
        }
    };
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
    }]
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let failed_target = match &app.save.storing {
        Storing::Failed { target, .. } => Some(*target),
        _ => None,
    };
    match action {
        Action::Continue => record(app),
        Action::UseFileStore if failed_target.is_some_and(|t| t != StoreTarget::InsecureFile) => {
            store(app, StoreTarget::InsecureFile)
        }
        Action::UseSessionOnly if failed_target.is_some() && app.flow != Flow::Rotate => {
            store(app, StoreTarget::SessionOnly)
        }
        Action::Recheck => match failed_target {
            Some(target) => store(app, target),
            None => Vec::new(),
        },
        Action::RestoreOldToken => old_token::restore(app),
        Action::Edit(edit) => {
            let profile = app.profile.clone();
            if let Some(field) = &mut app.save.webhook
                && field.input.edit(edit)
            {
                app.touched = true;
                field.validate(&profile);
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    let profile = app.profile.clone();
    if let Some(field) = &mut app.save.webhook
        && !matches!(app.save.storing, Storing::Failed { .. })
    {
        field.input.insert(text);
        field.validate(&profile);
        app.touched = true;
    }
    Vec::new()
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
        Err(error) => Storing::Failed { target, error },
    };
    Vec::new()
}

/// Enter: once the token is stored and the webhook URL is valid, write `state.toml`.
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
                "The token is not stored yet: choose where to keep it (f or m), or press r to try again.",
            ),
        };
    };
    let (stored, at) = (stored.clone(), *at);
    if let Some(field) = &app.save.webhook {
        match &field.verdict {
            Ok(profile) => app.profile = profile.clone(),
            Err(_) => {
                return complain(
                    app,
                    "Enter the gating service's webhook URL first (https://…).",
                );
            }
        }
    }
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
            lines.push(Line::from("  Choose instead (nothing is chosen for you):"));
            if *target != StoreTarget::InsecureFile {
                lines.extend(hanging::wrap(
                    "    f  ",
                    theme.value(),
                    &format!(
                        "a plain-text file in {} (mode 0600): {}",
                        app.config_dir.display(),
                        FileStore::WARNING
                    ),
                    Style::new(),
                    width,
                ));
            }
            if app.flow != Flow::Rotate {
                lines.extend(hanging::wrap(
                    "    m  ",
                    theme.value(),
                    "this run only: the token stays in memory and is forgotten when the wizard ends",
                    Style::new(),
                    width,
                ));
            }
            lines.extend(hanging::wrap(
                "    r  ",
                theme.value(),
                "try again (unlock the keyring first, or answer its prompt)",
                Style::new(),
                width,
            ));
            lines.extend(old_token::lines(app, "    ", width));
        }
    }
    // The webhook section: its intro, the field, and the verdict on what is typed, wrapped.
    let webhook = state.webhook.as_ref().map(|field| {
        let mut intro = vec![
            Line::from(Span::styled(
                "Where the gate receives events",
                theme.title(),
            )),
            Line::default(),
        ];
        intro.extend(hanging::wrap(
            "",
            Style::new(),
            "The gating service's webhook URL: Azure DevOps sends pull-request events there.",
            theme.muted(),
            width,
        ));
        let verdict = match &field.verdict {
            Ok(_) => hanging::wrap(
                "  ✓ ",
                theme.success(),
                "A valid https address.",
                Style::new(),
                width,
            ),
            Err(message) => hanging::wrap("  ✗ ", theme.error(), message, theme.error(), width),
        };
        (field, intro, verdict)
    });
    let rows = |lines: &[Line]| u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let store_height = rows(&lines).saturating_add(1);
    // On a short screen the store's outcome and choices come first: while the admin must choose
    // a store the webhook field waits anyway, and the note on recording is only a note.
    let webhook_height = webhook
        .as_ref()
        .map_or(0, |(_, intro, verdict)| rows(intro) + 3 + rows(verdict));
    let webhook_height = if store_height + webhook_height <= area.height {
        webhook_height
    } else {
        0
    };
    let record_height = if store_height + webhook_height + 3 <= area.height {
        3
    } else {
        0
    };
    let [store_area, webhook_area, _, record_area] = area.layout(&Layout::vertical([
        Constraint::Length(store_height),
        Constraint::Length(webhook_height),
        Constraint::Fill(1),
        Constraint::Length(record_height),
    ]));
    frame.render_widget(Paragraph::new(lines), store_area);

    if let Some((field, intro, verdict)) = webhook.filter(|_| webhook_height > 0) {
        let [intro_area, input, verdict_area] = webhook_area.layout(&Layout::vertical([
            Constraint::Length(rows(&intro)),
            Constraint::Length(3),
            Constraint::Fill(1),
        ]));
        frame.render_widget(Paragraph::new(intro), intro_area);
        let typing = app.popup.is_none() && !matches!(state.storing, Storing::Failed { .. });
        text_input::render(
            frame,
            input.intersection(Rect { width: 72, ..input }),
            &field.input,
            "Webhook URL",
            typing,
            theme,
        );
        frame.render_widget(Paragraph::new(verdict), verdict_area);
    }

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
                "Enter records the organization, the token's expiry date, user and scopes in {} — never the token itself.",
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
