//! Service hook notifications (`azure-devops-api.md` §14): the delivery history of subscriptions
//! (`notificationsquery`, `subscriptions/{id}/notifications[/{nid}]`) and test notifications
//! (`testnotifications`, read back by id until completed).
//!
//! Like subscriptions, notifications of projects the caller may not view are left out (or 404).
//! The query's `summary` counts every result in the date window of each subscription asked for,
//! whatever `resultType`/`status` say, so one query yields the counts (a simulator choice: the
//! service's own summary semantics are UNVERIFIED). Test notifications are not part of a
//! subscription's history.

use std::collections::BTreeMap;

use hyper::StatusCode;
use serde_json::{Map, Value, json};

use super::hooks::not_found as subscription_not_found;
use super::{Query, bad_request, field, json_object, null_body};
use crate::auth::UserRef;
use crate::delivery::{Deliverer, Notification, Outcome, Stage};
use crate::respond::{self, Reply};
use crate::state::OrgState;
use crate::views::{List, masked_inputs};

/// `POST _apis/hooks/notificationsquery`.
pub(super) fn query(state: &OrgState, user: &UserRef, body: &[u8]) -> Reply {
    let Some(object) = json_object(body) else {
        return null_body("query");
    };
    let text = |name: &str| {
        field(&object, name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let date = |name: &str| -> Result<Option<jiff::Timestamp>, Reply> {
        match text(name) {
            None => Ok(None),
            Some(raw) => raw
                .parse::<jiff::Timestamp>()
                .map(Some)
                .map_err(|_| bad_request(&format!("The value '{raw}' is not valid for {name}."))),
        }
    };
    let number = |name: &str| {
        field(&object, name)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
    };
    let (min, max) = match (date("minCreatedDate"), date("maxCreatedDate")) {
        (Ok(min), Ok(max)) => (min, max),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let result = match text("resultType").map(|r| (r, Outcome::parse(r))) {
        None => None,
        Some((_, Some(r))) => Some(r),
        Some((raw, None)) => {
            return bad_request(&format!("The value '{raw}' is not valid for resultType."));
        }
    };
    let status = text("status");
    let per_subscription = number("maxResultsPerSubscription").unwrap_or(usize::MAX);
    let max_results = number("maxResults").unwrap_or(usize::MAX);
    let details = field(&object, "includeDetails")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let asked: Vec<String> = field(&object, "subscriptionIds")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();

    let in_window = |n: &Notification| {
        !n.test
            && (asked.is_empty() || asked.contains(&n.subscription_id.to_ascii_lowercase()))
            && min.is_none_or(|m| n.created >= m)
            && max.is_none_or(|m| n.created <= m)
            && visible(state, user, &n.subscription_id)
    };
    let mut summary: BTreeMap<String, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    for n in newest_first(state).filter(|n| in_window(n)) {
        *summary
            .entry(n.subscription_id.clone())
            .or_default()
            .entry(n.result.as_str())
            .or_default() += 1;
        let wanted = result.is_none_or(|r| r == n.result)
            && status.is_none_or(|s| s.eq_ignore_ascii_case(n.stage.as_str()));
        let count = taken.entry(n.subscription_id.clone()).or_default();
        if wanted && *count < per_subscription && results.len() < max_results {
            *count += 1;
            results.push(view(n, details));
        }
    }
    let summary: Vec<Value> = summary
        .into_iter()
        .map(|(id, counts)| {
            let results: Vec<Value> = counts
                .into_iter()
                .map(|(result, count)| json!({ "result": result, "notificationCount": count }))
                .collect();
            json!({ "subscriptionId": id, "results": results })
        })
        .collect();
    let mut answer: Map<String, Value> = object;
    answer.insert("results".into(), Value::Array(results));
    answer.insert("summary".into(), Value::Array(summary));
    Reply::json(&answer)
}

/// `GET _apis/hooks/subscriptions/{id}/notifications?maxResults=&status=&result=`.
pub(super) fn list(state: &OrgState, user: &UserRef, sub_id: &str, query: &Query) -> Reply {
    if state.subscription(sub_id).is_none() || !visible(state, user, sub_id) {
        return subscription_not_found(sub_id);
    }
    let max = match query.number("maxResults") {
        Ok(n) => n.unwrap_or(usize::MAX),
        Err(reply) => return reply,
    };
    let result = query.get("result").filter(|r| !r.is_empty());
    let status = query.get("status").filter(|s| !s.is_empty());
    let value: Vec<Value> = newest_first(state)
        .filter(|n| !n.test && n.subscription_id.eq_ignore_ascii_case(sub_id))
        .filter(|n| result.is_none_or(|r| r.eq_ignore_ascii_case(n.result.as_str())))
        .filter(|n| status.is_none_or(|s| s.eq_ignore_ascii_case(n.stage.as_str())))
        .take(max)
        .map(|n| view(n, true))
        .collect();
    Reply::json(&List::of(value))
}

/// `GET _apis/hooks/subscriptions/{id}/notifications/{notificationId}`.
pub(super) fn get(state: &OrgState, user: &UserRef, sub_id: &str, id: &str) -> Reply {
    let found = id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.deliveries.notifications.get(&id))
        .filter(|n| !n.test && n.subscription_id.eq_ignore_ascii_case(sub_id))
        .filter(|n| visible(state, user, &n.subscription_id));
    match found {
        Some(n) => Reply::json(&view(n, true)),
        None => notification_not_found(id),
    }
}

/// `POST _apis/hooks/testnotifications`: `{"subscriptionId"}` or `{"details": {...}}`. Answers the
/// queued notification; the delivery happens in the background.
pub(super) fn create_test(
    state: &mut OrgState,
    user: &UserRef,
    body: &[u8],
    deliverer: &Deliverer,
) -> Reply {
    let Some(object) = json_object(body) else {
        return null_body("testNotification");
    };
    let sub_id = field(&object, "subscriptionId")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty());
    let details = field(&object, "details").and_then(Value::as_object);
    let id = match (sub_id, details) {
        (Some(sub_id), _) => {
            let Some(sub) = state
                .subscription(sub_id)
                .filter(|_| visible(state, user, sub_id))
            else {
                return subscription_not_found(sub_id);
            };
            let event_type = sub.event_type.clone();
            state.record_test(Some(sub_id), &event_type, BTreeMap::new(), BTreeMap::new())
        }
        (None, Some(details)) => {
            let event_type = field(details, "eventType")
                .and_then(Value::as_str)
                .unwrap_or("git.pullrequest.created")
                .to_owned();
            let consumer_inputs = strings(details, "consumerInputs");
            if consumer_inputs.get("url").is_none_or(String::is_empty) {
                return bad_request("The consumer input 'url' is required.");
            }
            state.record_test(
                None,
                &event_type,
                strings(details, "publisherInputs"),
                consumer_inputs,
            )
        }
        (None, None) => {
            return bad_request("A subscription id or notification details are required.");
        }
    };
    deliverer.enqueue(id);
    match state.deliveries.notifications.get(&id) {
        Some(n) => Reply::json(&view(n, true)),
        None => notification_not_found(&id.to_string()),
    }
}

/// `GET _apis/hooks/testnotifications/{id}`.
pub(super) fn get_test(state: &OrgState, user: &UserRef, id: &str) -> Reply {
    let found = id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.deliveries.notifications.get(&id))
        .filter(|n| n.test)
        .filter(|n| n.subscription_id.is_empty() || visible(state, user, &n.subscription_id));
    match found {
        Some(n) => Reply::json(&view(n, true)),
        None => notification_not_found(id),
    }
}

/// A notification as the API returns it; `details` only when asked, consumer secrets masked.
fn view(n: &Notification, details: bool) -> Value {
    let mut value = json!({
        "id": n.id,
        "subscriptionId": n.subscription_id,
        "eventId": n.event_id,
        "createdDate": n.created_date,
        "modifiedDate": n.modified_date,
        "result": n.result.as_str(),
        "status": n.stage.as_str(),
        "subscriberId": "00000000-0000-0000-0000-000000000000",
    });
    if details && let Some(object) = value.as_object_mut() {
        let completed = n.stage == Stage::Completed;
        object.insert(
            "details".into(),
            json!({
                "eventType": n.event_type,
                "publisherId": "tfs",
                "publisherInputs": n.publisher_inputs,
                "consumerId": "webHooks",
                "consumerActionId": "httpRequest",
                "consumerInputs": masked_inputs(&n.consumer_inputs),
                "queuedDate": n.created_date,
                "dequeuedDate": n.dequeued_date,
                "processedDate": n.completed_date,
                "completedDate": n.completed_date,
                "requestAttempts": n.request_attempts,
                "requestDuration": n.request_duration_ms.filter(|_| completed),
                "request": n.request,
                "response": n.response,
                "errorMessage": n.error_message,
                "errorDetail": n.error_message,
                "event": n.event,
            }),
        );
    }
    value
}

/// Notifications newest first by creation date (seeded history may be recorded out of order), then
/// by id.
fn newest_first(state: &OrgState) -> impl Iterator<Item = &Notification> {
    let mut all: Vec<&Notification> = state.deliveries.notifications.values().collect();
    all.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    all.into_iter()
}

fn visible(state: &OrgState, user: &UserRef, sub_id: &str) -> bool {
    state
        .subscription(sub_id)
        .and_then(|s| state.subscription_project(s))
        .is_none_or(|p| state.grant(p, &user.id).hooks_view)
}

fn strings(object: &Map<String, Value>, name: &str) -> BTreeMap<String, String> {
    field(object, name)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Message UNVERIFIED.
fn notification_not_found(id: &str) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        &respond::NOT_FOUND,
        &format!("The notification with id '{id}' does not exist."),
    )
}
