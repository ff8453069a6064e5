//! The findings the check engine can report, each with a concrete fix. Wording lives here, in one
//! place, so the CLI and the wizard say the same thing.

use super::report::{Finding, FindingCode, Severity};
use crate::ado::AdoError;
use crate::org::OrgUrl;
use crate::words::count;

fn finding(severity: Severity, code: FindingCode, message: String, fix: Option<String>) -> Finding {
    Finding {
        severity,
        code,
        message,
        fix,
        scope: None,
    }
}

fn new_token_fix(org: &OrgUrl) -> String {
    format!(
        "Create a new token at {} for this organization only, with Work Items (Read & Write), Code (Read & Write), Code (Status) and Build (Read).",
        org.tokens_page()
    )
}

pub(super) fn token_format(warning: &str, org: &OrgUrl) -> Finding {
    // The format check words its warning as a clause; a finding is a sentence.
    let mut chars = warning.chars();
    let sentence = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    finding(
        Severity::Warning,
        FindingCode::TokenFormat,
        sentence,
        Some(format!(
            "Copy the token again from the page shown right after creating it (it is shown once); tokens are listed at {}.",
            org.tokens_page()
        )),
    )
}

/// Turns a refusal of `connectionData` into a finding; `None` for failures that are not about the
/// organization or the token (the check could not run).
pub(super) fn connection_refusal(error: &AdoError, org: &OrgUrl) -> Option<Finding> {
    let f = match error {
        AdoError::NotFound { .. } => finding(
            Severity::Error,
            FindingCode::OrgNotFound,
            format!("No organization named \"{}\" answered at {}.", org.name(), org.base()),
            Some("Check the spelling: it is the name after dev.azure.com/ in your browser's address bar.".into()),
        ),
        AdoError::TokenExpired { .. } => finding(
            Severity::Error,
            FindingCode::TokenExpired,
            "Azure DevOps says this token has expired.".into(),
            Some(new_token_fix(org)),
        ),
        AdoError::AnonymousIdentity => finding(
            Severity::Error,
            FindingCode::TokenAnonymous,
            "Azure DevOps treated the request as anonymous: the token was not accepted (this organization allows public projects, so it answers bad tokens as a visitor).".into(),
            Some(new_token_fix(org)),
        ),
        AdoError::TokenRejected { .. } | AdoError::ScopeMissing { .. } => finding(
            Severity::Error,
            FindingCode::TokenRejected,
            format!(
                "{} did not accept the token: it is mistyped, revoked, or created for another organization.",
                org.name()
            ),
            Some(new_token_fix(org)),
        ),
        _ => return None,
    };
    Some(f)
}

pub(super) fn scope_missing(scope: &'static str, label: &str, org: &OrgUrl) -> Finding {
    let mut found = finding(
        Severity::Error,
        FindingCode::ScopeMissing,
        format!("The token lacks the {label} scope."),
        Some(format!(
            "Edit the token at {} and tick {label} (use \"Show all scopes\" if it is hidden), or create a new token with all four scopes.",
            org.tokens_page()
        )),
    );
    found.scope = Some(scope);
    found
}

pub(super) fn scope_unknown(
    scope: &'static str,
    label: &str,
    reason: &str,
    org: &OrgUrl,
) -> Finding {
    let mut found = finding(
        Severity::Warning,
        FindingCode::ScopeUnknown,
        format!("Could not tell whether the token has {label}: {reason}."),
        Some(format!(
            "Make sure {label} is ticked for this token at {}.",
            org.tokens_page()
        )),
    );
    found.scope = Some(scope);
    found
}

pub(super) fn scope_excess(org: &OrgUrl) -> Finding {
    finding(
        Severity::Warning,
        FindingCode::ScopeExcess,
        "The token can read agent pools, which the gate does not need: it probably has Full access.".into(),
        Some(format!(
            "Create a custom-scoped token at {} with only Work Items (Read & Write), Code (Read & Write), Code (Status) and Build (Read), then revoke this one.",
            org.tokens_page()
        )),
    )
}

pub(super) fn no_repositories(org: &OrgUrl) -> Finding {
    finding(
        Severity::Error,
        FindingCode::NoRepositories,
        "The token's user sees no repositories: it probably has Stakeholder access, or is not a member of any project.".into(),
        Some(format!(
            "In {}/_settings/users give the user the Basic access level and add it to the projects to gate (Project Administrators lets it manage service hooks too).",
            org.base()
        )),
    )
}

pub(super) fn expiry_unknown(org: &OrgUrl) -> Finding {
    finding(
        Severity::Warning,
        FindingCode::ExpiryUnknown,
        "The expiry date is unknown: a token cannot read its own expiry.".into(),
        Some(format!(
            "Pass --expires-on YYYY-MM-DD with the date shown at {} (or store the token with the wizard, which records it).",
            org.tokens_page()
        )),
    )
}

pub(super) fn token_expired_by_date(expires_on: jiff::civil::Date, org: &OrgUrl) -> Finding {
    finding(
        Severity::Error,
        FindingCode::TokenExpired,
        format!("The token expired on {expires_on}."),
        Some(new_token_fix(org)),
    )
}

pub(super) fn expiry_soon(expires_on: jiff::civil::Date, days_left: i64, org: &OrgUrl) -> Finding {
    finding(
        Severity::Error,
        FindingCode::ExpirySoon,
        format!(
            "The token expires on {expires_on}, in {}.",
            count(days_left, "day", "days")
        ),
        Some(format!(
            "Rotate it now: run `azdo-gate` and choose \"rotate the token\" (or create a new one at {}).",
            org.tokens_page()
        )),
    )
}

pub(super) fn expiry_short(expires_on: jiff::civil::Date, days_left: i64) -> Finding {
    finding(
        Severity::Warning,
        FindingCode::ExpiryShort,
        format!(
            "The token expires on {expires_on}, in {}: less than the one year Azure DevOps allows.",
            count(days_left, "day", "days")
        ),
        Some("If that was not your choice, a tenant or organization policy caps token lifetimes; plan the next rotation for that date.".into()),
    )
}
