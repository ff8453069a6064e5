//! Apply, then prove it: a fresh audit after the changes, counted over the repositories the plan
//! touched, so the admin sees coverage as Azure DevOps now reports it rather than as hoped.

use std::collections::BTreeSet;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{CoverageCounts, Plan};
use super::apply::{ActionResult, ApplyEvent, ApplyInput, apply};
use crate::ado::Client;
use crate::audit::{self, AuditInput, AuditReport};

/// What applying a plan did, and the coverage it left behind.
#[derive(Debug, Clone)]
pub struct ApplyReport {
    pub results: Vec<ActionResult>,
    /// Coverage of the touched repositories per the verifying audit; `None` when it failed.
    pub coverage_after: Option<CoverageCounts>,
    /// Why the verifying audit failed, for the admin.
    pub verify_error: Option<String>,
}

/// [`apply`] followed by a fresh audit.
pub async fn apply_and_verify(
    client: &Client,
    input: ApplyInput<'_>,
    audit_input: &AuditInput,
    progress: Option<UnboundedSender<ApplyEvent>>,
) -> ApplyReport {
    let plan = input.plan;
    let stop = input.stop.clone();
    let results = apply(client, input, progress).await;
    if stop.is_some_and(|s| s.is_raised()) {
        // Interrupted: the admin asked to stop, not for another full audit.
        return ApplyReport {
            results,
            coverage_after: None,
            verify_error: None,
        };
    }
    match audit::run(client, audit_input, None).await {
        Ok(report) => ApplyReport {
            results,
            coverage_after: Some(touched_coverage(plan, &report)),
            verify_error: None,
        },
        Err(e) => {
            tracing::warn!(error = %e, "the verifying audit failed");
            ApplyReport {
                results,
                coverage_after: None,
                verify_error: Some(e.to_string()),
            }
        }
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
