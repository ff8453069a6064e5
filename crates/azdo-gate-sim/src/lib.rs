//! `azdo-gate-sim`: a simulated Azure DevOps organization, served over loopback HTTP for
//! `azdo-gate`'s tests, benchmarks and `azdo-gate demo`.
//!
//! It answers every call the tool makes with the shapes of `shared/ado-examples/` and the behaviours
//! of `shared/azure-devops-api.md`: Basic-auth PATs with per-route scopes, the 401/203/expired
//! answers, `api-version` rules, paging with `x-ms-continuationtoken`, masked consumer secrets,
//! per-project permissions, and stateful subscriptions and policies. Tests can add latency, arm
//! faults ([`Faults`]) and read request counts per route (the client's own labels), including
//! requests the client hung up on.
//!
//! The simulator depends on nothing of the tool: it has its own types, so a mistake in the client's
//! models cannot be mirrored here and go unnoticed.

mod api;
mod auth;
mod canned;
mod delivery;
mod faults;
mod gate_page;
mod generate;
mod ids;
mod limiter;
mod receiver;
mod recorder;
mod respond;
mod routes;
mod scenario;
mod server;
mod state;
mod views;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use canned::Canned;
pub use delivery::{DeliveryOptions, PullRequestChange};
pub use faults::Faults;
pub use gate_page::GATE_TOKEN_PATH;
pub use limiter::RateLimit;
pub use receiver::{Answer, GateReceiver, Received};
pub use recorder::Recorder;
pub use scenario::{
    AccessLevel, FaultSpec, HookStatus, Permissions, Policy, Project, Repository,
    STATUS_POLICY_TYPE, Scenario, Subscription, Token, User, Visibility,
};

use api::Pages;
use server::{Counts, Shared};
use state::OrgState;

/// Every route label the simulator counts under, in a stable order (`"OTHER"` last).
pub const ROUTE_LABELS: [&str; 24] = [
    "GET connectionData",
    "GET projects",
    "GET git/repositories",
    "POST security/permissionevaluationbatch",
    "GET hooks/subscriptions",
    "GET hooks/subscriptions/{id}",
    "POST hooks/subscriptions",
    "PUT hooks/subscriptions/{id}",
    "DELETE hooks/subscriptions/{id}",
    "GET policy/configurations",
    "POST policy/configurations",
    "DELETE policy/configurations/{id}",
    "GET policy/configurations/{id}",
    "PUT policy/configurations/{id}",
    "GET wit/fields",
    "PATCH wit/workitems/{id}",
    "GET build/definitions",
    "GET distributedtask/pools",
    "POST hooks/notificationsquery",
    "GET hooks/subscriptions/{id}/notifications",
    "GET hooks/subscriptions/{id}/notifications/{nid}",
    "POST hooks/testnotifications",
    "GET hooks/testnotifications/{id}",
    "OTHER",
];

/// Why the simulator could not load a scenario or start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid scenario: {0}")]
    Scenario(String),
    #[error("could not read the scenario {}: {source}", path.display())]
    ReadScenario {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to serve on {0}: the simulator listens on loopback addresses only")]
    NotLoopback(SocketAddr),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Server tunables.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Delay before every answer. Zero = the scenario's `latency_ms`.
    pub latency: Duration,
    /// Policies per page when the client sends no `$top` (Azure DevOps: 100 — UNVERIFIED).
    pub policy_page_size: usize,
    /// Projects per page when the client sends no `$top` (Azure DevOps: 100).
    pub project_page_size: usize,
    /// Service hook deliveries: the gate's timeout, when failures disable a subscription.
    pub delivery: DeliveryOptions,
    /// Azure DevOps Server mode: the latest REST API version the server supports (`7.0` for
    /// Server 2022, `6.0` for Server 2020). A newer `api-version` is refused with 400
    /// `VssVersionOutOfRangeException`, as the real server does, and the organization is served
    /// under the collection path `/tfs/{organization}` too. `None` = the cloud service.
    pub server_version: Option<ServerVersion>,
    /// Most evaluations a permission batch may hold; a larger one is refused with 400. The real
    /// cap is undocumented; the default lets the tool's 500-evaluation batches through.
    pub max_evaluations_per_batch: usize,
    /// Whether a PUT with `"status": "enabled"` revives a `disabledBySystem` subscription. The
    /// real behaviour is unverified (Sentry found it did not: the default), so tests can run the
    /// tool against both.
    pub put_revives_disabled_by_system: bool,
    /// Azure DevOps' rate limiter: delays announced in `X-RateLimit-*` headers near the budget,
    /// 429 beyond it. `None` = unlimited.
    pub rate_limit: Option<RateLimit>,
}

/// A REST API version a simulated Azure DevOps Server supports at most (`7.0`, `6.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerVersion {
    pub major: u32,
    pub minor: u32,
}

impl std::str::FromStr for ServerVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (major, minor) = s
            .trim()
            .split_once('.')
            .ok_or_else(|| format!("\"{s}\" is not a version like 7.0"))?;
        let parse = |n: &str| {
            n.parse::<u32>()
                .map_err(|_| format!("\"{s}\" is not a version like 7.0"))
        };
        let version = ServerVersion {
            major: parse(major)?,
            minor: parse(minor)?,
        };
        if version < (ServerVersion { major: 1, minor: 0 })
            || version > (ServerVersion { major: 7, minor: 1 })
        {
            return Err(format!(
                "{s} is not an Azure DevOps Server REST API version (1.0 to 7.1)"
            ));
        }
        Ok(version)
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            policy_page_size: 100,
            project_page_size: 100,
            delivery: DeliveryOptions::default(),
            server_version: None,
            max_evaluations_per_batch: 500,
            rate_limit: None,
            put_revives_disabled_by_system: false,
        }
    }
}

/// Starts a simulated organization on `addr` (usually `127.0.0.1:0`). Needs a Tokio runtime.
pub async fn start(
    scenario: Scenario,
    addr: SocketAddr,
    options: SimOptions,
) -> Result<SimHandle, SimError> {
    if !addr.ip().is_loopback() {
        return Err(SimError::NotLoopback(addr));
    }
    scenario.validate()?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    let base = format!("http://{local}");
    // A Server serves its collection under `/tfs/{collection}`; URLs in answers say so.
    let org_base = match options.server_version {
        Some(_) => format!("{base}/tfs"),
        None => base.clone(),
    };
    let latency = if options.latency.is_zero() {
        Duration::from_millis(scenario.latency_ms)
    } else {
        options.latency
    };
    let organization = scenario.organization.clone();
    let primary_token = scenario.primary_token().map(str::to_owned);
    let faults = Faults::from_specs(&scenario.faults);
    let (deliverer, queue) = delivery::Deliverer::new();
    let shared = Arc::new(Shared {
        org: organization.clone(),
        state: RwLock::new({
            let mut state = OrgState::build(scenario, &org_base);
            state.put_revives_disabled_by_system = options.put_revives_disabled_by_system;
            state
        }),
        server_version: options.server_version,
        limiter: options.rate_limit.map(limiter::Limiter::new),
        faults,
        counts: Counts::default(),
        latency_nanos: AtomicU64::new(0),
        pages: Pages {
            projects: options.project_page_size.max(1),
            policies: options.policy_page_size.max(1),
            evaluations: options.max_evaluations_per_batch.max(1),
        },
        stopping: AtomicBool::new(false),
        gate_tokens: Default::default(),
        deliverer,
        delivery: options.delivery,
    });
    tokio::spawn(delivery::run_queue(Arc::downgrade(&shared), queue));
    shared.set_latency(latency);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
    tracing::info!(%base, %organization, "simulator listening");
    Ok(SimHandle {
        addr: local,
        base,
        primary_token,
        shared,
        server: Arc::new(ServerGuard {
            stop: Mutex::new(Some(stop)),
            task: Mutex::new(Some(task)),
        }),
    })
}

/// A running simulator. Clones share the server; it stops on [`SimHandle::shutdown`] or when the
/// last clone is dropped.
#[derive(Clone)]
pub struct SimHandle {
    addr: SocketAddr,
    base: String,
    primary_token: Option<String>,
    shared: Arc<Shared>,
    server: Arc<ServerGuard>,
}

/// Stops the server task when the last handle goes away, so tests cannot leak servers.
struct ServerGuard {
    stop: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let task = self.task.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(task) = task.take() {
            task.abort();
        }
    }
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .field("organization", &self.shared.org)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.base.clone()
    }

    /// `http://127.0.0.1:PORT/{organization}`; in Server mode the collection URL
    /// `http://127.0.0.1:PORT/tfs/{organization}` (the bare form is served too).
    pub fn org_url(&self) -> String {
        match self.shared.server_version {
            Some(_) => format!("{}/tfs/{}", self.base, self.shared.org),
            None => format!("{}/{}", self.base, self.shared.org),
        }
    }

    /// The scenario's token marked `primary = true` (the gate's token).
    pub fn primary_token(&self) -> Option<String> {
        self.primary_token.clone()
    }

    /// Requests received since start or the last [`SimHandle::reset_counts`], faulted ones included.
    /// The stand-in for the gating service's token page (see [`GATE_TOKEN_PATH`]).
    pub fn gate_token_page(&self) -> String {
        format!("{}{GATE_TOKEN_PATH}", self.base)
    }

    /// The tokens submitted to [`SimHandle::gate_token_page`], in order.
    pub fn gate_tokens_received(&self) -> Vec<String> {
        self.shared.gate_tokens.all()
    }

    pub fn requests_total(&self) -> u64 {
        self.shared.counts.total()
    }

    /// Requests per route label (see [`ROUTE_LABELS`]); routes never called are absent.
    pub fn requests_by_route(&self) -> BTreeMap<String, u64> {
        self.shared
            .counts
            .by_route()
            .map(|(label, n)| (label.to_owned(), n))
            .collect()
    }

    /// Requests per route label whose client closed the connection before the answer was ready (a
    /// cancelled call); routes without any are absent. Requests cut short by a fault or by
    /// [`SimHandle::shutdown`] are not counted.
    pub fn abandoned_by_route(&self) -> BTreeMap<String, u64> {
        self.shared
            .counts
            .abandoned_by_route()
            .map(|(label, n)| (label.to_owned(), n))
            .collect()
    }

    /// Returns once clients have abandoned at least `n` requests since start or the last
    /// [`SimHandle::reset_counts`]; a test awaits this (with a timeout) to see a cancellation reach
    /// the wire.
    pub async fn requests_abandoned(&self, n: u64) {
        self.shared.counts.abandoned(n).await;
    }

    /// Zeroes the request and abandoned-request counts.
    pub fn reset_counts(&self) {
        self.shared.counts.reset();
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.set_latency(latency);
    }

    /// Current subscriptions as the API would return them, but with secrets in clear.
    pub fn subscriptions(&self) -> Vec<serde_json::Value> {
        api::subscription_views(&self.read())
    }

    /// Policies of a project (by id or name) as the API lists them; empty for an unknown project.
    pub fn policies(&self, project_id: &str) -> Vec<serde_json::Value> {
        let state = self.read();
        match state.project_index(project_id) {
            Some(project) => api::policy_views(&state, project),
            None => Vec::new(),
        }
    }

    /// Adds a repository to a project (by id or name) and returns its id, e.g. to model a repository
    /// created after the gate was configured. An unknown project adds nothing and returns an empty
    /// string.
    pub fn add_repository(
        &self,
        project_id: &str,
        name: &str,
        default_branch: Option<&str>,
    ) -> String {
        let mut state = self.shared.state.write().unwrap_or_else(|p| p.into_inner());
        match state.project_index(project_id) {
            Some(project) => state.add_repository(project, name, default_branch),
            None => {
                tracing::warn!(project = project_id, "add_repository: no such project");
                String::new()
            }
        }
    }

    /// Sets a subscription's status (`enabled`, `onProbation`, `disabledBySystem`, ...), as Azure
    /// DevOps does after failed deliveries. Unknown ids and statuses are ignored with a warning.
    pub fn set_subscription_status(&self, id: &str, status: &str) {
        let Some(status) = HookStatus::parse(status) else {
            tracing::warn!(status, "set_subscription_status: unknown status");
            return;
        };
        let mut state = self.shared.state.write().unwrap_or_else(|p| p.into_inner());
        match state.subscription_mut(id) {
            Some(sub) => {
                sub.status = status;
                sub.probation_retries = (status == HookStatus::OnProbation).then_some(1);
            }
            None => tracing::warn!(id, "set_subscription_status: no such subscription"),
        }
    }

    /// Opens a pull request in a repository (by id) as `created_by` (a user id), delivers the
    /// `git.pullrequest.created` event to every matching subscription and returns once every
    /// delivery has completed, with the pull request id; `None` for an unknown repository.
    pub async fn create_pull_request(
        &self,
        repo_id: &str,
        title: &str,
        source_ref: &str,
        created_by: &str,
    ) -> Option<u32> {
        let (id, queued) = {
            let mut state = self.shared.write();
            let repo = state.repo_index(repo_id)?;
            state.open_pull_request(repo, title, source_ref, created_by)
        };
        self.deliver_all(queued).await;
        Some(id)
    }

    /// Changes a pull request (`git.pullrequest.updated`) and returns once its deliveries have
    /// completed; `false` for an unknown pull request.
    pub async fn update_pull_request(&self, id: u32, change: PullRequestChange) -> bool {
        let queued = self.shared.write().change_pull_request(id, change);
        match queued {
            Some(queued) => {
                self.deliver_all(queued).await;
                true
            }
            None => false,
        }
    }

    /// Seeds `count` completed deliveries of a subscription at `at` (history from before the
    /// simulator started): `result` is `succeeded`, `failed`, `filtered` or `pending`, with the
    /// gate's HTTP status (`None` = timed out). Unknown ids and results are ignored with a warning.
    pub fn seed_notifications(
        &self,
        subscription_id: &str,
        result: &str,
        http_status: Option<u16>,
        at: jiff::Timestamp,
        count: u32,
    ) {
        let Some(result) = delivery::Outcome::parse(result) else {
            tracing::warn!(result, "seed_notifications: unknown result");
            return;
        };
        let mut state = self.shared.write();
        for _ in 0..count {
            if state
                .seed_notification(subscription_id, result, http_status, at)
                .is_none()
            {
                tracing::warn!(subscription_id, "seed_notifications: no such subscription");
                return;
            }
        }
    }

    /// Delivers concurrently, as the service does, and waits for every outcome.
    async fn deliver_all(&self, queued: Vec<i64>) {
        let mut deliveries = tokio::task::JoinSet::new();
        for id in queued {
            let shared = Arc::clone(&self.shared);
            deliveries.spawn(async move { delivery::deliver(&shared, id).await });
        }
        while deliveries.join_next().await.is_some() {}
    }

    /// Stops the server and waits until it has closed its listener and connections.
    pub async fn shutdown(self) {
        let stop = self
            .server
            .stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(stop) = stop {
            // The server may already be gone; then there is nobody to tell.
            let _ = stop.send(());
        }
        let task = self
            .server
            .task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(task) = task {
            // A cancelled or panicked server task has stopped all the same.
            let _ = task.await;
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, OrgState> {
        self.shared.state.read().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_match_the_router() {
        let labels: Vec<&str> = routes::Route::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(labels, ROUTE_LABELS);
    }
}
