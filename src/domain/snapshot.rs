//! The repository snapshot: which repositories the last audit saw, so the next one can mark the
//! others as new.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::audit::AuditReport;
use crate::org::OrgUrl;
use crate::store::{Snapshot, State};

/// The repository ids the previous run saw; `None` on the first run (then nothing is "new").
pub fn previous_repository_ids(state: &State, org: &OrgUrl) -> Option<BTreeSet<String>> {
    let snapshot = state.org(&org.key())?.snapshot.as_ref()?;
    Some(snapshot.repository_ids.iter().cloned().collect())
}

/// Records the repositories of an audit finished at `taken_at`.
pub fn record_snapshot(state: &mut State, org: &OrgUrl, report: &AuditReport, taken_at: Timestamp) {
    state.org_mut(&org.key(), org.name(), org.base()).snapshot = Some(Snapshot {
        taken_at,
        repository_ids: report.repository_ids(),
    });
}
