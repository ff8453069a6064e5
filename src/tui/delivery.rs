//! The wizard's test delivery (key `t` on the coverage and summary screens, offered after apply):
//! Azure DevOps sends a test event through a real gate subscription while a spinner turns; the
//! result names the HTTP status, the time it took, the gate's answer and, on failure, the cause and
//! its fix. Leaving the screen cancels the wait.

use ratatui::text::{Line, Span};

use crate::audit::AuditReport;
use crate::audit::deliveries::DeliveryHealth;
use crate::audit::test_delivery::DeliveryOutcome;
use crate::plan::ActionKind;
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, Key};
use crate::tui::msg::RequestId;
use crate::tui::widgets::{hanging, spinner};

/// `t` on the coverage and summary screens.
pub const TEST_DELIVERY: Binding = Binding::new(
    &[Key::char('t')],
    Action::TestDelivery,
    "Have Azure DevOps send a test event through the gate subscription and show what the gate answered",
)
.hint("test delivery");

/// The test delivery of this run: the one in flight, and the last result.
#[derive(Debug, Clone, Default)]
pub struct TestDeliveryState {
    pub(crate) running: Option<(RequestId, String)>,
    pub(crate) result: Option<Result<DeliveryOutcome, String>>,
}

/// Starts a test delivery through `subscription_id` (`t` is offered only where there is one).
pub(crate) fn start(app: &mut App, subscription_id: String) -> Vec<Effect> {
    if app.test_delivery.running.is_some() {
        return Vec::new();
    }
    let Some(org) = app.org().cloned() else {
        return Vec::new();
    };
    let storage = app.token_storage();
    let request = app.new_request();
    app.test_delivery.running = Some((request, subscription_id.clone()));
    app.test_delivery.result = None;
    vec![Effect::TestDelivery {
        request,
        org,
        subscription_id,
        storage,
    }]
}

pub(crate) fn on_result(
    app: &mut App,
    request: RequestId,
    result: Result<DeliveryOutcome, String>,
) -> Vec<Effect> {
    if app.test_delivery.running.as_ref().map(|(r, _)| *r) != Some(request) {
        return Vec::new();
    }
    app.test_delivery.running = None;
    app.test_delivery.result = Some(result);
    Vec::new()
}

/// Forgets a wait the admin left behind (its task is cancelled with the step).
pub(crate) fn on_leave(app: &mut App) {
    app.test_delivery.running = None;
}

/// The gate subscription of a repository: the first of its events that has one.
pub(crate) fn repository_subscription(report: &AuditReport, repo: usize) -> Option<String> {
    report
        .repositories
        .get(repo)?
        .events
        .iter()
        .find_map(|e| e.subscription_id.clone())
}

/// After apply: a subscription the run created or repaired (by the audit that followed, for a
/// created one), else any gate subscription.
pub(crate) fn offered_subscription(app: &App) -> Option<String> {
    let report = app.audit.report.as_ref()?;
    let touched = app.apply.changed.iter().find(|a| {
        matches!(
            a.kind,
            ActionKind::CreateSubscription
                | ActionKind::RecreateSubscription
                | ActionKind::EnableSubscription
        )
    });
    let for_repository = touched.and_then(|action| {
        report
            .repositories
            .iter()
            .find(|r| action.repository_id.as_deref() == Some(r.id.as_str()))
            .and_then(|r| {
                r.events
                    .iter()
                    .find(|e| action.event_type.as_deref() == Some(e.event_type.as_str()))
                    .and_then(|e| e.subscription_id.clone())
            })
    });
    for_repository
        .or_else(|| (0..report.repositories.len()).find_map(|i| repository_subscription(report, i)))
}

/// The running spinner or the result, wrapped to `width` columns, for the screens.
pub(crate) fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    if app.test_delivery.running.is_some() {
        return vec![Line::from(Span::styled(
            format!(
                "{} Azure DevOps is sending a test event to the gate… (leaving this screen cancels)",
                spinner::frame(app.tick)
            ),
            theme.title(),
        ))];
    }
    result_lines(app)
        .into_iter()
        .flat_map(|(good, text)| {
            let style = if good { theme.success() } else { theme.error() };
            hanging::wrap("", style, &text, style, width)
        })
        .collect()
}

/// The result as (good, text) lines: the headline, then the cause, the gate's answer and the fix.
pub(crate) fn result_lines(app: &App) -> Vec<(bool, String)> {
    match &app.test_delivery.result {
        None => Vec::new(),
        Some(Err(reason)) => vec![(
            false,
            format!("The test delivery could not be made: {reason}"),
        )],
        Some(Ok(outcome)) => {
            let mut out = vec![(outcome.delivered, format!("{}.", outcome.headline()))];
            if let Some(cause) = outcome.cause() {
                out.push((false, format!("Cause: {}.", cause.explain())));
            }
            if let Some(excerpt) = &outcome.response_excerpt {
                out.push((outcome.delivered, format!("The gate answered: {excerpt}")));
            }
            if let Some(cause) = outcome.cause() {
                out.push((false, format!("Fix: {}.", cause.fix())));
            }
            out
        }
    }
}

/// Delivery health across the audit's gate subscriptions (each counted once): (failing hooks,
/// succeeded, failed); `None` when the audit read no delivery history.
fn health_counts(report: &AuditReport) -> Option<(usize, u64, u64)> {
    let mut seen = std::collections::BTreeSet::new();
    let (mut succeeded, mut failed) = (0, 0);
    for event in report.repositories.iter().flat_map(|r| &r.events) {
        if let (Some(id), Some(health)) = (&event.subscription_id, &event.deliveries)
            && seen.insert(id.to_ascii_lowercase())
        {
            succeeded += health.succeeded;
            failed += health.failed;
        }
    }
    (!seen.is_empty()).then_some((report.summary.failing_deliveries, succeeded, failed))
}

/// `Deliveries (7 days): 40 succeeded · 3 failed · 1 hook failing`, or `None` without history.
pub(crate) fn health_sentence(report: &AuditReport) -> Option<(bool, String)> {
    let (failing, succeeded, failed) = health_counts(report)?;
    let hooks = match failing {
        0 => "every hook delivering".to_owned(),
        1 => "1 hook failing".to_owned(),
        n => format!("{n} hooks failing"),
    };
    Some((
        failing == 0,
        format!("Deliveries (7 days): {succeeded} succeeded · {failed} failed · {hooks}"),
    ))
}

/// A hook whose last delivery failed, in a few words: `gate answers 401`.
pub(crate) fn failing_words(health: &DeliveryHealth) -> Option<String> {
    let failure = health
        .last_failure
        .as_ref()
        .filter(|_| health.last_failed())?;
    Some(match failure.http_status {
        Some(status) => format!("gate answers {status}"),
        None => "gate does not answer".to_owned(),
    })
}
