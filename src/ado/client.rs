//! The Azure DevOps REST client: authentication, retries, paging, a concurrency limit and a request
//! counter, with one typed method per call the tool makes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::counter::RequestCounter;
use super::error::{AdoError, classify};
use super::limiter::{Limiter, Signal};
use super::models::{
    AgentPool, BuildDefinitionRef, ConnectionData, Item, ItemKind, ListResponse, Listed,
    NewSubscription, Notification, NotificationsQuery, NotificationsQueryAnswer,
    PermissionEvaluationBatch, PolicyConfiguration, Project, Repository, Subscription,
    SubscriptionFilter, WorkItemField,
};
use super::retry::Backoff;
use crate::org::OrgUrl;

/// The GA version used for every call unless the API only exists as a preview.
const API_VERSION: &str = "7.1";
/// `connectionData` is published only as a preview.
const CONNECTION_DATA_VERSION: &str = "7.1-preview.1";
const CONTINUATION_HEADER: &str = "x-ms-continuationtoken";
/// Some clients send test notifications with this version; tried when 7.1 is refused as a version.
const TEST_NOTIFICATION_PREVIEW: &str = "7.2-preview.1";
/// Upper bound on pages, so a server that keeps handing out tokens cannot loop us forever.
const MAX_PAGES: usize = 10_000;

/// Tunables; the defaults suit a real organization.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Requests in flight at once to start with (and always, when not `adaptive`).
    pub concurrency: usize,
    /// Grow concurrency while Azure DevOps answers freely, halve it when it signals pressure,
    /// between [`MIN_CONCURRENCY`] and `max_concurrency`.
    pub adaptive: bool,
    /// The most requests ever in flight (`--max-concurrency`).
    pub max_concurrency: usize,
    /// Total time one request may spend waiting on throttling (429s) before it gives up.
    pub throttle_budget: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub backoff: Backoff,
    /// Per-request timeout (connect + answer).
    pub request_timeout: Duration,
    /// The REST API version an Azure DevOps Server said it supports (remembered per organization
    /// in the state file); `None` = start with the tool's own ([`API_VERSION`]).
    pub api_version: Option<String>,
    /// Largest answer body read, so a broken or hostile server cannot exhaust memory.
    pub max_body_bytes: usize,
    /// Told how long the client waits each time Azure DevOps throttles it, so a progress line can
    /// say "Azure DevOps asked us to slow down; waiting 12 s".
    pub on_throttle: Option<tokio::sync::mpsc::UnboundedSender<Duration>>,
}

/// Bounds of adaptive concurrency.
pub const MIN_CONCURRENCY: usize = 4;
pub const MAX_CONCURRENCY: usize = 32;
/// How long one request may wait on 429s in total before the run gives up: the documented
/// throttling window is five minutes (`azure-devops-api.md` §9).
pub const THROTTLE_BUDGET: Duration = Duration::from_secs(300);

/// The default cap on an answer body: 16 times the largest real list measured (the 20 000
/// subscriptions of a large organization are 16 MB).
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            concurrency: 8,
            adaptive: true,
            max_concurrency: MAX_CONCURRENCY,
            throttle_budget: THROTTLE_BUDGET,
            max_attempts: 5,
            backoff: Backoff::default(),
            // Azure DevOps may hold a request for up to 30 s before answering (§9): twice that.
            request_timeout: Duration::from_secs(60),
            api_version: None,
            max_body_bytes: MAX_BODY_BYTES,
            on_throttle: None,
        }
    }
}

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Reads and requests that cannot change anything: retry every transient failure.
    Idempotent,
    /// Creates: retry only when the server certainly did not act (429, connection refused).
    /// After a timeout or 5xx the caller must re-read before trying again.
    NotCarriedOut,
}

/// One request, described before it is sent.
struct Call {
    method: Method,
    url: String,
    route: &'static str,
    api_version: &'static str,
    query: Vec<(&'static str, String)>,
    body: Option<(&'static str, Vec<u8>)>,
    retry: Retry,
}

impl Call {
    fn new(method: Method, url: String, route: &'static str) -> Self {
        let retry = if method == Method::POST || method == Method::PATCH {
            Retry::NotCarriedOut
        } else {
            Retry::Idempotent
        };
        Self {
            method,
            url,
            route,
            api_version: API_VERSION,
            query: Vec::new(),
            body: None,
            retry,
        }
    }

    fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, AdoError> {
        let bytes = serde_json::to_vec(body).map_err(|e| AdoError::Malformed {
            message: format!("could not encode the request: {e}"),
        })?;
        self.body = Some(("application/json", bytes));
        Ok(self)
    }

    /// Marks a write that cannot take effect (a probe body the server must refuse), so it may be
    /// retried like a read.
    fn harmless(mut self) -> Self {
        self.retry = Retry::Idempotent;
        self
    }
}

/// A successful answer, body unread by serde yet.
struct Answer {
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl Answer {
    fn json<T: DeserializeOwned>(&self, route: &str) -> Result<T, AdoError> {
        serde_json::from_slice(&self.body).map_err(|e| AdoError::Malformed {
            message: format!("{route}: {e}"),
        })
    }

    fn continuation(&self) -> Option<String> {
        self.headers
            .get(CONTINUATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// A cheaply clonable client for one organization and one token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    org: OrgUrl,
    pat: SecretString,
    limit: Limiter,
    counter: RequestCounter,
    /// Set once Azure DevOps has accepted this token; a later 401 then means a missing scope.
    token_accepted: AtomicBool,
    /// The version an Azure DevOps Server supports, once known (from the config or learnt from a
    /// `VssVersionOutOfRangeException`); replaces [`API_VERSION`] in every request.
    server_version: std::sync::RwLock<Option<String>>,
    config: ClientConfig,
}

impl Client {
    pub fn new(org: OrgUrl, pat: SecretString, config: ClientConfig) -> Result<Self, AdoError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("azdo-gate/", env!("CARGO_PKG_VERSION")))
            .timeout(config.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            // A redirect would re-send the body (a webhook's basic-auth password included) to
            // another host: every 3xx is an error instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AdoError::Network {
                message: format!("could not start the HTTP client: {e}"),
                timed_out: false,
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                org,
                pat,
                limit: Limiter::new(
                    config.concurrency,
                    MIN_CONCURRENCY.min(config.concurrency),
                    config.max_concurrency,
                    config.adaptive,
                ),
                counter: RequestCounter::default(),
                token_accepted: AtomicBool::new(false),
                server_version: std::sync::RwLock::new(config.api_version.clone()),
                config,
            }),
        })
    }

    pub fn org(&self) -> &OrgUrl {
        &self.inner.org
    }

    /// Requests sent so far (every attempt counts), in total and per route.
    pub fn requests(&self) -> &RequestCounter {
        &self.inner.counter
    }

    /// The most requests that may be in flight: what callers size their own fan-out by (the
    /// client's limiter decides how many actually are).
    pub fn concurrency(&self) -> usize {
        self.inner.limit.max()
    }

    /// How many requests may be in flight right now.
    pub fn current_concurrency(&self) -> usize {
        self.inner.limit.current()
    }

    /// The REST API version Azure DevOps Server said it supports, when it refused the tool's own:
    /// worth remembering for the organization so the next run starts right.
    pub fn negotiated_api_version(&self) -> Option<String> {
        self.read_server_version()
    }

    fn read_server_version(&self) -> Option<String> {
        // A poisoned lock still holds a complete value (a String is replaced whole).
        self.inner
            .server_version
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The `api-version` a call sends: its own, or the server's version keeping the call's
    /// `-preview.N` suffix.
    fn api_version_for(&self, call: &Call) -> String {
        match self.read_server_version() {
            Some(server) => match call.api_version.split_once('-') {
                Some((_, stage)) => format!("{server}-{stage}"),
                None => server,
            },
            None => call.api_version.to_owned(),
        }
    }

    /// After a `VssVersionOutOfRangeException`: adopts the version the server named when it is
    /// older than the one just refused. `Ok(true)` = retry with it; an unusable version is an error
    /// that says so plainly.
    fn adopt_server_version(&self, sent: &str, supported: Option<&str>) -> Result<bool, AdoError> {
        let Some(supported) = supported else {
            return Ok(false);
        };
        let number = |v: &str| -> Option<(u32, u32)> {
            let (major, minor) = v.split('-').next()?.split_once('.')?;
            Some((major.parse().ok()?, minor.parse().ok()?))
        };
        let (Some(wanted), Some(sent_number)) = (number(supported), number(sent)) else {
            return Ok(false);
        };
        if wanted >= sent_number {
            return Ok(false);
        }
        if Some(wanted) < number(super::error::MIN_API_VERSION) {
            return Err(AdoError::ServerTooOld {
                supported: supported.to_owned(),
            });
        }
        tracing::info!(%supported, %sent, "Azure DevOps Server supports an older REST API version; using it");
        *self
            .inner
            .server_version
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(supported.to_owned());
        Ok(true)
    }

    // ---- identity -------------------------------------------------------------------------------

    /// `GET {org}/_apis/connectionData`: the token's identity. An anonymous identity is an error.
    pub async fn connection_data(&self) -> Result<ConnectionData, AdoError> {
        let mut call = Call::new(
            Method::GET,
            self.inner.org.api("connectionData"),
            "GET connectionData",
        );
        call.api_version = CONNECTION_DATA_VERSION;
        let data: ConnectionData = self.send(call).await?.json("connectionData")?;
        if data.authenticated_user.is_anonymous() {
            return Err(AdoError::AnonymousIdentity);
        }
        self.inner.token_accepted.store(true, Ordering::Relaxed);
        Ok(data)
    }

    // ---- discovery ------------------------------------------------------------------------------

    /// `GET {org}/_apis/projects`, every page.
    pub async fn list_projects(&self) -> Result<Vec<Project>, AdoError> {
        self.get_all(
            || Call::new(Method::GET, self.inner.org.api("projects"), "GET projects"),
            "projects",
        )
        .await
    }

    /// `GET {org}/_apis/git/repositories`: every repository of every project in one call.
    /// Repositories that cannot be read are left out; [`Self::list_repositories_listed`] names them.
    pub async fn list_repositories(&self) -> Result<Vec<Repository>, AdoError> {
        Ok(self.list_repositories_listed().await?.items)
    }

    /// [`Self::list_repositories`], with the repositories that could not be read.
    pub async fn list_repositories_listed(&self) -> Result<Listed<Repository>, AdoError> {
        self.get_all_listed(
            || {
                Call::new(
                    Method::GET,
                    self.inner.org.api("git/repositories"),
                    "GET git/repositories",
                )
            },
            "git/repositories",
            ItemKind::Repository,
        )
        .await
    }

    // ---- permissions ----------------------------------------------------------------------------

    /// `POST {org}/_apis/security/permissionevaluationbatch`: evaluates the caller's permissions.
    pub async fn evaluate_permissions(
        &self,
        batch: &PermissionEvaluationBatch,
    ) -> Result<PermissionEvaluationBatch, AdoError> {
        let call = Call::new(
            Method::POST,
            self.inner.org.api("security/permissionevaluationbatch"),
            "POST security/permissionevaluationbatch",
        )
        .json(batch)?
        .harmless();
        self.send(call)
            .await?
            .json("security/permissionevaluationbatch")
    }

    // ---- service hooks --------------------------------------------------------------------------

    /// `GET {org}/_apis/hooks/subscriptions` with the given filters (the API does not page).
    /// Subscriptions that cannot be read are left out; [`Self::list_subscriptions_listed`] names
    /// them.
    pub async fn list_subscriptions(
        &self,
        filter: &SubscriptionFilter,
    ) -> Result<Vec<Subscription>, AdoError> {
        Ok(self.list_subscriptions_listed(filter).await?.items)
    }

    /// [`Self::list_subscriptions`], with the subscriptions that could not be read: the list holds
    /// every tool's hooks, and one odd item must not hide the others.
    pub async fn list_subscriptions_listed(
        &self,
        filter: &SubscriptionFilter,
    ) -> Result<Listed<Subscription>, AdoError> {
        let mut call = Call::new(
            Method::GET,
            self.inner.org.api("hooks/subscriptions"),
            "GET hooks/subscriptions",
        );
        for (key, value) in filter.query() {
            call = call.query(key, value);
        }
        let list: ListResponse<Item<Subscription>> =
            self.send(call).await?.json("hooks/subscriptions")?;
        let mut listed = Listed::default();
        listed.extend_from(ItemKind::Subscription, list.value);
        Ok(listed)
    }

    /// `POST {org}/_apis/hooks/subscriptions`. Not retried after an answer that leaves the outcome
    /// unknown ([`AdoError::outcome_unknown`]): the caller re-reads first.
    pub async fn create_subscription(
        &self,
        body: &NewSubscription,
    ) -> Result<Subscription, AdoError> {
        let call = Call::new(
            Method::POST,
            self.inner.org.api("hooks/subscriptions"),
            "POST hooks/subscriptions",
        )
        .json(body)?;
        self.send(call).await?.json("hooks/subscriptions")
    }

    /// `PUT {org}/_apis/hooks/subscriptions/{id}` with the full body (real secrets included).
    pub async fn replace_subscription(
        &self,
        id: &str,
        body: &NewSubscription,
    ) -> Result<Subscription, AdoError> {
        let call = Call::new(
            Method::PUT,
            self.inner.org.api(&format!("hooks/subscriptions/{id}")),
            "PUT hooks/subscriptions/{id}",
        )
        .json(body)?;
        self.send(call).await?.json("hooks/subscriptions/{id}")
    }

    /// `DELETE {org}/_apis/hooks/subscriptions/{id}`. A subscription already gone counts as deleted.
    pub async fn delete_subscription(&self, id: &str) -> Result<(), AdoError> {
        let call = Call::new(
            Method::DELETE,
            self.inner.org.api(&format!("hooks/subscriptions/{id}")),
            "DELETE hooks/subscriptions/{id}",
        );
        match self.send(call).await {
            Ok(_) | Err(AdoError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    // ---- service hook notifications (delivery history) -------------------------------------------

    /// `POST {org}/_apis/hooks/notificationsquery`: a read, whatever the method, so retried as one.
    pub async fn query_notifications(
        &self,
        query: NotificationsQuery,
    ) -> Result<NotificationsQueryAnswer, AdoError> {
        let call = Call::new(
            Method::POST,
            self.inner.org.api("hooks/notificationsquery"),
            "POST hooks/notificationsquery",
        )
        .json(&query)?
        .harmless();
        self.send(call).await?.json("hooks/notificationsquery")
    }

    /// `POST {org}/_apis/hooks/testnotifications` with `{"subscriptionId"}`: Azure DevOps sends a
    /// test event through the subscription. Answers the queued notification; 7.2-preview.1 is tried
    /// when the server refuses 7.1 for this route.
    pub async fn send_test_notification(
        &self,
        subscription_id: &str,
    ) -> Result<Notification, AdoError> {
        let body = serde_json::json!({ "subscriptionId": subscription_id });
        let make = |version| -> Result<Call, AdoError> {
            let mut call = Call::new(
                Method::POST,
                self.inner.org.api("hooks/testnotifications"),
                "POST hooks/testnotifications",
            )
            .query("useRealData", "false")
            .json(&body)?;
            call.api_version = version;
            Ok(call)
        };
        match self.send(make(API_VERSION)?).await {
            Err(AdoError::BadRequest { message })
                if message.to_ascii_lowercase().contains("version") =>
            {
                tracing::info!(%message, "retrying the test notification with {TEST_NOTIFICATION_PREVIEW}");
                self.send(make(TEST_NOTIFICATION_PREVIEW)?)
                    .await?
                    .json("hooks/testnotifications")
            }
            answer => answer?.json("hooks/testnotifications"),
        }
    }

    /// `GET {org}/_apis/hooks/testnotifications/{id}`.
    pub async fn get_test_notification(&self, id: i64) -> Result<Notification, AdoError> {
        let call = Call::new(
            Method::GET,
            self.inner.org.api(&format!("hooks/testnotifications/{id}")),
            "GET hooks/testnotifications/{id}",
        );
        self.send(call).await?.json("hooks/testnotifications/{id}")
    }

    // ---- branch policies ------------------------------------------------------------------------

    /// `GET {org}/{project}/_apis/policy/configurations[?policyType=]`, every page. Policies that
    /// cannot be read are left out; [`Self::list_policy_configurations_listed`] names them.
    pub async fn list_policy_configurations(
        &self,
        project: &str,
        policy_type: Option<&str>,
    ) -> Result<Vec<PolicyConfiguration>, AdoError> {
        Ok(self
            .list_policy_configurations_listed(project, policy_type)
            .await?
            .items)
    }

    /// [`Self::list_policy_configurations`], with the policies that could not be read.
    pub async fn list_policy_configurations_listed(
        &self,
        project: &str,
        policy_type: Option<&str>,
    ) -> Result<Listed<PolicyConfiguration>, AdoError> {
        let url = self.inner.org.project_api(project, "policy/configurations");
        self.get_all_listed(
            || {
                let call = Call::new(Method::GET, url.clone(), "GET policy/configurations");
                match policy_type {
                    Some(t) => call.query("policyType", t),
                    None => call,
                }
            },
            "policy/configurations",
            ItemKind::Policy,
        )
        .await
    }

    /// `POST {org}/{project}/_apis/policy/configurations`.
    pub async fn create_policy_configuration<B: Serialize + ?Sized>(
        &self,
        project: &str,
        body: &B,
    ) -> Result<PolicyConfiguration, AdoError> {
        let call = Call::new(
            Method::POST,
            self.inner.org.project_api(project, "policy/configurations"),
            "POST policy/configurations",
        )
        .json(body)?;
        self.send(call).await?.json("policy/configurations")
    }

    /// `DELETE {org}/{project}/_apis/policy/configurations/{id}`. A policy already gone counts as
    /// deleted.
    pub async fn delete_policy_configuration(
        &self,
        project: &str,
        id: i64,
    ) -> Result<(), AdoError> {
        let call = Call::new(
            Method::DELETE,
            self.inner
                .org
                .project_api(project, &format!("policy/configurations/{id}")),
            "DELETE policy/configurations/{id}",
        );
        match self.send(call).await {
            Ok(_) | Err(AdoError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `GET {org}/{project}/_apis/policy/configurations/{id}`.
    pub async fn get_policy_configuration(
        &self,
        project: &str,
        id: i64,
    ) -> Result<PolicyConfiguration, AdoError> {
        let call = Call::new(
            Method::GET,
            self.inner
                .org
                .project_api(project, &format!("policy/configurations/{id}")),
            "GET policy/configurations/{id}",
        );
        self.send(call).await?.json("policy/configurations/{id}")
    }

    /// `PUT {org}/{project}/_apis/policy/configurations/{id}` with the whole configuration.
    pub async fn replace_policy_configuration<B: Serialize + ?Sized>(
        &self,
        project: &str,
        id: i64,
        body: &B,
    ) -> Result<PolicyConfiguration, AdoError> {
        let call = Call::new(
            Method::PUT,
            self.inner
                .org
                .project_api(project, &format!("policy/configurations/{id}")),
            "PUT policy/configurations/{id}",
        )
        .json(body)?;
        self.send(call).await?.json("policy/configurations/{id}")
    }

    /// Probes Code (Read & Write) without side effects: posts an empty policy, which the server must
    /// refuse with 400 (or 403) when the scope is present, and 401 when it is not.
    pub async fn probe_policy_write(&self, project: &str) -> Result<(), AdoError> {
        let call = Call::new(
            Method::POST,
            self.inner.org.project_api(project, "policy/configurations"),
            "POST policy/configurations",
        )
        .json(&serde_json::json!({}))?
        .harmless();
        self.send(call).await.map(drop)
    }

    // ---- work items -----------------------------------------------------------------------------

    /// `GET {org}/_apis/wit/fields`.
    pub async fn list_work_item_fields(&self) -> Result<Vec<WorkItemField>, AdoError> {
        let call = Call::new(
            Method::GET,
            self.inner.org.api("wit/fields"),
            "GET wit/fields",
        );
        let list: ListResponse<WorkItemField> = self.send(call).await?.json("wit/fields")?;
        Ok(list.value)
    }

    /// `PATCH {org}/_apis/wit/workitems/{id}?validateOnly=true` with a JSON-patch document: nothing
    /// is saved whatever the answer. Used to probe Work Items (Read & Write).
    pub async fn validate_work_item_patch(
        &self,
        id: i64,
        operations: &[serde_json::Value],
    ) -> Result<(), AdoError> {
        let mut call = Call::new(
            Method::PATCH,
            self.inner.org.api(&format!("wit/workitems/{id}")),
            "PATCH wit/workitems/{id}",
        )
        .query("validateOnly", "true")
        .json(operations)?
        .harmless();
        if let Some(body) = call.body.as_mut() {
            body.0 = "application/json-patch+json";
        }
        self.send(call).await.map(drop)
    }

    // ---- build and agents -----------------------------------------------------------------------

    /// `GET {org}/{project}/_apis/build/definitions?$top=N`.
    pub async fn list_build_definitions(
        &self,
        project: &str,
        top: u32,
    ) -> Result<Vec<BuildDefinitionRef>, AdoError> {
        let call = Call::new(
            Method::GET,
            self.inner.org.project_api(project, "build/definitions"),
            "GET build/definitions",
        )
        .query("$top", top.to_string());
        let list: ListResponse<BuildDefinitionRef> =
            self.send(call).await?.json("build/definitions")?;
        Ok(list.value)
    }

    /// `GET {org}/_apis/distributedtask/pools`: needs a scope the gate does not, so a 200 reveals an
    /// over-broad token.
    pub async fn list_agent_pools(&self) -> Result<Vec<AgentPool>, AdoError> {
        let call = Call::new(
            Method::GET,
            self.inner.org.api("distributedtask/pools"),
            "GET distributedtask/pools",
        );
        let list: ListResponse<AgentPool> = self.send(call).await?.json("distributedtask/pools")?;
        Ok(list.value)
    }

    // ---- transport ------------------------------------------------------------------------------

    /// [`Self::get_all`], reading each item on its own so an unreadable one is reported, not fatal.
    async fn get_all_listed<T: DeserializeOwned>(
        &self,
        make: impl Fn() -> Call,
        route: &str,
        kind: ItemKind,
    ) -> Result<Listed<T>, AdoError> {
        let items: Vec<Item<T>> = self.get_all(make, route).await?;
        let mut listed = Listed::default();
        listed.extend_from(kind, items);
        Ok(listed)
    }

    /// Follows `x-ms-continuationtoken` until the last page.
    async fn get_all<T: DeserializeOwned>(
        &self,
        make: impl Fn() -> Call,
        route: &str,
    ) -> Result<Vec<T>, AdoError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut call = make();
            if let Some(t) = &token {
                call = call.query("continuationToken", t.clone());
            }
            let answer = self.send(call).await?;
            let page: ListResponse<T> = answer.json(route)?;
            items.extend(page.value);
            match answer.continuation() {
                Some(next) if Some(&next) == token.as_ref() => {
                    return Err(AdoError::Malformed {
                        message: format!("{route}: the server repeated a continuation token"),
                    });
                }
                Some(next) => token = Some(next),
                None => return Ok(items),
            }
        }
        Err(AdoError::Malformed {
            message: format!("{route}: more than {MAX_PAGES} pages"),
        })
    }

    /// Sends with retries: transient failures of idempotent calls are retried with capped,
    /// jittered exponential backoff, honouring `Retry-After`.
    async fn send(&self, call: Call) -> Result<Answer, AdoError> {
        let max = self.inner.config.max_attempts.max(1);
        let mut attempt = 1;
        // One retry with the version an Azure DevOps Server names; it does not count as an attempt.
        let mut version_retried = false;
        let mut throttle_waited = Duration::ZERO;
        loop {
            let sent = self.api_version_for(&call);
            let result = {
                // The limiter's semaphore is never closed, so acquiring only fails if it were.
                let _slot = self
                    .inner
                    .limit
                    .acquire()
                    .await
                    .ok_or_else(|| AdoError::Network {
                        message: "the client is shutting down".into(),
                        timed_out: false,
                    })?;
                self.inner.counter.record(call.route);
                self.attempt(&call, &sent).await
            };
            let (error, retriable) = match result {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if let AdoError::VersionOutOfRange { supported, .. } = &error
                && !version_retried
            {
                version_retried = true;
                if self.adopt_server_version(&sent, supported.as_deref())? {
                    continue;
                }
            }
            // Throttling is Azure DevOps asking for patience, not a failure: it does not use up
            // attempts while the total wait stays within the budget.
            let throttled = match &error {
                AdoError::Throttled { retry_after, .. } => Some(*retry_after),
                _ => None,
            };
            let patient =
                throttled.is_some() && throttle_waited < self.inner.config.throttle_budget;
            if !retriable || (attempt >= max && !patient) {
                return Err(error);
            }
            let wait = self
                .inner
                .config
                .backoff
                .delay(attempt, throttled.flatten());
            if throttled.is_some() {
                throttle_waited += wait;
                if let Some(tx) = &self.inner.config.on_throttle {
                    // Nobody listening any more only means nobody shows the line.
                    let _ = tx.send(wait);
                }
                tracing::warn!(
                    route = call.route,
                    wait_s = wait.as_secs_f64(),
                    "Azure DevOps asked us to slow down; waiting"
                );
            } else {
                tracing::info!(route = call.route, attempt, ?wait, error = %error, "retrying");
                attempt += 1;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange. On failure, also says whether retrying is safe for this call.
    async fn attempt(&self, call: &Call, api_version: &str) -> Result<Answer, (AdoError, bool)> {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), &call.url)
            .query(&[("api-version", api_version)])
            .query(&call.query)
            .header(ACCEPT, "application/json")
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .header(AUTHORIZATION, self.authorization());
        if let Some((content_type, bytes)) = &call.body {
            request = request
                .header(CONTENT_TYPE, *content_type)
                .body(bytes.clone());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let never_sent = e.is_connect();
                let error = network_error(&e);
                let retriable = call.retry == Retry::Idempotent || never_sent;
                return Err((error, retriable));
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        self.observe(status, &headers);
        if status.is_redirection() {
            let error = redirected(status, &headers);
            log_failure(call, status, &headers, &error);
            return Err((error, false));
        }
        let body = match read_capped(response, self.inner.config.max_body_bytes, call.route).await {
            Ok(b) => b,
            Err(BodyFailure::Network(e)) => {
                return Err((network_error(&e), call.retry == Retry::Idempotent));
            }
            Err(BodyFailure::TooLarge(error)) => return Err((error, false)),
        };
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let signin_page = status == StatusCode::NON_AUTHORITATIVE_INFORMATION
            || content_type.contains("text/html");
        if status.is_success() && !signin_page {
            if call.route != "GET connectionData" {
                self.inner.token_accepted.store(true, Ordering::Relaxed);
            }
            return Ok(Answer { headers, body });
        }
        let text = String::from_utf8_lossy(&body);
        let error = classify(
            status.as_u16(),
            &content_type,
            &text,
            retry_after(&headers),
            self.inner.token_accepted.load(Ordering::Relaxed),
            call.route,
        );
        log_failure(call, status, &headers, &error);
        let retriable = match call.retry {
            Retry::Idempotent => error.is_transient(),
            Retry::NotCarriedOut => matches!(error, AdoError::Throttled { .. }),
        };
        Err((error, retriable))
    }

    /// What an answer's status and rate-limit headers say about Azure DevOps' load (§9): a
    /// `Retry-After` pauses every request; a 429, a 5xx, a held request (`X-RateLimit-Delay`) or a
    /// nearly spent budget (`X-RateLimit-Remaining` under a tenth of `X-RateLimit-Limit`) lowers the
    /// concurrency; a plain success raises it.
    fn observe(&self, status: StatusCode, headers: &HeaderMap) {
        if let Some(wait) = retry_after(headers) {
            self.inner
                .limit
                .pause(wait.min(self.inner.config.backoff.max_retry_after));
        }
        let number = |name: &str| -> Option<f64> {
            headers
                .get(name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
        };
        let delayed = number("X-RateLimit-Delay").is_some_and(|d| d > 0.0);
        let nearly_spent = match (number("X-RateLimit-Remaining"), number("X-RateLimit-Limit")) {
            (Some(remaining), Some(limit)) => remaining * 10.0 < limit,
            _ => false,
        };
        let signal = if status == StatusCode::TOO_MANY_REQUESTS
            || status.is_server_error()
            || delayed
            || nearly_spent
        {
            Signal::Pressure
        } else if status.is_success() {
            Signal::Free
        } else {
            Signal::Neutral
        };
        self.inner.limit.record(signal);
    }

    /// `Basic base64(":" + PAT)`, marked sensitive so it never shows in debug output.
    fn authorization(&self) -> HeaderValue {
        let raw = format!(":{}", self.inner.pat.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
        // Base64 output is always a valid header value.
        let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
            .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
        value.set_sensitive(true);
        value
    }
}

enum BodyFailure {
    Network(reqwest::Error),
    TooLarge(AdoError),
}

/// Reads the answer body chunk by chunk, refusing one larger than `limit` (announced by
/// `Content-Length` or found while reading) before it is all in memory.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
    route: &str,
) -> Result<bytes::Bytes, BodyFailure> {
    let too_large = || {
        BodyFailure::TooLarge(AdoError::TooLarge {
            route: route.to_owned(),
            limit_mb: limit / (1024 * 1024),
        })
    };
    let announced = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::with_capacity(announced.unwrap_or(0).min(limit));
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Network)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A transport failure in the admin's words: which host, and what went wrong there (refused,
/// unknown name, no answer, TLS), never the HTTP library's layers ("client error (Connect)").
fn network_error(e: &reqwest::Error) -> AdoError {
    let host = e
        .url()
        .and_then(|u| {
            let host = u.host_str()?;
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
        })
        .unwrap_or_else(|| "the server".to_owned());
    let mut chain: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push(s);
        source = s.source();
    }
    let io = chain
        .iter()
        .find_map(|s| s.downcast_ref::<std::io::Error>());
    let innermost = chain
        .last()
        .map_or_else(|| e.to_string(), ToString::to_string);
    let all = chain
        .iter()
        .map(|s| s.to_string().to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    let message = if e.is_timeout() {
        format!("{host} did not answer in time")
    } else if all.contains("dns error") || all.contains("failed to lookup address") {
        format!("the name {host} could not be found (DNS): check the address and your network")
    } else if let Some(io) = io {
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => format!(
                "{host} refused the connection (nothing listens there, or a firewall refuses it)"
            ),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                format!("{host} closed the connection before answering")
            }
            _ => format!("the connection to {host} failed: {io}"),
        }
    } else if all.contains("certificate") || all.contains("tls") {
        format!("the secure (TLS) connection to {host} failed: {innermost}")
    } else if e.is_body() || e.is_decode() {
        format!("the answer from {host} broke off: {innermost}")
    } else {
        format!("the connection to {host} failed: {innermost}")
    };
    AdoError::Network {
        message,
        timed_out: e.is_timeout(),
    }
}

/// A 3xx answer, never followed: names the status and the host it points to.
fn redirected(status: StatusCode, headers: &HeaderMap) -> AdoError {
    let location = headers.get(LOCATION).and_then(|v| v.to_str().ok());
    let host = location
        .and_then(|l| url::Url::parse(l).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .or_else(|| location.map(str::to_owned))
        .unwrap_or_else(|| "an unnamed location".into());
    AdoError::Redirected {
        status: status.as_u16(),
        host,
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Logs the support identifiers Azure DevOps attaches to failures, so a support ticket can cite them.
fn log_failure(call: &Call, status: StatusCode, headers: &HeaderMap, error: &AdoError) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned()
    };
    tracing::warn!(
        route = call.route,
        status = status.as_u16(),
        activity_id = %header("ActivityId"),
        e2e_id = %header("X-VSS-E2EID"),
        rate_limit_resource = %header("X-RateLimit-Resource"),
        error = %error,
        "Azure DevOps request failed"
    );
}
