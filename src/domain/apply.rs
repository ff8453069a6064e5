//! Apply, then prove it: a fresh audit after the changes, so the admin sees coverage as Azure
//! DevOps now reports it rather than as hoped.

use std::collections::BTreeSet;

use tokio::sync::mpsc::UnboundedSender;

use crate::ado::{AdoError, Client};
use crate::audit::{self, AuditInput, AuditReport, CoverageCounts};
use crate::plan::{self, ActionResult, ApplyEvent, ApplyInput, Plan};

/// What applying a plan did, and the organization it left behind.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub results: Vec<ActionResult>,
    /// The verifying audit of the whole organization (the wizard shows all of it); `None` when
    /// the apply was interrupted, since the admin asked to stop rather than for another audit.
    pub after: Option<Result<AuditReport, AdoError>>,
    /// Coverage of the repositories the plan touched, per `after`; `None` without one.
    pub coverage_after: Option<CoverageCounts>,
}

/// [`plan::apply`] followed by a fresh audit, unless the apply was stopped.
pub async fn apply_and_verify(
    client: &Client,
    input: ApplyInput<'_>,
    audit_input: &AuditInput,
    progress: Option<UnboundedSender<ApplyEvent>>,
) -> ApplyReport {
    let plan = input.plan;
    let stop = input.stop.clone();
    let results = plan::apply(client, input, progress).await;
    if stop.is_some_and(|s| s.is_raised()) {
        // Interrupted: the admin asked to stop, not for another full audit.
        return ApplyReport {
            results,
            after: None,
            coverage_after: None,
        };
    }
    let after = audit::run(client, audit_input, None).await;
    if let Err(e) = &after {
        tracing::warn!(error = %e, "the verifying audit failed");
    }
    ApplyReport {
        results,
        coverage_after: after.as_ref().ok().map(|r| touched_coverage(plan, r)),
        after: Some(after),
    }
}

/// Coverage of the repositories the plan's work actions touch: the repository of each action, and
/// every repository of the project for a project-wide action.
pub fn touched_coverage(plan: &Plan, report: &AuditReport) -> CoverageCounts {
    let work = plan.actions.iter().filter(|a| a.kind.is_work());
    let mut repositories = BTreeSet::new();
    let mut projects = BTreeSet::new();
    for action in work {
        match &action.repository_id {
            Some(id) => repositories.insert(id.to_ascii_lowercase()),
            None => projects.insert(action.project_id.to_ascii_lowercase()),
        };
    }
    CoverageCounts::count(report.repositories.iter().filter(|r| {
        repositories.contains(&r.id.to_ascii_lowercase())
            || projects.contains(&r.project_id.to_ascii_lowercase())
    }))
}
