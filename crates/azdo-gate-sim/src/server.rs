//! The HTTP side: an accept loop that serves each connection with hyper itself (so a fault can close
//! a connection without answering), and the per-request pipeline:
//! count → latency → faults → organization → authentication and scopes → api-version → project →
//! operation. Every answer carries `ActivityId` and `X-VSS-E2EID`; authenticated ones carry
//! `X-VSS-UserData`.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use hyper::http::request;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;

use super::ServerVersion;
use super::api::{self, Call, Pages, Query};
use super::auth::{self, Caller};
use super::delivery::{Deliverer, DeliveryOptions};
use super::faults::{FaultAction, Faults};
use super::gate_page;
use super::ids::{is_guid, random_guid};
use super::limiter::{Limiter, Verdict};
use super::respond::{self, Reply};
use super::routes::{Route, Target, classify};
use super::state::OrgState;

/// Request bodies larger than this are refused (413); the tool's bodies are a few kilobytes.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Everything the server and its handle share.
pub(crate) struct Shared {
    /// The organization name, outside the lock: it never changes.
    pub org: String,
    pub state: RwLock<OrgState>,
    pub faults: Faults,
    pub counts: Counts,
    pub latency_nanos: AtomicU64,
    pub pages: Pages,
    /// Set once the server is told to stop: requests it then cuts short were not hung up on.
    pub stopping: AtomicBool,
    /// Tokens given to the stand-in gating service page.
    pub gate_tokens: gate_page::Received,
    pub deliverer: Deliverer,
    pub delivery: DeliveryOptions,
    /// Azure DevOps Server mode (see `SimOptions::server_version`).
    pub server_version: Option<ServerVersion>,
    /// The rate limiter, when on (`SimOptions::rate_limit`).
    pub limiter: Option<Limiter>,
}

impl Shared {
    pub fn latency(&self) -> Duration {
        Duration::from_nanos(self.latency_nanos.load(Ordering::Relaxed))
    }

    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, OrgState> {
        // A poisoned lock only means a handler panicked; every mutation leaves the state consistent.
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_latency(&self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_nanos.store(nanos, Ordering::Relaxed);
    }
}

type PerRoute = [AtomicU64; Route::ALL.len()];

/// Requests received, and requests whose client hung up before the answer, in total and per route,
/// lock-free.
#[derive(Default)]
pub(crate) struct Counts {
    total: AtomicU64,
    routes: PerRoute,
    abandoned: PerRoute,
    /// Abandoned requests in total, watched so a test can await a hang-up rather than sleep.
    abandoned_total: watch::Sender<u64>,
}

impl Counts {
    fn record(&self, route: Route) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.routes[route.index()].fetch_add(1, Ordering::Relaxed);
    }

    fn abandon(&self, route: Route) {
        self.abandoned[route.index()].fetch_add(1, Ordering::Relaxed);
        self.abandoned_total.send_modify(|n| *n += 1);
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// `(label, count)` for every route with at least one request.
    pub fn by_route(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        nonzero(&self.routes)
    }

    /// `(label, count)` for every route with at least one request abandoned by its client.
    pub fn abandoned_by_route(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        nonzero(&self.abandoned)
    }

    /// Returns once at least `n` requests have been abandoned since start or the last reset.
    pub async fn abandoned(&self, n: u64) {
        let mut total = self.abandoned_total.subscribe();
        // The sender lives in `self`, so the wait cannot fail while it is borrowed.
        let _ = total.wait_for(|abandoned| *abandoned >= n).await;
    }

    pub fn reset(&self) {
        self.total.store(0, Ordering::Relaxed);
        for count in self.routes.iter().chain(&self.abandoned) {
            count.store(0, Ordering::Relaxed);
        }
        self.abandoned_total.send_replace(0);
    }
}

fn nonzero(counts: &PerRoute) -> impl Iterator<Item = (&'static str, u64)> + '_ {
    Route::ALL.into_iter().filter_map(|route| {
        let n = counts[route.index()].load(Ordering::Relaxed);
        (n > 0).then_some((route.label(), n))
    })
}

/// Accepts connections until `stop` fires (or its sender is dropped); dropping this future closes
/// the listener and every open connection.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared)));
                }
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "simulator could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    shared.stopping.store(true, Ordering::Relaxed);
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    // Signalled by a request whose fault says to drop the connection: the connection future is then
    // dropped, which closes the socket without writing an answer.
    let kill = Arc::new(Notify::new());
    let service_kill = Arc::clone(&kill);
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        let kill = Arc::clone(&service_kill);
        async move { Ok::<_, Infallible>(handle(&shared, &kill, request).await) }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "simulator connection ended with an error");
            }
        }
        _ = kill.notified() => {}
    }
}

/// Counts its request as abandoned by the client if dropped unsettled: hyper drops a request's
/// future when the client closes the connection before the answer is ready.
struct Unanswered<'a> {
    shared: &'a Shared,
    route: Route,
    settled: bool,
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if !self.settled && !self.shared.stopping.load(Ordering::Relaxed) {
            self.shared.counts.abandon(self.route);
        }
    }
}

/// What the pipeline decided for one request.
enum Outcome {
    Answer(Response<Body>),
    /// A fault: close the connection without answering.
    DropConnection,
}

async fn handle(shared: &Arc<Shared>, kill: &Notify, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    if parts.uri.path() == gate_page::GATE_TOKEN_PATH {
        let body = axum::body::to_bytes(Body::new(body), MAX_BODY)
            .await
            .unwrap_or_default();
        let reply = gate_page::answer(&shared.gate_tokens, &parts.method, &body);
        return finish(reply, &random_guid());
    }
    let target = classify(&parts.method, collection_path(shared, parts.uri.path()));
    shared.counts.record(target.route);
    let mut pending = Unanswered {
        shared,
        route: target.route,
        settled: false,
    };
    let outcome = pipeline(shared, &parts, body, &target).await;
    pending.settled = true;
    match outcome {
        Outcome::Answer(response) => response,
        Outcome::DropConnection => drop_connection(kill).await,
    }
}

/// A Server also serves its collection under `/tfs/`: the path without that prefix.
fn collection_path<'p>(shared: &Shared, path: &'p str) -> &'p str {
    if shared.server_version.is_none() {
        return path;
    }
    match path.get(..5) {
        Some(prefix) if prefix.eq_ignore_ascii_case("/tfs/") => &path[4..],
        _ => path,
    }
}

/// Latency, faults and the answer: everything after counting.
async fn pipeline(
    shared: &Arc<Shared>,
    parts: &request::Parts,
    body: Incoming,
    target: &Target,
) -> Outcome {
    let activity = random_guid();
    let latency = shared.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let verdict = shared.limiter.as_ref().map(|l| (l.admit(), l.budget()));
    match verdict {
        Some((Verdict::Blocked { retry_after_secs }, _)) => {
            return Outcome::Answer(finish(respond::throttled(retry_after_secs), &activity));
        }
        Some((Verdict::Delayed { delay, .. }, _)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let fault = shared.faults.take(target.route.label());
    let mut reply = match fault {
        Some(FaultAction::Throttle { retry_after_secs }) => respond::throttled(retry_after_secs),
        Some(FaultAction::Fail { status }) => respond::server_error(status, &activity),
        Some(FaultAction::Malformed) => respond::truncated_json(),
        Some(FaultAction::Drop) => return Outcome::DropConnection,
        Some(FaultAction::Redirect { status, location }) => {
            let path = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            respond::redirect(status, &format!("{location}{path}"))
        }
        Some(FaultAction::LateCommit { delay }) => {
            let body = match read_body(body).await {
                Ok(body) => body,
                Err(reply) => return Outcome::Answer(finish(reply, &activity)),
            };
            // The write runs on its own task: a client that hangs up drops this future, not the
            // write, exactly like a server that commits after the client's timeout.
            let shared = Arc::clone(shared);
            let (method, uri, headers) = (
                parts.method.clone(),
                parts.uri.clone(),
                parts.headers.clone(),
            );
            let target = target.clone();
            let late = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let query = Query::parse(uri.query());
                process(
                    &shared,
                    &method,
                    uri.path(),
                    &headers,
                    &target,
                    &query,
                    &body,
                )
            });
            match late.await {
                Ok(reply) => reply,
                Err(_) => respond::server_error(500, &activity),
            }
        }
        Some(FaultAction::CommitThenDrop) | None => {
            let body = match read_body(body).await {
                Ok(body) => body,
                Err(reply) => return Outcome::Answer(finish(reply, &activity)),
            };
            let query = Query::parse(parts.uri.query());
            let reply = process(
                shared,
                &parts.method,
                parts.uri.path(),
                &parts.headers,
                target,
                &query,
                &body,
            );
            if fault == Some(FaultAction::CommitThenDrop) {
                return Outcome::DropConnection;
            }
            reply
        }
    };
    if let Some((Verdict::Delayed { delay, remaining }, budget)) = verdict {
        reply
            .header("x-ratelimit-resource", "Concurrency")
            .header("x-ratelimit-delay", &format!("{:.3}", delay.as_secs_f64()))
            .header("x-ratelimit-limit", &budget.to_string())
            .header("x-ratelimit-remaining", &remaining.to_string());
    }
    tracing::debug!(
        route = target.route.label(),
        status = reply.status.as_u16(),
        "simulated request"
    );
    Outcome::Answer(finish(reply, &activity))
}

/// The request body, or the 413 that refuses it.
async fn read_body(body: Incoming) -> Result<axum::body::Bytes, Reply> {
    axum::body::to_bytes(Body::new(body), MAX_BODY)
        .await
        .map_err(|_| {
            Reply::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &respond::ARGUMENT,
                "The request body is too large or could not be read.",
            )
        })
}

async fn drop_connection(kill: &Notify) -> Response<Body> {
    kill.notify_one();
    // The connection task drops this request's future as soon as it sees the signal.
    std::future::pending().await
}

fn process(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    target: &Target,
    query: &Query,
    body: &[u8],
) -> Reply {
    if !target.org.eq_ignore_ascii_case(&shared.org) {
        return organization_not_found(&target.org);
    }
    let (caller, project) = {
        let state = shared.state.read().unwrap_or_else(|p| p.into_inner());
        let caller = match auth::authenticate(&state, method, target.route, headers) {
            Ok(caller) => caller,
            Err(reply) => return reply,
        };
        let reply_for = |mut reply: Reply| {
            if let Caller::User(user) = &caller {
                reply.header("x-vss-userdata", &user.user_data());
            }
            reply
        };
        if target.route == Route::Other {
            return reply_for(api::not_found(path));
        }
        if let Err(reply) =
            check_version(target.route, method, query, headers, shared.server_version)
        {
            return reply_for(reply);
        }
        let project = match &target.project {
            None => None,
            Some(key) => match state.project_index(key) {
                Some(p) => Some(p),
                None => return reply_for(project_not_found(key)),
            },
        };
        (caller, project)
    };
    let call = Call {
        path,
        target,
        query,
        headers,
        body,
        caller: &caller,
        project,
        pages: shared.pages,
        deliverer: &shared.deliverer,
    };
    let mut reply = api::dispatch(&shared.state, &call);
    if let Caller::User(user) = &caller {
        reply.header("x-vss-userdata", &user.user_data());
    }
    reply
}

fn finish(reply: Reply, activity: &str) -> Response<Body> {
    let has_body = !reply.body.is_empty();
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if has_body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    }
    for (name, value) in reply.headers {
        headers.append(name, value);
    }
    for (name, value) in [
        ("activityid", activity.to_owned()),
        ("x-vss-e2eid", random_guid()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// 404 for an organization the simulator does not host. Message and type UNVERIFIED.
fn organization_not_found(name: &str) -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        &respond::HOST_NOT_FOUND,
        &format!("The organization '{name}' could not be found."),
    )
}

/// 404 for an unknown project segment: VS800075 for an id, TF200016 for a name (UNVERIFIED wording).
fn project_not_found(key: &str) -> Reply {
    if is_guid(key) {
        Reply::error(
            StatusCode::NOT_FOUND,
            &respond::PROJECT_NOT_FOUND,
            &format!(
                "VS800075: The project with id 'vstfs:///Classification/TeamProject/{key}' does not exist, or you do not have permission to access it."
            ),
        )
    } else {
        Reply::error(
            StatusCode::NOT_FOUND,
            &respond::PROJECT_NAME_NOT_FOUND,
            &format!(
                "TF200016: The following project does not exist: {key}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
            ),
        )
    }
}

/// A parsed `api-version`: `7.1`, `7.1-preview`, `7.1-preview.1`.
struct Version {
    major: u32,
    minor: u32,
    preview: bool,
}

fn parse_version(raw: &str) -> Option<Version> {
    let (number, stage) = match raw.split_once('-') {
        Some((number, stage)) => (number, Some(stage)),
        None => (raw, None),
    };
    let preview = match stage {
        None => false,
        Some(stage) => {
            let lower = stage.to_ascii_lowercase();
            let rest = lower.strip_prefix("preview")?;
            if !(rest.is_empty()
                || rest
                    .strip_prefix('.')
                    .is_some_and(|n| n.parse::<u32>().is_ok()))
            {
                return None;
            }
            true
        }
    };
    let (major, minor) = match number.split_once('.') {
        Some((major, minor)) => (major.parse().ok()?, minor.parse().ok()?),
        None => (number.parse().ok()?, 0),
    };
    Some(Version {
        major,
        minor,
        preview,
    })
}

/// The `api-version` from the query string, else from `Accept: application/json;api-version=X`.
fn requested_version(query: &Query, headers: &HeaderMap) -> Option<String> {
    if let Some(v) = query.get("api-version").filter(|v| !v.is_empty()) {
        return Some(v.trim().to_owned());
    }
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|param| param.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Version rules (`azure-devops-api.md` §0): required; 1.0 to 7.2 (to the server's latest in Server
/// mode); 7.2 only as a preview; `connectionData` only as a preview. Messages follow the service's
/// own wording (§13 for Server's).
fn check_version(
    route: Route,
    method: &Method,
    query: &Query,
    headers: &HeaderMap,
    server: Option<ServerVersion>,
) -> Result<(), Reply> {
    let Some(raw) = requested_version(query, headers) else {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            &respond::VERSION_NOT_SPECIFIED,
            &format!(
                "No api-version was supplied for the \"{method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\")."
            ),
        ));
    };
    let Some(version) = parse_version(&raw) else {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            &respond::INVALID_VERSION,
            &format!(
                "Invalid api version string: \"{raw}\". Api version string must be in the format: {{Major}}.{{Minor}}[-{{Stage}}[.{{Resource}}]]."
            ),
        ));
    };
    let number = (version.major, version.minor);
    if let Some(latest) = server
        && number > (latest.major, latest.minor)
    {
        let number_only = raw.split('-').next().unwrap_or(&raw);
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            &respond::VERSION_OUT_OF_RANGE,
            &format!(
                "The requested REST API version of {number_only} is out of range for this server. The latest REST API version this server supports is {latest}."
            ),
        ));
    }
    if !((1, 0)..=(7, 2)).contains(&number) {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            &respond::VERSION_OUT_OF_RANGE,
            &format!(
                "The requested REST API version of {raw} is out of range for this server. The latest REST API version for this server is 7.2."
            ),
        ));
    }
    let preview_only = route == Route::ConnectionData || number == (7, 2);
    if preview_only && !version.preview {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            &respond::PREVIEW_REQUIRED,
            &format!(
                "The requested version \"{raw}\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"{raw}-preview\""
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_like_azure_devops_spells_them() {
        for ok in ["7.1", "7.1-preview", "7.1-preview.1", "6.0", "7"] {
            assert!(parse_version(ok).is_some(), "{ok}");
        }
        for bad in ["", "seven", "7.1-beta", "7.1-preview.x", "7.x"] {
            assert!(parse_version(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn version_from_accept_header_counts() {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/json;api-version=7.1"),
        );
        let query = Query::parse(None);
        assert_eq!(requested_version(&query, &headers).as_deref(), Some("7.1"));
        assert!(check_version(Route::Repositories, &Method::GET, &query, &headers, None).is_ok());
        assert!(
            check_version(Route::ConnectionData, &Method::GET, &query, &headers, None).is_err()
        );
        let server = Some(ServerVersion { major: 7, minor: 0 });
        let refused =
            check_version(Route::Repositories, &Method::GET, &query, &headers, server).unwrap_err();
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    }
}
