//! Authentication and PAT scopes, following `azure-devops-api.md` §2b/§2c: Basic auth with the PAT
//! as password; a rejected credential is a 401 TF400813 (or a 203 sign-in page without
//! `X-TFS-FedAuthRedirect: Suppress`); an expired PAT says so; a missing scope is a 401 naming the
//! user; public-project organizations answer `connectionData` anonymously.

use base64::Engine as _;
use hyper::Method;
use hyper::header::{AUTHORIZATION, HeaderMap};

use super::respond::{self, Reply};
use super::routes::Route;
use super::scenario::AccessLevel;
use super::state::OrgState;

/// The identity public-project organizations report for an unauthenticated caller.
pub(crate) const ANONYMOUS_ID: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

/// Who is calling, once authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    User(UserRef),
    /// Public-project organization, rejected credential (only on `connectionData`).
    Anonymous,
}

#[derive(Debug, Clone)]
pub(crate) struct UserRef {
    pub id: String,
    pub display_name: String,
    pub custom_display_name: Option<String>,
    pub unique_name: String,
    pub access_level: AccessLevel,
}

impl UserRef {
    /// `X-VSS-UserData: {userId}:{uniqueName}`.
    pub fn user_data(&self) -> String {
        format!("{}:{}", self.id, self.unique_name)
    }
}

/// Scopes a route accepts (any one suffices); empty = no scope needed. From
/// `ado-examples/spec-operation-scopes.json` (7.1) and §1a for `connectionData`.
fn required_scopes(route: Route) -> &'static [&'static str] {
    match route {
        Route::ConnectionData | Route::PermissionBatch | Route::Other => &[],
        Route::Projects => &["vso.project", "vso.profile"],
        Route::Repositories | Route::ListPolicies | Route::GetPolicy => &["vso.code"],
        Route::CreatePolicy | Route::DeletePolicy | Route::ReplacePolicy => &["vso.code_write"],
        Route::ListSubscriptions
        | Route::GetSubscription
        | Route::CreateSubscription
        | Route::ReplaceSubscription
        | Route::DeleteSubscription
        | Route::QueryNotifications
        | Route::ListNotifications
        | Route::GetNotification
        | Route::CreateTestNotification
        | Route::GetTestNotification => &["vso.work", "vso.build", "vso.code"],
        Route::WitFields => &["vso.work"],
        Route::PatchWorkItem => &["vso.work_write"],
        Route::BuildDefinitions => &["vso.build"],
        Route::AgentPools => &["vso.agentpools"],
    }
}

/// Higher levels of a scope family imply the lower ones (write ⊃ read). `vso.code_status` implies
/// nothing else: it only opens the PR/commit status operations. UNVERIFIED as a rule (§2b).
const IMPLIES: &[(&str, &[&str])] = &[
    (
        "vso.code_full",
        &[
            "vso.code_manage",
            "vso.code_write",
            "vso.code",
            "vso.code_status",
        ],
    ),
    ("vso.code_manage", &["vso.code_write", "vso.code"]),
    ("vso.code_write", &["vso.code"]),
    ("vso.work_full", &["vso.work_write", "vso.work"]),
    ("vso.work_write", &["vso.work"]),
    ("vso.build_execute", &["vso.build"]),
    ("vso.project_manage", &["vso.project_write", "vso.project"]),
    ("vso.project_write", &["vso.project"]),
    ("vso.agentpools_manage", &["vso.agentpools"]),
    ("vso.profile_write", &["vso.profile"]),
];

fn implies(held: &str, wanted: &str) -> bool {
    held == wanted
        || IMPLIES
            .iter()
            .any(|(scope, lower)| *scope == held && lower.contains(&wanted))
}

/// Whether a token with `scopes` (or full access) may call a route needing any of `required`.
pub(crate) fn scopes_allow(scopes: &[String], full_access: bool, required: &[&str]) -> bool {
    required.is_empty()
        || full_access
        || required
            .iter()
            .any(|wanted| scopes.iter().any(|held| implies(held, wanted)))
}

/// The PAT from `Authorization: Basic base64(user:pat)` (user name ignored).
fn basic_password(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (_, password) = text.split_once(':')?;
    Some(password.to_owned())
}

fn suppresses_redirect(headers: &HeaderMap) -> bool {
    headers
        .get("x-tfs-fedauthredirect")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("suppress"))
}

/// Authenticates a request and checks the route's scopes. On rejection, the ready answer.
pub(crate) fn authenticate(
    state: &OrgState,
    method: &Method,
    route: Route,
    headers: &HeaderMap,
) -> Result<Caller, Reply> {
    let token = basic_password(headers).and_then(|pat| state.token(&pat));
    let Some(token) = token else {
        if state.public_projects && route == Route::ConnectionData {
            return Ok(Caller::Anonymous);
        }
        // Browser-style endpoints redirect GET/POST to a sign-in page (203); other verbs get the
        // 401 even without the suppress header (§2c, S21).
        let browser_verb = matches!(*method, Method::GET | Method::HEAD | Method::POST);
        return Err(if suppresses_redirect(headers) || !browser_verb {
            respond::unauthorized("")
        } else {
            respond::sign_in_page()
        });
    };
    if token.expired {
        return Err(respond::expired());
    }
    let user = state.user_ref(&token.user);
    if !scopes_allow(&token.scopes, token.full_access, required_scopes(route)) {
        let mut reply = respond::unauthorized(&user.id);
        reply.header("x-vss-userdata", &user.user_data());
        return Err(reply);
    }
    Ok(Caller::User(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_gate_token_reaches_exactly_the_routes_it_should() {
        let gate = scopes(&[
            "vso.work_write",
            "vso.code_write",
            "vso.code_status",
            "vso.build",
        ]);
        let allowed = |route| scopes_allow(&gate, false, required_scopes(route));
        for route in [
            Route::ConnectionData,
            Route::Repositories,
            Route::PermissionBatch,
            Route::CreateSubscription,
            Route::ListPolicies,
            Route::CreatePolicy,
            Route::WitFields,
            Route::PatchWorkItem,
            Route::BuildDefinitions,
        ] {
            assert!(allowed(route), "{}", route.label());
        }
        assert!(!allowed(Route::Projects));
        assert!(!allowed(Route::AgentPools));
        assert!(scopes_allow(&[], true, required_scopes(Route::AgentPools)));
    }

    #[test]
    fn code_status_alone_opens_nothing_here_and_read_does_not_imply_write() {
        let status = scopes(&["vso.code_status"]);
        assert!(!scopes_allow(
            &status,
            false,
            required_scopes(Route::Repositories)
        ));
        let read = scopes(&["vso.code", "vso.work"]);
        assert!(!scopes_allow(
            &read,
            false,
            required_scopes(Route::CreatePolicy)
        ));
        assert!(!scopes_allow(
            &read,
            false,
            required_scopes(Route::PatchWorkItem)
        ));
        assert!(scopes_allow(
            &read,
            false,
            required_scopes(Route::ListSubscriptions)
        ));
    }
}
