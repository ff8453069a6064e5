//! The delivery doctor in the wizard: delivery health on the coverage and home screens, the test
//! delivery (key `t`) with its spinner and its result, and the test offered after apply with its
//! line on the summary. Driven by messages through `update`, rendered to a 100×30 test terminal.

// A helper that cannot set a test up should stop it right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use azdo_gate::audit::deliveries::{DeliveryHealth, LastFailure};
use azdo_gate::audit::test_delivery::DeliveryOutcome;
use azdo_gate::audit::{AuditReport, Coverage, CoverageCounts, EventStatus};
use azdo_gate::plan::{ActionKind, ActionResult, Outcome};
use azdo_gate::tui::{App, Effect, Msg, RequestId, Step};
use crossterm::event::KeyCode;
use tui_support::*;

const FAILING: &str = "30000000-0000-4000-8000-0000000000f1";

fn health(succeeded: u64, failure: Option<u16>) -> DeliveryHealth {
    DeliveryHealth {
        since: "2026-11-21T12:00:00.000Z".into(),
        succeeded,
        failed: u64::from(failure.is_some()) * 38,
        filtered: 0,
        pending: 0,
        last_success: Some("2026-11-20T09:00:00.000Z".into()),
        last_failure: failure.map(|status| LastFailure {
            at: "2026-11-28T08:15:00.000Z".into(),
            http_status: Some(status),
            message: format!("The remote server returned an error: ({status}) Unauthorized."),
            response_excerpt: Some("{\"error\":\"invalid webhook credentials\"}".into()),
        }),
    }
}

/// The demo report with delivery history: every gate hook delivering, except storefront-web's
/// `created` hook, which the gate answers 401.
fn report_with_deliveries() -> AuditReport {
    let mut report = demo_report();
    for (r, repo) in report.repositories.iter_mut().enumerate() {
        for (e, event) in repo.events.iter_mut().enumerate() {
            if event.status == EventStatus::Absent {
                continue;
            }
            let failing = repo.name == "storefront-web" && e == 0;
            event.subscription_id = Some(if failing {
                FAILING.to_owned()
            } else {
                format!("30000000-0000-4000-8000-0000000{r:02}{e:03}")
            });
            event.deliveries = Some(health(12, failing.then_some(401)));
        }
    }
    report.summary.failing_deliveries = 1;
    report
}

fn at_coverage_with_deliveries() -> App {
    let mut app = audited(report_with_deliveries());
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    app
}

/// The coverage screen filtered to storefront-web, the cursor on it.
fn on_storefront_web() -> App {
    let mut app = at_coverage_with_deliveries();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "storefront-web");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Down);
    app
}

fn test_request(effects: &[Effect]) -> (RequestId, String) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::TestDelivery {
                request,
                subscription_id,
                ..
            } => Some((*request, subscription_id.clone())),
            _ => None,
        })
        .expect("t starts a test delivery")
}

fn delivered(subscription: &str) -> DeliveryOutcome {
    DeliveryOutcome {
        subscription_id: subscription.into(),
        event_type: Some("git.pullrequest.created".into()),
        delivered: true,
        result: "succeeded".into(),
        http_status: Some(200),
        duration_ms: Some(180),
        error_message: None,
        response_excerpt: Some("{\"accepted\":true}".into()),
    }
}

fn refused(subscription: &str) -> DeliveryOutcome {
    DeliveryOutcome {
        delivered: false,
        result: "failed".into(),
        http_status: Some(401),
        duration_ms: Some(12),
        error_message: Some("The remote server returned an error: (401) Unauthorized.".into()),
        response_excerpt: Some("{\"error\":\"invalid webhook credentials\"}".into()),
        ..delivered(subscription)
    }
}

#[test]
fn coverage_shows_delivery_health_and_the_failing_hook() {
    let app = at_coverage_with_deliveries();
    let shown = screen(&app);
    assert!(shown.contains("Deliveries (7 days): 108 succeeded · 38 failed · 1 hook failing"));
    assert!(shown.contains("covered · gate answers 401"));
    insta::assert_snapshot!(shown);
}

#[test]
fn test_delivery_from_coverage_shows_a_spinner_then_success() {
    let mut app = at_coverage_with_deliveries();
    // The cursor starts on a project heading: no hook there, so `t` does nothing.
    assert!(key(&mut app, KeyCode::Char('t')).is_empty());
    assert!(!screen(&app).contains("test event"));
    let mut app = on_storefront_web();
    let effects = key(&mut app, KeyCode::Char('t'));
    let (request, subscription) = test_request(&effects);
    assert_eq!(subscription, FAILING, "storefront-web's created hook");
    assert!(screen(&app).contains("Azure DevOps is sending a test event to the gate"));
    // Another t while waiting sends nothing more.
    assert!(key(&mut app, KeyCode::Char('t')).is_empty());
    send(
        &mut app,
        Msg::TestDelivered {
            request,
            result: Ok(delivered(&subscription)),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Azure DevOps delivered a test event to the gate: 200 OK in 180 ms."));
    insta::assert_snapshot!(shown);
}

#[test]
fn test_delivery_failure_says_the_cause_and_the_fix() {
    let mut app = on_storefront_web();
    let (request, subscription) = test_request(&key(&mut app, KeyCode::Char('t')));
    // A stale answer (another request) is ignored.
    send(
        &mut app,
        Msg::TestDelivered {
            request: RequestId(9_999),
            result: Ok(delivered(&subscription)),
        },
    );
    assert!(screen(&app).contains("sending a test event"));
    send(
        &mut app,
        Msg::TestDelivered {
            request,
            result: Ok(refused(&subscription)),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains(
        "Azure DevOps could not deliver a test event to the gate: 401 Unauthorized after 12 ms."
    ));
    assert!(shown.contains("Cause: the gate rejected the webhook's credentials (basic auth)."));
    insta::assert_snapshot!(shown);
}

#[test]
fn leaving_the_coverage_screen_cancels_the_wait() {
    let mut app = on_storefront_web();
    let (request, subscription) = test_request(&key(&mut app, KeyCode::Char('t')));
    let effects = key(&mut app, KeyCode::Esc);
    assert!(effects.contains(&Effect::CancelStep(Step::Coverage)));
    key(&mut app, KeyCode::Enter);
    send(
        &mut app,
        Msg::TestDelivered {
            request,
            result: Ok(delivered(&subscription)),
        },
    );
    assert!(!screen(&app).contains("delivered a test event"));
}

#[test]
fn home_shows_delivery_health() {
    let mut state = azdo_gate::store::State::default();
    remember(&mut state, "fabrikam", jiff::civil::date(2027, 6, 1));
    let (mut app, request) = home(state);
    send(
        &mut app,
        Msg::Audited {
            request,
            result: Ok(report_with_deliveries()),
            at: at(),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Deliveries (7 days)  108 succeeded · 38 failed · 1 hook failing"));
}

/// The summary after an apply that created subscriptions.
fn at_summary() -> App {
    let (mut app, request, plan) = at_apply();
    let results: Vec<ActionResult> = plan
        .actions
        .iter()
        .enumerate()
        .map(|(index, action)| ActionResult {
            index,
            outcome: if action.kind == ActionKind::Skip {
                Outcome::Skipped
            } else {
                Outcome::Done
            },
            error: None,
        })
        .collect();
    let mut after = demo_report();
    for repo in &mut after.repositories {
        if repo.coverage != Coverage::NotApplicable {
            repo.coverage = Coverage::Covered;
        }
    }
    after.summary.coverage = CoverageCounts::count(&after.repositories);
    send(
        &mut app,
        Msg::Applied {
            request,
            result: Ok(results),
            after: Some(Ok(after)),
            at: at(),
        },
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Summary);
    app
}

#[test]
fn the_summary_offers_a_test_delivery_and_states_its_result() {
    let mut app = at_summary();
    assert!(screen(&app).contains("Press t to have Azure DevOps send a test event"));
    let (request, subscription) = test_request(&key(&mut app, KeyCode::Char('t')));
    assert!(screen(&app).contains("sending a test event"));
    send(
        &mut app,
        Msg::TestDelivered {
            request,
            result: Ok(delivered(&subscription)),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Azure DevOps delivered a test event to the gate: 200 OK in 180 ms."));
    assert!(!shown.contains("Press t"));
    insta::assert_snapshot!(shown);
    // The printed summary says it too.
    let effects = key(&mut app, KeyCode::Enter);
    let summary = effects
        .iter()
        .find_map(|e| match e {
            Effect::Exit { summary, .. } => Some(summary.clone()),
            _ => None,
        })
        .unwrap();
    assert!(summary.contains("Azure DevOps delivered a test event to the gate: 200 OK in 180 ms."));
}
