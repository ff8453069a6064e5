//! What a token check teaches about the stored token, remembered in `state.toml`.

use jiff::Timestamp;

use crate::checks::{ScopeStatus, TokenReport};
use crate::store::TokenMeta;

/// Records the identity and the scopes `report` found, checked at `at` (never the token itself).
/// An identity the check could not establish leaves the one recorded before.
pub fn record_check(meta: &mut TokenMeta, report: &TokenReport, at: Timestamp) {
    if let Some(identity) = &report.identity {
        meta.identity = Some(identity.clone());
    }
    meta.scopes_seen = report
        .scopes
        .iter()
        .filter(|s| matches!(s.status, ScopeStatus::Granted | ScopeStatus::Implied))
        .map(|s| s.scope.to_owned())
        .collect();
    meta.checked_at = Some(at);
}
