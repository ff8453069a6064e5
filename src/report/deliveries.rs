//! Delivery health in the text reports: the `audit --deliveries` section (counts, then every gate
//! hook whose last delivery failed with its cause and fix) and the `test-delivery` result.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::audit::{WIDTH, wrap_into};
use super::style::{self, marks};
use crate::audit::AuditReport;
use crate::audit::deliveries::{Cause, DeliveryHealth, status_text};
use crate::audit::test_delivery::DeliveryOutcome;
use crate::columns;

/// Detail lines sit under their hook's line.
const INDENT: usize = 6;

/// The deliveries section of `audit --deliveries`; empty when deliveries were not read.
pub fn deliveries_section(report: &AuditReport) -> String {
    // Subscription id → (its health, the repositories and events it serves).
    let mut hooks: BTreeMap<&str, (&DeliveryHealth, Vec<String>)> = BTreeMap::new();
    for repo in &report.repositories {
        for event in &repo.events {
            if let (Some(id), Some(health)) = (&event.subscription_id, &event.deliveries) {
                let short = event
                    .event_type
                    .strip_prefix("git.pullrequest.")
                    .unwrap_or(&event.event_type);
                hooks
                    .entry(id)
                    .or_insert_with(|| (health, Vec::new()))
                    .1
                    .push(format!("{} {short}", repo.name));
            }
        }
    }
    let Some((first, _)) = hooks.values().next() else {
        return String::new();
    };
    let mut out = String::new();
    let total =
        |pick: fn(&DeliveryHealth) -> u64| hooks.values().map(|(h, _)| pick(h)).sum::<u64>();
    let _ = writeln!(
        out,
        "Deliveries since {} (Azure DevOps' history):",
        day(&first.since)
    );
    let _ = writeln!(
        out,
        "  {} gate subscriptions: {} succeeded, {} failed, {} filtered, {} pending; {} failing now.",
        hooks.len(),
        total(|h| h.succeeded),
        total(|h| h.failed),
        total(|h| h.filtered),
        total(|h| h.pending),
        report.summary.failing_deliveries
    );
    for (id, (health, served)) in &hooks {
        let Some(failure) = health
            .last_failure
            .as_ref()
            .filter(|_| health.last_failed())
        else {
            continue;
        };
        let answer = failure
            .http_status
            .map_or_else(|| "no answer".to_owned(), status_text);
        let cause = Cause::of(failure.http_status);
        let _ = writeln!(
            out,
            "  {} {}",
            marks().fail,
            columns::truncate(&served.join(", "), WIDTH - 4)
        );
        wrap_into(
            &mut out,
            &format!(
                "The last delivery failed at {}: {answer}; {} failed since {}. Cause: {}.",
                minute(&failure.at),
                health.failed,
                day(&health.since),
                cause.explain()
            ),
            INDENT,
        );
        if let Some(excerpt) = &failure.response_excerpt {
            wrap_into(&mut out, &format!("The gate answered: {excerpt}"), INDENT);
        }
        wrap_into(&mut out, &format!("Fix: {}.", cause.fix()), INDENT);
        wrap_into(&mut out, &format!("Subscription {id}."), INDENT);
    }
    let _ = writeln!(out);
    out
}

/// `azdo-gate test-delivery` for a terminal.
pub fn test_delivery_text(
    outcome: &DeliveryOutcome,
    event: &str,
    repository: Option<&str>,
) -> String {
    let mut out = String::new();
    let headline = format!("{}.", outcome.headline());
    let headline = if outcome.delivered {
        style::good(&headline)
    } else {
        style::bad(&headline)
    };
    let _ = writeln!(out, "{headline}");
    let what = match repository {
        Some(repo) => format!(
            "Subscription {} ({event}, {repo}).",
            outcome.subscription_id
        ),
        None => format!("Subscription {} ({event}).", outcome.subscription_id),
    };
    wrap_into(&mut out, &what, 2);
    if let Some(cause) = outcome.cause() {
        wrap_into(&mut out, &format!("Cause: {}.", cause.explain()), 2);
        if let Some(message) = &outcome.error_message {
            wrap_into(&mut out, &format!("Azure DevOps said: {message}"), 2);
        }
    }
    if let Some(excerpt) = &outcome.response_excerpt {
        wrap_into(&mut out, &format!("The gate answered: {excerpt}"), 2);
    }
    if let Some(cause) = outcome.cause() {
        wrap_into(&mut out, &format!("Fix: {}.", cause.fix()), 2);
    }
    out
}

/// `2026-11-24` from an API timestamp (the text itself when it does not parse).
fn day(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

/// `2026-11-24 10:03 UTC`.
fn minute(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_owned())
}
