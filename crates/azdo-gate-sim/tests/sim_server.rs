//! The simulated Azure DevOps organization, exercised over real HTTP with reqwest: authentication
//! answers, api-version rules, paging, stateful hooks and policies, permissions, faults, request
//! counts, and the shapes of the official examples in the workspace's `tests/fixtures/ado-examples/`.

// A test that cannot set itself up should stop right there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use azdo_gate_sim::{self as sim, Scenario, SimHandle, SimOptions};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

const GATE_URL: &str = "https://gate.example.com/ado/events";
const STOREFRONT: &str = "10000000-0000-4000-8000-000000000001";
const PAYMENTS: &str = "10000000-0000-4000-8000-000000000002";
const STOREFRONT_WEB: &str = "20000001-0000-4000-8000-000000000001";
const STOREFRONT_SANDBOX: &str = "20000001-0000-4000-8000-000000000005";
const PAYMENTS_CORE: &str = "20000002-0000-4000-8000-000000000001";
const GATE_USER: &str = "40000000-0000-4000-8000-000000000001";
const DISABLED_BY_SYSTEM: &str = "30000000-0000-4000-8000-000000000008";
const ON_PROBATION: &str = "30000000-0000-4000-8000-000000000011";
const ANONYMOUS: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

fn demo_token(name: &str) -> String {
    Scenario::demo()
        .token(name)
        .unwrap_or_else(|| panic!("demo token {name}"))
        .to_owned()
}

/// A running simulator plus a plain HTTP client.
struct Org {
    sim: SimHandle,
    http: reqwest::Client,
}

impl Org {
    async fn demo() -> Org {
        Org::with(Scenario::demo(), SimOptions::default()).await
    }

    async fn with(scenario: Scenario, options: SimOptions) -> Org {
        let sim = sim::start(scenario, "127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
        Org {
            sim,
            http: reqwest::Client::new(),
        }
    }

    /// A request the way the real client sends it: Basic auth, JSON, redirect suppressed.
    fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}/{path}", self.sim.org_url()))
            .header("Accept", "application/json")
            .header("X-TFS-FedAuthRedirect", "Suppress");
        if let Some(token) = token {
            request = request.basic_auth("", Some(token));
        }
        request
    }

    async fn send(
        &self,
        request: RequestBuilder,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, body)
    }

    async fn get(
        &self,
        path: &str,
        token: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.send(self.req(Method::GET, path, Some(token))).await
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let (status, _, body) = self
            .send(self.req(Method::POST, path, Some(token)).json(body))
            .await;
        (status, body)
    }
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

fn pr_subscription(event: &str, project: &str, repo: &str) -> Value {
    json!({
        "publisherId": "tfs",
        "eventType": event,
        "resourceVersion": "1.0",
        "consumerId": "webHooks",
        "consumerActionId": "httpRequest",
        "publisherInputs": { "projectId": project, "repository": repo, "branch": "" },
        "consumerInputs": {
            "url": GATE_URL,
            "basicAuthUsername": "gate",
            "basicAuthPassword": "s3cret-value",
            "resourceDetailsToSend": "all",
            "messagesToSend": "none",
            "detailedMessagesToSend": "none"
        }
    })
}

fn status_policy(repo: &str) -> Value {
    json!({
        "isEnabled": true,
        "isBlocking": true,
        "type": { "id": "cbdc66da-9728-4af8-aada-9a5a32e4a226" },
        "settings": {
            "statusGenre": "pr-gate",
            "statusName": "gate",
            "invalidateOnSourceUpdate": true,
            "scope": [{ "repositoryId": repo, "refName": "refs/heads/main", "matchKind": "exact" }]
        }
    })
}

// ---- scenario --------------------------------------------------------------------------------

#[test]
fn demo_scenario_parses_and_has_a_primary_gate_token() {
    let demo = Scenario::demo();
    assert_eq!(demo.organization, "fabrikam");
    assert_eq!(demo.primary_token(), demo.token("gate"));
    assert!(demo.projects.len() >= 3);
    let repos: usize = demo.projects.iter().map(|p| p.repositories.len()).sum();
    assert!((10..=16).contains(&repos), "{repos} repositories");
}

#[test]
fn demo_tokens_have_the_new_84_character_pat_shape() {
    for token in &Scenario::demo().tokens {
        let t = token.token.as_bytes();
        assert_eq!(t.len(), 84, "{:?}", token.name);
        assert!(
            t[..52].iter().all(u8::is_ascii_alphanumeric),
            "{:?}",
            token.name
        );
        assert_eq!(&t[52..58], b"JQQJ99", "{:?}", token.name);
        assert!((b'A'..=b'L').contains(&t[59]), "{:?}", token.name);
        assert_eq!(&t[72..80], b"AAAAAZDO", "{:?}", token.name);
    }
}

#[test]
fn scenario_files_reject_unknown_keys_and_dangling_references() {
    let unknown = "organization = \"fabrikam\"\ncolour = \"blue\"\n";
    assert!(Scenario::from_toml_str(unknown).is_err());
    let dangling = r#"{"organization":"fabrikam","users":[],
        "tokens":[{"token":"abc","user":"40000000-0000-4000-8000-000000000009"}]}"#;
    let err = Scenario::from_json_str(dangling).unwrap_err().to_string();
    assert!(err.contains("unknown user"), "{err}");
    let bad_fault = "organization = \"fabrikam\"\n[[faults]]\nkind = \"throttle\"\nroute = \"GET everything\"\ncount = 1\n";
    assert!(Scenario::from_toml_str(bad_fault).is_err());
    let stray_key =
        "organization = \"fabrikam\"\n[[faults]]\nkind = \"malformed\"\ncount = 1\ncolour = 2\n";
    assert!(Scenario::from_toml_str(stray_key).is_err());
    let good_fault = "organization = \"fabrikam\"\n[[faults]]\nkind = \"fail\"\nroute = \"GET projects\"\ncount = 2\nstatus = 503\n";
    assert_eq!(Scenario::from_toml_str(good_fault).unwrap().faults.len(), 1);
}

#[test]
fn scenario_files_load_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("org.json");
    std::fs::write(&json, r#"{"organization":"contoso"}"#).unwrap();
    assert_eq!(Scenario::from_path(&json).unwrap().organization, "contoso");
    let toml = dir.path().join("org.toml");
    std::fs::write(&toml, "organization = \"contoso\"\n").unwrap();
    assert_eq!(Scenario::from_path(&toml).unwrap().organization, "contoso");
    let yaml = dir.path().join("org.yaml");
    std::fs::write(&yaml, "organization: contoso\n").unwrap();
    assert!(Scenario::from_path(&yaml).is_err());
}

#[tokio::test]
async fn refuses_to_listen_beyond_loopback() {
    let err = sim::start(
        Scenario::demo(),
        "0.0.0.0:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("loopback"), "{err}");
}

// ---- conventions: api-version, organization, project ------------------------------------------

#[tokio::test]
async fn request_without_api_version_is_400() {
    let org = Org::demo().await;
    let (status, _, body) = org.get("_apis/git/repositories", &demo_token("gate")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).starts_with("No api-version was supplied for the \"GET\" request."));
    assert_eq!(body["typeKey"], "VssVersionNotSpecifiedException");
    assert_eq!(body["$id"], "1");
    assert_eq!(body["eventId"], 3000);
}

#[tokio::test]
async fn api_version_may_come_in_the_accept_header() {
    let org = Org::demo().await;
    let request = org
        .req(
            Method::GET,
            "_apis/git/repositories",
            Some(&demo_token("gate")),
        )
        .header("Accept", "application/json;api-version=7.1");
    let (status, _, _) = org.send(request).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn connection_data_needs_a_preview_version() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let (status, _, body) = org.get("_apis/connectionData?api-version=7.1", &gate).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("preview"), "{body}");
    let (status, headers, body) = org
        .get("_apis/connectionData?api-version=7.1-preview.1", &gate)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["authenticatedUser"]["id"], GATE_USER);
    assert_eq!(body["authenticatedUser"]["providerDisplayName"], "Gate Bot");
    assert_eq!(
        body["authenticatedUser"]["properties"]["Account"]["$value"],
        "gate-bot@fabrikam.example"
    );
    assert_eq!(body["deploymentType"], "hosted");
    assert_eq!(
        headers["x-vss-userdata"],
        format!("{GATE_USER}:gate-bot@fabrikam.example").as_str()
    );
    assert!(headers.contains_key("activityid"));
    assert!(headers.contains_key("x-vss-e2eid"));
}

#[tokio::test]
async fn versions_out_of_range_are_refused() {
    let org = Org::demo().await;
    let (status, _, body) = org
        .get(
            "_apis/git/repositories?api-version=9.0",
            &demo_token("gate"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("out of range"), "{body}");
    let (status, _, _) = org
        .get(
            "_apis/git/repositories?api-version=6.0",
            &demo_token("gate"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_organization_and_project_are_404() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let url = format!(
        "{}/contoso/_apis/git/repositories?api-version=7.1",
        org.sim.base_url()
    );
    let response = org
        .http
        .get(url)
        .basic_auth("", Some(&gate))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert!(message(&body).contains("'contoso'"), "{body}");

    let missing = "10000000-0000-4000-8000-0000000000ff";
    let (status, _, body) = org
        .get(
            &format!("{missing}/_apis/policy/configurations?api-version=7.1"),
            &gate,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(message(&body).starts_with("VS800075"), "{body}");
    assert!(message(&body).contains("does not exist, or you do not have permission"));
}

#[tokio::test]
async fn projects_are_addressed_by_id_or_percent_encoded_name() {
    let mut scenario = Scenario::demo();
    scenario.projects[0].name = "Store Front".into();
    let org = Org::with(scenario, SimOptions::default()).await;
    let gate = demo_token("gate");
    for project in ["Store%20Front", "store%20front", STOREFRONT] {
        let (status, _, body) = org
            .get(
                &format!("{project}/_apis/git/repositories?api-version=7.1"),
                &gate,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{project}");
        assert_eq!(body["count"], 5, "{project}");
    }
}

// ---- authentication ---------------------------------------------------------------------------

#[tokio::test]
async fn gate_token_cannot_list_projects() {
    let org = Org::demo().await;
    let (status, headers, body) = org
        .get("_apis/projects?api-version=7.1", &demo_token("gate"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).starts_with("TF400813"), "{body}");
    assert!(message(&body).contains(GATE_USER), "names the user: {body}");
    assert!(headers.contains_key("x-vss-userdata"));
}

#[tokio::test]
async fn bad_token_gets_a_sign_in_page_unless_redirects_are_suppressed() {
    let org = Org::demo().await;
    let url = format!(
        "{}/_apis/git/repositories?api-version=7.1",
        org.sim.org_url()
    );
    let page = org
        .http
        .get(&url)
        .basic_auth("", Some("garbage"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NON_AUTHORITATIVE_INFORMATION);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("<title>"));

    let (status, headers, body) = org
        .get("_apis/git/repositories?api-version=7.1", "garbage")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        message(&body),
        "TF400813: The user '' is not authorized to access this resource."
    );
    assert_eq!(body["typeKey"], "UnauthorizedRequestException");
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert!(
        headers["x-tfs-serviceerror"]
            .to_str()
            .unwrap()
            .starts_with("TF400813%3a+The+user")
    );
    assert!(!headers.contains_key("x-vss-userdata"));

    // No credentials at all behaves the same.
    let (status, _, _) = org
        .send(org.req(Method::GET, "_apis/git/repositories?api-version=7.1", None))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // PATCH answers 401 even without the suppress header.
    let patch = org
        .http
        .patch(format!(
            "{}/_apis/wit/workitems/1?api-version=7.1",
            org.sim.org_url()
        ))
        .basic_auth("", Some("garbage"))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_token_says_so() {
    let org = Org::demo().await;
    let (status, _, body) = org
        .get(
            "_apis/connectionData?api-version=7.1-preview.1",
            &demo_token("gate-expired"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("has expired"), "{body}");
    assert_eq!(body["typeKey"], "AccessCheckException");
}

#[tokio::test]
async fn token_of_another_organization_is_not_honoured() {
    let org = Org::demo().await;
    let (status, _, body) = org
        .get(
            "_apis/connectionData?api-version=7.1-preview.1",
            &demo_token("other-org"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message(&body).starts_with("TF400813: The user ''"),
        "{body}"
    );
}

#[tokio::test]
async fn public_project_organizations_answer_bad_tokens_anonymously() {
    let mut scenario = Scenario::demo();
    scenario.public_projects = true;
    let org = Org::with(scenario, SimOptions::default()).await;
    let (status, headers, body) = org
        .get("_apis/connectionData?api-version=7.1-preview.1", "garbage")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["authenticatedUser"]["id"], ANONYMOUS);
    assert!(!headers.contains_key("x-vss-userdata"));
    // Other routes still reject the credential.
    let (status, _, _) = org
        .get("_apis/git/repositories?api-version=7.1", "garbage")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn scopes_decide_which_routes_a_token_reaches() {
    let org = Org::demo().await;
    let (gate, no_build, full) = (
        demo_token("gate"),
        demo_token("gate-no-build"),
        demo_token("admin-full"),
    );
    let definitions = format!("{STOREFRONT}/_apis/build/definitions?$top=1&api-version=7.1");
    assert_eq!(org.get(&definitions, &gate).await.0, StatusCode::OK);
    assert_eq!(
        org.get(&definitions, &no_build).await.0,
        StatusCode::UNAUTHORIZED
    );
    let pools = "_apis/distributedtask/pools?api-version=7.1";
    assert_eq!(org.get(pools, &gate).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, body) = org.get(pools, &full).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["count"].as_u64().unwrap() > 0);
    assert_eq!(
        org.get("_apis/projects?api-version=7.1", &full).await.0,
        StatusCode::OK
    );
    assert_eq!(
        org.get("_apis/wit/fields?api-version=7.1", &gate).await.0,
        StatusCode::OK
    );
}

// ---- discovery --------------------------------------------------------------------------------

#[tokio::test]
async fn repositories_list_every_repository_with_7_1_fields() {
    let org = Org::demo().await;
    let (status, _, body) = org
        .get(
            "_apis/git/repositories?api-version=7.1",
            &demo_token("gate"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let repos = body["value"].as_array().unwrap();
    assert_eq!(body["count"].as_u64().unwrap() as usize, repos.len());
    assert_eq!(repos.len(), 13);
    let names: Vec<&str> = repos.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_ascii_lowercase());
    assert_eq!(names, sorted, "listed by name");
    let sandbox = repos
        .iter()
        .find(|r| r["id"] == STOREFRONT_SANDBOX)
        .unwrap();
    assert!(
        sandbox.get("defaultBranch").is_none(),
        "empty repo has no default branch"
    );
    let legacy = repos
        .iter()
        .find(|r| r["name"] == "storefront-legacy")
        .unwrap();
    assert_eq!(legacy["isDisabled"], true);
    let fork = repos
        .iter()
        .find(|r| r["name"] == "platform-tools-fork")
        .unwrap();
    assert_eq!(fork["isFork"], true);
    assert_eq!(fork["project"]["name"], "Platform");
    assert_eq!(fork["project"]["visibility"], "private");
}

#[tokio::test]
async fn stakeholders_see_no_repositories() {
    let org = Org::demo().await;
    let (status, _, body) = org
        .get(
            "_apis/git/repositories?api-version=7.1",
            &demo_token("stakeholder"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "count": 0, "value": [] }));
}

#[tokio::test]
async fn a_repository_added_later_shows_up() {
    let org = Org::demo().await;
    let id = org
        .sim
        .add_repository(STOREFRONT, "storefront-search", Some("refs/heads/main"));
    assert!(!id.is_empty());
    assert!(org.sim.add_repository("Nowhere", "x", None).is_empty());
    let (_, _, body) = org
        .get(
            &format!("{STOREFRONT}/_apis/git/repositories?api-version=7.1"),
            &demo_token("gate"),
        )
        .await;
    let added = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str());
    assert_eq!(added.unwrap()["name"], "storefront-search");
}

#[tokio::test]
async fn projects_page_by_100_with_continuation_tokens() {
    let mut scenario = Scenario::generated(250, 0, 0, GATE_URL);
    scenario.tokens[0].scopes.push("vso.project".into());
    let token = scenario.primary_token().unwrap().to_owned();
    let org = Org::with(scenario, SimOptions::default()).await;
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    let mut continuation: Option<String> = None;
    loop {
        let mut path = "_apis/projects?api-version=7.1".to_owned();
        if let Some(c) = &continuation {
            path.push_str(&format!("&continuationToken={c}"));
        }
        let (status, headers, body) = org.get(&path, &token).await;
        assert_eq!(status, StatusCode::OK);
        pages += 1;
        for project in body["value"].as_array().unwrap() {
            assert!(seen.insert(project["id"].as_str().unwrap().to_owned()));
        }
        match headers.get("x-ms-continuationtoken") {
            Some(next) => continuation = Some(next.to_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    let (_, headers, body) = org
        .get("_apis/projects?$top=10&$skip=245&api-version=7.1", &token)
        .await;
    assert_eq!(body["count"], 5);
    assert!(!headers.contains_key("x-ms-continuationtoken"));
}

// ---- permissions ------------------------------------------------------------------------------

#[tokio::test]
async fn permission_batch_evaluates_the_callers_rights_per_project() {
    let org = Org::demo().await;
    let batch = json!({
        "alwaysAllowAdministrators": false,
        "evaluations": [
            { "securityNamespaceId": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046", "token": format!("PublisherSecurity/{STOREFRONT}"), "permissions": 2 },
            { "securityNamespaceId": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046", "token": format!("PublisherSecurity/{PAYMENTS}"), "permissions": 2 },
            { "securityNamespaceId": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046", "token": format!("PublisherSecurity/{PAYMENTS}"), "permissions": 1 },
            { "securityNamespaceId": "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87", "token": format!("repoV2/{PAYMENTS}/{PAYMENTS_CORE}"), "permissions": 2048 },
            { "securityNamespaceId": "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87", "token": format!("repoV2/{STOREFRONT}/{STOREFRONT_WEB}"), "permissions": 2048 },
            { "securityNamespaceId": "00000000-0000-0000-0000-000000000000", "token": "x", "permissions": 1 }
        ]
    });
    let (status, body) = org
        .post(
            "_apis/security/permissionevaluationbatch?api-version=7.1",
            &demo_token("gate"),
            &batch,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let values: Vec<bool> = body["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_bool().unwrap())
        .collect();
    assert_eq!(values, [true, false, true, false, true, false]);
}

#[tokio::test]
async fn permission_batch_naming_a_locked_project_is_refused() {
    let mut scenario = Scenario::demo();
    scenario.projects[1].permission_evaluation_refused = true;
    let org = Org::with(scenario, SimOptions::default()).await;
    let batch = json!({ "evaluations": [
        { "securityNamespaceId": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046", "token": format!("PublisherSecurity/{PAYMENTS}"), "permissions": 1 }
    ]});
    let (status, body) = org
        .post(
            "_apis/security/permissionevaluationbatch?api-version=7.1",
            &demo_token("gate"),
            &batch,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["typeKey"], "AccessCheckException");
}

// ---- service hooks ----------------------------------------------------------------------------

#[tokio::test]
async fn created_subscription_persists_with_its_password_masked() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let body = pr_subscription("git.pullrequest.created", STOREFRONT, STOREFRONT_SANDBOX);
    let (status, created) = org
        .post("_apis/hooks/subscriptions?api-version=7.1", &gate, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "enabled");
    assert_eq!(created["createdBy"]["id"], GATE_USER);
    assert_eq!(created["actionDescription"], "To host gate.example.com");
    assert_eq!(created["consumerInputs"]["basicAuthPassword"], "********");
    assert!(created["publisherInputs"]["hostId"].is_string());
    assert!(created["publisherInputs"]["tfsSubscriptionId"].is_string());

    let (_, _, list) = org
        .get("_apis/hooks/subscriptions?publisherId=tfs&consumerId=webHooks&consumerActionId=httpRequest&api-version=7.1", &gate)
        .await;
    let listed = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(listed["consumerInputs"]["basicAuthPassword"], "********");
    assert_eq!(listed["publisherInputs"]["repository"], STOREFRONT_SANDBOX);

    let (status, _, one) = org
        .get(
            &format!("_apis/hooks/subscriptions/{id}?api-version=7.1"),
            &gate,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["eventType"], "git.pullrequest.created");

    let unmasked = org.sim.subscriptions();
    let stored = unmasked.iter().find(|s| s["id"] == id.as_str()).unwrap();
    assert_eq!(
        stored["consumerInputs"]["basicAuthPassword"],
        "s3cret-value"
    );
}

#[tokio::test]
async fn subscription_list_filters_and_trims_to_viewable_projects() {
    let mut scenario = Scenario::demo();
    scenario.projects[3].permissions.push(sim::Permissions {
        user: GATE_USER.into(),
        service_hooks_view: false,
        service_hooks_edit: false,
        edit_policies: true,
        contribute_pull_requests: true,
    });
    let org = Org::with(scenario, SimOptions::default()).await;
    let (_, _, all) = org
        .get(
            "_apis/hooks/subscriptions?api-version=7.1",
            &demo_token("admin-full"),
        )
        .await;
    assert_eq!(all["count"], 13);
    let (_, _, created) = org
        .get(
            "_apis/hooks/subscriptions?eventType=git.pullrequest.created&api-version=7.1",
            &demo_token("admin-full"),
        )
        .await;
    assert_eq!(created["count"], 7);
    let (_, _, trimmed) = org
        .get(
            "_apis/hooks/subscriptions?api-version=7.1",
            &demo_token("gate"),
        )
        .await;
    assert_eq!(
        trimmed["count"],
        13 - 5,
        "Research's five subscriptions are hidden"
    );
    let (status, _, _) = org
        .get(
            &format!("_apis/hooks/subscriptions/{ON_PROBATION}?api-version=7.1"),
            &demo_token("gate"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn subscription_create_validates_its_input() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let path = "_apis/hooks/subscriptions?api-version=7.1";
    let mut cases = Vec::new();
    let mut bad_url = pr_subscription("git.pullrequest.created", STOREFRONT, STOREFRONT_WEB);
    bad_url["consumerInputs"]["url"] = json!("gate.example.com/events");
    cases.push(("relative url", bad_url));
    let mut no_url = pr_subscription("git.pullrequest.created", STOREFRONT, STOREFRONT_WEB);
    no_url["consumerInputs"]
        .as_object_mut()
        .unwrap()
        .remove("url");
    cases.push(("no url", no_url));
    cases.push((
        "unknown project",
        pr_subscription(
            "git.pullrequest.created",
            "10000000-0000-4000-8000-0000000000ff",
            "",
        ),
    ));
    cases.push((
        "repo of another project",
        pr_subscription("git.pullrequest.created", STOREFRONT, PAYMENTS_CORE),
    ));
    cases.push((
        "unknown event",
        pr_subscription("build.complete", STOREFRONT, ""),
    ));
    let mut other_consumer = pr_subscription("git.pullrequest.created", STOREFRONT, "");
    other_consumer["consumerId"] = json!("slack");
    cases.push(("other consumer", other_consumer));
    let mut no_project = pr_subscription("git.pullrequest.created", STOREFRONT, "");
    no_project["publisherInputs"]
        .as_object_mut()
        .unwrap()
        .remove("projectId");
    cases.push(("no project", no_project));
    cases.push(("empty body", json!({})));
    for (case, body) in cases {
        let (status, answer) = org.post(path, &gate, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {answer}");
        assert!(!message(&answer).is_empty(), "{case}");
    }
    assert_eq!(org.sim.subscriptions().len(), 13, "nothing was created");
}

#[tokio::test]
async fn subscriptions_need_edit_permission_on_the_project() {
    let org = Org::demo().await;
    let body = pr_subscription("git.pullrequest.created", PAYMENTS, PAYMENTS_CORE);
    let (status, answer) = org
        .post(
            "_apis/hooks/subscriptions?api-version=7.1",
            &demo_token("gate"),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        message(&answer).contains("does not have permissions to perform this action"),
        "{answer}"
    );
    let (status, _) = org
        .post(
            "_apis/hooks/subscriptions?api-version=7.1",
            &demo_token("admin-full"),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn replacing_a_subscription_honours_status_except_after_the_system_disabled_it() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let mut body = pr_subscription(
        "git.pullrequest.updated",
        "10000000-0000-4000-8000-000000000004",
        "20000004-0000-4000-8000-000000000002",
    );
    body["status"] = json!("enabled");
    let (status, _, replaced) = org
        .send(
            org.req(
                Method::PUT,
                &format!("_apis/hooks/subscriptions/{ON_PROBATION}?api-version=7.1"),
                Some(&gate),
            )
            .json(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["status"], "enabled");
    assert!(replaced.get("probationRetries").is_none());
    assert_eq!(replaced["id"], ON_PROBATION);

    let mut body = pr_subscription(
        "git.pullrequest.created",
        "10000000-0000-4000-8000-000000000004",
        "20000004-0000-4000-8000-000000000001",
    );
    body["status"] = json!("enabled");
    let (status, _, replaced) = org
        .send(
            org.req(
                Method::PUT,
                &format!("_apis/hooks/subscriptions/{DISABLED_BY_SYSTEM}?api-version=7.1"),
                Some(&gate),
            )
            .json(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replaced["status"], "disabledBySystem");
    let stored = org.sim.subscriptions();
    let stored = stored
        .iter()
        .find(|s| s["id"] == DISABLED_BY_SYSTEM)
        .unwrap();
    assert_eq!(
        stored["consumerInputs"]["basicAuthPassword"], "s3cret-value",
        "PUT replaced the inputs"
    );
}

#[tokio::test]
async fn deleting_a_subscription_answers_204_then_404() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let path = format!("_apis/hooks/subscriptions/{DISABLED_BY_SYSTEM}?api-version=7.1");
    let (status, _, body) = org.send(org.req(Method::DELETE, &path, Some(&gate))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    let (status, _, _) = org.send(org.req(Method::DELETE, &path, Some(&gate))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(org.sim.subscriptions().len(), 12);
}

#[tokio::test]
async fn set_subscription_status_simulates_delivery_failures() {
    let org = Org::demo().await;
    let id = "30000000-0000-4000-8000-000000000001";
    org.sim.set_subscription_status(id, "disabledBySystem");
    let (_, _, body) = org
        .get(
            &format!("_apis/hooks/subscriptions/{id}?api-version=7.1"),
            &demo_token("gate"),
        )
        .await;
    assert_eq!(body["status"], "disabledBySystem");
}

// ---- branch policies --------------------------------------------------------------------------

#[tokio::test]
async fn empty_policy_body_is_400_and_a_status_policy_is_stored() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let path = format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1");
    let (status, body) = org.post(&path, &gate, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("Invalid argument value"), "{body}");

    let mut nameless = status_policy("20000001-0000-4000-8000-000000000003");
    nameless["settings"]
        .as_object_mut()
        .unwrap()
        .remove("statusName");
    assert_eq!(
        org.post(&path, &gate, &nameless).await.0,
        StatusCode::BAD_REQUEST
    );
    let mut unknown_type = status_policy("20000001-0000-4000-8000-000000000003");
    unknown_type["type"]["id"] = json!("00000000-0000-0000-0000-000000000001");
    assert_eq!(
        org.post(&path, &gate, &unknown_type).await.0,
        StatusCode::BAD_REQUEST
    );

    let before = org.sim.policies(STOREFRONT).len();
    let (status, created) = org
        .post(
            &path,
            &gate,
            &status_policy("20000001-0000-4000-8000-000000000003"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["revision"], 1);
    assert_eq!(created["type"]["displayName"], "Status");
    assert_eq!(created["createdBy"]["id"], GATE_USER);
    assert_eq!(created["settings"]["scope"][0]["matchKind"], "Exact");
    assert!(created["id"].as_i64().unwrap() > 6);
    assert_eq!(org.sim.policies(STOREFRONT).len(), before + 1);
}

#[tokio::test]
async fn policies_need_edit_policies_permission() {
    let org = Org::demo().await;
    let (status, body) = org
        .post(
            &format!("{PAYMENTS}/_apis/policy/configurations?api-version=7.1"),
            &demo_token("gate"),
            &status_policy(PAYMENTS_CORE),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message(&body).starts_with("TF401027"), "{body}");
    // And the write scope: a read-only token is rejected before any validation.
    let (status, _) = org
        .post(
            &format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1"),
            &demo_token("stakeholder"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn policy_lists_page_and_filter_by_type() {
    let options = SimOptions {
        policy_page_size: 2,
        ..SimOptions::default()
    };
    let org = Org::with(Scenario::demo(), options).await;
    let gate = demo_token("gate");
    let base = format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1");
    let (_, headers, first) = org.get(&base, &gate).await;
    assert_eq!(first["count"], 2);
    let token = headers["x-ms-continuationtoken"]
        .to_str()
        .unwrap()
        .to_owned();
    let (_, headers, second) = org
        .get(&format!("{base}&continuationToken={token}"), &gate)
        .await;
    assert_eq!(second["count"], 1);
    assert!(!headers.contains_key("x-ms-continuationtoken"));
    assert_eq!(
        second["value"][0]["type"]["displayName"],
        "Minimum approval count"
    );
    let (_, _, status_only) = org
        .get(
            &format!("{base}&policyType=cbdc66da-9728-4af8-aada-9a5a32e4a226&$top=10"),
            &gate,
        )
        .await;
    assert_eq!(status_only["count"], 2);
    // Project-wide scope entries come back with an explicit null repository.
    let (_, _, platform) = org
        .get(
            "Platform/_apis/policy/configurations?api-version=7.1",
            &gate,
        )
        .await;
    assert_eq!(
        platform["value"][0]["settings"]["scope"][0],
        json!({ "repositoryId": null, "matchKind": "DefaultBranch" })
    );
}

// ---- work items -------------------------------------------------------------------------------

#[tokio::test]
async fn work_item_patch_probe_never_saves() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let path = "_apis/wit/workitems/2147483647?validateOnly=true&api-version=7.1";
    let (status, _, body) = org
        .send(
            org.req(Method::PATCH, path, Some(&gate))
                .header("Content-Type", "application/json-patch+json")
                .body("[]"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        message(&body).starts_with("TF401232: Work item 2147483647 does not exist"),
        "{body}"
    );
    let (status, _, _) = org
        .send(
            org.req(Method::PATCH, path, Some(&gate))
                .header("Content-Type", "application/json")
                .body("[]"),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, _) = org
        .send(
            org.req(Method::PATCH, path, Some(&demo_token("stakeholder")))
                .header("Content-Type", "application/json-patch+json")
                .body("[]"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "vso.work does not imply vso.work_write"
    );
}

// ---- faults, latency, counts ------------------------------------------------------------------

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let org = Org::demo().await;
    org.sim
        .faults()
        .throttle(Some("GET git/repositories"), 1, 7);
    let gate = demo_token("gate");
    let path = "_apis/git/repositories?api-version=7.1";
    let (status, headers, body) = org.get(path, &gate).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "7");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(headers.contains_key("x-ratelimit-resource"));
    assert!(headers.contains_key("x-ratelimit-reset"));
    assert!(message(&body).starts_with("TF400733"), "{body}");
    assert_eq!(
        org.get(path, &gate).await.0,
        StatusCode::OK,
        "one shot only"
    );
}

#[tokio::test]
async fn server_errors_are_wrapped_exceptions() {
    let org = Org::demo().await;
    org.sim.faults().fail(None, 2, 503);
    let gate = demo_token("gate");
    let (status, _, body) = org.get("_apis/wit/fields?api-version=7.1", &gate).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(message(&body).starts_with("TF400898"));
    org.sim.faults().clear();
    assert_eq!(
        org.get("_apis/wit/fields?api-version=7.1", &gate).await.0,
        StatusCode::OK
    );

    org.sim.faults().fail(Some("GET wit/fields"), 1, 500);
    assert_eq!(
        org.get("_apis/wit/fields?api-version=7.1", &gate).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn dropped_connections_are_transport_errors() {
    let org = Org::demo().await;
    org.sim
        .faults()
        .drop_connection(Some("GET git/repositories"), 1);
    let result = org
        .req(
            Method::GET,
            "_apis/git/repositories?api-version=7.1",
            Some(&demo_token("gate")),
        )
        .send()
        .await;
    let err = result.unwrap_err();
    assert!(!err.is_status(), "{err}");
    assert_eq!(org.sim.faults().remaining(), 0);
}

#[tokio::test]
async fn malformed_answers_are_truncated_json() {
    let org = Org::demo().await;
    org.sim.faults().malformed(None, 1);
    let response = org
        .req(
            Method::GET,
            "_apis/git/repositories?api-version=7.1",
            Some(&demo_token("gate")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn commit_then_drop_carries_out_the_request_but_never_answers() {
    let org = Org::demo().await;
    org.sim
        .faults()
        .commit_then_drop(Some("POST hooks/subscriptions"), 1);
    let body = pr_subscription("git.pullrequest.created", STOREFRONT, STOREFRONT_SANDBOX);
    let result = org
        .req(
            Method::POST,
            "_apis/hooks/subscriptions?api-version=7.1",
            Some(&demo_token("gate")),
        )
        .json(&body)
        .send()
        .await;
    assert!(result.is_err(), "no answer arrives");
    let created = org
        .sim
        .subscriptions()
        .into_iter()
        .filter(|s| s["publisherInputs"]["repository"] == STOREFRONT_SANDBOX)
        .count();
    assert_eq!(created, 1, "the subscription was created exactly once");
    assert_eq!(org.sim.requests_by_route()["POST hooks/subscriptions"], 1);
}

#[tokio::test]
async fn a_late_commit_happens_after_the_client_gave_up() {
    let org = Org::demo().await;
    org.sim.faults().late_commit(
        Some("POST hooks/subscriptions"),
        1,
        Duration::from_millis(400),
    );
    let body = pr_subscription("git.pullrequest.created", STOREFRONT, STOREFRONT_SANDBOX);
    let sandbox = |org: &Org| {
        org.sim
            .subscriptions()
            .into_iter()
            .filter(|s| s["publisherInputs"]["repository"] == STOREFRONT_SANDBOX)
            .count()
    };
    let result = org
        .req(
            Method::POST,
            "_apis/hooks/subscriptions?api-version=7.1",
            Some(&demo_token("gate")),
        )
        .timeout(Duration::from_millis(100))
        .json(&body)
        .send()
        .await;
    assert!(result.is_err(), "the client timed out");
    assert_eq!(sandbox(&org), 0, "not yet committed");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sandbox(&org), 1, "committed late, once");
}

#[tokio::test]
async fn a_redirect_names_the_other_host_and_the_recorder_sees_what_follows_it() {
    let org = Org::demo().await;
    let other = sim::Recorder::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    org.sim
        .faults()
        .redirect(Some("GET git/repositories"), 1, 308, &other.base_url());
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_follow
        .get(format!(
            "{}/_apis/git/repositories?api-version=7.1",
            org.sim.org_url()
        ))
        .basic_auth("", Some(demo_token("gate")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "{}/fabrikam/_apis/git/repositories?api-version=7.1",
            other.base_url()
        )
    );
    assert!(other.received().is_empty());
    // Following it by hand reaches the recorder, which keeps the bytes it was sent.
    let followed = no_follow.get(&location).send().await.unwrap();
    assert_eq!(followed.status(), StatusCode::OK);
    let received = other.received();
    assert_eq!(received.len(), 1);
    assert!(
        String::from_utf8_lossy(&received[0]).starts_with("GET /fabrikam/_apis/git/repositories")
    );
}

#[tokio::test]
async fn status_policies_can_be_deleted() {
    let org = Org::demo().await;
    let before = org.sim.policies(STOREFRONT);
    let id = before[0]["id"].as_i64().unwrap();
    let path = format!("{STOREFRONT}/_apis/policy/configurations/{id}?api-version=7.1");
    let token = demo_token("gate");
    let deleted = org
        .req(Method::DELETE, &path, Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(org.sim.policies(STOREFRONT).len(), before.len() - 1);
    let again = org
        .req(Method::DELETE, &path, Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn faults_from_the_scenario_are_armed_at_start() {
    let mut scenario = Scenario::demo();
    scenario.faults.push(sim::FaultSpec::Throttle {
        route: Some("GET connectionData".into()),
        count: 1,
        retry_after_secs: 2,
    });
    let org = Org::with(scenario, SimOptions::default()).await;
    let (status, headers, _) = org
        .get(
            "_apis/connectionData?api-version=7.1-preview.1",
            &demo_token("gate"),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "2");
}

#[tokio::test]
async fn requests_are_counted_per_route() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    org.get("_apis/connectionData?api-version=7.1-preview.1", &gate)
        .await;
    org.get("_apis/git/repositories?api-version=7.1", &gate)
        .await;
    org.get("_apis/git/repositories?api-version=7.1", "garbage")
        .await;
    org.get(
        &format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1"),
        &gate,
    )
    .await;
    org.get("_apis/nothing-here?api-version=7.1", &gate).await;
    let counts = org.sim.requests_by_route();
    assert_eq!(org.sim.requests_total(), 5);
    assert_eq!(counts["GET connectionData"], 1);
    assert_eq!(counts["GET git/repositories"], 2);
    assert_eq!(counts["GET policy/configurations"], 1);
    assert_eq!(counts["OTHER"], 1);
    assert!(
        counts
            .keys()
            .all(|label| sim::ROUTE_LABELS.contains(&label.as_str()))
    );
    org.sim.reset_counts();
    assert_eq!(org.sim.requests_total(), 0);
    assert!(org.sim.requests_by_route().is_empty());
}

/// Starts a GET that the simulator holds (60 s of latency) and returns once the simulator has it.
async fn pending_get(org: &Org, path: &str) -> tokio::task::JoinHandle<reqwest::Result<Response>> {
    org.sim.set_latency(Duration::from_secs(60));
    let before = org.sim.requests_total();
    let pending = tokio::spawn(org.req(Method::GET, path, Some(&demo_token("gate"))).send());
    tokio::time::timeout(Duration::from_secs(10), async {
        while org.sim.requests_total() == before {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the request reached the simulator");
    pending
}

#[tokio::test]
async fn a_request_the_client_hangs_up_on_is_counted_as_abandoned() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    // An answered request and a connection the server drops on purpose are not abandoned.
    org.get("_apis/git/repositories?api-version=7.1", &gate)
        .await;
    org.sim
        .faults()
        .drop_connection(Some("GET git/repositories"), 1);
    let dropped = org
        .req(
            Method::GET,
            "_apis/git/repositories?api-version=7.1",
            Some(&gate),
        )
        .send()
        .await;
    assert!(dropped.is_err());
    assert!(org.sim.abandoned_by_route().is_empty());

    let pending = pending_get(&org, "_apis/wit/fields?api-version=7.1").await;
    pending.abort();
    tokio::time::timeout(Duration::from_secs(10), org.sim.requests_abandoned(1))
        .await
        .expect("the simulator saw the client hang up");
    assert_eq!(
        org.sim.abandoned_by_route(),
        [("GET wit/fields".to_owned(), 1)].into()
    );
    org.sim.reset_counts();
    assert!(org.sim.abandoned_by_route().is_empty());
}

#[tokio::test]
async fn requests_cut_short_by_shutdown_are_not_abandoned() {
    let org = Org::demo().await;
    let pending = pending_get(&org, "_apis/wit/fields?api-version=7.1").await;
    org.sim.clone().shutdown().await;
    assert!(pending.await.unwrap().is_err(), "no answer arrives");
    assert!(org.sim.abandoned_by_route().is_empty());
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let org = Org::demo().await;
    org.sim.set_latency(Duration::from_millis(120));
    let started = Instant::now();
    org.get("_apis/wit/fields?api-version=7.1", &demo_token("gate"))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn shutdown_closes_the_listener() {
    let org = Org::demo().await;
    let addr = org.sim.addr();
    org.sim.clone().shutdown().await;
    let refused = tokio::net::TcpStream::connect(addr).await;
    assert!(refused.is_err(), "still accepting after shutdown");
}

// ---- scale ------------------------------------------------------------------------------------

#[tokio::test]
async fn a_generated_big_organization_lists_ten_thousand_repositories() {
    let scenario = Scenario::generated(1000, 10_000, 20_000, GATE_URL);
    let token = scenario.primary_token().unwrap().to_owned();
    let org = Org::with(scenario, SimOptions::default()).await;
    let (status, _, body) = org
        .get("_apis/git/repositories?api-version=7.1", &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 10_000);
    assert_eq!(body["value"].as_array().unwrap().len(), 10_000);
}

// ---- shapes of the official examples ------------------------------------------------------------

/// One vendored official example (the workspace's `tests/fixtures/ado-examples/`, shared with the
/// tool's own example tests; see its `SOURCES.md`); a missing file is a broken checkout and fails.
fn example(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ado-examples")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is part of the repository: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn item_keys(list: &Value) -> BTreeSet<String> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(keys)
        .collect()
}

/// Every field of the example is in the simulator's answer, and the simulator adds only the
/// fields listed (the 7.1 additions the old examples predate).
fn assert_same_fields(
    what: &str,
    example: &BTreeSet<String>,
    sim: &BTreeSet<String>,
    extras: &[&str],
) {
    let missing: Vec<_> = example.difference(sim).collect();
    assert!(
        missing.is_empty(),
        "{what}: the simulator lacks {missing:?}"
    );
    let added: Vec<_> = sim
        .difference(example)
        .filter(|k| !extras.contains(&k.as_str()))
        .collect();
    assert!(added.is_empty(), "{what}: the simulator adds {added:?}");
}

#[tokio::test]
async fn list_answers_have_the_fields_of_the_official_examples() {
    let org = Org::demo().await;
    let full = demo_token("admin-full");
    let cases = [
        (
            "core/projects-list.json",
            "_apis/projects?api-version=7.1".to_owned(),
            vec!["revision", "visibility", "lastUpdateTime"],
        ),
        (
            "git/repositories-list-org-level.json",
            "_apis/git/repositories?api-version=7.1".to_owned(),
            vec![
                "size",
                "sshUrl",
                "webUrl",
                "isDisabled",
                "isInMaintenance",
                "isFork",
            ],
        ),
        (
            "hooks/subscriptions-list.json",
            "_apis/hooks/subscriptions?api-version=7.1".to_owned(),
            vec![],
        ),
        (
            "policy/configurations-list.json",
            format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1"),
            vec![],
        ),
    ];
    for (file, path, extras) in cases {
        let expected = &example(file)["responses"]["200"]["body"];
        let (status, _, answer) = org.get(&path, &full).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(keys(expected), keys(&answer), "{file}: envelope");
        assert_same_fields(file, &item_keys(expected), &item_keys(&answer), &extras);
    }
    // Nested shapes the client reads.
    let repos = example("git/repositories-list-org-level.json");
    let (_, _, answer) = org
        .get("_apis/git/repositories?api-version=7.1", &full)
        .await;
    assert_same_fields(
        "repository.project",
        &keys(&repos["responses"]["200"]["body"]["value"][0]["project"]),
        &keys(&answer["value"][0]["project"]),
        &["description", "revision", "visibility", "lastUpdateTime"],
    );
    let policies = example("policy/configurations-list.json");
    let (_, _, answer) = org
        .get(
            &format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1"),
            &full,
        )
        .await;
    for nested in ["createdBy", "type", "_links"] {
        assert_eq!(
            keys(&policies["responses"]["200"]["body"]["value"][0][nested]),
            keys(&answer["value"][0][nested]),
            "policy {nested}"
        );
    }
}

#[tokio::test]
async fn subscription_answers_have_the_fields_of_the_official_examples() {
    let org = Org::demo().await;
    let gate = demo_token("gate");

    let get = example("hooks/subscription-get.json");
    let (_, _, answer) = org
        .get(
            "_apis/hooks/subscriptions/30000000-0000-4000-8000-000000000001?api-version=7.1",
            &gate,
        )
        .await;
    assert_same_fields(
        "get",
        &keys(&get["responses"]["200"]["body"]),
        &keys(&answer),
        &["status"],
    );

    // The examples create a build.complete hook; the simulator takes the gate's event types, so
    // only the event type and project change.
    let create = example("hooks/subscription-create-webhook.json");
    let mut body = create["parameters"]["body"].clone();
    body["eventType"] = json!("git.pullrequest.created");
    body["publisherInputs"]["projectId"] = json!(STOREFRONT);
    let (status, created) = org
        .post("_apis/hooks/subscriptions?api-version=7.1", &gate, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let expected = &create["responses"]["200"]["body"];
    assert_same_fields("create", &keys(expected), &keys(&created), &["status"]);
    assert_same_fields(
        "create.publisherInputs",
        &keys(&expected["publisherInputs"]),
        &keys(&created["publisherInputs"]),
        &[],
    );
    assert_eq!(keys(&expected["createdBy"]), keys(&created["createdBy"]));

    let put = example("hooks/subscription-replace-put.json");
    let mut body = put["parameters"]["body"].clone();
    body["eventType"] = json!("git.pullrequest.created");
    body["publisherInputs"]["projectId"] = json!(STOREFRONT);
    let id = created["id"].as_str().unwrap();
    let (status, _, replaced) = org
        .send(
            org.req(
                Method::PUT,
                &format!("_apis/hooks/subscriptions/{id}?api-version=7.1"),
                Some(&gate),
            )
            .json(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_same_fields(
        "replace",
        &keys(&put["responses"]["200"]["body"]),
        &keys(&replaced),
        &["status"],
    );
    assert_eq!(
        replaced["consumerInputs"]["url"],
        "https://myservice/newreceiver"
    );
    assert_eq!(replaced["createdDate"], created["createdDate"]);

    let delete = example("hooks/subscription-delete.json");
    let expected_status: u16 = keys(&delete["responses"]).first().unwrap().parse().unwrap();
    let (status, _, _) = org
        .send(org.req(
            Method::DELETE,
            &format!("_apis/hooks/subscriptions/{id}?api-version=7.1"),
            Some(&gate),
        ))
        .await;
    assert_eq!(status.as_u16(), expected_status);
}

#[tokio::test]
async fn policy_creates_answer_like_the_official_examples() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    for file in [
        "policy/configuration-create-build-validation.json",
        "policy/configuration-create-merge-strategy-repo-scoped.json",
        "policy/configuration-create-min-reviewers.json",
        "policy/configuration-create-required-reviewers.json",
        "policy/configuration-create-work-item-linking.json",
    ] {
        let ex = example(file);
        let mut body = ex["parameters"]["body"].clone();
        // Repository ids of the example's organization become one of the demo's.
        for entry in body["settings"]["scope"].as_array_mut().unwrap() {
            if entry["repositoryId"].is_string() {
                entry["repositoryId"] = json!(STOREFRONT_WEB);
            }
        }
        let (status, created) = org
            .post(
                &format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1"),
                &gate,
                &body,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{file}: {created}");
        let expected = &ex["responses"]["200"]["body"];
        assert_same_fields(file, &keys(expected), &keys(&created), &["isDeleted"]);
        assert_eq!(
            created["type"]["displayName"], expected["type"]["displayName"],
            "{file}"
        );
        let kinds = |v: &Value| -> Vec<Value> {
            v["settings"]["scope"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["matchKind"].clone())
                .collect()
        };
        assert_eq!(
            kinds(&created),
            kinds(expected),
            "{file}: matchKind spelling"
        );
    }
}

#[tokio::test]
async fn permission_batch_answers_like_the_official_example() {
    let org = Org::demo().await;
    let ex = example("security/permission-evaluation-batch.json");
    let (status, answer) = org
        .post(
            "_apis/security/permissionevaluationbatch?api-version=7.1",
            &demo_token("gate"),
            &ex["parameters"]["body"],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let expected = &ex["responses"]["200"]["body"];
    assert_eq!(keys(expected), keys(&answer));
    assert_eq!(
        item_keys(&json!({ "value": expected["evaluations"] })),
        item_keys(&json!({ "value": answer["evaluations"] }))
    );
    // An unknown namespace evaluates to false.
    assert!(
        answer["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["value"] == false)
    );
}

#[test]
fn handles_can_be_shared_across_tasks() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<SimHandle>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_are_all_answered_and_counted() {
    let org = Org::demo().await;
    let gate = demo_token("gate");
    let requests = (0..32).map(|i| {
        let path = if i % 2 == 0 {
            "_apis/git/repositories?api-version=7.1".to_owned()
        } else {
            format!("{STOREFRONT}/_apis/policy/configurations?api-version=7.1")
        };
        org.req(Method::GET, &path, Some(&gate)).send()
    });
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(org.sim.requests_total(), 32);
    assert_eq!(org.sim.requests_by_route()["GET git/repositories"], 16);
}

/// The stand-in for the gating service's token page: a form, and the token it was given; not
/// counted as Azure DevOps traffic.
#[tokio::test]
async fn the_gate_token_page_records_the_token_it_receives() {
    let sim = sim::start(
        Scenario::demo(),
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let page = sim.gate_token_page();
    assert!(page.ends_with(sim::GATE_TOKEN_PATH), "{page}");
    let form = http.get(&page).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("name=\"token\""));
    assert!(sim.gate_tokens_received().is_empty());

    let saved = http
        .post(&page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=abc%2Bdef")
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let empty = http.post(&page).body("token=").send().await.unwrap();
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sim.gate_tokens_received(), vec!["abc+def".to_owned()]);
    assert_eq!(sim.requests_total(), 0, "not Azure DevOps traffic");
    sim.shutdown().await;
}
