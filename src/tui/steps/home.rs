//! The returning admin's start: one panel per remembered organization with a token — when the token
//! expires (highlighted within 30 days), and, from a fresh audit run on arrival, coverage, new
//! repositories, unhealthy hooks and projects missing permissions. From here: rotate the token,
//! configure new and broken repositories, audit, or set up another organization.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::audit::Coverage;
use crate::checks::days_between;
use crate::org::OrgUrl;
use crate::store::{HandOver, StoreError};
use crate::tui::app::{App, Status, Tone};
use crate::tui::audit_state::{self, AuditRun, AuditState};
use crate::tui::calendar::REMIND_DAYS;
use crate::tui::effect::Effect;
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, BACK_TAB, Binding, GLOBAL, Key, Keymap, TAB};
use crate::tui::msg::RequestId;
use crate::tui::steps::coverage::{self, Preselect};
use crate::tui::steps::organization::OrganizationState;
use crate::tui::steps::shared::{audit_progress_lines, coverage_sentence};
use crate::tui::steps::{Step, on_enter};
use crate::tui::widgets::hanging;
use crate::words::count;

/// One keymap; switching organizations only when there are several, open items only while open.
pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[Key::char('r')],
            Action::Rotate,
            "Rotate the token: new token verified and stored first, old one revoked last",
        )
        .hint("rotate"),
        Binding::new(
            &[Key::char('c')],
            Action::ConfigureRepositories,
            "Configure new and broken repositories (selection, plan, apply)",
        )
        .hint("configure")
        .when(audited),
        Binding::new(
            &[Key::char('a')],
            Action::Audit,
            "Review permissions per project, then coverage per repository",
        )
        .hint("audit")
        .when(audited),
        Binding::new(
            &[Key::char('n')],
            Action::AddOrganization,
            "Set up another organization",
        )
        .hint("add org"),
        Binding::new(
            &[TAB],
            Action::NextOrganization,
            "Show the next organization",
        )
        .hint("next org")
        .when(several),
        Binding::new(
            &[BACK_TAB],
            Action::PreviousOrganization,
            "Show the previous organization",
        )
        .when(several),
        // Open items are closed with a key; the item itself names it, so the footer stays short.
        Binding::new(
            &[Key::char('d')],
            Action::MarkRevoked,
            "Record that the token replaced at the last rotation is revoked",
        )
        .when(revoke_open),
        Binding::new(
            &[Key::char('h')],
            Action::MarkHandedOver,
            "Record that the gating service was given the token",
        )
        .when(handover_open),
    ],
    GLOBAL,
];

/// Configuring and the audit screens need this organization's audit.
fn audited(app: &App) -> bool {
    app.audit.fresh_report().is_some()
}

fn several(app: &App) -> bool {
    app.home.orgs.len() > 1
}

fn revoke_open(app: &App) -> bool {
    app.home.recording.is_none()
        && app
            .current_org_state()
            .and_then(|o| o.rotation.as_ref())
            .is_some_and(|r| !r.old_token_revoked)
}

fn handover_open(app: &App) -> bool {
    app.home.recording.is_none()
        && app
            .current_org_state()
            .and_then(|o| o.token.as_ref())
            .is_some_and(|t| t.handover == Some(HandOver::Skipped))
}

/// The organizations with a stored token, and which one is shown.
#[derive(Debug, Clone, Default)]
pub struct HomeState {
    pub(crate) orgs: Vec<OrgUrl>,
    pub(crate) selected: usize,
    /// Closing an open item is being recorded in `state.toml`.
    pub(crate) recording: Option<RequestId>,
}

impl HomeState {
    /// The organizations `state.toml` remembers with a token, in key order.
    pub(crate) fn from_state(state: &crate::store::State) -> Self {
        let orgs = state
            .organizations()
            .filter(|(_, o)| o.token.is_some())
            .filter_map(|(_, o)| OrgUrl::parse(&o.organization.url).ok())
            .collect();
        Self {
            orgs,
            selected: 0,
            recording: None,
        }
    }
}

/// Shows organization `index`: it becomes the current one, and a fresh audit starts.
fn show(app: &mut App, index: usize) -> Vec<Effect> {
    let Some(org) = app.home.orgs.get(index).cloned() else {
        return Vec::new();
    };
    app.home.selected = index;
    app.organization = OrganizationState::confirmed_as(org);
    app.profile = app.stored_profile();
    app.audit = AuditState::default();
    app.coverage = Default::default();
    audit_state::start(app)
}

/// The wizard opened on the home screen.
pub(crate) fn on_start(app: &mut App) -> Vec<Effect> {
    show(app, app.home.selected)
}

/// Back to the home screen from a journey: the organization list may have grown.
pub(crate) fn return_home(app: &mut App) -> Vec<Effect> {
    let current = app.org().map(OrgUrl::key);
    let mut effects = app.go_to(Step::Home);
    app.home = HomeState::from_state(&app.state);
    let index = current
        .and_then(|key| app.home.orgs.iter().position(|o| o.key() == key))
        .unwrap_or(0);
    if app.home.orgs.get(index).map(OrgUrl::key) == app.org().map(OrgUrl::key)
        && app.audit.report.is_some()
    {
        app.home.selected = index;
        return effects;
    }
    effects.extend(show(app, index));
    effects
}

/// Starts `flow` at its first step.
fn begin(app: &mut App, flow: Flow) -> Vec<Effect> {
    app.flow = flow;
    let first = flow.steps()[0];
    let mut effects = app.go_to(first);
    effects.extend(on_enter(app));
    effects
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::NextOrganization | Action::PreviousOrganization => {
            let count = app.home.orgs.len();
            if count < 2 {
                return Vec::new();
            }
            let next = if action == Action::NextOrganization {
                (app.home.selected + 1) % count
            } else {
                (app.home.selected + count - 1) % count
            };
            let mut effects = vec![Effect::CancelStep(Step::Home)];
            effects.extend(show(app, next));
            effects
        }
        Action::Rotate => {
            app.rotation_old = app.current_org_state().and_then(|o| o.token.clone());
            app.forget_token();
            app.old_token.rotation_before =
                app.current_org_state().and_then(|o| o.rotation.clone());
            begin(app, Flow::Rotate)
        }
        Action::ConfigureRepositories | Action::Audit => {
            if !audited(app) {
                return Vec::new();
            }
            if action == Action::ConfigureRepositories {
                app.coverage = Default::default();
                coverage::prepare(app, Preselect::NewAndBroken);
                begin(app, Flow::Configure)
            } else {
                begin(app, Flow::Audit)
            }
        }
        Action::MarkRevoked | Action::MarkHandedOver => close_open_item(app, action),
        Action::AddOrganization => {
            app.organization = OrganizationState::new("");
            app.forget_token();
            app.audit = AuditState::default();
            app.coverage = Default::default();
            app.flow = Flow::Setup;
            app.go_to(Step::Organization)
        }
        _ => Vec::new(),
    }
}

/// `d` or `h`: the open item is done; recorded at once.
fn close_open_item(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(org) = app.org().cloned() else {
        return Vec::new();
    };
    let entry = app.state.org_mut(&org.key(), org.name(), org.base());
    let closed = match action {
        Action::MarkRevoked => entry
            .rotation
            .as_mut()
            .filter(|r| !r.old_token_revoked)
            .map(|r| r.old_token_revoked = true)
            .is_some(),
        _ => entry
            .token
            .as_mut()
            .filter(|t| t.handover == Some(HandOver::Skipped))
            .map(|t| t.handover = Some(HandOver::Confirmed))
            .is_some(),
    };
    if !closed {
        return Vec::new();
    }
    let request = app.new_request();
    app.home.recording = Some(request);
    vec![Effect::SaveState {
        request,
        state: app.state.clone(),
    }]
}

/// The open item's closing was (or could not be) written.
pub(crate) fn on_state_saved(
    app: &mut App,
    request: RequestId,
    result: Result<(), StoreError>,
) -> Vec<Effect> {
    if app.home.recording != Some(request) {
        return Vec::new();
    }
    app.home.recording = None;
    app.status = Some(match result {
        Ok(()) => {
            app.state_recorded = true;
            Status {
                tone: Tone::Success,
                text: "Recorded.".to_owned(),
            }
        }
        Err(error) => Status {
            tone: Tone::Error,
            text: format!("Could not record it: {error}"),
        },
    });
    Vec::new()
}

/// For the header: the shown organization's token when it has expired or expires within the
/// reminder window, with the date and the days left; `None` otherwise.
pub(crate) fn expiry_alert(app: &App) -> Option<String> {
    let date = app.current_org_state()?.token.as_ref()?.expires_on?;
    let days = days_between(app.today, date);
    if days < 0 {
        Some(format!("✗ token expired on {date}"))
    } else if days <= REMIND_DAYS {
        Some(format!("token expires {date}, {days} days left"))
    } else {
        None
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let width = area.width;
    let mut lines = Vec::new();
    let mut tabs = vec![Span::styled("Organizations: ", theme.muted())];
    for (index, org) in app.home.orgs.iter().enumerate() {
        if index == app.home.selected {
            tabs.push(Span::styled(format!("[{}]", org.name()), theme.key()));
        } else {
            tabs.push(Span::raw(format!(" {} ", org.name())));
        }
        tabs.push(Span::raw(" "));
    }
    lines.push(Line::from(tabs));
    lines.push(Line::default());
    let Some(org) = app.org() else {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    lines.push(Line::from(vec![
        Span::styled(org.name().to_owned(), theme.title()),
        Span::styled(format!("  {}", org.base()), theme.muted()),
    ]));
    lines.push(Line::default());

    let org_state = app.current_org_state();
    let meta = org_state.and_then(|o| o.token.as_ref());
    // A labelled value, wrapped under its column when the screen is narrow.
    let field = |label: &str, value: Span<'_>| {
        hanging::wrap_spans(&format!("  {label:<21}"), theme.muted(), &[value], width)
    };
    match meta.and_then(|m| m.expires_on) {
        Some(date) => {
            let days = days_between(app.today, date);
            let style = if days <= REMIND_DAYS {
                theme.error()
            } else {
                theme.value()
            };
            let words = if days < 0 {
                format!("✗ expired on {date}: rotate it now (r)")
            } else if days <= REMIND_DAYS {
                format!("expires {date} — {days} days left: rotate it soon (r)")
            } else {
                format!("expires {date} — {days} days left")
            };
            lines.extend(field("Token", Span::styled(words, style)));
        }
        None => lines.extend(field(
            "Token",
            Span::styled("expiry date unknown: rotate to record it", theme.warning()),
        )),
    }
    if let Some(identity) = meta.and_then(|m| m.identity.as_ref()) {
        lines.extend(field(
            "Gate user",
            Span::raw(format!(
                "{} ({})",
                identity.display_name, identity.unique_name
            )),
        ));
    }
    if org_state
        .and_then(|o| o.rotation.as_ref())
        .is_some_and(|r| !r.old_token_revoked)
    {
        lines.extend(field("", Span::styled(
                "the token replaced at the last rotation is not marked revoked yet: press d once it is",
                theme.warning(),
            )));
    }
    if meta.is_some_and(|m| m.handover == Some(HandOver::Skipped)) {
        lines.extend(field(
            "",
            Span::styled(
                "the gating service was not given this token (skipped): press h once it is",
                theme.warning(),
            ),
        ));
    }
    lines.push(Line::default());

    match (&app.audit.run, app.audit.fresh_report()) {
        (AuditRun::Running { .. }, _) => {
            lines.push(Line::from(Span::styled(
                "Auditing the organization…",
                theme.title(),
            )));
            lines.extend(audit_progress_lines(app, width));
        }
        (AuditRun::Failed(error), _) => {
            lines.extend(hanging::wrap(
                "✗ ",
                theme.error(),
                &format!("The audit could not run: {error}"),
                theme.error(),
                width,
            ));
            lines.push(Line::from(
                "  If the token was revoked or has expired, rotate it (r).",
            ));
        }
        (AuditRun::Idle, Some(report)) => {
            let names = |coverage_filter: &dyn Fn(&crate::audit::RepositoryAudit) -> bool| {
                let matching: Vec<&str> = report
                    .repositories
                    .iter()
                    .filter(|r| coverage_filter(r))
                    .map(|r| r.name.as_str())
                    .collect();
                let shown: Vec<&str> = matching.iter().take(4).copied().collect();
                let more = matching.len().saturating_sub(shown.len());
                let mut text = format!("{}", matching.len());
                if !shown.is_empty() {
                    text.push_str(&format!(": {}", shown.join(", ")));
                }
                if more > 0 {
                    text.push_str(&format!(" and {more} more"));
                }
                (matching.len(), text)
            };
            let flagged = |count: usize, text: String| {
                Span::styled(
                    text,
                    if count > 0 {
                        theme.warning()
                    } else {
                        Style::new()
                    },
                )
            };
            lines.extend(field(
                "Coverage",
                Span::raw(coverage_sentence(&report.summary)),
            ));
            let (new, new_text) = names(&|r| r.new);
            lines.extend(field("New repositories", flagged(new, new_text)));
            let (unhealthy, unhealthy_text) = names(&|r| r.coverage == Coverage::Unhealthy);
            lines.extend(field("Unhealthy hooks", flagged(unhealthy, unhealthy_text)));
            let lacking: Vec<&str> = report
                .projects
                .iter()
                .filter(|p| p.lacks_permissions())
                .map(|p| p.name.as_str())
                .collect();
            let mut text = count(lacking.len(), "project", "projects");
            if !lacking.is_empty() {
                text.push_str(&format!(": {}", lacking.join(", ")));
            }
            lines.extend(field("Missing permissions", flagged(lacking.len(), text)));
            if let Some((good, sentence)) = crate::tui::delivery::health_sentence(report) {
                let sentence = sentence
                    .trim_start_matches("Deliveries (7 days): ")
                    .to_owned();
                lines.extend(field(
                    "Deliveries (7 days)",
                    flagged(usize::from(!good), sentence),
                ));
            }
        }
        (AuditRun::Idle, None) => {}
    }
    frame.render_widget(Paragraph::new(lines), area);
}
