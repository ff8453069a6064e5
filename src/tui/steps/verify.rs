//! Step 5: the token checked against Azure DevOps, as a live checklist. The admin confirms that the
//! token's user is the dedicated integration user, reads every finding with its fix, and continues
//! only when no error remains (warnings must be accepted explicitly).

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ado::AdoError;
use crate::checks::{CheckEvent, CheckId, Mark, Severity, TokenReport};
use crate::tui::app::{App, Status, Tone};
use crate::tui::effect::Effect;
use crate::tui::flow::Flow;
use crate::tui::keymap::{Action, Binding, ENTER, ESC, GLOBAL, Key, Keymap, Move, SCROLL};
use crate::tui::msg::RequestId;
use crate::tui::steps::{Step, paste_token};
use crate::tui::theme::Theme;
use crate::tui::widgets::{hanging, scrolled_text, spinner};

const CONTINUE: Binding = Binding::new(
    &[ENTER],
    Action::Continue,
    "Continue to storing the token (once no error remains)",
)
.hint("continue");
const CONFIRM: Binding = Binding::new(
    &[Key::char('y')],
    Action::ConfirmIdentity,
    "Confirm that the user shown is the dedicated integration user",
)
.hint("confirm user");
const ACCEPT: Binding = Binding::new(
    &[Key::char('w')],
    Action::AcceptWarnings,
    "Continue despite the warnings listed",
)
.hint("accept warnings");

/// One keymap for every state of the check: running, blocked by errors, waiting for the user's
/// confirmation or the warnings' acceptance, ready.
pub const KEYMAP: Keymap = &[
    &[
        CONTINUE.when(continue_shown),
        CONTINUE.quiet().when(continue_quiet),
        CONFIRM.when(confirm_shown),
        CONFIRM.quiet().when(confirm_quiet),
        ACCEPT.when(accept_shown),
        ACCEPT.quiet().when(accept_quiet),
        Binding::new(
            &[Key::char('r')],
            Action::Recheck,
            "Run every check again (after fixing the token in Azure DevOps)",
        )
        .hint("re-check")
        .when(finished),
        Binding::new(
            &[Key::char('e'), ESC],
            Action::EditToken,
            "Back to the token field, to paste another token",
        )
        .hint("edit token"),
    ],
    SCROLL,
    GLOBAL,
];

/// The check ran to its end (or could not run).
fn finished(app: &App) -> bool {
    matches!(app.verify.run, Run::Done(_) | Run::Failed(_))
}

fn blocked(app: &App) -> bool {
    match &app.verify.run {
        Run::Failed(_) => true,
        Run::Done(report) => report.has_errors(),
        _ => false,
    }
}

/// Enter acts when it moves on, or says what is missing and does not say so already.
fn can_continue(app: &App) -> bool {
    finished(app)
        && blocker(app).is_none_or(|text| app.status.as_ref().is_none_or(|s| s.text != text))
}
fn continue_shown(app: &App) -> bool {
    can_continue(app) && !blocked(app)
}
fn continue_quiet(app: &App) -> bool {
    can_continue(app) && blocked(app)
}

fn can_confirm(app: &App) -> bool {
    app.verify.report().is_some_and(|r| r.identity.is_some()) && !app.verify.identity_confirmed
}
fn confirm_shown(app: &App) -> bool {
    can_confirm(app) && !blocked(app)
}
fn confirm_quiet(app: &App) -> bool {
    can_confirm(app) && blocked(app)
}

/// Warnings are accepted once no error remains; `w` is shown once the user is confirmed.
fn can_accept(app: &App) -> bool {
    !blocked(app) && app.verify.has_warnings() && !app.verify.warnings_accepted
}
fn accept_shown(app: &App) -> bool {
    can_accept(app) && !can_confirm(app)
}
fn accept_quiet(app: &App) -> bool {
    can_accept(app) && can_confirm(app)
}

/// Up scrolls back once scrolled; Down scrolls the findings once there are some.
pub(crate) fn can_move(app: &App, movement: Move) -> bool {
    match movement {
        Move::Up => app.verify.scroll > 0,
        Move::Down => finished(app),
        _ => false,
    }
}

/// One line of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Row {
    Waiting,
    Running,
    Done(Mark),
}

/// Where the check stands.
#[derive(Debug, Clone)]
pub(crate) enum Run {
    NotStarted,
    Running {
        request: RequestId,
    },
    Done(Box<TokenReport>),
    /// The check could not run at all (network, server trouble).
    Failed(AdoError),
}

/// The checklist, the verdict and the admin's acknowledgements.
#[derive(Debug, Clone)]
pub struct VerifyState {
    pub(crate) run: Run,
    pub(crate) rows: [Row; CheckId::ALL.len()],
    pub(crate) identity_confirmed: bool,
    pub(crate) warnings_accepted: bool,
    pub(crate) scroll: u16,
    pub(crate) checked_at: Option<Timestamp>,
}

impl Default for VerifyState {
    fn default() -> Self {
        Self {
            run: Run::NotStarted,
            rows: [Row::Waiting; CheckId::ALL.len()],
            identity_confirmed: false,
            warnings_accepted: false,
            scroll: 0,
            checked_at: None,
        }
    }
}

impl VerifyState {
    /// The finished report, when the check ran to the end.
    pub(crate) fn report(&self) -> Option<&TokenReport> {
        match &self.run {
            Run::Done(report) => Some(report),
            _ => None,
        }
    }

    /// Forgets an in-flight check (its task is being cancelled); a finished verdict stays.
    pub(crate) fn abandon(&mut self) {
        if matches!(self.run, Run::Running { .. }) {
            *self = Self::default();
        }
    }

    fn has_warnings(&self) -> bool {
        self.report()
            .is_some_and(|r| r.findings.iter().any(|f| f.severity == Severity::Warning))
    }
}

/// Starts a fresh check of the pasted token; everything known about an earlier one is dropped.
pub(crate) fn start(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.organization.confirmed().cloned() else {
        return Vec::new();
    };
    let (Ok(expires_on), Ok(token)) = (app.paste.expiry(app.today), app.paste.pat()) else {
        return Vec::new();
    };
    let request = app.new_request();
    app.verify = VerifyState {
        run: Run::Running { request },
        ..VerifyState::default()
    };
    vec![Effect::VerifyToken {
        request,
        org,
        token,
        expires_on,
        today: app.today,
    }]
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue => continue_if_clear(app),
        Action::ConfirmIdentity => {
            if app.verify.report().is_some_and(|r| r.identity.is_some()) {
                app.verify.identity_confirmed = true;
                app.status = None;
            }
            Vec::new()
        }
        Action::AcceptWarnings => {
            if app.verify.has_warnings() {
                app.verify.warnings_accepted = true;
                app.status = None;
            }
            Vec::new()
        }
        Action::Recheck => {
            if matches!(app.verify.run, Run::Running { .. }) {
                return Vec::new();
            }
            start(app)
        }
        Action::EditToken => {
            // A paste must land in the masked token field, never in the clear-text expiry.
            app.paste.focus = paste_token::Field::Token;
            app.go_to(Step::PasteToken)
        }
        Action::Move(Move::Up) => {
            app.verify.scroll = app.verify.scroll.saturating_sub(1);
            Vec::new()
        }
        Action::Move(Move::Down) => {
            app.verify.scroll = app.verify.scroll.saturating_add(1);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// What keeps Enter from moving on, in a sentence; `None` once the check is clear.
fn blocker(app: &App) -> Option<&'static str> {
    match &app.verify.run {
        Run::NotStarted | Run::Running { .. } => None,
        Run::Failed(_) => Some("The check could not run: press r to try again."),
        Run::Done(report) if report.has_errors() => Some(
            "Fix the errors listed (each says how), then press r to re-check, or e to paste another token.",
        ),
        Run::Done(_) if !app.verify.identity_confirmed => {
            Some("Press y to confirm that this is the dedicated integration user.")
        }
        Run::Done(_) if app.verify.has_warnings() && !app.verify.warnings_accepted => {
            Some("Read the warnings, then press w to accept them (or fix them and press r).")
        }
        Run::Done(_) => None,
    }
}

/// Enter: continue only when the report has no error, the user is confirmed and any warning was
/// accepted; otherwise say what is missing.
fn continue_if_clear(app: &mut App) -> Vec<Effect> {
    if !finished(app) {
        return Vec::new();
    }
    match blocker(app) {
        Some(text) => {
            app.status = Some(Status {
                tone: Tone::Error,
                text: text.to_owned(),
            });
            Vec::new()
        }
        None => app.advance(),
    }
}

pub(crate) fn on_progress(app: &mut App, request: RequestId, event: CheckEvent) -> Vec<Effect> {
    if !matches!(app.verify.run, Run::Running { request: current } if current == request) {
        return Vec::new();
    }
    let (id, row) = match event {
        CheckEvent::Started(id) => (id, Row::Running),
        CheckEvent::Finished(id, mark) => (id, Row::Done(mark)),
    };
    if let Some(index) = CheckId::ALL.iter().position(|c| *c == id) {
        app.verify.rows[index] = row;
    }
    Vec::new()
}

pub(crate) fn on_verified(
    app: &mut App,
    request: RequestId,
    result: Result<TokenReport, AdoError>,
    at: Timestamp,
) -> Vec<Effect> {
    if !matches!(app.verify.run, Run::Running { request: current } if current == request) {
        return Vec::new();
    }
    app.verify.run = match result {
        Ok(report) => Run::Done(Box::new(report)),
        Err(error) => Run::Failed(error),
    };
    app.verify.checked_at = Some(at);
    Vec::new()
}

fn mark_span(row: Row, tick: u64, theme: Theme) -> Span<'static> {
    match row {
        Row::Waiting => Span::styled("·", theme.muted()),
        Row::Running => Span::styled(spinner::frame(tick), theme.title()),
        Row::Done(Mark::Pass) => Span::styled("✓", theme.success()),
        Row::Done(Mark::Fail) => Span::styled("✗", theme.error()),
        Row::Done(Mark::Warn) => Span::styled("!", theme.warning()),
        Row::Done(Mark::Skipped) => Span::styled("–", theme.muted()),
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.verify;
    let [top, _, below] = area.layout(&Layout::vertical([
        Constraint::Length(u16::try_from(CheckId::ALL.len()).unwrap_or(9) + 2),
        Constraint::Length(1),
        Constraint::Fill(1),
    ]));
    let [checklist, identity] = top.layout(&Layout::horizontal([
        Constraint::Length(44),
        Constraint::Fill(1),
    ]));

    let title = match &state.run {
        Run::Running { .. } => "Checking the token with Azure DevOps…",
        _ => "The token, checked with Azure DevOps",
    };
    let mut lines = vec![
        Line::from(Span::styled(title, theme.title())),
        Line::default(),
    ];
    for (id, row) in CheckId::ALL.iter().zip(state.rows) {
        let label_style = match row {
            Row::Done(Mark::Skipped) | Row::Waiting => theme.muted(),
            _ => Style::new(),
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            mark_span(row, app.tick, theme),
            Span::raw(" "),
            Span::styled(id.label(), label_style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), checklist);
    frame.render_widget(
        Paragraph::new(identity_lines(app, identity.width)),
        identity,
    );
    scrolled_text(
        frame,
        below,
        findings_lines(app, below.width),
        state.scroll,
        theme,
    );
}

/// Whose token it is, and the confirmation.
fn identity_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let Some(report) = app.verify.report() else {
        return Vec::new();
    };
    let mut lines = vec![Line::default(), Line::default()];
    match &report.identity {
        Some(identity) => {
            lines.push(Line::from("Comments will appear as"));
            lines.extend(hanging::wrap(
                "  ",
                Style::new(),
                &format!("{} ({})", identity.display_name, identity.unique_name),
                theme.value(),
                width,
            ));
            let previous = app
                .rotation_old
                .as_ref()
                .and_then(|m| m.identity.as_ref())
                .filter(|old| app.flow == Flow::Rotate && old.id != identity.id);
            if let Some(old) = previous {
                lines.extend(hanging::wrap(
                    "! ",
                    theme.warning(),
                    &format!(
                        "The old token belonged to {} ({}): comments will change author.",
                        old.display_name, old.unique_name
                    ),
                    theme.warning(),
                    width,
                ));
            }
            lines.push(Line::default());
            if app.verify.identity_confirmed {
                lines.extend(hanging::wrap(
                    "✓ ",
                    theme.success(),
                    "Confirmed: the dedicated integration user",
                    Style::new(),
                    width,
                ));
            } else {
                lines.extend(hanging::wrap(
                    "",
                    Style::new(),
                    "Is this the dedicated integration user? Press y to confirm.",
                    theme.warning(),
                    width,
                ));
            }
        }
        None => lines.push(Line::from(Span::styled(
            "No user: the token was not accepted.",
            theme.error(),
        ))),
    }
    if let (Some(date), Some(days)) = (report.expiry.expires_on, report.expiry.days_left) {
        lines.push(Line::default());
        lines.extend(hanging::wrap_spans(
            "",
            Style::new(),
            &[
                Span::raw("Expires "),
                Span::styled(date.to_string(), theme.value()),
                Span::raw(format!(" (in {days} days)")),
            ],
            width,
        ));
    }
    lines
}

/// Every finding with its fix, then what to do next.
fn findings_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let report = match &app.verify.run {
        Run::NotStarted | Run::Running { .. } => return Vec::new(),
        Run::Failed(error) => {
            let mut lines = hanging::wrap(
                "✗ ",
                theme.error(),
                &format!("The check could not run: {error}"),
                theme.error(),
                width,
            );
            lines.extend(hanging::wrap(
                "  ",
                Style::new(),
                "Check your network, VPN or proxy, then press r to try again.",
                Style::new(),
                width,
            ));
            return lines;
        }
        Run::Done(report) => report,
    };
    let mut lines = Vec::new();
    if report.findings.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("✓ ", theme.success()),
            Span::raw("No problems found."),
        ]));
    }
    for finding in &report.findings {
        let (marker, style) = match finding.severity {
            Severity::Error => ("✗ ", theme.error()),
            Severity::Warning => ("! ", theme.warning()),
            Severity::Info => ("i ", theme.muted()),
        };
        lines.extend(hanging::wrap(marker, style, &finding.message, style, width));
        if let Some(fix) = &finding.fix {
            lines.extend(hanging::wrap(
                "  Fix: ",
                theme.muted(),
                fix,
                Style::new(),
                width,
            ));
        }
    }
    lines.push(Line::default());
    let (next, style) = if report.has_errors() {
        (
            "Not ready: fix the errors above, then press r to re-check (or e to paste another token).",
            theme.error(),
        )
    } else if report.identity.is_some() && !app.verify.identity_confirmed {
        (
            "Ready once you confirm the user: press y, then Enter.",
            theme.value(),
        )
    } else if app.verify.has_warnings() && !app.verify.warnings_accepted {
        (
            "No errors. Press w to accept the warnings, then Enter.",
            theme.value(),
        )
    } else {
        ("Ready: press Enter to store the token.", theme.success())
    };
    lines.extend(hanging::wrap("", style, next, style, width));
    lines
}
