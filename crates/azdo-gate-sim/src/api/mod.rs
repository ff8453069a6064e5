//! The operations, one module per API area. Every handler is synchronous: state lives in memory,
//! and each handler takes the lock it needs for exactly as long as it builds its answer.

mod build;
mod core;
mod git;
mod hooks;
mod identity;
mod notifications;
mod policy;
mod security;
mod work;

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use hyper::StatusCode;
use hyper::header::HeaderMap;
use serde_json::{Map, Value};

use super::auth::{ANONYMOUS_ID, Caller};
use super::delivery::Deliverer;
use super::respond::{self, Reply};
use super::routes::{Route, Target};
use super::state::OrgState;

pub(crate) use hooks::subscription_views;
pub(crate) use policy::policy_views;

/// Page sizes the server uses when the client does not ask for one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pages {
    pub projects: usize,
    pub policies: usize,
    /// Most evaluations one permission batch may hold.
    pub evaluations: usize,
}

/// One authenticated request, ready for its handler.
pub(crate) struct Call<'a> {
    /// The request path, for messages.
    pub path: &'a str,
    pub target: &'a Target,
    pub query: &'a Query,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub caller: &'a Caller,
    /// The project segment, resolved to an index (present iff the path had one).
    pub project: Option<usize>,
    pub pages: Pages,
    /// Where test notifications go to be delivered.
    pub deliverer: &'a Deliverer,
}

pub(crate) fn dispatch(state: &RwLock<OrgState>, call: &Call) -> Reply {
    let user = match call.caller {
        Caller::User(user) => user,
        Caller::Anonymous if call.target.route == Route::ConnectionData => {
            return identity::connection_data(&read(state), call.caller);
        }
        // Authentication only lets anonymous callers through to connectionData.
        Caller::Anonymous => return respond::unauthorized(ANONYMOUS_ID),
    };
    match call.target.route {
        Route::ConnectionData => identity::connection_data(&read(state), call.caller),
        Route::Projects => core::list_projects(&read(state), call.query, call.pages.projects),
        Route::Repositories => git::list_repositories(&read(state), user, call.project),
        Route::PermissionBatch => {
            security::evaluate(&read(state), user, call.body, call.pages.evaluations)
        }
        Route::ListSubscriptions => hooks::list(&read(state), user, call.query),
        Route::GetSubscription => hooks::get(&read(state), user, item(call)),
        Route::CreateSubscription => hooks::create(&mut write(state), user, call.body),
        Route::ReplaceSubscription => {
            hooks::replace(&mut write(state), user, item(call), call.body)
        }
        Route::DeleteSubscription => hooks::delete(&mut write(state), user, item(call)),
        Route::ListPolicies => with_project(call, |p| {
            policy::list(&read(state), p, call.query, call.pages.policies)
        }),
        Route::CreatePolicy => with_project(call, |p| {
            policy::create(&mut write(state), user, p, call.body)
        }),
        Route::DeletePolicy => with_project(call, |p| {
            policy::delete(&mut write(state), user, p, item(call))
        }),
        Route::GetPolicy => with_project(call, |p| policy::get(&read(state), p, item(call))),
        Route::ReplacePolicy => with_project(call, |p| {
            policy::replace(&mut write(state), user, p, item(call), call.body)
        }),
        Route::WitFields => work::fields(&read(state)),
        Route::PatchWorkItem => work::patch(call.headers, item(call), call.body),
        Route::BuildDefinitions => {
            with_project(call, |p| build::definitions(&read(state), p, call.query))
        }
        Route::AgentPools => build::pools(),
        Route::QueryNotifications => notifications::query(&read(state), user, call.body),
        Route::ListNotifications => notifications::list(&read(state), user, item(call), call.query),
        Route::GetNotification => notifications::get(
            &read(state),
            user,
            item(call),
            call.target.sub_item.as_deref().unwrap_or_default(),
        ),
        Route::CreateTestNotification => {
            notifications::create_test(&mut write(state), user, call.body, call.deliverer)
        }
        Route::GetTestNotification => notifications::get_test(&read(state), user, item(call)),
        Route::Other => not_found(call.path),
    }
}

fn item<'a>(call: &'a Call) -> &'a str {
    call.target.item.as_deref().unwrap_or_default()
}

/// Routes classified as project-scoped always carry a project; answer 404 otherwise.
fn with_project(call: &Call, f: impl FnOnce(usize) -> Reply) -> Reply {
    match call.project {
        Some(p) => f(p),
        None => not_found(call.path),
    }
}

/// 404 for a path no controller serves. Message UNVERIFIED (ASP.NET's wording).
pub(crate) fn not_found(path: &str) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        &respond::NOT_FOUND,
        &format!(
            "The controller for path '{path}' was not found or does not implement IController."
        ),
    )
}

fn read(state: &RwLock<OrgState>) -> RwLockReadGuard<'_, OrgState> {
    // A poisoned lock only means a handler panicked; every mutation leaves the state consistent.
    state.read().unwrap_or_else(|p| p.into_inner())
}

fn write(state: &RwLock<OrgState>) -> RwLockWriteGuard<'_, OrgState> {
    state.write().unwrap_or_else(|p| p.into_inner())
}

/// Query parameters; names compare case-insensitively, as Azure DevOps does.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A non-negative integer parameter; `Err` carries the 400 answer for a malformed one.
    pub fn number(&self, name: &str) -> Result<Option<usize>, Reply> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(raw) => raw.trim().parse::<usize>().map(Some).map_err(|_| {
                bad_request(&format!(
                    "The value '{raw}' is not valid for parameter {name}."
                ))
            }),
        }
    }
}

pub(crate) fn bad_request(message: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, &respond::ARGUMENT, message)
}

/// 400 for a body the server cannot bind: .NET binds it to null and the controller rejects the null
/// argument.
pub(crate) fn null_body(parameter: &str) -> Reply {
    Reply::error(
        StatusCode::BAD_REQUEST,
        &respond::ARGUMENT_NULL,
        &format!("Value cannot be null.\r\nParameter name: {parameter}"),
    )
}

/// Parses a JSON object body; `None` for anything else.
pub(crate) fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A field of a JSON object, name compared case-insensitively (the .NET binder is).
pub(crate) fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Current time as the API writes it (`2026-11-28T05:17:00.123Z`).
pub(crate) fn now() -> String {
    format!("{:.3}", jiff::Timestamp::now())
}
