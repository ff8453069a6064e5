//! Runs the audit: fetches everything it needs in a number of requests that grows with projects,
//! never with repositories, overlapping independent calls, then hands the answers to the pure
//! [`assemble`](super::assemble) step.
//!
//! Dependencies, hence the schedule:
//! ```text
//! connectionData ─ subscriptions ─┬─ repositories ──┬─ status policies (1/project) ─┬─ assemble
//!                                 └─ projects pages ─┴─ permission batches ──────────┘
//! ```
//! `connectionData` goes first so that a later 401 classifies as a missing scope (and its user id
//! is the policies' authorized account). The subscription list comes alone, to bound memory.
//! The client's semaphore bounds requests in flight, so running the branches together only removes
//! idle round trips: the policies start as soon as the repositories are known, the permission
//! batches as soon as the projects are.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::future::FutureExt;
use futures::{StreamExt, stream};

use super::AuditInput;
use super::assemble::{Fetched, ProjectRef, assemble};
use super::coverage::SubscriptionIndex;
use super::permissions;
use super::progress::{AuditEvent, AuditPhase, Progress};
use super::report::{AuditReport, ProjectsSource};
use crate::ado::models::{
    Listed, PolicyConfiguration, Project, Repository, RepositoryProject, STATUS_POLICY_TYPE_ID,
    SubscriptionFilter,
};
use crate::ado::{AdoError, Client};
use crate::org::{Identity, OrgInfo};

/// Audits the organization of `client` against `input.profile`. Fails only when the audit cannot be
/// trusted (token unusable, a list that could not be read after retries); refused permission
/// evaluations become unknown permissions instead, and a token that may not list projects makes
/// the audit derive them from the repositories.
pub async fn run(
    client: &Client,
    input: &AuditInput,
    progress: Option<tokio::sync::mpsc::UnboundedSender<AuditEvent>>,
) -> Result<AuditReport, AdoError> {
    let progress = Progress::new(progress);
    let progress = &progress;
    let start = client.requests().total();

    progress.phase(AuditPhase::Identity, 0, 1);
    let identity = client.connection_data().await?;
    progress.phase(AuditPhase::Identity, 1, 1);

    // The subscription list is the largest answer (16 MB of JSON at 20 000 subscriptions): it is
    // read and reduced to the gate's hooks before the repository listing starts, so the two
    // transient peaks never add up. It costs one round trip.
    progress.phase(AuditPhase::Subscriptions, 0, 1);
    let mut unknown_items = Vec::new();
    let subscriptions = {
        let all = client
            .list_subscriptions_listed(&SubscriptionFilter::webhooks())
            .await?;
        unknown_items.extend(all.unknown);
        SubscriptionIndex::new(&all.items, &input.profile, &mut unknown_items)
    };
    progress.phase(AuditPhase::Subscriptions, 1, 1);

    // One repository listing, awaited by both branches that need it.
    let repositories = async move {
        progress.phase(AuditPhase::Repositories, 0, 1);
        let repos = client.list_repositories_listed().await.map(|all| {
            let repos: Vec<_> = all.items.into_iter().map(slim).collect();
            (Arc::new(repos), Arc::new(all.unknown))
        });
        progress.phase(AuditPhase::Repositories, 1, 1);
        repos
    }
    .boxed()
    .shared();

    let policies = {
        let repositories = repositories.clone();
        async move {
            if !input.profile.status_check.required {
                return Ok(None);
            }
            let (repos, _) = repositories.await?;
            fetch_policies(client, projects_needing_policies(&repos), progress)
                .await
                .map(Some)
        }
    };

    let permissions = {
        let repositories = repositories.clone();
        async move {
            let (listed, (repos, _)) =
                futures::try_join!(list_projects(client, progress), repositories)?;
            let (source, projects) = merge_projects(listed, &repos);
            let ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
            let evaluated = permissions::evaluate(client, &ids, progress).await?;
            Ok::<_, AdoError>((source, projects, evaluated))
        }
    };

    let ((projects_source, projects, permissions), policies) =
        futures::try_join!(permissions, policies)?;
    let (repositories, unreadable_repositories) = repositories.await?;
    unknown_items.extend(unreadable_repositories.iter().cloned());

    let fetched = Fetched {
        user: Identity::from_connection(identity.authenticated_user),
        projects_source,
        projects,
        permissions,
        repositories: &repositories,
        subscriptions: &subscriptions,
        policies: policies.as_ref(),
        unknown_items,
    };
    let requests = client.requests().total().saturating_sub(start);
    Ok(assemble(
        OrgInfo::from(client.org()),
        input,
        &fetched,
        requests,
    ))
}

/// Drops the URLs and other fields the audit never reads, which are most of a repository's size:
/// the list is held for the whole audit.
fn slim(repo: Repository) -> Repository {
    Repository {
        url: None,
        remote_url: None,
        web_url: None,
        size: None,
        project: RepositoryProject {
            url: None,
            state: None,
            visibility: None,
            ..repo.project
        },
        ..repo
    }
}

/// The projects API, or `None` when the token may not list projects (the gate's scopes lack
/// Project & Team (Read)): a 401 either way.
async fn list_projects(
    client: &Client,
    progress: &Progress,
) -> Result<Option<Vec<Project>>, AdoError> {
    progress.phase(AuditPhase::Projects, 0, 1);
    let listed = match client.list_projects().await {
        Ok(projects) => Ok(Some(projects)),
        Err(AdoError::ScopeMissing { .. } | AdoError::TokenRejected { .. }) => Ok(None),
        Err(e) => Err(e),
    };
    progress.phase(AuditPhase::Projects, 1, 1);
    listed
}

/// The audited projects: the projects API's list plus any project a repository names that the list
/// lacks (a project created meanwhile), or only the repositories' projects when the list was
/// refused. Order: as listed, then as first seen in the repositories.
fn merge_projects(
    listed: Option<Vec<Project>>,
    repos: &[Repository],
) -> (ProjectsSource, Vec<ProjectRef>) {
    let source = if listed.is_some() {
        ProjectsSource::ProjectsApi
    } else {
        ProjectsSource::Repositories
    };
    let from_api = listed.into_iter().flatten().map(|p| ProjectRef {
        id: p.id,
        name: p.name,
    });
    let from_repos = repos.iter().map(|r| ProjectRef {
        id: r.project.id.clone(),
        name: r.project.name.clone(),
    });
    let mut seen = BTreeSet::new();
    let projects = from_api
        .chain(from_repos)
        .filter(|p| seen.insert(p.id.to_ascii_lowercase()))
        .collect();
    (source, projects)
}

/// Projects with at least one enabled repository: disabled repositories are not applicable whatever
/// their policies, so other projects' policies cannot change any verdict.
fn projects_needing_policies(repos: &[Repository]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    repos
        .iter()
        .filter(|r| !r.is_disabled)
        .filter(|r| seen.insert(r.project.id.to_ascii_lowercase()))
        .map(|r| r.project.id.clone())
        .collect()
}

/// One project's Status policies (and the ones that could not be read), keyed by its lowercase id.
async fn status_policies(
    client: &Client,
    project_id: String,
) -> Result<(String, Listed<PolicyConfiguration>), AdoError> {
    let policies = client
        .list_policy_configurations_listed(&project_id, Some(STATUS_POLICY_TYPE_ID))
        .await?;
    Ok((project_id.to_ascii_lowercase(), policies))
}

/// Each project's Status policies, concurrently (the client bounds requests in flight); keys are
/// lowercase project ids.
async fn fetch_policies(
    client: &Client,
    project_ids: Vec<String>,
    progress: &Progress,
) -> Result<BTreeMap<String, Listed<PolicyConfiguration>>, AdoError> {
    let total = project_ids.len();
    progress.phase(AuditPhase::Policies, 0, total);
    // Owned ids: a stream over borrowed ones would make the audit's future fail `Send` (rustc's
    // "FnOnce is not general enough"), so the wizard could not spawn it.
    let requests = project_ids
        .into_iter()
        .map(|id| status_policies(client, id));
    let mut answers = stream::iter(requests).buffer_unordered(client.concurrency().max(1));
    let mut by_project = BTreeMap::new();
    while let Some(answer) = answers.next().await {
        let (id, policies) = answer?;
        by_project.insert(id, policies);
        progress.phase(AuditPhase::Policies, by_project.len(), total);
    }
    Ok(by_project)
}
