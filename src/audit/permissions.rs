//! The integration user's permissions in every project, in as few `permissionevaluationbatch` calls
//! as a 500-evaluation batch allows (`azure-devops-api.md` §5). The 500 has no documented source, so
//! a batch the server refuses with 400 is split like a refused one (below).
//!
//! Per project four evaluations, kept in one batch so a refused batch maps onto whole projects:
//! ServiceHooks View (1) and Edit (2) on `PublisherSecurity/{projectId}`, and Git EditPolicies
//! (2048) and PullRequestContribute (16384, "Contribute to pull requests": posting the gate's
//! status) on `repoV2/{projectId}`, all with `alwaysAllowAdministrators`. Batches run concurrently.
//!
//! A refused batch never reads as "granted": its projects become unknown, with the reason. A 401
//! means the token may not evaluate permissions at all, so nothing is retried. A 403 may come from
//! one locked-down project poisoning the whole batch, and a 400 from a batch larger than the
//! server's cap, so the batch is split in halves, and the refused halves again, until the refused
//! projects are isolated (or the halves fit): k refused projects among n cost about 2·k·log2(n)
//! extra requests, and at most [`ISOLATION_BUDGET`] in total (then the remaining refused groups stay
//! unknown as a whole). This happens only when a batch was refused.

use std::collections::HashMap;

use futures::StreamExt;
use futures::stream;

use super::progress::{AuditPhase, Progress};
use super::report::HookPermissions;
use crate::ado::models::{
    GIT_EDIT_POLICIES, GIT_NAMESPACE_ID, GIT_PULL_REQUEST_CONTRIBUTE, PermissionEvaluation,
    PermissionEvaluationBatch, SERVICE_HOOKS_EDIT, SERVICE_HOOKS_NAMESPACE_ID, SERVICE_HOOKS_VIEW,
};
use crate::ado::{AdoError, Client};

/// Evaluations per batch (the assumed limit; a 400 splits the batch).
pub const MAX_EVALUATIONS_PER_BATCH: usize = 500;
const EVALUATIONS_PER_PROJECT: usize = 4;
/// 125 projects (500 evaluations) per batch.
pub const PROJECTS_PER_BATCH: usize = MAX_EVALUATIONS_PER_BATCH / EVALUATIONS_PER_PROJECT;
/// Extra requests allowed for isolating the projects behind refused batches.
pub const ISOLATION_BUDGET: usize = 64;

/// What the audit knows about one project's permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ProjectPermissions {
    pub hooks: HookPermissions,
    pub edit_policies: Option<bool>,
    pub contribute_pull_requests: Option<bool>,
    /// Why some permission is unknown.
    pub note: Option<String>,
}

/// Evaluates every project's permissions; keys are lowercase project ids. Only failures other than
/// a refusal (server errors after retries, network, an expired token) fail the audit.
pub(super) async fn evaluate(
    client: &Client,
    project_ids: &[String],
    progress: &Progress,
) -> Result<HashMap<String, ProjectPermissions>, AdoError> {
    let groups: Vec<Vec<String>> = project_ids
        .chunks(PROJECTS_PER_BATCH)
        .map(<[String]>::to_vec)
        .collect();
    let mut total = groups.len();
    let mut done = 0;
    progress.phase(AuditPhase::Permissions, done, total);

    let mut known = HashMap::with_capacity(project_ids.len());
    let mut refused = Vec::new();
    let mut budget = ISOLATION_BUDGET;
    let mut round = groups;
    while !round.is_empty() {
        let mut answers = stream::iter(round.into_iter().map(|group| async move {
            let answer = client.evaluate_permissions(&batch(&group)).await;
            (group, answer)
        }))
        .buffer_unordered(client.concurrency().max(1));
        while let Some((group, answer)) = answers.next().await {
            done += 1;
            progress.phase(AuditPhase::Permissions, done, total);
            match answer {
                Ok(answer) => known.extend(read(&group, &answer)),
                Err(e @ (AdoError::PermissionDenied { .. } | AdoError::BadRequest { .. })) => {
                    refused.push((group, e));
                }
                Err(e @ (AdoError::ScopeMissing { .. } | AdoError::TokenRejected { .. })) => {
                    let note = format!("this token may not evaluate permissions ({e})");
                    known.extend(unknown(&group, &note));
                }
                Err(e) => return Err(e),
            }
        }
        round = Vec::new();
        for (group, error) in refused.drain(..) {
            if group.len() == 1 || budget < 2 {
                let note = format!("Azure DevOps refused to evaluate permissions here ({error})");
                known.extend(unknown(&group, &note));
                continue;
            }
            budget -= 2;
            let (a, b) = group.split_at(group.len() / 2);
            round.push(a.to_vec());
            round.push(b.to_vec());
        }
        total += round.len();
        if !round.is_empty() {
            progress.phase(AuditPhase::Permissions, done, total);
        }
    }
    Ok(known)
}

/// The batch for a group of projects, four evaluations per project.
pub(super) fn batch(project_ids: &[String]) -> PermissionEvaluationBatch {
    PermissionEvaluationBatch {
        always_allow_administrators: true,
        evaluations: project_ids
            .iter()
            .flat_map(|p| evaluations(p).into_iter())
            .collect(),
    }
}

fn evaluations(project_id: &str) -> [PermissionEvaluation; EVALUATIONS_PER_PROJECT] {
    let hooks = format!("PublisherSecurity/{project_id}");
    let git = format!("repoV2/{project_id}");
    [
        PermissionEvaluation::new(
            SERVICE_HOOKS_NAMESPACE_ID,
            hooks.clone(),
            SERVICE_HOOKS_VIEW,
        ),
        PermissionEvaluation::new(SERVICE_HOOKS_NAMESPACE_ID, hooks, SERVICE_HOOKS_EDIT),
        PermissionEvaluation::new(GIT_NAMESPACE_ID, git.clone(), GIT_EDIT_POLICIES),
        PermissionEvaluation::new(GIT_NAMESPACE_ID, git, GIT_PULL_REQUEST_CONTRIBUTE),
    ]
}

/// Reads the answer by namespace, token and bits rather than by position, so a server that
/// reorders or drops evaluations cannot shift a "granted" onto the wrong project. An evaluation
/// missing from the answer stays unknown.
pub(super) fn read(
    project_ids: &[String],
    answer: &PermissionEvaluationBatch,
) -> Vec<(String, ProjectPermissions)> {
    let values: HashMap<(String, String, u32), bool> = answer
        .evaluations
        .iter()
        .filter_map(|e| {
            let key = (
                e.security_namespace_id.to_ascii_lowercase(),
                e.token.to_ascii_lowercase(),
                e.permissions,
            );
            e.value.map(|v| (key, v))
        })
        .collect();
    project_ids
        .iter()
        .map(|project| {
            let [view, edit, policies, contribute] = evaluations(project).map(|e| {
                values
                    .get(&(
                        e.security_namespace_id.to_ascii_lowercase(),
                        e.token.to_ascii_lowercase(),
                        e.permissions,
                    ))
                    .copied()
            });
            let complete =
                view.is_some() && edit.is_some() && policies.is_some() && contribute.is_some();
            let permissions = ProjectPermissions {
                hooks: HookPermissions { view, edit },
                edit_policies: policies,
                contribute_pull_requests: contribute,
                note: (!complete)
                    .then(|| "Azure DevOps did not answer every permission evaluation".to_owned()),
            };
            (project.to_ascii_lowercase(), permissions)
        })
        .collect()
}

fn unknown(project_ids: &[String], note: &str) -> Vec<(String, ProjectPermissions)> {
    project_ids
        .iter()
        .map(|p| {
            (
                p.to_ascii_lowercase(),
                ProjectPermissions {
                    note: Some(note.to_owned()),
                    ..ProjectPermissions::default()
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("p{i}")).collect()
    }

    #[test]
    fn a_batch_holds_four_evaluations_per_project_within_the_limit() {
        let batch = batch(&ids(PROJECTS_PER_BATCH));
        assert_eq!(batch.evaluations.len(), 500);
        assert!(batch.evaluations.len() <= MAX_EVALUATIONS_PER_BATCH);
        assert!(batch.always_allow_administrators);
        let first: Vec<(&str, &str, u32)> = batch.evaluations[..4]
            .iter()
            .map(|e| {
                (
                    e.security_namespace_id.as_str(),
                    e.token.as_str(),
                    e.permissions,
                )
            })
            .collect();
        assert_eq!(
            first,
            [
                (SERVICE_HOOKS_NAMESPACE_ID, "PublisherSecurity/p0", 1),
                (SERVICE_HOOKS_NAMESPACE_ID, "PublisherSecurity/p0", 2),
                (GIT_NAMESPACE_ID, "repoV2/p0", 2048),
                (GIT_NAMESPACE_ID, "repoV2/p0", 16384),
            ]
        );
    }

    #[test]
    fn answers_are_read_by_token_not_position_and_gaps_stay_unknown() {
        let projects = vec!["A".to_owned(), "b".to_owned()];
        let mut answer = batch(&projects);
        answer.evaluations.reverse();
        for e in &mut answer.evaluations {
            e.value = Some(!e.token.ends_with("/b") || e.permissions == 1);
        }
        // The server drops b's EditPolicies evaluation.
        answer
            .evaluations
            .retain(|e| !(e.token == "repoV2/b" && e.permissions == 2048));
        let read: HashMap<String, ProjectPermissions> =
            read(&projects, &answer).into_iter().collect();
        let a = &read["a"];
        assert_eq!(
            a.hooks,
            HookPermissions {
                view: Some(true),
                edit: Some(true)
            }
        );
        assert_eq!(a.edit_policies, Some(true));
        assert_eq!(a.note, None);
        let b = &read["b"];
        assert_eq!(
            b.hooks,
            HookPermissions {
                view: Some(true),
                edit: Some(false)
            }
        );
        assert_eq!(b.edit_policies, None);
        assert!(b.note.is_some());
    }
}
