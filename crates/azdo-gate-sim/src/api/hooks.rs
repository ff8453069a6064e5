//! `_apis/hooks/subscriptions` (`azure-devops-api.md` §6): list (filters, no paging), get, create,
//! replace, delete.
//!
//! Permissions follow the ServiceHooks namespace per project: subscriptions of projects the caller
//! cannot view are trimmed from lists and answer 404; writes need EditSubscriptions. Confidential
//! consumer inputs come back masked. A PUT honours the body's `status`, except that a subscription
//! the system disabled stays disabled (the Sentry report, S49). A PUT that sends the mask back
//! stores the mask: the real service wants the real secret resent, and tests can see the mistake.
//!
//! Only the event types the gate uses are accepted on create; other types exist in Azure DevOps but
//! are refused here as a simulator limit. Error messages are UNVERIFIED wording.

use std::collections::{BTreeMap, HashSet};

use hyper::StatusCode;
use serde_json::{Map, Value};

use super::{Query, bad_request, field, json_object, now, null_body};
use crate::auth::UserRef;
use crate::ids::stable_guid;
use crate::respond::{self, Reply};
use crate::scenario::HookStatus;
use crate::state::{OrgState, SubState};
use crate::views::{self, List};

/// Event types accepted on create, with the resource version "latest" means for each (§6).
const EVENT_TYPES: &[(&str, &str)] = &[
    ("git.pullrequest.created", "1.0"),
    ("git.pullrequest.updated", "1.0"),
    ("git.pullrequest.merged", "1.0"),
    ("ms.vss-code.git-pullrequest-comment-event", "2.0"),
    ("git.repo.created", "1.0-preview.1"),
];

const NOTIFICATION_TYPES: &[&str] = &[
    "PushNotification",
    "ReviewersUpdateNotification",
    "StatusUpdateNotification",
    "ReviewerVoteNotification",
];
const MERGE_RESULTS: &[&str] = &[
    "Succeeded",
    "Unsuccessful",
    "Conflicts",
    "Failure",
    "RejectedByPolicy",
];

/// Reads one field of a subscription (for the list filters).
type Field = fn(&SubState) -> &str;

/// Query parameter → the field it filters on.
const FILTERS: [(&str, Field); 4] = [
    ("publisherId", |s| &s.publisher_id),
    ("eventType", |s| &s.event_type),
    ("consumerId", |s| &s.consumer_id),
    ("consumerActionId", |s| &s.consumer_action_id),
];

pub(super) fn list(state: &OrgState, user: &UserRef, query: &Query) -> Reply {
    let wanted: Vec<(&str, Field)> = FILTERS
        .iter()
        .filter_map(|(name, get)| query.get(name).filter(|v| !v.is_empty()).map(|v| (v, *get)))
        .collect();
    let hidden = hidden_projects(state, user);
    let value: Vec<_> = state
        .subscriptions
        .values()
        .filter(|s| {
            wanted
                .iter()
                .all(|(want, get)| get(s).eq_ignore_ascii_case(want))
        })
        .filter(|s| {
            hidden.is_empty()
                || state
                    .subscription_project(s)
                    .is_none_or(|p| !hidden.contains(&p))
        })
        .map(|s| views::subscription(state, s, true))
        .collect();
    Reply::json(&List::of(value))
}

pub(super) fn get(state: &OrgState, user: &UserRef, id: &str) -> Reply {
    match state.subscription(id).filter(|s| can_view(state, user, s)) {
        Some(sub) => Reply::json(&views::subscription(state, sub, true)),
        None => not_found(id),
    }
}

pub(super) fn create(state: &mut OrgState, user: &UserRef, body: &[u8]) -> Reply {
    let input = match parse(state, body) {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    if !state.grant(input.project, &user.id).hooks_edit {
        return forbidden(state, user, input.project);
    }
    let id = state.new_subscription_id();
    let date = now();
    let (event_description, action_description) = state.descriptions(
        &input.event_type,
        &input.publisher_inputs,
        &input.consumer_inputs,
    );
    let mut publisher_inputs = input.publisher_inputs;
    publisher_inputs.insert("hostId".into(), state.instance_id.clone());
    publisher_inputs.insert(
        "tfsSubscriptionId".into(),
        stable_guid(&format!("tfs-subscription:{id}"), 0),
    );
    let sub = SubState {
        id,
        publisher_id: input.publisher_id,
        event_type: input.event_type,
        resource_version: Some(input.resource_version),
        consumer_id: input.consumer_id,
        consumer_action_id: input.consumer_action_id,
        status: HookStatus::Enabled,
        probation_retries: None,
        publisher_inputs,
        consumer_inputs: input.consumer_inputs,
        created_by: user.id.clone(),
        created_date: date.clone(),
        modified_by: user.id.clone(),
        modified_date: date,
        event_description,
        action_description,
        raw: serde_json::Map::new(),
    };
    let reply = Reply::json(&views::subscription(state, &sub, true));
    state.insert_subscription(sub);
    reply
}

pub(super) fn replace(state: &mut OrgState, user: &UserRef, id: &str, body: &[u8]) -> Reply {
    let Some(existing) = state.subscription(id).filter(|s| can_view(state, user, s)) else {
        return not_found(id);
    };
    let old_project = state.subscription_project(existing);
    let input = match parse(state, body) {
        Ok(input) => input,
        Err(reply) => return reply,
    };
    for project in old_project.into_iter().chain([input.project]) {
        if !state.grant(project, &user.id).hooks_edit {
            return forbidden(state, user, project);
        }
    }
    let (event_description, action_description) = state.descriptions(
        &input.event_type,
        &input.publisher_inputs,
        &input.consumer_inputs,
    );
    let revives = state.put_revives_disabled_by_system;
    let Some(sub) = state.subscription_mut(id) else {
        return not_found(id);
    };
    let mut publisher_inputs = input.publisher_inputs;
    for kept in ["hostId", "tfsSubscriptionId"] {
        if let Some(value) = sub.publisher_inputs.get(kept) {
            publisher_inputs.insert(kept.into(), value.clone());
        }
    }
    sub.publisher_id = input.publisher_id;
    sub.event_type = input.event_type;
    sub.resource_version = Some(input.resource_version);
    sub.consumer_id = input.consumer_id;
    sub.consumer_action_id = input.consumer_action_id;
    sub.publisher_inputs = publisher_inputs;
    sub.consumer_inputs = input.consumer_inputs;
    sub.event_description = event_description;
    sub.action_description = action_description;
    if let Some(status) = input.status
        && (revives || sub.status != HookStatus::DisabledBySystem)
    {
        sub.status = status;
        if status == HookStatus::Enabled {
            sub.probation_retries = None;
        }
    }
    sub.modified_by = user.id.clone();
    sub.modified_date = now();
    match state.subscription(id) {
        Some(sub) => Reply::json(&views::subscription(state, sub, true)),
        None => not_found(id),
    }
}

pub(super) fn delete(state: &mut OrgState, user: &UserRef, id: &str) -> Reply {
    let Some(existing) = state.subscription(id).filter(|s| can_view(state, user, s)) else {
        return not_found(id);
    };
    if let Some(project) = state.subscription_project(existing)
        && !state.grant(project, &user.id).hooks_edit
    {
        return forbidden(state, user, project);
    }
    state.remove_subscription(id);
    Reply::no_content()
}

/// Every subscription, as the API would return it but unmasked (for `SimHandle::subscriptions`).
pub(crate) fn subscription_views(state: &OrgState) -> Vec<Value> {
    state
        .subscriptions
        .values()
        .filter_map(|s| serde_json::to_value(views::subscription(state, s, false)).ok())
        .collect()
}

/// Projects whose subscriptions the user may not view, computed once per list.
fn hidden_projects(state: &OrgState, user: &UserRef) -> HashSet<usize> {
    (0..state.projects.len())
        .filter(|p| !state.grant(*p, &user.id).hooks_view)
        .collect()
}

fn can_view(state: &OrgState, user: &UserRef, sub: &SubState) -> bool {
    state
        .subscription_project(sub)
        .is_none_or(|p| state.grant(p, &user.id).hooks_view)
}

/// A validated create/replace body.
struct Input {
    project: usize,
    publisher_id: String,
    event_type: String,
    resource_version: String,
    consumer_id: String,
    consumer_action_id: String,
    publisher_inputs: BTreeMap<String, String>,
    consumer_inputs: BTreeMap<String, String>,
    status: Option<HookStatus>,
}

fn parse(state: &OrgState, body: &[u8]) -> Result<Input, Reply> {
    let Some(object) = json_object(body) else {
        return Err(null_body("subscription"));
    };
    let text = |name| {
        field(&object, name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let publisher_id = text("publisherId");
    if !publisher_id.eq_ignore_ascii_case("tfs") {
        return Err(invalid(&format!(
            "The publisher '{publisher_id}' does not exist or is not supported."
        )));
    }
    let event_type = text("eventType");
    let Some((event_type, latest)) = EVENT_TYPES
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(&event_type))
    else {
        return Err(invalid(&format!(
            "The event type '{event_type}' is not supported for publisher 'tfs' by this simulated organization."
        )));
    };
    let consumer_id = text("consumerId");
    let consumer_action_id = text("consumerActionId");
    if !consumer_id.eq_ignore_ascii_case("webHooks")
        || !consumer_action_id.eq_ignore_ascii_case("httpRequest")
    {
        return Err(invalid(&format!(
            "The consumer '{consumer_id}' with action '{consumer_action_id}' is not supported."
        )));
    }
    let publisher_inputs = inputs(&object, "publisherInputs");
    let consumer_inputs = inputs(&object, "consumerInputs");

    let project_id = publisher_inputs
        .get("projectId")
        .map(String::as_str)
        .unwrap_or_default();
    if project_id.is_empty() {
        return Err(invalid("The publisher input 'projectId' is required."));
    }
    let Some(project) = state.project_index(project_id) else {
        return Err(invalid(&format!(
            "The project with id '{project_id}' does not exist, or you do not have permission to access it."
        )));
    };
    if let Some(repo) = publisher_inputs.get("repository").filter(|r| !r.is_empty())
        && !state.repo_in_project(repo, project)
    {
        return Err(invalid(&format!(
            "The repository '{repo}' does not exist in project '{}'.",
            state.projects[project].name
        )));
    }
    let choice = |key: &str, allowed: &[&str]| {
        publisher_inputs
            .get(key)
            .filter(|v| !v.is_empty() && !allowed.contains(&v.as_str()))
            .map(|v| {
                invalid(&format!(
                    "The value '{v}' is not valid for publisher input '{key}'."
                ))
            })
    };
    if let Some(error) = choice("notificationType", NOTIFICATION_TYPES) {
        return Err(error);
    }
    if let Some(error) = choice("mergeResult", MERGE_RESULTS) {
        return Err(error);
    }

    let url = consumer_inputs
        .get("url")
        .map(String::as_str)
        .unwrap_or_default();
    if url.is_empty() {
        return Err(invalid("The consumer input 'url' is required."));
    }
    let absolute = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if absolute.is_none() {
        return Err(invalid(&format!(
            "The consumer input 'url' must be an absolute http or https URL: '{url}'."
        )));
    }

    let status = match field(&object, "status").and_then(Value::as_str) {
        None => None,
        Some(raw) => match HookStatus::parse(raw) {
            Some(status) => Some(status),
            None => {
                return Err(bad_request(&format!(
                    "The subscription status '{raw}' is not valid."
                )));
            }
        },
    };
    let resource_version = Some(text("resourceVersion"))
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("latest"))
        .unwrap_or_else(|| (*latest).to_owned());
    Ok(Input {
        project,
        publisher_id: "tfs".into(),
        event_type: (*event_type).to_owned(),
        resource_version,
        consumer_id: "webHooks".into(),
        consumer_action_id: "httpRequest".into(),
        publisher_inputs,
        consumer_inputs,
        status,
    })
}

/// An inputs object as a string map (non-string values are written as JSON text, null as empty).
fn inputs(object: &Map<String, Value>, name: &str) -> BTreeMap<String, String> {
    field(object, name)
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn invalid(message: &str) -> Reply {
    Reply::error(
        StatusCode::BAD_REQUEST,
        &respond::SUBSCRIPTION_INVALID,
        message,
    )
}

pub(super) fn not_found(id: &str) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        &respond::SUBSCRIPTION_NOT_FOUND,
        &format!("The subscription with id '{id}' does not exist."),
    )
}

fn forbidden(state: &OrgState, user: &UserRef, project: usize) -> Reply {
    Reply::error(
        StatusCode::FORBIDDEN,
        &respond::ACCESS_CHECK,
        &format!(
            "Access Denied: {} ({}) does not have permissions to perform this action. Edit subscriptions permission is required on PublisherSecurity/{}.",
            user.display_name, user.unique_name, state.projects[project].id
        ),
    )
}
