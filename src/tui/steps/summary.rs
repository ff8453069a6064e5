//! Step 11: what changed, the coverage now, when the token expires and how to be reminded. The
//! same facts are the text printed on stdout once the terminal is restored. On arrival the
//! repository snapshot is recorded, so the next run can tell which repositories are new.

use std::path::PathBuf;

use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::checks::{TokenSource, days_between};
use crate::domain;
use crate::follow_up::FollowUp;
use crate::org::OrgUrl;
use crate::plan::ActionKind;
use crate::store::{HandOver, StorageKind, StoreError};
use crate::tui::app::{App, Status, Tone};
use crate::tui::calendar;
use crate::tui::delivery;
use crate::tui::effect::{Effect, StoreTarget};
use crate::tui::flow::Flow;
use crate::tui::keymap::{
    Action, Binding, ENTER, ESC, HELP, Key, Keymap, Move, QUIT_CTRL_C, SCROLL,
};
use crate::tui::msg::RequestId;
use crate::tui::steps::permissions;
use crate::tui::steps::shared::{coverage_sentence, target_words};
use crate::tui::widgets::{hanging, scrolled_text};
use crate::words::{capitalized, count, plural};

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER, Key::char('q'), ESC],
            Action::Continue,
            "Leave the wizard; this summary is printed in the terminal",
        )
        .hint("finish"),
        Binding::new(
            &[Key::char('c')],
            Action::WriteCalendar,
            "Write a calendar file (.ics) reminding you to rotate the token 30 days before it expires",
        )
        .hint("calendar reminder")
        .when(can_remind),
        Binding::new(
            &[Key::char('m')],
            Action::MakeDefault,
            "Make this the default organization: commands then work without --org",
        )
        .when(default_offered),
        delivery::TEST_DELIVERY.quiet().when(can_test_delivery),
    ],
    SCROLL,
    &[HELP, QUIT_CTRL_C],
];

/// A reminder needs the organization and the token's expiry date.
fn can_remind(app: &App) -> bool {
    app.org().is_some() && token_expiry(app).is_some()
}

fn can_test_delivery(app: &App) -> bool {
    app.test_delivery.running.is_none() && delivery::offered_subscription(app).is_some()
}

/// Up scrolls back once scrolled; Down scrolls the summary on.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    match movement {
        Move::Up => app.summary.scroll > 0,
        Move::Down => true,
        _ => false,
    }
}

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
    /// Marking the organization default is being recorded.
    pub(crate) making_default: Option<RequestId>,
    pub(crate) calendar: Option<Result<PathBuf, String>>,
    pub(crate) scroll: u16,
}

impl Default for SummaryState {
    fn default() -> Self {
        Self {
            recording: Recording::Idle,
            making_default: None,
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
    domain::record_snapshot(&mut app.state, &org, report, taken_at);
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
    if app.summary.making_default == Some(request) {
        app.summary.making_default = None;
        app.status = Some(match result {
            Ok(()) => Status {
                tone: Tone::Success,
                text: "This is now the default organization: commands work without --org."
                    .to_owned(),
            },
            Err(error) => Status {
                tone: Tone::Error,
                text: format!("Could not record the default organization: {error}"),
            },
        });
        return Vec::new();
    }
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
            Effect::Exit {
                summary: text(app),
                interrupted: false,
            },
        ],
        Action::WriteCalendar => match (app.org().cloned(), token_expiry(app)) {
            (Some(org), Some(expires_on)) => vec![Effect::WriteCalendar {
                file_name: calendar::file_name(&org),
                contents: calendar::reminder(&org, expires_on, app.today),
                in_current_dir: !app.demo,
            }],
            _ => Vec::new(),
        },
        Action::MakeDefault => match app.org().cloned().filter(|_| default_offered(app)) {
            Some(org) => {
                app.state.set_default_org(&org.key());
                let request = app.new_request();
                app.summary.making_default = Some(request);
                vec![Effect::SaveState {
                    request,
                    state: app.state.clone(),
                }]
            }
            None => Vec::new(),
        },
        Action::TestDelivery => match delivery::offered_subscription(app) {
            Some(subscription) => delivery::start(app, subscription),
            None => Vec::new(),
        },
        Action::Move(Move::Up) => {
            app.summary.scroll = app.summary.scroll.saturating_sub(1);
            Vec::new()
        }
        Action::Move(Move::Down) => {
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

/// Like `az devops configure --defaults`: offered when several organizations are set up and this
/// one is not already the default (with one, commands find it anyway).
fn default_offered(app: &App) -> bool {
    let Some(key) = app.org().map(OrgUrl::key) else {
        return false;
    };
    let set_up = app
        .state
        .organizations()
        .filter(|(_, o)| o.token.is_some())
        .count();
    !app.demo && set_up > 1 && app.state.default_org_key() != Some(key.as_str())
}

/// The token's expiry: the date entered this run, else the one recorded.
pub(crate) fn token_expiry(app: &App) -> Option<Date> {
    if app.verify.report().is_some() {
        return app.paste.expiry(app.today).ok();
    }
    app.current_org_state()?.token.as_ref()?.expires_on
}

/// The reminder command the summary recommends for cron. Runnable exactly as printed: `check`
/// finds the token the wizard stored through `state.toml`, whichever store holds it.
pub fn cron_line(org: &OrgUrl) -> String {
    FollowUp::new(org, TokenSource::Keyring)
        .command("check", &format!("--warn-days {}", calendar::REMIND_DAYS))
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
            Some(StorageKind::Keyring) => "stored in the OS credential store",
            Some(StorageKind::File) => "stored in the insecure token file",
            Some(StorageKind::Memory) => "kept in memory",
            None => "not stored by azdo-gate (it is given by environment or stdin)",
        }
        .to_owned(),
    )
}

/// What the admin answered on the hand-over step this run, and nothing more.
fn handover_line(app: &App) -> Option<(Kind, String)> {
    match app.handover.outcome? {
        HandOver::Confirmed => Some((
            Kind::Good,
            "You confirmed the gating service has the token (pasted and saved there).".to_owned(),
        )),
        HandOver::Skipped => Some((
            Kind::Bad,
            format!(
                "The gating service was not given the token (skipped): paste it at {}, then press h on the home screen.",
                app.handover.page.as_deref().unwrap_or("its token page")
            ),
        )),
    }
}

/// The summary's facts, line by line.
fn facts(app: &App) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let Some(org) = app.org() else {
        return out;
    };
    let report = app.audit.report.as_ref();
    let summary = report.map(|r| &r.summary);
    let attention = summary.map_or(0, |s| s.coverage.gaps());
    out.push((
        Kind::Heading,
        match (app.flow, attention) {
            (Flow::Rotate, _) => format!("The token for {} was rotated", org.name()),
            (_, 0) => format!("{} is gated", org.name()),
            (_, n) => format!(
                "{}: {} still need{} attention",
                org.name(),
                count(n, "repository", "repositories"),
                plural(n, "s", "")
            ),
        },
    ));
    out.push((Kind::Plain, String::new()));

    out.push((Kind::Heading, "What changed".to_owned()));
    if app.flow == Flow::Rotate {
        out.push((
            Kind::Good,
            "New token verified and stored; the organization audited with it.".to_owned(),
        ));
    }
    out.extend(handover_line(app));
    if app.flow == Flow::Rotate {
        let revoked = app
            .current_org_state()
            .and_then(|o| o.rotation.as_ref())
            .is_some_and(|r| r.old_token_revoked);
        out.push(if revoked {
            (
                Kind::Good,
                "You confirmed the old token is revoked.".to_owned(),
            )
        } else {
            (
                Kind::Bad,
                format!(
                    "Old token not revoked yet (you chose later): revoke it at {}, then press d on the home screen.",
                    org.tokens_page()
                ),
            )
        });
    }
    let changed = &app.apply.changed;
    let made = |kinds: &[ActionKind]| changed.iter().filter(|a| kinds.contains(&a.kind)).count();
    let created = made(&[ActionKind::CreateSubscription]);
    let repaired = made(&[
        ActionKind::RecreateSubscription,
        ActionKind::EnableSubscription,
    ]);
    let policies = made(&[ActionKind::CreateStatusPolicy]);
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
                count(created, "webhook subscription", "webhook subscriptions"),
                repaired,
                count(policies, "status policy", "status policies"),
            ),
        ));
    }
    let failures: Vec<String> = app
        .apply
        .failures()
        .map(|(a, reason)| format!("{} · {}: {reason}", a.project, target_words(a)))
        .collect();
    if !failures.is_empty() {
        out.push((
            Kind::Bad,
            format!("{} failed:", count(failures.len(), "change", "changes")),
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
    } else if created + repaired > 0 && can_test_delivery(app) {
        out.push((
            Kind::KeyHint,
            "Press t to have Azure DevOps send a test event through a new subscription to the gate."
                .to_owned(),
        ));
    }
    out.push((Kind::Plain, String::new()));

    if let Some(summary) = summary {
        out.push((Kind::Heading, "Coverage now".to_owned()));
        out.push((
            if summary.coverage.all_covered() {
                Kind::Good
            } else {
                Kind::Bad
            },
            coverage_sentence(summary),
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
                    "{} lacks permissions in {}: add it to Project Administrators there, then run azdo-gate again.",
                    capitalized(&permissions::gate_user(app)),
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
            out.push((Kind::Command, format!("  {}", cron_line(org))));
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
    if default_offered(app) {
        out.push((Kind::Plain, String::new()));
        out.push((
            Kind::KeyHint,
            format!(
                "Press m to make {} the default organization, so commands work without --org.",
                org.name()
            ),
        ));
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
    // Longer than the screen: the last row says how much is above and below.
    scrolled_text(frame, area, lines, app.summary.scroll, theme);
}
