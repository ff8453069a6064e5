//! The plan's vocabulary: what will be changed, where, and why.

use serde::Serialize;

use crate::audit::{Coverage, RepositoryAudit};

/// One kind of change (or a deliberate non-change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    CreateSubscription,
    /// Delete and create again: updating a system-disabled subscription is known not to revive it.
    RecreateSubscription,
    /// Replace with status `enabled` (a user disabled it), falling back to a recreate.
    EnableSubscription,
    CreateStatusPolicy,
    /// Put an existing Status policy right (enabled, blocking, open to the integration user's
    /// statuses) instead of creating a second one.
    UpdateStatusPolicy,
    Skip,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateSubscription => "create_subscription",
            Self::RecreateSubscription => "recreate_subscription",
            Self::EnableSubscription => "enable_subscription",
            Self::CreateStatusPolicy => "create_status_policy",
            Self::UpdateStatusPolicy => "update_status_policy",
            Self::Skip => "skip",
        }
    }

    /// Whether carrying it out writes to Azure DevOps.
    pub fn is_work(self) -> bool {
        self != Self::Skip
    }
}

/// One planned change. `repository_id: None` means the whole project (a project-wide subscription
/// or policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub kind: ActionKind,
    pub project_id: String,
    /// Project name, for display.
    pub project: String,
    pub repository_id: Option<String>,
    /// Repository name, for display.
    pub repository: Option<String>,
    pub event_type: Option<String>,
    pub reason: String,
    /// The existing subscription a recreate or enable acts on.
    pub subscription_id: Option<String>,
    /// The existing Status policy an update acts on.
    pub policy_id: Option<i64>,
    /// The branch a repository's Status policy protects (its default branch); `None` for a
    /// project-wide policy, which follows each repository's default branch.
    pub ref_name: Option<String>,
    /// What the admin can do about a skip.
    pub fix: Option<String>,
}

/// The ordered list of actions, grouped by project, project-wide actions before each repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub actions: Vec<Action>,
}

impl Plan {
    /// Actions that write to Azure DevOps.
    pub fn work_count(&self) -> usize {
        self.actions.iter().filter(|a| a.kind.is_work()).count()
    }

    /// Nothing to change (skips only, or nothing at all): the organization already matches.
    pub fn is_empty_of_work(&self) -> bool {
        self.work_count() == 0
    }
}

/// Whether a report is a plan or the outcome of applying one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Plan,
    Apply,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Apply => "apply",
        }
    }
}

/// Repositories per coverage class, as `coverage_after` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CoverageCounts {
    pub covered: usize,
    pub partial: usize,
    pub unhealthy: usize,
    pub missing: usize,
    pub not_applicable: usize,
}

impl CoverageCounts {
    pub fn count<'a>(repositories: impl IntoIterator<Item = &'a RepositoryAudit>) -> Self {
        let mut counts = Self::default();
        for repository in repositories {
            let slot = match repository.coverage {
                Coverage::Covered => &mut counts.covered,
                Coverage::Partial => &mut counts.partial,
                Coverage::Unhealthy => &mut counts.unhealthy,
                Coverage::Missing => &mut counts.missing,
                Coverage::NotApplicable => &mut counts.not_applicable,
            };
            *slot += 1;
        }
        counts
    }

    /// Every counted repository is covered or not applicable.
    pub fn all_covered(&self) -> bool {
        self.partial == 0 && self.unhealthy == 0 && self.missing == 0
    }
}
