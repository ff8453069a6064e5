//! Step 11: what changed, the coverage now, when the token expires and how to be reminded. The
//! same facts are the text printed on stdout once the terminal is restored. On arrival the
//! repository snapshot is recorded, so the next run can tell which repositories are new.

use std::path::PathBuf;

use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::checks::days_between;
use crate::org::{Deployment, OrgUrl};
use crate::plan::ActionKind;
use crate::store::{Snapshot, StorageKind, StoreError};
use crate::tui::app::{App, Status, Tone};
use crate::tui::calendar;
use crate::tui::delivery;
use crate::tui::effect::{Effect, StoreTarget};
use crate::tui::flow::Flow;
use crate::tui::keymap::{
    Action, Binding, ENTER, ESC, HELP, Key, QUIT_CTRL_C, SCROLL_DOWN, SCROLL_UP,
};
use crate::tui::msg::RequestId;
use crate::tui::steps::coverage::Counts;
use crate::tui::widgets::hanging;

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[ENTER, Key::char('q'), ESC],
        action: Action::Continue,
        hint: Some("finish"),
        help: "Leave the wizard; this summary is printed in the terminal",
    },
    Binding {
        keys: &[Key::char('c')],
        action: Action::WriteCalendar,
        hint: Some("calendar reminder"),
        help: "Write a calendar file (.ics) reminding you to rotate the token 30 days before it expires",
    },
    Binding {
        hint: None,
        ..delivery::TEST_DELIVERY
    },
    SCROLL_UP,
    SCROLL_DOWN,
    HELP,
    QUIT_CTRL_C,
];

/// Recording the snapshot.
#[derive(Debug, Clone)]
pub(crate) enum Recording {
    Idle,
    Running { request: RequestId },
    Failed(StoreError),
}

#[derive(Debug, Clone)]
pub struct SummaryState {
    pub(crate) recording: Recording,
    pub(crate) calendar: Option<Result<PathBuf, String>>,
    pub(crate) scroll: u16,
}

impl Default for SummaryState {
    fn default() -> Self {
        Self {
            recording: Recording::Idle,
            calendar: None,
            scroll: 0,
        }
    }
}

/// How a summary line reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heading,
    Good,
    Bad,
    Plain,
    Command,
    /// A key to press on this screen: shown, but left out of the text printed after exit.
    KeyHint,
}

/// Arriving: remember which repositories exist now, for the next run's NEW badges.
pub(crate) fn on_enter(app: &mut App) -> Vec<Effect> {
    app.touched = false;
    let (Some(org), Some(report), Some(taken_at)) =
        (app.org().cloned(), &app.audit.report, app.audit.taken_at)
    else {
        return Vec::new();
    };
    let repository_ids = report.repository_ids();
    app.state
        .org_mut(&org.key(), org.name(), org.base())
        .snapshot = Some(Snapshot {
        taken_at,
        repository_ids,
    });
    let request = app.new_request();
    app.summary.recording = Recording::Running { request };
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
    if !matches!(app.summary.recording, Recording::Running { request: current } if current == request)
    {
        return Vec::new();
    }
    app.summary.recording = match result {
        Ok(()) => {
            app.state_recorded = true;
            Recording::Idle
        }
        Err(error) => Recording::Failed(error),
    };
    Vec::new()
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue => vec![
            Effect::CancelStep(app.step),
            Effect::Exit { summary: text(app) },
        ],
        Action::WriteCalendar => match (app.org().cloned(), token_expiry(app)) {
            (Some(org), Some(expires_on)) => vec![Effect::WriteCalendar {
                file_name: calendar::file_name(&org),
                contents: calendar::reminder(&org, expires_on, app.today),
                in_current_dir: !app.demo,
            }],
            _ => {
                app.status = Some(Status {
                    tone: Tone::Error,
                    text: "The token's expiry date is not known, so there is nothing to remind of."
                        .to_owned(),
                });
                Vec::new()
            }
        },
        Action::TestDelivery => {
            let subscription = delivery::offered_subscription(app);
            delivery::start(app, subscription)
        }
        Action::Move(crate::tui::keymap::Move::Up) => {
            app.summary.scroll = app.summary.scroll.saturating_sub(1);
            Vec::new()
        }
        Action::Move(crate::tui::keymap::Move::Down) => {
            app.summary.scroll = app.summary.scroll.saturating_add(1);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(crate) fn on_calendar_written(app: &mut App, result: Result<PathBuf, String>) -> Vec<Effect> {
    app.status = Some(match &result {
        Ok(path) => Status {
            tone: Tone::Success,
            text: format!("Calendar reminder written to {}", path.display()),
        },
        Err(reason) => Status {
            tone: Tone::Error,
            text: format!("Could not write the calendar reminder: {reason}"),
        },
    });
    app.summary.calendar = Some(result);
    Vec::new()
}

/// The token's expiry: the date entered this run, else the one recorded.
pub(crate) fn token_expiry(app: &App) -> Option<Date> {
    if app.verify.report().is_some() {
        return app.paste.expiry(app.today).ok();
    }
    app.current_org_state()?.token.as_ref()?.expires_on
}

/// How to name the organization on a command line.
pub(crate) fn org_arg(org: &OrgUrl) -> String {
    match org.deployment() {
        Deployment::Cloud => org.name().to_owned(),
        Deployment::Server | Deployment::Loopback => org.base().to_owned(),
    }
}

fn storage_words(app: &App) -> Option<String> {
    if let Some(stored) = &app.token_stored {
        return Some(match stored.target {
            StoreTarget::SessionOnly => "not stored (used for this run only)".to_owned(),
            _ => format!("stored in {}", stored.description),
        });
    }
    let meta = app.current_org_state()?.token.as_ref()?;
    Some(
        match meta.storage {
            StorageKind::Keyring => "stored in the OS credential store",
            StorageKind::File => "stored in the insecure token file",
            StorageKind::Memory => "kept in memory",
        }
        .to_owned(),
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary's facts, line by line.
fn facts(app: &App) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let Some(org) = app.org() else {
        return out;
    };
    let report = app.audit.report.as_ref();
    let counts = report.map(Counts::of);
    let attention = counts.map_or(0, |c| c.partial + c.unhealthy + c.missing);
    out.push((
        Kind::Heading,
        match (app.flow, attention) {
            (Flow::Rotate, _) => format!("The token for {} was rotated", org.name()),
            (_, 0) => format!("{} is gated", org.name()),
            (_, n) => format!(
                "{}: {} still need{} attention",
                org.name(),
                plural(n, "repository", "repositories"),
                if n == 1 { "s" } else { "" }
            ),
        },
    ));
    out.push((Kind::Plain, String::new()));

    out.push((Kind::Heading, "What changed".to_owned()));
    if app.flow == Flow::Rotate {
        let revoked = app
            .current_org_state()
            .and_then(|o| o.rotation.as_ref())
            .is_some_and(|r| r.old_token_revoked);
        out.push((
            Kind::Good,
            "New token verified and stored; the organization audited with it.".to_owned(),
        ));
        out.push(if revoked {
            (Kind::Good, "Old token revoked.".to_owned())
        } else {
            (
                Kind::Bad,
                format!(
                    "Old token not revoked yet: revoke it at {}",
                    org.tokens_page()
                ),
            )
        });
    }
    let changed = &app.apply.changed;
    let count = |kinds: &[ActionKind]| changed.iter().filter(|a| kinds.contains(&a.kind)).count();
    let created = count(&[ActionKind::CreateSubscription]);
    let repaired = count(&[
        ActionKind::RecreateSubscription,
        ActionKind::EnableSubscription,
    ]);
    let policies = count(&[ActionKind::CreateStatusPolicy]);
    if changed.is_empty() && app.flow != Flow::Rotate {
        out.push((
            Kind::Plain,
            "Nothing needed changing in Azure DevOps.".to_owned(),
        ));
    } else if !changed.is_empty() {
        out.push((
            Kind::Good,
            format!(
                "{} created, {} repaired, {} created.",
                plural(created, "webhook subscription", "webhook subscriptions"),
                repaired,
                plural(policies, "status policy", "status policies"),
            ),
        ));
    }
    let failures: Vec<String> = app
        .apply
        .failures()
        .map(|(a, reason)| {
            format!(
                "{} · {}: {reason}",
                a.project,
                super::plan_review::target_words(a)
            )
        })
        .collect();
    if !failures.is_empty() {
        out.push((
            Kind::Bad,
            format!("{} failed:", plural(failures.len(), "change", "changes")),
        ));
        out.extend(failures.into_iter().map(|f| (Kind::Bad, format!("  {f}"))));
    }
    let results = delivery::result_lines(app);
    if !results.is_empty() {
        out.extend(
            results
                .into_iter()
                .map(|(good, text)| (if good { Kind::Good } else { Kind::Bad }, text)),
        );
    } else if created + repaired > 0 && app.test_delivery.running.is_none() {
        out.push((
            Kind::KeyHint,
            "Press t to have Azure DevOps send a test event through a new subscription to the gate."
                .to_owned(),
        ));
    }
    out.push((Kind::Plain, String::new()));

    if let Some(counts) = counts {
        out.push((Kind::Heading, "Coverage now".to_owned()));
        out.push((
            if counts.partial + counts.unhealthy + counts.missing == 0 {
                Kind::Good
            } else {
                Kind::Bad
            },
            counts.sentence(),
        ));
        let lacking: Vec<&str> = report
            .map(|r| {
                r.projects
                    .iter()
                    .filter(|p| p.lacks_permissions())
                    .map(|p| p.name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        if !lacking.is_empty() {
            out.push((
                Kind::Bad,
                format!(
                    "The gate user lacks permissions in {}: add it to Project Administrators there, then run azdo-gate again.",
                    lacking.join(", ")
                ),
            ));
        }
        out.push((Kind::Plain, String::new()));
    }

    out.push((Kind::Heading, "The token".to_owned()));
    let storage = storage_words(app).unwrap_or_else(|| "not stored".to_owned());
    match token_expiry(app) {
        Some(date) => {
            let days = days_between(app.today, date);
            out.push((
                if days <= calendar::REMIND_DAYS {
                    Kind::Bad
                } else {
                    Kind::Plain
                },
                format!("Expires on {date} ({days} days left); {storage}."),
            ));
            out.push((Kind::Plain, String::new()));
            out.push((Kind::Heading, "Be reminded before it expires".to_owned()));
            out.push((
                Kind::Plain,
                "Run this from cron (exit code 1 within 30 days of expiry):".to_owned(),
            ));
            out.push((
                Kind::Command,
                format!("  azdo-gate check --org {} --warn-days 30", org_arg(org)),
            ));
            match &app.summary.calendar {
                Some(Ok(path)) => out.push((
                    Kind::Good,
                    format!("Calendar reminder written to {}", path.display()),
                )),
                _ => out.push((
                    Kind::KeyHint,
                    format!(
                        "Or press c for a calendar reminder on {}.",
                        calendar::reminder_date(date, app.today)
                    ),
                )),
            }
        }
        None => out.push((Kind::Plain, format!("Expiry date unknown; {storage}."))),
    }
    if let Recording::Failed(error) = &app.summary.recording {
        out.push((Kind::Plain, String::new()));
        out.push((
            Kind::Bad,
            format!("The repository snapshot could not be recorded: {error}"),
        ));
    }
    out
}

/// The summary as printed on stdout after the terminal is restored.
pub(crate) fn text(app: &App) -> String {
    let mut text = String::from("azdo-gate: ");
    for (kind, line) in facts(app) {
        match kind {
            Kind::Heading => text.push_str(&line),
            Kind::KeyHint => continue,
            Kind::Good | Kind::Bad | Kind::Plain | Kind::Command if line.is_empty() => {}
            _ => {
                text.push_str("  ");
                text.push_str(&line);
            }
        }
        text.push('\n');
    }
    text.trim_end().to_owned()
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let width = area.width;
    let mut lines: Vec<Line> = Vec::new();
    for (kind, line) in facts(app) {
        match kind {
            Kind::Heading => lines.push(Line::from(Span::styled(line, theme.title()))),
            Kind::Plain if line.is_empty() => lines.push(Line::default()),
            Kind::Good => lines.extend(hanging::wrap(
                "  ✓ ",
                theme.success(),
                &line,
                Style::new(),
                width,
            )),
            Kind::Bad => lines.extend(hanging::wrap(
                "  ! ",
                theme.warning(),
                &line,
                theme.warning(),
                width,
            )),
            Kind::Plain | Kind::KeyHint => lines.extend(hanging::wrap(
                "    ",
                Style::new(),
                &line,
                Style::new(),
                width,
            )),
            Kind::Command => lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(line, theme.value()),
            ])),
        }
    }
    if app.test_delivery.running.is_some() {
        // The wait shows on top; its result joins the facts above once it is in.
        lines.splice(
            0..0,
            delivery::lines(app, width)
                .into_iter()
                .chain([Line::default()]),
        );
    }
    frame.render_widget(Paragraph::new(lines).scroll((app.summary.scroll, 0)), area);
}
