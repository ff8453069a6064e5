//! Human output of `azdo-gate check`, modelled on `gh auth status`: one line per check with
//! ✓ / ✗ / !, and each finding (with its fix) indented under the line it is about.

use std::fmt::Write as _;

use super::clean::escape_controls;
use super::style::{self, marks};
use crate::checks::{Finding, FindingCode, ScopeStatus, Severity, TokenReport};

/// The line of the report a finding belongs under.
#[derive(PartialEq, Eq)]
enum Line {
    Token,
    Identity,
    Scope(&'static str),
    Excess,
    Expiry,
}

/// `accepted`: Azure DevOps accepted the token; if it did not, an expiry finding is its verdict on
/// the token rather than a date computed here.
fn line_of(finding: &Finding, accepted: bool) -> Line {
    match finding.code {
        FindingCode::TokenFormat
        | FindingCode::OrgNotFound
        | FindingCode::TokenRejected
        | FindingCode::TokenAnonymous => Line::Token,
        FindingCode::TokenExpired if !accepted => Line::Token,
        FindingCode::NoRepositories => Line::Identity,
        FindingCode::ScopeMissing | FindingCode::ScopeUnknown => {
            finding.scope.map_or(Line::Excess, Line::Scope)
        }
        FindingCode::ScopeExcess => Line::Excess,
        FindingCode::TokenExpired
        | FindingCode::ExpirySoon
        | FindingCode::ExpiryShort
        | FindingCode::ExpiryUnknown => Line::Expiry,
    }
}

fn mark_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => marks().fail,
        Severity::Warning => marks().warn,
        Severity::Info => "-",
    }
}

/// Writes one check line, then the findings that belong to it, indented.
fn check_line(out: &mut String, report: &TokenReport, mark: &str, text: &str, line: &Line) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "  {mark} {text}");
    for finding in report
        .findings
        .iter()
        .filter(|f| line_of(f, report.identity.is_some()) == *line)
    {
        let _ = writeln!(out, "      {}", finding.message);
        if let Some(fix) = &finding.fix {
            let _ = writeln!(out, "      Fix: {fix}");
        }
    }
}

/// The worst mark among the findings of a line, or `ok` when it has none.
fn worst(report: &TokenReport, line: &Line, ok: &'static str) -> &'static str {
    report
        .findings
        .iter()
        .filter(|f| line_of(f, report.identity.is_some()) == *line)
        .map(|f| f.severity)
        .min()
        .map_or(ok, mark_of)
}

pub fn check_text(report: &TokenReport) -> String {
    let mut out = String::new();
    let org = &report.organization;
    let _ = writeln!(out, "{} ({})", org.name, org.url);
    let source = report.token.source.describe();
    let format = report.token.format.as_str();
    match &report.identity {
        Some(id) => {
            let token_mark = worst(report, &Line::Token, marks().ok);
            check_line(
                &mut out,
                report,
                token_mark,
                &format!("Token accepted (from {source}, {format} format)"),
                &Line::Token,
            );
            let unique = if id.unique_name.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape_controls(&id.unique_name))
            };
            check_line(
                &mut out,
                report,
                worst(report, &Line::Identity, marks().ok),
                &format!(
                    "Comments will appear as {}{unique}",
                    escape_controls(&id.display_name)
                ),
                &Line::Identity,
            );
        }
        None => check_line(
            &mut out,
            report,
            marks().fail,
            &format!("Token not accepted (from {source})"),
            &Line::Token,
        ),
    }
    for scope in &report.scopes {
        let (mark, word) = match scope.status {
            ScopeStatus::Granted => (marks().ok, "granted"),
            ScopeStatus::Implied => (marks().ok, "implied by Code (Read & Write)"),
            ScopeStatus::Missing => (marks().fail, "missing"),
            ScopeStatus::Unknown => (marks().warn, "unknown"),
        };
        check_line(
            &mut out,
            report,
            mark,
            &format!("{}: {word}", scope.label),
            &Line::Scope(scope.scope),
        );
    }
    if report
        .findings
        .iter()
        .any(|f| line_of(f, report.identity.is_some()) == Line::Excess)
    {
        check_line(
            &mut out,
            report,
            marks().warn,
            "More access than the gate needs",
            &Line::Excess,
        );
    }
    let expiry = &report.expiry;
    let expiry_text = match (expiry.expires_on, expiry.days_left) {
        (Some(date), Some(days)) if days >= 0 => format!("Expires {date} ({days} days left)"),
        (Some(date), _) => format!("Expired on {date}"),
        _ => "Expiry unknown".to_owned(),
    };
    // An expired date is a failure whichever line its finding went to (a rejected token's
    // expiry verdict sits under the token line): never "✓ Expired on".
    let expiry_mark = if expiry.days_left.is_some_and(|d| d < 0) {
        marks().fail
    } else {
        worst(report, &Line::Expiry, marks().ok)
    };
    check_line(&mut out, report, expiry_mark, &expiry_text, &Line::Expiry);
    let _ = writeln!(
        out,
        "\n{}",
        if report.ok {
            style::good("The token is ready for the gate.")
        } else {
            style::bad("The token is not ready for the gate.")
        }
    );
    out
}
