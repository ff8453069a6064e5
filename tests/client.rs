//! The Azure DevOps client against the simulator: every error class of the taxonomy, retries,
//! paging and the request counter.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

use std::time::{Duration, Instant};

use azdo_gate::ado::models::{NewSubscription, STATUS_POLICY_TYPE_ID, SubscriptionFilter};
use azdo_gate::ado::{AdoError, Backoff, Client, ClientConfig};
use azdo_gate::org::OrgUrl;
use azdo_gate_sim::{self as sim, Scenario, SimHandle, SimOptions};
use secrecy::SecretString;

const STOREFRONT: &str = "10000000-0000-4000-8000-000000000001";
const PAYMENTS: &str = "10000000-0000-4000-8000-000000000002";

/// Fast retries so the suite stays quick; `Retry-After` is still honoured as sent.
fn fast_config() -> ClientConfig {
    ClientConfig {
        max_attempts: 4,
        backoff: Backoff {
            base: Duration::from_millis(10),
            max: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(5),
        },
        request_timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    }
}

async fn demo() -> SimHandle {
    sim::start(
        Scenario::demo(),
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap()
}

fn client_for(sim: &SimHandle, token: &str) -> Client {
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    Client::new(org, SecretString::from(token.to_owned()), fast_config()).unwrap()
}

/// A project-wide "pull request created" web hook to `url`.
fn pr_created_hook(project: &str, url: &str) -> NewSubscription {
    NewSubscription {
        publisher_id: "tfs".into(),
        event_type: "git.pullrequest.created".into(),
        resource_version: "1.0".into(),
        consumer_id: "webHooks".into(),
        consumer_action_id: "httpRequest".into(),
        publisher_inputs: [("projectId".to_owned(), project.to_owned())].into(),
        consumer_inputs: [("url".to_owned(), url.to_owned())].into(),
        status: None,
    }
}

fn token(name: &str) -> String {
    Scenario::demo().token(name).unwrap().to_owned()
}

#[tokio::test]
async fn a_good_token_reads_identity_and_repositories() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    let me = client.connection_data().await.unwrap();
    assert_eq!(me.authenticated_user.display_name(), Some("Gate Bot"));
    assert_eq!(
        me.authenticated_user.unique_name(),
        Some("gate-bot@fabrikam.example")
    );
    let repos = client.list_repositories().await.unwrap();
    assert!(repos.iter().any(|r| r.name == "storefront-web"));
    assert!(
        repos.iter().any(|r| r.default_branch.is_none()),
        "the demo has an empty repository"
    );
    assert_eq!(client.requests().total(), 2);
    assert_eq!(client.requests().by_route()["GET git/repositories"], 1);
    assert_eq!(sim.requests_by_route()["GET git/repositories"], 1);
}

#[tokio::test]
async fn a_garbage_token_is_rejected() {
    let sim = demo().await;
    let client = client_for(&sim, "not-a-token");
    let err = client.connection_data().await.unwrap_err();
    assert!(matches!(err, AdoError::TokenRejected { .. }), "{err:?}");
    assert!(err.to_string().contains("TF400813"), "{err}");
}

#[tokio::test]
async fn a_token_of_another_organization_is_rejected() {
    let sim = demo().await;
    let err = client_for(&sim, &token("other-org"))
        .connection_data()
        .await
        .unwrap_err();
    assert!(matches!(err, AdoError::TokenRejected { .. }), "{err:?}");
}

#[tokio::test]
async fn an_expired_token_is_reported_as_expired() {
    let sim = demo().await;
    let err = client_for(&sim, &token("gate-expired"))
        .connection_data()
        .await
        .unwrap_err();
    assert!(matches!(err, AdoError::TokenExpired { .. }), "{err:?}");
    assert!(err.to_string().contains("has expired"));
}

#[tokio::test]
async fn public_organizations_answer_bad_tokens_as_anonymous() {
    let mut scenario = Scenario::demo();
    scenario.public_projects = true;
    let sim = sim::start(
        scenario,
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap();
    let err = client_for(&sim, "garbage")
        .connection_data()
        .await
        .unwrap_err();
    assert_eq!(err, AdoError::AnonymousIdentity);
}

/// Servers that ignore `X-TFS-FedAuthRedirect: Suppress` answer a bad token with a 203 sign-in
/// page; the client must still call that a rejection, not parse the HTML as data.
#[tokio::test]
async fn a_sign_in_page_is_a_rejected_token() {
    let page = azdo_gate_sim::Canned::start(
        203,
        &[("content-type", "text/html; charset=utf-8")],
        "<html><head><title>Azure DevOps Services | Sign In</title></head></html>",
    )
    .await
    .unwrap();
    let org = OrgUrl::parse(&format!("{}/fabrikam", page.base_url())).unwrap();
    let client = Client::new(org, SecretString::from("x".to_owned()), fast_config()).unwrap();
    let err = client.list_repositories().await.unwrap_err();
    assert!(matches!(err, AdoError::TokenRejected { .. }), "{err:?}");
}

#[tokio::test]
async fn a_scope_missing_is_told_apart_from_a_bad_token() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    client.connection_data().await.unwrap();
    // The gate's token lacks Project & Team (Read).
    let err = client.list_projects().await.unwrap_err();
    assert!(
        matches!(err, AdoError::ScopeMissing { ref route, .. } if route == "GET projects"),
        "{err:?}"
    );
}

#[tokio::test]
async fn permission_not_found_and_bad_request_keep_the_server_message() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    client.connection_data().await.unwrap();

    // Payments: the gate user lacks Edit subscriptions.
    let body = pr_created_hook(PAYMENTS, "https://gate.example.com/x");
    let err = client.create_subscription(&body).await.unwrap_err();
    assert!(matches!(err, AdoError::PermissionDenied { .. }), "{err:?}");

    let err = client
        .list_policy_configurations("NoSuchProject", Some(STATUS_POLICY_TYPE_ID))
        .await
        .unwrap_err();
    assert!(matches!(err, AdoError::NotFound { .. }), "{err:?}");

    let err = client.probe_policy_write(STOREFRONT).await.unwrap_err();
    match err {
        AdoError::BadRequest { message } => assert!(!message.is_empty()),
        other => panic!("expected a 400, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_is_waited_out_honouring_retry_after() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    sim.faults().throttle(Some("GET git/repositories"), 1, 1);
    let started = Instant::now();
    let repos = client.list_repositories().await.unwrap();
    assert!(!repos.is_empty());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured ({:?})",
        started.elapsed()
    );
    assert_eq!(client.requests().total(), 2, "one throttled, one retried");
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_after_the_budget() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    sim.faults().fail(Some("GET hooks/subscriptions"), 2, 503);
    let subs = client
        .list_subscriptions(&SubscriptionFilter::webhooks())
        .await
        .unwrap();
    assert!(!subs.is_empty());
    assert_eq!(client.requests().by_route()["GET hooks/subscriptions"], 3);

    sim.faults().fail(Some("GET hooks/subscriptions"), 100, 500);
    let err = client
        .list_subscriptions(&SubscriptionFilter::webhooks())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AdoError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(
        client.requests().by_route()["GET hooks/subscriptions"],
        3 + 4,
        "exactly max_attempts tries"
    );
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_reads_and_reported_as_network() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    sim.faults()
        .drop_connection(Some("GET git/repositories"), 1);
    assert!(!client.list_repositories().await.unwrap().is_empty());

    sim.faults()
        .drop_connection(Some("GET git/repositories"), 100);
    let err = client.list_repositories().await.unwrap_err();
    assert!(matches!(err, AdoError::Network { .. }), "{err:?}");
}

#[tokio::test]
async fn a_create_is_not_retried_when_its_outcome_is_unknown() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    let before = sim.subscriptions().len();
    sim.faults()
        .commit_then_drop(Some("POST hooks/subscriptions"), 1);
    let body = pr_created_hook(STOREFRONT, "https://gate.example.com/y");
    let err = client.create_subscription(&body).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(client.requests().by_route()["POST hooks/subscriptions"], 1);
    assert_eq!(
        sim.subscriptions().len(),
        before + 1,
        "created exactly once"
    );
}

#[tokio::test]
async fn malformed_json_is_reported_as_such() {
    let sim = demo().await;
    let client = client_for(&sim, &token("gate"));
    sim.faults().malformed(Some("GET git/repositories"), 1);
    let err = client.list_repositories().await.unwrap_err();
    assert!(matches!(err, AdoError::Malformed { .. }), "{err:?}");
}

#[tokio::test]
async fn projects_are_paged_through_continuation_tokens() {
    let mut scenario = Scenario::generated(250, 250, 0, "https://gate.example.com/ado/events");
    let mut full = scenario.tokens[0].clone();
    full.token = "full-access-token-for-paging".into();
    full.full_access = true;
    full.primary = false;
    scenario.tokens.push(full);
    let sim = sim::start(
        scenario,
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap();
    let client = client_for(&sim, "full-access-token-for-paging");
    let projects = client.list_projects().await.unwrap();
    assert_eq!(projects.len(), 250);
    let mut ids: Vec<_> = projects.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 250, "no project twice");
    assert_eq!(client.requests().by_route()["GET projects"], 3);
}

#[tokio::test]
async fn the_pat_never_appears_in_errors() {
    let sim = demo().await;
    let secret = "zzzzsecretzzzzsecretzzzzsecretzzzz";
    let client = client_for(&sim, secret);
    let err = client.connection_data().await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(secret));
}
