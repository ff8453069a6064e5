//! The audit report: what `azdo-gate audit --json` prints, what the wizard's permissions and coverage
//! steps show, and what the planner turns into actions.

use std::collections::BTreeMap;

use serde::Serialize;

use super::deliveries::DeliveryHealth;
use crate::ado::models::{SubscriptionStatus, UnknownItem};
use crate::org::{Identity, OrgInfo, user_name};
use crate::profile::SubscriptionScope;

/// Where the project list came from: the projects API, or (when the token may not list projects,
/// which the gate's scopes do not allow) the projects of the visible repositories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectsSource {
    ProjectsApi,
    Repositories,
}

/// Service-hook permissions of the integration user in one project; `None` = unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct HookPermissions {
    pub view: Option<bool>,
    pub edit: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectAudit {
    pub id: String,
    pub name: String,
    pub service_hooks: HookPermissions,
    pub edit_policies: Option<bool>,
    /// Git "Contribute to pull requests": without it the gate cannot post the status a blocking
    /// policy waits for.
    pub contribute_pull_requests: Option<bool>,
    /// Why permissions are unknown (the evaluation call was refused), for the human report.
    #[serde(skip)]
    pub permissions_note: Option<String>,
    /// Every applicable repository of the project is covered.
    #[serde(skip)]
    pub fully_covered: bool,
}

impl ProjectAudit {
    /// The user certainly cannot manage service hooks or policies here (unknown is not a gap).
    pub fn lacks_permissions(&self) -> bool {
        self.service_hooks.view == Some(false)
            || self.service_hooks.edit == Some(false)
            || self.edit_policies == Some(false)
            || self.contribute_pull_requests == Some(false)
    }

    /// Permissions could not be determined.
    pub fn permissions_unknown(&self) -> bool {
        self.service_hooks.edit.is_none()
            || self.edit_policies.is_none()
            || self.contribute_pull_requests.is_none()
    }
}

/// Coverage of one repository, per DESIGN.md's coverage model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Ordered worst first, so sorting by coverage puts problems on top.
    Missing,
    Unhealthy,
    Partial,
    Covered,
    NotApplicable,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Covered => "covered",
            Self::Partial => "partial",
            Self::Unhealthy => "unhealthy",
            Self::Missing => "missing",
            Self::NotApplicable => "not_applicable",
        }
    }
}

/// The state of one profile event for one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventStatus {
    Enabled,
    OnProbation,
    DisabledBySystem,
    DisabledByUser,
    DisabledByInactiveIdentity,
    /// A subscription status this tool does not know (the server-side enum has more values than
    /// the documented five), as the server spelled it; shown as `other(<value>)`.
    Other(String),
    Absent,
}

impl EventStatus {
    /// The JSON and report spelling: the API's for known statuses, `other(<value>)` otherwise.
    pub fn label(&self) -> String {
        match self {
            Self::Enabled => "enabled".into(),
            Self::OnProbation => "onProbation".into(),
            Self::DisabledBySystem => "disabledBySystem".into(),
            Self::DisabledByUser => "disabledByUser".into(),
            Self::DisabledByInactiveIdentity => "disabledByInactiveIdentity".into(),
            Self::Other(value) => format!("other({value})"),
            Self::Absent => "absent".into(),
        }
    }
}

impl Serialize for EventStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

impl From<&SubscriptionStatus> for EventStatus {
    fn from(s: &SubscriptionStatus) -> Self {
        match s {
            SubscriptionStatus::Enabled => Self::Enabled,
            SubscriptionStatus::OnProbation => Self::OnProbation,
            SubscriptionStatus::DisabledBySystem => Self::DisabledBySystem,
            SubscriptionStatus::DisabledByUser => Self::DisabledByUser,
            SubscriptionStatus::DisabledByInactiveIdentity => Self::DisabledByInactiveIdentity,
            SubscriptionStatus::Other(value) => Self::Other(value.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventCoverage {
    pub event_type: String,
    pub status: EventStatus,
    /// The matching subscription (the best one when several match), if any.
    pub subscription_id: Option<String>,
    /// Whether that subscription is for this repository or the whole project.
    pub scope: Option<SubscriptionScope>,
    /// Extra enabled subscriptions delivering this event to the gate again: what a repair
    /// deletes (never the one kept).
    pub duplicate_subscription_ids: Vec<String>,
    /// The matching subscription's basic-auth user: a replacement must keep basic auth.
    #[serde(skip)]
    pub basic_auth_user: Option<String>,
    /// Azure DevOps' delivery history of that subscription (`audit --deliveries`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<DeliveryHealth>,
    /// The publisher inputs that restrict which pull requests the subscription delivers
    /// (`branch`, `pullrequestCreatedBy`, ...); `None` when it delivers every one.
    pub filters: Option<BTreeMap<String, String>>,
    /// Some of those filters are not ones the profile asks for: the subscription misses pull
    /// requests, so the event is not covered.
    #[serde(skip)]
    pub restricted: bool,
}

impl EventCoverage {
    /// Enabled and delivering every pull request the profile wants.
    pub fn is_full(&self) -> bool {
        self.status == EventStatus::Enabled && !self.restricted
    }
}

/// Whether a Status policy makes the gate's status required on the repository's default branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyPresence {
    Present,
    Absent,
    NotRequired,
    /// The profile asks for a blocking policy; the matching one is optional.
    NotBlocking,
    /// The matching policy is disabled.
    Disabled,
    /// The matching policy accepts only statuses posted by another identity
    /// (`settings.authorId`), so the gate's status can never satisfy it.
    OtherAuthor,
    /// A Status policy of the project could not be read: it may be the gate's, so none is created
    /// beside it.
    Unknown,
}

impl PolicyPresence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Absent => "absent",
            Self::NotRequired => "not_required",
            Self::NotBlocking => "not_blocking",
            Self::Disabled => "disabled",
            Self::OtherAuthor => "other_author",
            Self::Unknown => "unknown",
        }
    }

    /// The policy requirement is met (or there is none).
    pub fn is_satisfied(self) -> bool {
        matches!(self, Self::Present | Self::NotRequired)
    }

    /// A policy exists that `update_status_policy` can put right.
    pub fn is_repairable(self) -> bool {
        matches!(self, Self::NotBlocking | Self::Disabled | Self::OtherAuthor)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RepositoryAudit {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub project: String,
    pub default_branch: Option<String>,
    pub disabled: bool,
    pub new: bool,
    pub coverage: Coverage,
    pub events: Vec<EventCoverage>,
    pub status_policy: PolicyPresence,
    /// The Status policy `status_policy` describes (the one to update when it is not present).
    pub status_policy_id: Option<i64>,
    /// Extra Status policies requiring the gate's status on the default branch again: what a
    /// repair deletes (never the one kept).
    pub duplicate_status_policy_ids: Vec<String>,
}

impl RepositoryAudit {
    /// More than one enabled subscription for an event, or more than one Status policy.
    pub fn has_duplicates(&self) -> bool {
        !self.duplicate_status_policy_ids.is_empty()
            || self
                .events
                .iter()
                .any(|e| !e.duplicate_subscription_ids.is_empty())
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AuditSummary {
    pub projects: usize,
    pub projects_missing_permissions: usize,
    pub repositories: usize,
    /// Printed as the summary's own fields (`covered`, `partial`, …), as before it was shared.
    #[serde(flatten)]
    pub coverage: CoverageCounts,
    pub new: usize,
    /// Extra subscriptions (each counted once) a repair deletes.
    pub duplicate_subscriptions: usize,
    /// Extra Status policies a repair deletes.
    pub duplicate_status_policies: usize,
    /// Gate subscriptions whose last delivery failed (`audit --deliveries`; 0 otherwise).
    pub failing_deliveries: usize,
}

/// Repositories per coverage class: the audit's summary, `configure`'s `coverage_after` and the
/// wizard's counts are all this one count.
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

    /// Repositories that need attention: partial, unhealthy or missing.
    pub fn gaps(&self) -> usize {
        self.partial + self.unhealthy + self.missing
    }

    /// Every counted repository is covered or not applicable.
    pub fn all_covered(&self) -> bool {
        self.gaps() == 0
    }
}

/// A project-wide subscription (no repository filter) for one event, as the planner needs it when
/// the profile's scope is `project`.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectSubscription {
    pub project_id: String,
    pub event_type: String,
    pub subscription_id: String,
    pub status: EventStatus,
    /// Its basic-auth user: a replacement must keep basic auth.
    #[serde(skip)]
    pub basic_auth_user: Option<String>,
    /// Filters the profile does not ask for restrict it (see [`EventCoverage::restricted`]).
    pub restricted: bool,
}

impl ProjectSubscription {
    pub fn is_full(&self) -> bool {
        self.status == EventStatus::Enabled && !self.restricted
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub organization: OrgInfo,
    pub projects_source: ProjectsSource,
    pub projects: Vec<ProjectAudit>,
    pub repositories: Vec<RepositoryAudit>,
    pub summary: AuditSummary,
    /// HTTP requests the audit made.
    pub requests: u64,
    /// Project-wide subscriptions to the profile's URL (all statuses), for planning.
    #[serde(skip)]
    pub project_subscriptions: Vec<ProjectSubscription>,
    /// Projects that have a project-wide Status policy on the default branch, for planning.
    #[serde(skip)]
    pub projects_with_policy: Vec<String>,
    /// The integration user (the token's identity, the policy's authorized account), when known:
    /// reports name it and print its sign-in name in commands.
    #[serde(skip)]
    pub user: Option<Identity>,
    /// List items Azure DevOps returned that the tool could not understand; the audit went on
    /// without them.
    pub unknown_items: Vec<UnknownItem>,
}

impl AuditReport {
    /// Exit-code verdict: every applicable repository covered and no project lacking permissions.
    pub fn healthy(&self) -> bool {
        self.summary.projects_missing_permissions == 0
            && self.summary.duplicate_subscriptions == 0
            && self.summary.duplicate_status_policies == 0
            && self.summary.coverage.all_covered()
            && self.summary.failing_deliveries == 0
    }

    /// The repository ids to store as the snapshot for "new since last run".
    pub fn repository_ids(&self) -> Vec<String> {
        self.repositories.iter().map(|r| r.id.clone()).collect()
    }

    /// The integration user's id, when known.
    pub fn user_id(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.id.as_str())
    }

    /// What reports call the integration user (see [`user_name`]).
    pub fn user_name(&self) -> String {
        user_name(self.user.as_ref())
    }

    pub fn project(&self, id: &str) -> Option<&ProjectAudit> {
        self.projects.iter().find(|p| p.id == id)
    }
}
