//! The client's models read every relevant official example payload, vendored in
//! `tests/fixtures/ado-examples/` (MIT data from Microsoft's REST specs; see its `SOURCES.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

use std::path::{Path, PathBuf};

use azdo_gate::ado::models::{
    ListResponse, PermissionEvaluationBatch, PolicyConfiguration, Project, Repository,
    Subscription, SubscriptionStatus,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The vendored examples; their absence is a broken checkout, not a reason to skip.
fn examples_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ado-examples");
    assert!(
        dir.is_dir(),
        "{} is missing: the official examples are part of the repository",
        dir.display()
    );
    dir
}

/// The 200 response body of one example file.
fn body(dir: &Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let example: Value = serde_json::from_str(&text).unwrap();
    example["responses"]["200"]["body"].clone()
}

fn parse<T: DeserializeOwned>(dir: &Path, file: &str) -> T {
    serde_json::from_value(body(dir, file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn repositories_projects_and_permissions() {
    let dir = examples_dir();
    let repos: ListResponse<Repository> = parse(&dir, "git/repositories-list-org-level.json");
    assert_eq!(repos.value.len(), 3);
    assert!(repos.value[0].default_branch.is_none(), "empty repository");
    assert_eq!(
        repos.value[1].default_branch.as_deref(),
        Some("refs/heads/master")
    );
    assert_eq!(repos.value[0].project.name, "Fabrikam-Fiber-Git");
    let one: Repository = parse(&dir, "git/repository-get.json");
    assert!(!one.id.is_empty());

    let projects: ListResponse<Project> = parse(&dir, "core/projects-list.json");
    assert!(!projects.value.is_empty());
    assert!(projects.value.iter().all(|p| !p.id.is_empty()));

    let batch: PermissionEvaluationBatch = parse(&dir, "security/permission-evaluation-batch.json");
    let values: Vec<_> = batch.evaluations.iter().map(|e| e.value).collect();
    assert_eq!(values, [Some(false), Some(false), Some(true)]);
    // The request body in the same file uses lowercase keys; the model accepts those too.
    let text =
        std::fs::read_to_string(dir.join("security/permission-evaluation-batch.json")).unwrap();
    let example: Value = serde_json::from_str(&text).unwrap();
    let request: PermissionEvaluationBatch =
        serde_json::from_value(example["parameters"]["body"].clone()).unwrap();
    assert_eq!(request.evaluations.len(), 3);
    assert_eq!(request.evaluations[0].permissions, 8);
}

#[test]
fn service_hook_subscriptions() {
    let dir = examples_dir();
    let list: ListResponse<Subscription> = parse(&dir, "hooks/subscriptions-list.json");
    assert!(!list.value.is_empty());
    for file in [
        "hooks/subscription-get.json",
        "hooks/subscription-create-webhook.json",
        "hooks/subscription-replace-put.json",
    ] {
        let sub: Subscription = parse(&dir, file);
        assert_eq!(sub.publisher_id, "tfs", "{file}");
        assert!(sub.project_id().is_some(), "{file}");
        // Older captures have no status field: the server's default, enabled, applies.
        assert_eq!(sub.status, SubscriptionStatus::Enabled, "{file}");
    }
    let created: Subscription = parse(&dir, "hooks/subscription-create-webhook.json");
    assert_eq!(
        created.consumer_url(),
        Some("https://myservice/myhookeventreceiver")
    );
}

#[test]
fn policy_configurations() {
    let dir = examples_dir();
    let list: ListResponse<PolicyConfiguration> = parse(&dir, "policy/configurations-list.json");
    assert!(!list.value.is_empty());
    assert!(list.value.iter().all(|p| !p.is_status_policy()));
    for file in [
        "policy/configuration-get.json",
        "policy/configuration-create-required-reviewers.json",
        "policy/configuration-create-min-reviewers.json",
        "policy/configuration-create-build-validation.json",
        "policy/configuration-update-put.json",
    ] {
        let p: PolicyConfiguration = parse(&dir, file);
        assert!(p.id > 0, "{file}");
        assert!(!p.policy_type.id.is_empty(), "{file}");
    }
}
