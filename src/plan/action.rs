//! The plan's vocabulary: what will be changed, where, and why.

use serde::Serialize;

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
    /// Delete an extra enabled subscription that delivers the same event to the gate again.
    DeleteDuplicateSubscription,
    /// Delete an extra Status policy that requires the same status on the same branch again.
    DeleteDuplicateStatusPolicy,
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
            Self::DeleteDuplicateSubscription => "delete_duplicate_subscription",
            Self::DeleteDuplicateStatusPolicy => "delete_duplicate_status_policy",
            Self::UpdateStatusPolicy => "update_status_policy",
            Self::Skip => "skip",
        }
    }

    /// What the admin reads for it, in the wizard and in `configure`'s text alike.
    pub fn words(self) -> &'static str {
        match self {
            Self::CreateSubscription => "create subscription",
            Self::RecreateSubscription => "recreate subscription",
            Self::EnableSubscription => "enable subscription",
            Self::CreateStatusPolicy => "create Status policy",
            Self::DeleteDuplicateSubscription => "delete duplicate subscription",
            Self::DeleteDuplicateStatusPolicy => "delete duplicate Status policy",
            Self::UpdateStatusPolicy => "update Status policy",
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
    /// The existing subscription a recreate, enable or duplicate delete acts on.
    pub subscription_id: Option<String>,
    /// The existing Status policy a duplicate delete acts on.
    pub policy_id: Option<String>,
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
