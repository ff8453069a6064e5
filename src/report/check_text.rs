//! Human output of `azdo-gate check`, modelled on `gh auth status`: one line per check, the fix
//! under each failure.

use std::fmt::Write as _;

use super::MARKS;
use crate::checks::{ScopeStatus, Severity, TokenReport};

pub fn check_text(report: &TokenReport) -> String {
    let mut out = String::new();
    let org = &report.organization;
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{} ({})", org.name, org.url);
    let source = report.token.source.describe();
    let format = report.token.format.as_str();
    match &report.identity {
        Some(id) => {
            let _ = writeln!(
                out,
                "  {} Token accepted (from {source}, {format} format)",
                MARKS.ok
            );
            let unique = if id.unique_name.is_empty() {
                String::new()
            } else {
                format!(" ({})", id.unique_name)
            };
            let _ = writeln!(
                out,
                "  {} Comments will appear as {}{unique}",
                MARKS.ok, id.display_name
            );
        }
        None => {
            let _ = writeln!(out, "  {} Token not accepted (from {source})", MARKS.fail);
        }
    }
    for scope in &report.scopes {
        let (mark, word) = match scope.status {
            ScopeStatus::Granted => (MARKS.ok, "granted"),
            ScopeStatus::Implied => (MARKS.ok, "implied by Code (Read & Write)"),
            ScopeStatus::Missing => (MARKS.fail, "missing"),
            ScopeStatus::Unknown => (MARKS.warn, "unknown"),
        };
        let _ = writeln!(out, "  {mark} {}: {word}", scope.label);
    }
    let expiry = &report.expiry;
    match (expiry.expires_on, expiry.days_left) {
        (Some(date), Some(days)) if days >= 0 => {
            let _ = writeln!(out, "  {} Expires {date} ({days} days left)", MARKS.ok);
        }
        (Some(date), _) => {
            let _ = writeln!(out, "  {} Expired on {date}", MARKS.fail);
        }
        _ => {
            let _ = writeln!(out, "  {} Expiry unknown", MARKS.warn);
        }
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out);
    }
    for finding in &report.findings {
        let mark = match finding.severity {
            Severity::Error => MARKS.fail,
            Severity::Warning => MARKS.warn,
            Severity::Info => "-",
        };
        let _ = writeln!(out, "{mark} {}", finding.message);
        if let Some(fix) = &finding.fix {
            let _ = writeln!(out, "    Fix: {fix}");
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        if report.ok {
            "The token is ready for the gate."
        } else {
            "The token is not ready for the gate."
        }
    );
    out
}
