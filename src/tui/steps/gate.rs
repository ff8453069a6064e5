//! Setup only, after the hand-over: what the gating service needs from Azure DevOps — where it
//! receives events (the webhook URL), the basic auth it expects on them (the user, and the password,
//! which goes into the credential store beside the token on the next step and never into
//! `state.toml`), and whether pull requests must wait for its status (the Status branch policy,
//! with the genre and name it posts). Pre-filled from the organization's stored profile (the demo:
//! from its scenario). Enter makes them the organization's profile, which the save step records
//! and every later audit, plan and `configure` reads. Rotation and the home journeys keep them.
//!
//! One field at a time takes typing, marked `▶` and with the accent border; Tab and Shift+Tab move
//! between them, so no letter is ever taken as a choice.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain;
use crate::profile::{GateProfile, WebhookUrl, WebhookUrlError};
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::{Effect, WebhookPassword};
use crate::tui::flow::Flow;
use crate::tui::keymap::{
    Action, BACK_TAB, Binding, EDITING, ENTER, ESC, Edit, GLOBAL, Key, Keymap, TAB,
};
use crate::tui::widgets::hanging;
use crate::tui::widgets::masked_input::{self, MaskedInput};
use crate::tui::widgets::text_input::{self, TextInput};

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Check the answers and continue to storing the token",
        )
        .hint("continue")
        .when(can_continue),
        Binding::new(&[TAB], Action::NextField, "Move to the next field").hint("next field"),
        Binding::new(
            &[BACK_TAB],
            Action::PreviousField,
            "Move to the previous field",
        ),
        Binding::new(
            &[Key::char(' ')],
            Action::Toggle,
            "Require the gate's status before a pull request merges, or not",
        )
        .hint("on/off")
        .when(on_switch),
        Binding::new(
            &[ESC],
            Action::Back,
            "Back to the hand-over (what you entered is kept)",
        )
        .hint("back"),
    ],
    GLOBAL,
    EDITING,
];

/// Space flips the status-policy switch while it has the focus (it takes no typing).
fn on_switch(app: &App) -> bool {
    app.gate.focus == Field::Required
}

/// Enter moves on, or points at the first problem — unless it already does.
fn can_continue(app: &App) -> bool {
    match answers(app) {
        Ok(_) => true,
        Err((field, why)) => {
            app.gate.focus != field || app.status.as_ref().is_none_or(|s| s.text != why)
        }
    }
}

/// The field typed text goes to; the switch takes none.
pub(crate) fn focused_field(app: &App) -> Option<crate::tui::steps::Field<'_>> {
    let state = &app.gate;
    match state.focus {
        Field::Password => Some(crate::tui::steps::Field::Masked(&state.password)),
        Field::Required => None,
        Field::Webhook => Some(crate::tui::steps::Field::Text(&state.webhook)),
        Field::User => Some(crate::tui::steps::Field::Text(&state.user)),
        Field::Genre => Some(crate::tui::steps::Field::Text(&state.genre)),
        Field::Name => Some(crate::tui::steps::Field::Text(&state.name)),
    }
}

/// The fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Field {
    #[default]
    Webhook,
    User,
    Password,
    Required,
    Genre,
    Name,
}

const ORDER: [Field; 6] = [
    Field::Webhook,
    Field::User,
    Field::Password,
    Field::Required,
    Field::Genre,
    Field::Name,
];

#[derive(Debug, Default)]
pub struct GateState {
    /// The organization (its key) the fields were filled for: another one starts afresh.
    pub(crate) org: Option<String>,
    pub(crate) webhook: TextInput,
    pub(crate) user: TextInput,
    pub(crate) password: MaskedInput,
    /// The credential-store entry the password goes to: the stored profile's, else one named
    /// after the organization.
    pub(crate) entry: String,
    /// The stored profile already names a password: an empty field keeps it.
    pub(crate) has_stored_password: bool,
    pub(crate) required: bool,
    pub(crate) genre: TextInput,
    pub(crate) name: TextInput,
    pub(crate) focus: Field,
}

/// Each section's verdict on what is typed: `Err` holds the words shown under it.
struct Verdicts {
    webhook: Result<WebhookUrl, String>,
    /// The user to send, if any.
    auth: Result<Option<String>, String>,
    policy: Result<(), String>,
}

impl GateState {
    fn verdicts(&self) -> Verdicts {
        Verdicts {
            webhook: WebhookUrl::parse(self.webhook.value()).map_err(|e| webhook_problem(&e)),
            auth: self.auth(),
            policy: self.policy(),
        }
    }

    fn auth(&self) -> Result<Option<String>, String> {
        let user = self.user.value().trim();
        match (user.is_empty(), self.password.is_empty()) {
            (true, true) => Ok(None),
            (true, false) => {
                Err("Enter the user too: basic auth needs both, or clear the password.".into())
            }
            (false, _) if user.contains(':') => {
                Err("A basic-auth user cannot contain ':'; check the user the gate expects.".into())
            }
            (false, true) if !self.has_stored_password => Err(format!(
                "Enter the password the gate expects for {user}, or clear the user."
            )),
            (false, _) => Ok(Some(user.to_owned())),
        }
    }

    fn policy(&self) -> Result<(), String> {
        if self.required && self.name.value().trim().is_empty() {
            return Err("Enter the status name the gate posts (for example gate).".into());
        }
        Ok(())
    }

    /// The fields Tab visits: the genre and name only while the policy is required.
    fn visible(&self) -> impl Iterator<Item = Field> + '_ {
        ORDER
            .into_iter()
            .filter(|f| self.required || !matches!(f, Field::Genre | Field::Name))
    }

    fn step_focus(&mut self, forwards: bool) {
        let fields: Vec<Field> = self.visible().collect();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forwards {
            (at + 1) % fields.len()
        } else {
            (at + fields.len() - 1) % fields.len()
        };
        self.focus = fields[next];
    }

    fn text_mut(&mut self) -> Option<&mut TextInput> {
        match self.focus {
            Field::Webhook => Some(&mut self.webhook),
            Field::User => Some(&mut self.user),
            Field::Genre => Some(&mut self.genre),
            Field::Name => Some(&mut self.name),
            Field::Password | Field::Required => None,
        }
    }
}

/// The webhook URL's problem in the admin's words (the profile's own messages name its keys).
fn webhook_problem(error: &WebhookUrlError) -> String {
    match error {
        WebhookUrlError::Empty => {
            "Enter the address where the gating service receives events (https://…).".into()
        }
        WebhookUrlError::NotAUrl(..) => {
            "This is not a web address: it starts with https:// and names a host.".into()
        }
        WebhookUrlError::InsecureHttp(_) => {
            "Use https: plain http is only for a test server on this machine.".into()
        }
        WebhookUrlError::UnsupportedScheme(_, scheme) => {
            format!("Use an https address, not {scheme}.")
        }
        WebhookUrlError::HasCredentials => {
            "Leave the user and password out of the address: enter them below.".into()
        }
    }
}

/// Arriving (forwards): the fields as the organization's profile has them (the demo's gate when
/// it has none); kept as typed when coming back to the same organization.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.org().cloned() else {
        return Vec::new();
    };
    if app.gate.org.as_deref() == Some(org.key().as_str()) {
        return Vec::new();
    }
    let profile = app.stored_profile();
    let demo = app.demo_gate.as_ref();
    let webhook = profile
        .webhook_url
        .as_ref()
        .map(|u| u.as_str().to_owned())
        .or_else(|| demo.map(|d| d.webhook_url.clone()))
        .unwrap_or_default();
    let (user, password) = match (&profile.basic_auth_user, demo) {
        (Some(user), _) => (user.clone(), MaskedInput::default()),
        (None, Some(demo)) => (demo.user.clone(), MaskedInput::new(demo.password.clone())),
        (None, None) => (String::new(), MaskedInput::default()),
    };
    let check = &profile.status_check;
    app.gate = GateState {
        org: Some(org.key()),
        webhook: TextInput::new(webhook),
        user: TextInput::new(user),
        password,
        entry: profile
            .basic_auth_secret
            .clone()
            .unwrap_or_else(|| domain::password_entry(&org)),
        has_stored_password: profile.basic_auth_secret.is_some(),
        required: check.required,
        genre: TextInput::new(check.genre.clone()),
        name: TextInput::new(check.name.clone()),
        focus: Field::Webhook,
    };
    Vec::new()
}

pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    let state = &mut app.gate;
    let changed = match state.focus {
        Field::Password => state.password.push_str(text),
        Field::Required => false,
        _ => state.text_mut().is_some_and(|input| {
            let before = input.value().len();
            input.insert(text);
            input.value().len() != before
        }),
    };
    app.touched |= changed;
    Vec::new()
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let state = &mut app.gate;
    match action {
        Action::Continue => return submit(app),
        Action::NextField => state.step_focus(true),
        Action::PreviousField => state.step_focus(false),
        Action::Toggle if state.focus == Field::Required => {
            state.required = !state.required;
            app.touched = true;
        }
        Action::Edit(edit) => {
            let changed = match (state.focus, edit) {
                (Field::Password, Edit::Backspace) => state.password.backspace(),
                (Field::Password, Edit::Clear) => state.password.clear(),
                _ => state.text_mut().is_some_and(|input| input.edit(edit)),
            };
            app.touched |= changed;
        }
        _ => {}
    }
    Vec::new()
}

/// The organization's profile with the answers in, or the first field with a problem and what
/// the problem is.
fn answers(app: &App) -> Result<GateProfile, (Field, String)> {
    let state = &app.gate;
    let verdicts = state.verdicts();
    let problem = match (&verdicts.webhook, &verdicts.auth, &verdicts.policy) {
        (Err(why), _, _) => Some((Field::Webhook, why.clone())),
        (_, Err(why), _) => Some((
            if state.user.value().trim().is_empty() || state.user.value().contains(':') {
                Field::User
            } else {
                Field::Password
            },
            why.clone(),
        )),
        (_, _, Err(why)) => Some((Field::Name, why.clone())),
        _ => None,
    };
    match problem {
        Some(problem) => Err(problem),
        None => answered_profile(app, verdicts),
    }
}

/// Enter: the answers become the organization's profile (recorded by the save step), or the
/// first field with a problem takes the focus and the problem is said.
fn submit(app: &mut App) -> Vec<Effect> {
    let profile = answers(app);
    match profile {
        Ok(profile) => {
            app.profile = profile;
            app.advance()
        }
        Err((field, why)) => {
            app.gate.focus = field;
            app.status = Some(Status {
                tone: Tone::Error,
                text: why,
            });
            Vec::new()
        }
    }
}

/// The stored profile (events, scope, filters kept) with the answers in, validated as a stored
/// profile is, so what the save step records is what every later run reads back.
fn answered_profile(app: &App, verdicts: Verdicts) -> Result<GateProfile, (Field, String)> {
    let state = &app.gate;
    let mut profile = app.stored_profile();
    profile.webhook_url = verdicts.webhook.ok();
    profile.basic_auth_user = verdicts.auth.ok().flatten();
    profile.basic_auth_secret = profile
        .basic_auth_user
        .as_ref()
        .map(|_| state.entry.clone());
    let check = &mut profile.status_check;
    check.required = state.required;
    check.genre = state.genre.value().trim().to_owned();
    check.name = state.name.value().trim().to_owned();
    GateProfile::from_table(&profile.to_table()).map_err(|e| {
        (
            Field::Webhook,
            format!("These settings cannot be kept: {e}"),
        )
    })
}

/// The password typed on this step, for the save step to store beside the token (setup only:
/// rotation keeps the one stored).
pub(crate) fn password_to_store(app: &App) -> Option<WebhookPassword> {
    if app.flow != Flow::Setup || app.gate.password.is_empty() {
        return None;
    }
    Some(WebhookPassword {
        entry: app.profile.basic_auth_secret.clone()?,
        password: app.gate.password.secret().clone(),
    })
}

fn verdict_lines(app: &App, verdict: Result<&str, &str>, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    match verdict {
        Ok(text) => hanging::wrap("  ✓ ", theme.success(), text, Style::new(), width),
        Err(text) => hanging::wrap("  ✗ ", theme.error(), text, theme.error(), width),
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.gate;
    let typing = app.popup.is_none();
    let focused = |field: Field| typing && state.focus == field;
    let verdicts = state.verdicts();
    // Room permitting, a problem gets two lines; at 80×24 one.
    let said = if area.height >= 24 { 2 } else { 1 };
    let [
        intro,
        webhook_area,
        webhook_said,
        auth_intro,
        auth_area,
        auth_said,
        switch_area,
        policy_area,
        policy_said,
        _,
        note,
        _,
    ] = area.layout(&Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(3),
        Constraint::Length(said),
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(said),
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(said),
        Constraint::Max(1),
        Constraint::Length(2),
        Constraint::Fill(1),
    ]));
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                "Where the gate receives events, and what it checks",
                theme.title(),
            )),
            Line::from(Span::styled(
                "Tab and Shift+Tab move between fields; the one marked ▶ takes your typing.",
                theme.muted(),
            )),
        ]),
        intro,
    );

    let boxed = |r: Rect| r.intersection(Rect { width: 76, ..r });
    text_input::render(
        frame,
        boxed(webhook_area),
        &state.webhook,
        "Webhook URL: Azure DevOps sends pull-request events here",
        focused(Field::Webhook),
        theme,
    );
    let webhook_verdict = match &verdicts.webhook {
        // Plain http is accepted only for a loopback test server (the demo's gate, for one).
        Ok(url) if url.as_str().starts_with("http://") => {
            Ok("A loopback test address (plain http is accepted only there).")
        }
        Ok(_) => Ok("A valid https address."),
        Err(why) => Err(why.as_str()),
    };
    frame.render_widget(
        Paragraph::new(verdict_lines(app, webhook_verdict, webhook_said.width)),
        webhook_said,
    );

    frame.render_widget(
        Line::from(vec![
            Span::styled("Basic auth", theme.value()),
            Span::styled(
                " (optional): sent with every event, so the gate knows the sender",
                theme.muted(),
            ),
        ]),
        auth_intro,
    );
    let [user_area, password_area] = boxed(auth_area)
        .layout(&Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).spacing(1));
    text_input::render(
        frame,
        user_area,
        &state.user,
        "User",
        focused(Field::User),
        theme,
    );
    masked_input::render(
        frame,
        password_area,
        &state.password,
        "Password (never shown)",
        focused(Field::Password),
        theme,
    );
    let kept = format!(
        "User {} with the password already stored (type one to replace it).",
        state.user.value().trim()
    );
    let sent = format!(
        "User {}, with the password kept beside the token.",
        state.user.value().trim()
    );
    let auth_verdict = match &verdicts.auth {
        Ok(None) => Ok("None: events are sent without credentials."),
        Ok(Some(_)) if state.password.is_empty() => Ok(kept.as_str()),
        Ok(Some(_)) => Ok(sent.as_str()),
        Err(why) => Err(why.as_str()),
    };
    frame.render_widget(
        Paragraph::new(verdict_lines(app, auth_verdict, auth_said.width)),
        auth_said,
    );

    let mark = if state.required { "[x]" } else { "[ ]" };
    let switch_style = if focused(Field::Required) {
        theme.focused()
    } else {
        theme.value()
    };
    frame.render_widget(
        Line::from(vec![
            Span::styled(
                format!(
                    "{}{mark} ",
                    if focused(Field::Required) { "▶ " } else { "" }
                ),
                switch_style,
            ),
            Span::raw("Require the gate's status before a pull request merges"),
            Span::styled(" (Space)", theme.muted()),
        ]),
        switch_area,
    );
    if state.required {
        let [genre_area, name_area] = boxed(policy_area)
            .layout(&Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).spacing(1));
        text_input::render(
            frame,
            genre_area,
            &state.genre,
            "Status genre (may be empty)",
            focused(Field::Genre),
            theme,
        );
        text_input::render(
            frame,
            name_area,
            &state.name,
            "Status name",
            focused(Field::Name),
            theme,
        );
        let policy_verdict = match &verdicts.policy {
            Ok(()) => Ok("A Status policy on each default branch waits for this status."),
            Err(why) => Err(why.as_str()),
        };
        frame.render_widget(
            Paragraph::new(verdict_lines(app, policy_verdict, policy_said.width)),
            policy_said,
        );
    } else {
        frame.render_widget(
            Paragraph::new(verdict_lines(
                app,
                Ok("Not required: no branch policy is created, and the audit asks for none."),
                policy_area.width,
            )),
            policy_area,
        );
    }

    frame.render_widget(
        Paragraph::new(hanging::wrap(
            "",
            theme.muted(),
            "Enter keeps these with the organization for every later audit and configure; the password goes only to the credential store.",
            theme.muted(),
            note.width,
        )),
        note,
    );
}
