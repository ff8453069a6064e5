//! The audit engine: service-hook permissions per project and gating coverage per repository, in a
//! number of requests that grows with projects, never with repositories.
//!
//! For P projects (status check required): 1 `connectionData` + 1 repository listing + ⌈P/100⌉
//! project pages (1 refused request with the gate's token) + ⌈P/125⌉ permission batches + 1
//! subscription listing + one Status-policy listing per project that has an enabled repository.

mod assemble;
mod coverage;
pub mod deliveries;
mod engine;
mod permissions;
mod progress;
mod report;
pub mod test_delivery;

use std::collections::BTreeSet;

use crate::profile::GateProfile;

pub use engine::run;
pub use permissions::{ISOLATION_BUDGET, MAX_EVALUATIONS_PER_BATCH, PROJECTS_PER_BATCH};
pub use progress::{AuditEvent, AuditPhase};
pub use report::{
    AuditReport, AuditSummary, Coverage, CoverageCounts, EventCoverage, EventStatus,
    HookPermissions, PolicyPresence, ProjectAudit, ProjectSubscription, ProjectsSource,
    RepositoryAudit,
};

/// What to audit against.
#[derive(Debug, Clone)]
pub struct AuditInput {
    /// The gate profile: webhook URL, events, status check. Without a webhook URL no subscription
    /// can be recognised as the gate's, so callers ask for one first.
    pub profile: GateProfile,
    /// Repository ids of the snapshot stored by the previous run; `None` = first run: nothing is
    /// new.
    pub previous: Option<BTreeSet<String>>,
}
