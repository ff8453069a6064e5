//! The simulator delivers for real: pull-request events and test notifications are POSTed to loopback
//! gate receivers answering 200, 401, 404, 410, 500 or nothing, and the outcomes show in the
//! notifications APIs and in the subscriptions' statuses.

// A test that cannot set itself up should stop right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use azdo_gate_sim::{
    self as sim, Answer, DeliveryOptions, GateReceiver, PullRequestChange, Scenario, SimHandle,
    SimOptions,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const STOREFRONT: &str = "10000000-0000-4000-8000-000000000001";
const STOREFRONT_WEB: &str = "20000001-0000-4000-8000-000000000001";
const GATE_USER: &str = "40000000-0000-4000-8000-000000000001";

struct Org {
    sim: SimHandle,
    gate: GateReceiver,
    http: reqwest::Client,
    token: String,
}

impl Org {
    /// The demo organization without subscriptions, deliveries timing out after 2 s (short for a
    /// test, long enough for a busy machine's loopback) and disabling after 3 failures.
    async fn start() -> Org {
        let mut scenario = Scenario::demo();
        scenario.subscriptions.clear();
        let options = SimOptions {
            delivery: DeliveryOptions {
                timeout: Duration::from_secs(2),
                disable_after_failures: 3,
            },
            ..SimOptions::default()
        };
        let sim = sim::start(scenario, "127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
        let gate = GateReceiver::start("gate", "right-secret").await.unwrap();
        gate.answer("/missing", Answer::Status(404));
        gate.answer("/gone", Answer::Status(410));
        gate.answer("/broken", Answer::Status(500));
        gate.answer("/slow", Answer::Hang);
        let token = sim.primary_token().unwrap();
        Org {
            sim,
            gate,
            http: reqwest::Client::new(),
            token,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        version: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/_apis/{path}", self.sim.org_url()))
            .query(&[("api-version", version)])
            .basic_auth("", Some(&self.token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A `git.pullrequest.created` subscription for storefront-web to `path` on the receiver.
    async fn subscribe(&self, path: &str, password: &str) -> String {
        let body = json!({
            "publisherId": "tfs", "eventType": "git.pullrequest.created", "resourceVersion": "1.0",
            "consumerId": "webHooks", "consumerActionId": "httpRequest",
            "publisherInputs": { "projectId": STOREFRONT, "repository": STOREFRONT_WEB, "branch": "" },
            "consumerInputs": {
                "url": self.gate.url(path), "basicAuthUsername": "gate", "basicAuthPassword": password,
                "httpHeaders": "X-Gate-Tenant: fabrikam", "messagesToSend": "none"
            }
        });
        let (status, sub) = self
            .call(Method::POST, "hooks/subscriptions", "7.1", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{sub}");
        sub["id"].as_str().unwrap().to_owned()
    }

    async fn status_of(&self, id: &str) -> String {
        let (_, sub) = self
            .call(
                Method::GET,
                &format!("hooks/subscriptions/{id}"),
                "7.1",
                None,
            )
            .await;
        sub["status"].as_str().unwrap_or_default().to_owned()
    }

    async fn history(&self, id: &str) -> Vec<Value> {
        let (status, list) = self
            .call(
                Method::GET,
                &format!("hooks/subscriptions/{id}/notifications"),
                "7.1",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["value"].as_array().unwrap().clone()
    }

    async fn open_pull_request(&self) -> u32 {
        self.sim
            .create_pull_request(
                STOREFRONT_WEB,
                "Add checkout",
                "refs/heads/checkout",
                GATE_USER,
            )
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn each_gate_answer_gives_the_documented_result_and_status() {
    let org = Org::start().await;
    let ok = org.subscribe("/ok", "right-secret").await;
    let unauthorized = org.subscribe("/ok", "wrong-secret").await;
    let missing = org.subscribe("/missing", "right-secret").await;
    let gone = org.subscribe("/gone", "right-secret").await;
    let broken = org.subscribe("/broken", "right-secret").await;
    let slow = org.subscribe("/slow", "right-secret").await;

    org.open_pull_request().await;

    let expect = [
        (&ok, "succeeded", Some("HTTP/1.1 200 OK"), None, "enabled"),
        (
            &unauthorized,
            "failed",
            Some("HTTP/1.1 401 Unauthorized"),
            Some("(401) Unauthorized"),
            "onProbation",
        ),
        (
            &missing,
            "failed",
            Some("HTTP/1.1 404 Not Found"),
            Some("(404) Not Found"),
            "onProbation",
        ),
        (
            &gone,
            "failed",
            Some("HTTP/1.1 410 Gone"),
            Some("(410) Gone"),
            "disabledBySystem",
        ),
        (
            &broken,
            "failed",
            Some("HTTP/1.1 500 Internal Server Error"),
            Some("(500)"),
            "onProbation",
        ),
        (&slow, "failed", None, Some("timed out"), "onProbation"),
    ];
    for (id, result, response, error, status) in expect {
        let history = org.history(id).await;
        assert_eq!(history.len(), 1, "{id}: {history:?}");
        let n = &history[0];
        assert_eq!(n["result"], result, "{n}");
        assert_eq!(n["status"], "completed", "{n}");
        let details = &n["details"];
        match response {
            Some(line) => assert!(
                details["response"].as_str().unwrap().starts_with(line),
                "{n}"
            ),
            None => assert!(details["response"].is_null(), "{n}"),
        }
        match error {
            Some(words) => assert!(
                details["errorMessage"].as_str().unwrap().contains(words),
                "{n}"
            ),
            None => assert!(details["errorMessage"].is_null(), "{n}"),
        }
        // Secrets stay masked in the history.
        assert_eq!(details["consumerInputs"]["basicAuthPassword"], "********");
        assert_eq!(org.status_of(id).await, status, "{id}");
    }

    // The receiver really got the documented payload with basic auth and the custom header.
    let received = org.gate.received();
    assert_eq!(received.len(), 6);
    let first = received
        .iter()
        .find(|r| r.headers["authorization"].ends_with("Z2F0ZTpyaWdodC1zZWNyZXQ="))
        .unwrap();
    assert_eq!(
        first.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(first.headers["x-gate-tenant"], "fabrikam");
    let body = first.json();
    assert_eq!(body["eventType"], "git.pullrequest.created");
    assert_eq!(body["publisherId"], "tfs");
    assert_eq!(body["resourceVersion"], "1.0");
    assert_eq!(body["resource"]["repository"]["id"], STOREFRONT_WEB);
    assert_eq!(body["resource"]["repository"]["project"]["id"], STOREFRONT);
    assert_eq!(body["resource"]["pullRequestId"], 1);
    assert_eq!(body["resource"]["sourceRefName"], "refs/heads/checkout");
    assert!(body["notificationId"].as_i64().unwrap() > 0);
    assert!(body.get("message").is_none(), "messagesToSend = none");

    // Repeated failures disable; a success restores a subscription on probation; the disabled ones
    // get nothing more.
    org.gate.answer("/ok", Answer::Status(200));
    org.open_pull_request().await;
    assert_eq!(org.status_of(&unauthorized).await, "enabled");
    org.open_pull_request().await;
    assert_eq!(org.status_of(&broken).await, "disabledBySystem");
    assert_eq!(org.history(&broken).await.len(), 3);
    assert_eq!(org.history(&gone).await.len(), 1);

    // The query returns the results and the counts per subscription in one request.
    let (status, answer) = org
        .call(
            Method::POST,
            "hooks/notificationsquery",
            "7.1",
            Some(json!({
                "subscriptionIds": [ok, broken, gone],
                "resultType": "failed",
                "maxResultsPerSubscription": 1,
                "includeDetails": true,
                "minCreatedDate": "2020-01-01T00:00:00Z"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        2,
        "one failure each for broken and gone: {answer}"
    );
    assert!(
        results
            .iter()
            .all(|n| n["result"] == "failed" && n["details"]["response"].is_string())
    );
    let summary = answer["summary"].as_array().unwrap();
    let counts = |id: &str| {
        summary
            .iter()
            .find(|s| s["subscriptionId"] == id)
            .map(|s| s["results"].clone())
            .unwrap()
    };
    assert_eq!(
        counts(&ok),
        json!([{ "result": "succeeded", "notificationCount": 3 }])
    );
    assert_eq!(
        counts(&broken),
        json!([{ "result": "failed", "notificationCount": 3 }])
    );
    // A date window after every delivery leaves nothing.
    let (_, empty) = org
        .call(
            Method::POST,
            "hooks/notificationsquery",
            "7.1",
            Some(json!({ "subscriptionIds": [ok], "minCreatedDate": "2999-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!(empty["results"], json!([]));
    assert_eq!(empty["summary"], json!([]));
}

#[tokio::test]
async fn filters_record_filtered_and_updates_deliver_to_updated_subscriptions() {
    let org = Org::start().await;
    let body = json!({
        "publisherId": "tfs", "eventType": "git.pullrequest.updated", "resourceVersion": "1.0",
        "consumerId": "webHooks", "consumerActionId": "httpRequest",
        "publisherInputs": { "projectId": STOREFRONT, "repository": STOREFRONT_WEB, "notificationType": "PushNotification" },
        "consumerInputs": { "url": org.gate.url("/ok"), "basicAuthUsername": "gate", "basicAuthPassword": "right-secret" }
    });
    let (_, sub) = org
        .call(Method::POST, "hooks/subscriptions", "7.1", Some(body))
        .await;
    let id = sub["id"].as_str().unwrap().to_owned();
    let pr = org.open_pull_request().await;
    assert!(
        org.history(&id).await.is_empty(),
        "a created event is not an updated one"
    );
    assert!(
        org.sim
            .update_pull_request(
                pr,
                PullRequestChange::Updated("ReviewersUpdateNotification")
            )
            .await
    );
    assert!(
        org.sim
            .update_pull_request(pr, PullRequestChange::Updated("PushNotification"))
            .await
    );
    let results: Vec<Value> = org
        .history(&id)
        .await
        .iter()
        .map(|n| n["result"].clone())
        .collect();
    assert_eq!(
        results,
        [json!("succeeded"), json!("filtered")],
        "newest first"
    );
    assert_eq!(org.gate.received().len(), 1);
    assert!(
        !org.sim
            .update_pull_request(99, PullRequestChange::Updated("PushNotification"))
            .await
    );
}

#[tokio::test]
async fn test_notifications_are_delivered_and_read_back_by_id_in_both_versions() {
    let org = Org::start().await;
    let good = org.subscribe("/ok", "right-secret").await;
    let bad = org.subscribe("/ok", "wrong-secret").await;
    for (version, id, result, line) in [
        ("7.1", &good, "succeeded", "HTTP/1.1 200 OK"),
        ("7.2-preview.1", &bad, "failed", "HTTP/1.1 401 Unauthorized"),
    ] {
        let (status, queued) = org
            .call(
                Method::POST,
                "hooks/testnotifications",
                version,
                Some(json!({ "subscriptionId": id })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{queued}");
        assert_eq!(queued["status"], "queued");
        let nid = queued["id"].as_i64().unwrap();
        let mut done = Value::Null;
        for _ in 0..100 {
            let (_, n) = org
                .call(
                    Method::GET,
                    &format!("hooks/testnotifications/{nid}"),
                    version,
                    None,
                )
                .await;
            if n["status"] == "completed" {
                done = n;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(done["result"], result, "{done}");
        assert!(
            done["details"]["response"]
                .as_str()
                .unwrap()
                .starts_with(line)
        );
        assert!(done["details"]["requestDuration"].as_f64().is_some());
        // A test neither joins the history nor changes the status.
        assert!(org.history(id).await.is_empty());
        assert_eq!(org.status_of(id).await, "enabled");
    }
    // Ad-hoc details, as some integrations send them.
    let (status, queued) = org
        .call(
            Method::POST,
            "hooks/testnotifications",
            "7.1",
            Some(json!({ "details": { "eventType": "git.pullrequest.created", "consumerInputs": { "url": org.gate.url("/broken") } } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{queued}");
    let (status, unknown) = org
        .call(Method::GET, "hooks/testnotifications/9999", "7.1", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
    let (status, _) = org
        .call(
            Method::POST,
            "hooks/testnotifications",
            "7.1",
            Some(json!({ "subscriptionId": "nope" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn non_loopback_urls_fail_without_being_contacted() {
    let org = Org::start().await;
    let body = json!({
        "publisherId": "tfs", "eventType": "git.pullrequest.created",
        "consumerId": "webHooks", "consumerActionId": "httpRequest",
        "publisherInputs": { "projectId": STOREFRONT, "repository": STOREFRONT_WEB },
        "consumerInputs": { "url": "https://gate.example.com/ado/events" }
    });
    let (_, sub) = org
        .call(Method::POST, "hooks/subscriptions", "7.1", Some(body))
        .await;
    let id = sub["id"].as_str().unwrap().to_owned();
    org.open_pull_request().await;
    let history = org.history(&id).await;
    assert_eq!(history[0]["result"], "failed");
    assert!(
        history[0]["details"]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("loopback")
    );
}
