//! `{project}/_apis/policy/configurations` (`azure-devops-api.md` §7): list with `policyType`,
//! `$top` and `continuationToken` (the last id of the previous page, announced by
//! `x-ms-continuationtoken`), and create. Creating needs Git EditPolicies on the project and a body
//! the server can bind; a Status policy needs `statusName` and a `scope` array. Validation messages
//! are UNVERIFIED wording.

use hyper::StatusCode;
use serde_json::Value;

use super::{Query, field, json_object, now, null_body};
use crate::auth::UserRef;
use crate::respond::{self, Reply};
use crate::scenario::{STATUS_POLICY_TYPE, policy_type_name};
use crate::state::{OrgState, PolicyState, canonical_match_kind, normalize_policy_scope};
use crate::views::{self, List};

pub(super) fn list(state: &OrgState, project: usize, query: &Query, page_size: usize) -> Reply {
    let (top, after) = match (query.number("$top"), query.number("continuationToken")) {
        (Ok(top), Ok(after)) => (top, after),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let size = top.filter(|t| *t > 0).unwrap_or(page_size.max(1));
    let type_filter = query.get("policyType").filter(|t| !t.is_empty());
    let first = after.map_or(i64::MIN, |a| {
        i64::try_from(a).unwrap_or(i64::MAX).saturating_add(1)
    });
    let mut matching = state.projects[project]
        .policies
        .range(first..)
        .map(|(_, p)| p)
        .filter(|p| type_filter.is_none_or(|t| p.type_id.eq_ignore_ascii_case(t)));
    let page: Vec<&PolicyState> = matching.by_ref().take(size).collect();
    let more = matching.next().is_some();
    let last = page.last().map(|p| p.id);
    let value: Vec<_> = page
        .into_iter()
        .map(|p| views::policy(state, project, p))
        .collect();
    let mut reply = Reply::json(&List::of(value));
    if let (true, Some(last)) = (more, last) {
        reply.header("x-ms-continuationtoken", &last.to_string());
    }
    reply
}

/// A configuration body the server accepts: its type, flags and settings (scope normalised).
struct Body {
    type_id: String,
    is_enabled: bool,
    is_blocking: bool,
    settings: Value,
}

/// Binds and validates a create or replace body, and checks Git EditPolicies.
fn bind(state: &OrgState, user: &UserRef, project: usize, body: &[u8]) -> Result<Body, Reply> {
    let Some(object) = json_object(body) else {
        return Err(null_body("configuration"));
    };
    let Some(type_id) = field(&object, "type")
        .and_then(Value::as_object)
        .and_then(|t| field(t, "id"))
        .and_then(Value::as_str)
    else {
        return Err(invalid_argument("type"));
    };
    let Some(mut settings) = field(&object, "settings")
        .filter(|s| s.is_object())
        .cloned()
    else {
        return Err(invalid_argument("settings"));
    };
    if policy_type_name(type_id).is_none() {
        return Err(invalid(&format!(
            "The policy type '{type_id}' does not exist."
        )));
    }
    check_settings(state, project, type_id, &settings)?;
    if !state.grant(project, &user.id).edit_policies {
        return Err(Reply::error(
            StatusCode::FORBIDDEN,
            &respond::GIT_PERMISSION,
            &format!(
                "TF401027: You need the Git 'EditPolicies' permission to perform this action. Details: identity '{}', scope 'repository'.",
                user.display_name
            ),
        ));
    }
    normalize_policy_scope(&mut settings);
    let flag = |name| {
        field(&object, name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    Ok(Body {
        type_id: type_id.to_ascii_lowercase(),
        is_enabled: flag("isEnabled"),
        is_blocking: flag("isBlocking"),
        settings,
    })
}

pub(super) fn create(state: &mut OrgState, user: &UserRef, project: usize, body: &[u8]) -> Reply {
    let body = match bind(state, user, project, body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let id = state.take_policy_id();
    let policy = PolicyState {
        id,
        type_id: body.type_id,
        revision: 1,
        is_enabled: body.is_enabled,
        is_blocking: body.is_blocking,
        settings: body.settings,
        created_by: user.id.clone(),
        created_date: now(),
    };
    let reply = Reply::json(&views::policy(state, project, &policy));
    state.projects[project].policies.insert(id, policy);
    reply
}

/// `DELETE .../policy/configurations/{id}`: 204, or 404 for an id the project does not have.
pub(super) fn delete(state: &mut OrgState, user: &UserRef, project: usize, id: &str) -> Reply {
    if !state.grant(project, &user.id).edit_policies {
        return Reply::error(
            StatusCode::FORBIDDEN,
            &respond::GIT_PERMISSION,
            &format!(
                "TF401027: You need the Git 'EditPolicies' permission to perform this action. Details: identity '{}', scope 'repository'.",
                user.display_name
            ),
        );
    }
    let removed = id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.projects[project].policies.remove(&id));
    match removed {
        Some(_) => Reply::no_content(),
        None => Reply::error(
            StatusCode::NOT_FOUND,
            &respond::POLICY_NOT_FOUND,
            &format!("TF401047: The policy configuration with ID {id} does not exist."),
        ),
    }
}

/// `GET {project}/_apis/policy/configurations/{id}`.
pub(super) fn get(state: &OrgState, project: usize, id: &str) -> Reply {
    match find(state, project, id) {
        Ok(id) => Reply::json(&views::policy(
            state,
            project,
            &state.projects[project].policies[&id],
        )),
        Err(reply) => reply,
    }
}

/// `PUT {project}/_apis/policy/configurations/{id}`: the whole configuration is replaced and the
/// revision goes up; the creator stays.
pub(super) fn replace(
    state: &mut OrgState,
    user: &UserRef,
    project: usize,
    id: &str,
    body: &[u8],
) -> Reply {
    let id = match find(state, project, id) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    let body = match bind(state, user, project, body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let Some(policy) = state.projects[project].policies.get_mut(&id) else {
        return not_found_policy(&id.to_string());
    };
    policy.type_id = body.type_id;
    policy.is_enabled = body.is_enabled;
    policy.is_blocking = body.is_blocking;
    policy.settings = body.settings;
    policy.revision += 1;
    Reply::json(&views::policy(
        state,
        project,
        &state.projects[project].policies[&id],
    ))
}

/// The id of an existing policy of the project, or the 404 answer. Message UNVERIFIED.
fn find(state: &OrgState, project: usize, id: &str) -> Result<i64, Reply> {
    id.parse::<i64>()
        .ok()
        .filter(|id| state.projects[project].policies.contains_key(id))
        .ok_or_else(|| not_found_policy(id))
}

fn not_found_policy(id: &str) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        &respond::NOT_FOUND,
        &format!("TF400947: The policy configuration with ID {id} does not exist."),
    )
}

/// Policies of a project as the API lists them (for `SimHandle::policies`).
pub(crate) fn policy_views(state: &OrgState, project: usize) -> Vec<Value> {
    state.projects[project]
        .policies
        .values()
        .filter_map(|p| serde_json::to_value(views::policy(state, project, p)).ok())
        .collect()
}

fn check_settings(
    state: &OrgState,
    project: usize,
    type_id: &str,
    settings: &Value,
) -> Result<(), Reply> {
    if type_id.eq_ignore_ascii_case(STATUS_POLICY_TYPE) {
        let name = settings.get("statusName").and_then(Value::as_str);
        if name.is_none_or(|n| n.trim().is_empty()) {
            return Err(invalid_argument("settings.statusName"));
        }
    }
    let Some(scope) = settings.get("scope").and_then(Value::as_array) else {
        return Err(invalid_argument("settings.scope"));
    };
    for entry in scope {
        let Some(entry) = entry.as_object() else {
            return Err(invalid_argument("settings.scope"));
        };
        if let Some(repo) = entry.get("repositoryId").and_then(Value::as_str)
            && !state.repo_in_project(repo, project)
        {
            return Err(invalid(&format!(
                "The repository '{repo}' does not exist in project '{}'.",
                state.projects[project].name
            )));
        }
        let kind = entry
            .get("matchKind")
            .and_then(Value::as_str)
            .unwrap_or("Exact");
        match canonical_match_kind(kind) {
            None => return Err(invalid_argument("settings.scope.matchKind")),
            Some("DefaultBranch") => {}
            Some(_) => {
                let ref_name = entry
                    .get("refName")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !ref_name.starts_with("refs/") {
                    return Err(invalid_argument("settings.scope.refName"));
                }
            }
        }
    }
    Ok(())
}

fn invalid_argument(parameter: &str) -> Reply {
    invalid(&format!(
        "Invalid argument value.\r\nParameter name: {parameter}"
    ))
}

fn invalid(message: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, &respond::ARGUMENT, message)
}
