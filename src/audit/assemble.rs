//! Turns the fetched answers into the [`AuditReport`]: classification, project verdicts, the
//! planner's extras, the summary and the order reports show. Pure, so every rule is unit-tested
//! without a server.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::AuditInput;
use super::coverage::{PolicyIndex, Preference, SubscriptionIndex, classify};
use super::permissions::ProjectPermissions;
use super::report::{
    AuditReport, AuditSummary, Coverage, CoverageCounts, EventCoverage, EventStatus,
    PolicyPresence, ProjectAudit, ProjectSubscription, ProjectsSource, RepositoryAudit,
};
use crate::ado::models::{Listed, PolicyConfiguration, Repository, UnknownItem};
use crate::org::{Identity, OrgInfo};
use crate::profile::REPO_CREATED_EVENT;

/// A project as the audit knows it (from the projects API or a repository's `project`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProjectRef {
    pub id: String,
    pub name: String,
}

/// Everything the engine fetched.
pub(super) struct Fetched<'a> {
    pub user: Identity,
    pub projects_source: ProjectsSource,
    pub projects: Vec<ProjectRef>,
    /// By lowercase project id; a project missing here has unknown permissions.
    pub permissions: HashMap<String, ProjectPermissions>,
    pub repositories: &'a [Repository],
    /// The gate's subscriptions (the full list is dropped once indexed).
    pub subscriptions: &'a SubscriptionIndex,
    /// Status policies by lowercase project id; `None` when the profile does not require them.
    pub policies: Option<&'a BTreeMap<String, Listed<PolicyConfiguration>>>,
    /// List items that could not be read (subscriptions, repositories); unreadable policies and
    /// gate subscriptions with unknown statuses are added while assembling.
    pub unknown_items: Vec<UnknownItem>,
}

pub(super) fn assemble(
    organization: OrgInfo,
    input: &AuditInput,
    fetched: &Fetched<'_>,
    requests: u64,
) -> AuditReport {
    let profile = &input.profile;
    let subscriptions = fetched.subscriptions;
    let prefer = Preference {
        url: profile.webhook_url.as_ref().map_or("", |u| u.as_str()),
        basic_auth_user: profile.basic_auth_user.as_deref(),
    };
    let mut unknown_items = fetched.unknown_items.clone();
    let policies = fetched.policies.map(|by_project| {
        PolicyIndex::new(
            by_project
                .iter()
                .map(|(p, l)| (p.as_str(), l.items.as_slice(), l.unknown.as_slice())),
            &profile.status_check,
            Some(fetched.user.id.as_str()),
            &mut unknown_items,
        )
    });

    let mut repositories: Vec<RepositoryAudit> = fetched
        .repositories
        .iter()
        .map(|repo| {
            let events: Vec<_> = profile
                .events
                .iter()
                .map(|e| EventCoverage {
                    duplicate_subscription_ids: subscriptions.duplicates(repo, e, &prefer),
                    ..subscriptions.event_coverage(repo, e)
                })
                .collect();
            let (status_policy, status_policy_id) = policies
                .as_ref()
                .map_or((PolicyPresence::NotRequired, None), |p| p.presence(repo));
            let duplicate_status_policy_ids = policies
                .as_ref()
                .map_or_else(Vec::new, |p| p.duplicates(repo));
            let coverage = classify(repo, &events, status_policy);
            RepositoryAudit {
                id: repo.id.clone(),
                name: repo.name.clone(),
                project_id: repo.project.id.clone(),
                project: repo.project.name.clone(),
                default_branch: repo.default_branch.clone(),
                disabled: repo.is_disabled,
                new: input
                    .previous
                    .as_ref()
                    .is_some_and(|p| !p.contains(&repo.id)),
                coverage,
                events,
                status_policy,
                duplicate_status_policy_ids,
                status_policy_id,
            }
        })
        .collect();
    repositories.sort_by_cached_key(|r| {
        (
            r.project.to_lowercase(),
            r.project.clone(),
            r.project_id.to_ascii_lowercase(),
            r.coverage,
            r.name.to_lowercase(),
            r.name.clone(),
            r.id.clone(),
        )
    });

    let mut gaps: HashMap<String, bool> = HashMap::new();
    for repo in &repositories {
        let gap = !matches!(repo.coverage, Coverage::Covered | Coverage::NotApplicable);
        *gaps
            .entry(repo.project_id.to_ascii_lowercase())
            .or_default() |= gap;
    }
    let mut projects: Vec<ProjectAudit> = fetched
        .projects
        .iter()
        .map(|p| {
            let key = p.id.to_ascii_lowercase();
            let permissions =
                fetched
                    .permissions
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| ProjectPermissions {
                        note: Some("permissions were not evaluated".into()),
                        ..ProjectPermissions::default()
                    });
            ProjectAudit {
                id: p.id.clone(),
                name: p.name.clone(),
                service_hooks: permissions.hooks,
                edit_policies: permissions.edit_policies,
                contribute_pull_requests: permissions.contribute_pull_requests,
                permissions_note: permissions.note,
                fully_covered: !gaps.get(&key).copied().unwrap_or(false),
            }
        })
        .collect();
    projects.sort_by_cached_key(|p| {
        let rank = if p.lacks_permissions() {
            0
        } else if p.permissions_unknown() {
            1
        } else {
            2
        };
        (rank, p.name.to_lowercase(), p.name.clone(), p.id.clone())
    });

    let mut events: Vec<&str> = profile.events.iter().map(String::as_str).collect();
    if profile.notify_repo_created {
        events.push(REPO_CREATED_EVENT);
    }
    let mut project_subscriptions: Vec<ProjectSubscription> = events
        .iter()
        .flat_map(|event| {
            subscriptions
                .project_wide(event)
                .map(move |hook| ProjectSubscription {
                    project_id: hook.project_id.clone(),
                    event_type: (*event).to_owned(),
                    subscription_id: hook.id.clone(),
                    status: EventStatus::from(&hook.status),
                    basic_auth_user: hook.basic_auth_user.clone(),
                    restricted: hook.restricted,
                })
        })
        .collect();
    project_subscriptions.sort_by(|a, b| {
        (&a.project_id, &a.event_type, &a.subscription_id).cmp(&(
            &b.project_id,
            &b.event_type,
            &b.subscription_id,
        ))
    });

    let projects_with_policy = match &policies {
        Some(index) => projects
            .iter()
            .filter(|p| index.has_project_wide(&p.id))
            .map(|p| p.id.clone())
            .collect(),
        None => Vec::new(),
    };

    let summary = summarize(&projects, &repositories);
    AuditReport {
        organization,
        projects_source: fetched.projects_source,
        projects,
        repositories,
        summary,
        requests,
        project_subscriptions,
        projects_with_policy,
        user: Some(fetched.user.clone()),
        unknown_items,
    }
}

fn summarize(projects: &[ProjectAudit], repositories: &[RepositoryAudit]) -> AuditSummary {
    // A project-wide duplicate shows in each repository of its project: count each object once.
    let subscriptions: BTreeSet<&str> = repositories
        .iter()
        .flat_map(|r| &r.events)
        .flat_map(|e| &e.duplicate_subscription_ids)
        .map(String::as_str)
        .collect();
    let policies: BTreeSet<(&str, &str)> = repositories
        .iter()
        .flat_map(|r| {
            r.duplicate_status_policy_ids
                .iter()
                .map(|id| (r.project_id.as_str(), id.as_str()))
        })
        .collect();
    AuditSummary {
        projects: projects.len(),
        projects_missing_permissions: projects.iter().filter(|p| p.lacks_permissions()).count(),
        repositories: repositories.len(),
        coverage: CoverageCounts::count(repositories),
        new: repositories.iter().filter(|r| r.new).count(),
        duplicate_subscriptions: subscriptions.len(),
        duplicate_status_policies: policies.len(),
        failing_deliveries: 0,
    }
}

#[cfg(test)]
mod tests;
