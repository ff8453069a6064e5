//! The audit engine: service-hook permissions per project and gating coverage per repository, in a
//! number of requests that grows with projects, never with repositories.

mod report;

pub use report::{
    AuditReport, AuditSummary, Coverage, EventCoverage, EventStatus, HookPermissions,
    PolicyPresence, ProjectAudit, ProjectSubscription, ProjectsSource, RepositoryAudit,
};
