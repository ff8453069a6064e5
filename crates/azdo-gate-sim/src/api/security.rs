//! `POST _apis/security/permissionevaluationbatch` (`azure-devops-api.md` §5): evaluates the
//! caller's permissions, one boolean per evaluation, in order.
//!
//! Modelled namespaces: ServiceHooks (`PublisherSecurity/{projectId}`: 1 view, 2 edit, 4 delete —
//! delete follows edit) and Git repositories (`repoV2/{projectId}[/{repoId}]`: 2048 EditPolicies
//! and 16384 PullRequestContribute per the scenario, every other bit granted). Anything else
//! evaluates to false. A batch larger than the server's cap is refused with 400 (the real cap is
//! undocumented; `SimOptions::max_evaluations_per_batch`).

use hyper::StatusCode;
use serde::Serialize;
use serde_json::Value;

use super::{field, json_object, null_body};
use crate::auth::UserRef;
use crate::respond::{self, Reply};
use crate::state::OrgState;

const SERVICE_HOOKS: &str = "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046";
const GIT_REPOSITORIES: &str = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
const EDIT_POLICIES: u64 = 2048;
const PULL_REQUEST_CONTRIBUTE: u64 = 16384;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Evaluated<'a> {
    security_namespace_id: &'a str,
    token: &'a str,
    permissions: u64,
    value: bool,
}

#[derive(Serialize)]
struct Answer<'a> {
    evaluations: Vec<Evaluated<'a>>,
}

pub(super) fn evaluate(state: &OrgState, user: &UserRef, body: &[u8], cap: usize) -> Reply {
    let Some(batch) = json_object(body) else {
        return null_body("evaluationBatch");
    };
    let Some(items) = field(&batch, "evaluations").and_then(Value::as_array) else {
        return null_body("evaluationBatch.Evaluations");
    };
    if items.len() > cap {
        // Wording UNVERIFIED: the real limit and its message are undocumented.
        return Reply::error(
            StatusCode::BAD_REQUEST,
            &respond::ARGUMENT,
            &format!(
                "The number of permission evaluations ({}) exceeds the maximum of {cap} per batch.",
                items.len()
            ),
        );
    }
    let mut evaluations = Vec::with_capacity(items.len());
    for item in items {
        let Some(item) = item.as_object() else {
            return null_body("evaluation");
        };
        let text = |name| {
            field(item, name)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let namespace = text("securityNamespaceId");
        let token = text("token");
        let permissions = field(item, "permissions")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let project = project_of(state, token);
        if let Some(p) = project
            && state.projects[p].permission_evaluation_refused
        {
            return Reply::error(
                StatusCode::FORBIDDEN,
                &respond::ACCESS_CHECK,
                &format!(
                    "Access Denied: {} ({}) needs the following permission(s) on the resource {token} to perform this action: View permissions",
                    user.display_name, user.unique_name
                ),
            );
        }
        let value = allowed(state, user, namespace, token, project, permissions);
        evaluations.push(Evaluated {
            security_namespace_id: namespace,
            token,
            permissions,
            value,
        });
    }
    Reply::json(&Answer { evaluations })
}

/// The project a security token names, for the two modelled namespaces' token formats.
fn project_of(state: &OrgState, token: &str) -> Option<usize> {
    let mut parts = token.split('/');
    let root = parts.next()?;
    if !(root.eq_ignore_ascii_case("PublisherSecurity") || root.eq_ignore_ascii_case("repoV2")) {
        return None;
    }
    state.project_index(parts.next()?)
}

fn allowed(
    state: &OrgState,
    user: &UserRef,
    namespace: &str,
    token: &str,
    project: Option<usize>,
    requested: u64,
) -> bool {
    let Some(project) = project else {
        return false;
    };
    if requested == 0 {
        return false;
    }
    let grant = state.grant(project, &user.id);
    let parts: Vec<&str> = token.split('/').collect();
    let granted = if namespace.eq_ignore_ascii_case(SERVICE_HOOKS) {
        if parts.len() != 2 || !parts[0].eq_ignore_ascii_case("PublisherSecurity") {
            return false;
        }
        let view = if grant.hooks_view { 1 } else { 0 };
        let edit = if grant.hooks_edit { 2 | 4 } else { 0 };
        view | edit
    } else if namespace.eq_ignore_ascii_case(GIT_REPOSITORIES) {
        let repo_ok = match parts.as_slice() {
            [root, _] => root.eq_ignore_ascii_case("repoV2"),
            [root, _, repo] => {
                root.eq_ignore_ascii_case("repoV2") && state.repo_in_project(repo, project)
            }
            _ => false,
        };
        if !repo_ok {
            return false;
        }
        let mut granted = u64::MAX;
        if !grant.edit_policies {
            granted &= !EDIT_POLICIES;
        }
        if !grant.contribute_pull_requests {
            granted &= !PULL_REQUEST_CONTRIBUTE;
        }
        granted
    } else {
        return false;
    };
    requested & !granted == 0
}
