//! Request bodies for the actions, and how to recognise what an action creates when a create's
//! outcome is unknown and the server must be re-read.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::action::Action;
use crate::ado::models::{
    NewPolicyConfiguration, NewSubscription, PolicyConfiguration, PolicyScope, PolicyTypeRef,
    STATUS_POLICY_TYPE_ID, Subscription, SubscriptionStatus,
};
use crate::profile::{GateProfile, REPO_CREATED_EVENT, filter_applies, webhook_urls_match};

/// Why an action's request body cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error(
        "the gate profile has no webhook URL: set it (webhook_url) in the profile or pass --webhook-url"
    )]
    NoWebhookUrl,
    #[error("the action names no event type")]
    NoEventType,
    #[error("the repository's Status policy has no branch to protect")]
    NoBranch,
    #[error("the action names no existing subscription")]
    NoSubscription,
    #[error("the action names no existing Status policy")]
    NoPolicy,
    #[error(
        "the subscription uses basic auth and its password is unknown: set the basic-auth user (basic_auth_user) and the credential-store entry holding the password (basic_auth_secret) in the profile, or {}",
        BASIC_AUTH_PASSWORD_ENV
    )]
    BasicAuthPasswordUnknown,
}

/// Lets scripts give the webhook's basic-auth password without a credential store.
pub const BASIC_AUTH_PASSWORD_ENV: &str = "AZDO_GATE_BASIC_AUTH_PASSWORD";

/// The body that puts an existing subscription back as it is, enabled: its own inputs, with the
/// masked password replaced by the real one (Azure DevOps stores whatever is sent).
pub fn enable_body(
    existing: &Subscription,
    basic_auth_password: Option<&SecretString>,
) -> Result<NewSubscription, BodyError> {
    let mut consumer_inputs = existing.consumer_inputs.clone();
    if consumer_inputs.contains_key("basicAuthPassword") {
        let password = basic_auth_password.ok_or(BodyError::BasicAuthPasswordUnknown)?;
        consumer_inputs.insert(
            "basicAuthPassword".into(),
            password.expose_secret().to_owned(),
        );
    }
    Ok(NewSubscription {
        publisher_id: existing.publisher_id.clone(),
        event_type: existing.event_type.clone(),
        resource_version: existing
            .resource_version
            .clone()
            .unwrap_or_else(|| resource_version(&existing.event_type).into()),
        consumer_id: existing.consumer_id.clone(),
        consumer_action_id: existing.consumer_action_id.clone(),
        publisher_inputs: existing.publisher_inputs.clone(),
        consumer_inputs,
        status: Some(SubscriptionStatus::Enabled),
    })
}

/// What the gate's subscriptions always ask for: the full resource, no messages.
const SEND_ALL_RESOURCES: [(&str, &str); 3] = [
    ("resourceDetailsToSend", "all"),
    ("messagesToSend", "none"),
    ("detailedMessagesToSend", "none"),
];

/// The resource version each event's subscription pins, as the service-hooks events reference
/// shows it in its samples (`azure-devops-api.md` §6 and §13): the payload the gate parses. The
/// comment event's documented payload is `2.0`; `git.repo.created` and the merged event exist only
/// as `1.0-preview.1` samples. An organization's own list is
/// `GET _apis/hooks/publishers/tfs/eventtypes` (`supportedResourceVersions`).
pub const EVENT_RESOURCE_VERSIONS: [(&str, &str); 5] = [
    ("git.pullrequest.created", "1.0"),
    ("git.pullrequest.updated", "1.0"),
    ("git.pullrequest.merged", "1.0-preview.1"),
    ("ms.vss-code.git-pullrequest-comment-event", "2.0"),
    (REPO_CREATED_EVENT, "1.0-preview.1"),
];

/// The pinned resource version of `event_type`; `1.0` (the documented recommendation) for an
/// event outside the table, which the profile never allows.
fn resource_version(event_type: &str) -> &'static str {
    EVENT_RESOURCE_VERSIONS
        .iter()
        .find(|(event, _)| *event == event_type)
        .map_or("1.0", |(_, version)| version)
}

/// The subscription an action creates (or replaces, with `status`). The password is exposed here
/// only, into the body that goes to Azure DevOps; `NewSubscription` is deliberately not `Debug`.
pub fn subscription_body(
    action: &Action,
    profile: &GateProfile,
    basic_auth_password: Option<&SecretString>,
    status: Option<SubscriptionStatus>,
) -> Result<NewSubscription, BodyError> {
    let url = profile
        .webhook_url
        .as_ref()
        .ok_or(BodyError::NoWebhookUrl)?;
    let event_type = action.event_type.as_deref().ok_or(BodyError::NoEventType)?;
    let mut publisher_inputs =
        BTreeMap::from([("projectId".to_owned(), action.project_id.clone())]);
    if event_type != REPO_CREATED_EVENT {
        publisher_inputs.insert(
            "repository".into(),
            action.repository_id.clone().unwrap_or_default(),
        );
        publisher_inputs.insert("branch".into(), String::new());
        publisher_inputs.extend(profile.filters_for(event_type));
    }
    let mut consumer_inputs = BTreeMap::from([("url".to_owned(), url.as_str().to_owned())]);
    if let Some(user) = &profile.basic_auth_user {
        consumer_inputs.insert("basicAuthUsername".into(), user.clone());
    }
    if let Some(password) = basic_auth_password {
        consumer_inputs.insert(
            "basicAuthPassword".into(),
            password.expose_secret().to_owned(),
        );
    }
    if !profile.http_headers.is_empty() {
        let headers: Vec<String> = profile
            .http_headers
            .iter()
            .map(|(name, value)| format!("{name}:{value}"))
            .collect();
        consumer_inputs.insert("httpHeaders".into(), headers.join("\n"));
    }
    for (key, value) in SEND_ALL_RESOURCES {
        consumer_inputs.insert(key.into(), value.into());
    }
    Ok(NewSubscription {
        publisher_id: "tfs".into(),
        event_type: event_type.to_owned(),
        resource_version: resource_version(event_type).into(),
        consumer_id: "webHooks".into(),
        consumer_action_id: "httpRequest".into(),
        publisher_inputs,
        consumer_inputs,
        status,
    })
}

/// Where a Status policy applies: the repository's default branch exactly, or (no repository)
/// the default branch of every repository of the project.
pub fn policy_scope(action: &Action) -> Result<PolicyScope, BodyError> {
    match &action.repository_id {
        Some(repository_id) => Ok(PolicyScope {
            repository_id: Some(repository_id.clone()),
            ref_name: Some(action.ref_name.clone().ok_or(BodyError::NoBranch)?),
            match_kind: Some("exact".into()),
        }),
        None => Ok(PolicyScope {
            repository_id: None,
            ref_name: None,
            match_kind: Some("DefaultBranch".into()),
        }),
    }
}

/// The Status policy an action creates. `author_id` is the integration user: only statuses it
/// posts satisfy the policy.
pub fn policy_body(
    action: &Action,
    profile: &GateProfile,
    author_id: Option<&str>,
) -> Result<NewPolicyConfiguration, BodyError> {
    let check = &profile.status_check;
    let mut settings = json!({
        "statusGenre": check.genre,
        "statusName": check.name,
        "invalidateOnSourceUpdate": check.invalidate_on_update,
        "policyApplicability": check.applicability.policy_applicability(),
        "filenamePatterns": [],
        "scope": [policy_scope(action)?],
    });
    if let Some(map) = settings.as_object_mut() {
        if let Some(author) = author_id {
            map.insert("authorId".into(), author.into());
        }
        if let Some(name) = &check.display_name {
            map.insert("defaultDisplayName".into(), name.as_str().into());
        }
    }
    Ok(NewPolicyConfiguration {
        is_enabled: true,
        is_blocking: check.blocking,
        policy_type: PolicyTypeRef {
            id: STATUS_POLICY_TYPE_ID.into(),
        },
        settings,
    })
}

/// The body that puts an existing Status policy right: its own settings (scope, genre, name and
/// whatever else its creator set) kept, but enabled, blocking as the profile asks, and open to the
/// integration user's statuses (`authorId` = that user when known, else removed: anyone).
pub fn policy_update_body(
    existing: &PolicyConfiguration,
    profile: &GateProfile,
    author_id: Option<&str>,
) -> NewPolicyConfiguration {
    let mut settings = existing.settings.clone();
    if let Some(map) = settings.as_object_mut() {
        match author_id {
            Some(author) => {
                map.insert("authorId".into(), author.into());
            }
            None => {
                map.remove("authorId");
            }
        }
    }
    NewPolicyConfiguration {
        is_enabled: true,
        is_blocking: profile.status_check.blocking || existing.is_blocking,
        policy_type: PolicyTypeRef {
            id: existing.policy_type.id.clone(),
        },
        settings,
    }
}

/// Whether an existing subscription is the one this action creates: same event, project,
/// repository (none for project-wide), consumer URL and restricting filters (so a filtered
/// subscription being replaced is not mistaken for its replacement).
pub fn subscription_matches(
    existing: &Subscription,
    action: &Action,
    body: &NewSubscription,
) -> bool {
    let webhook_url = body.consumer_inputs.get("url").map_or("", String::as_str);
    let restricting = |inputs: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        inputs
            .iter()
            .filter(|(k, v)| filter_applies(k, &body.event_type) && !v.is_empty())
            .map(|(k, v)| (k.clone(), v.to_ascii_lowercase()))
            .collect()
    };
    restricting(&existing.publisher_inputs) == restricting(&body.publisher_inputs)
        && existing.event_type == action.event_type.as_deref().unwrap_or_default()
        && existing
            .project_id()
            .is_some_and(|p| p.eq_ignore_ascii_case(&action.project_id))
        && match (existing.repository_id(), action.repository_id.as_deref()) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
        && existing
            .consumer_url()
            .is_some_and(|u| webhook_urls_match(u, webhook_url))
}

/// Whether an existing policy is the Status policy this action creates: same genre, name and
/// scope.
pub fn policy_matches(
    existing: &PolicyConfiguration,
    action: &Action,
    profile: &GateProfile,
) -> bool {
    let (Some(Ok(settings)), Ok(wanted)) = (existing.status_settings(), policy_scope(action))
    else {
        return false;
    };
    let check = &profile.status_check;
    !existing.is_deleted
        && settings.status_name == check.name
        && settings.status_genre.as_deref().unwrap_or_default() == check.genre
        && settings.scope.iter().any(|s| scopes_equal(s, &wanted))
}

fn scopes_equal(a: &PolicyScope, b: &PolicyScope) -> bool {
    let same = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    };
    let kind = |s: &PolicyScope| s.match_kind.clone().unwrap_or_else(|| "exact".into());
    let default_branch = kind(a).eq_ignore_ascii_case("DefaultBranch");
    same(&a.repository_id, &b.repository_id)
        && kind(a).eq_ignore_ascii_case(&kind(b))
        && (default_branch || same(&a.ref_name, &b.ref_name))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::ActionKind;
    use crate::profile::{Applicability, SubscriptionScope};

    fn profile() -> GateProfile {
        let mut profile = GateProfile::default_profile()
            .with_webhook_url("https://gate.example.com/events")
            .unwrap();
        profile.basic_auth_user = Some("gate".into());
        profile.http_headers = BTreeMap::from([
            ("X-Tenant".to_owned(), "contoso".to_owned()),
            ("X-Trace".to_owned(), "on".to_owned()),
        ]);
        profile.scope = SubscriptionScope::Repository;
        profile
    }

    fn action(kind: ActionKind, repository: Option<&str>, event: Option<&str>) -> Action {
        Action {
            kind,
            project_id: "p1".into(),
            project: "Alpha".into(),
            repository_id: repository.map(str::to_owned),
            repository: repository.map(str::to_owned),
            event_type: event.map(str::to_owned),
            reason: String::new(),
            subscription_id: None,
            policy_id: None,
            ref_name: repository.map(|_| "refs/heads/main".to_owned()),
            fix: None,
        }
    }

    #[test]
    fn every_event_pins_the_documented_resource_version() {
        let mut profile = profile();
        profile.events = crate::profile::ALLOWED_EVENTS
            .iter()
            .map(|e| (*e).to_owned())
            .collect();
        let pinned: Vec<(String, String)> = crate::profile::ALLOWED_EVENTS
            .iter()
            .chain([&REPO_CREATED_EVENT])
            .map(|event| {
                let a = action(ActionKind::CreateSubscription, Some("r1"), Some(event));
                let body = subscription_body(&a, &profile, None, None).unwrap();
                ((*event).to_owned(), body.resource_version)
            })
            .collect();
        let expected: Vec<(String, String)> = [
            ("git.pullrequest.created", "1.0"),
            ("git.pullrequest.updated", "1.0"),
            ("git.pullrequest.merged", "1.0-preview.1"),
            ("ms.vss-code.git-pullrequest-comment-event", "2.0"),
            ("git.repo.created", "1.0-preview.1"),
        ]
        .iter()
        .map(|(e, v)| ((*e).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(pinned, expected);
    }

    #[test]
    fn a_repository_subscription_carries_every_consumer_input() {
        let password = SecretString::from("s3cret");
        let a = action(
            ActionKind::CreateSubscription,
            Some("r1"),
            Some("git.pullrequest.created"),
        );
        let body = subscription_body(&a, &profile(), Some(&password), None).unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "publisherId": "tfs",
                "eventType": "git.pullrequest.created",
                "resourceVersion": "1.0",
                "consumerId": "webHooks",
                "consumerActionId": "httpRequest",
                "publisherInputs": {"projectId": "p1", "repository": "r1", "branch": ""},
                "consumerInputs": {
                    "url": "https://gate.example.com/events",
                    "basicAuthUsername": "gate",
                    "basicAuthPassword": "s3cret",
                    "httpHeaders": "X-Tenant:contoso\nX-Trace:on",
                    "resourceDetailsToSend": "all",
                    "messagesToSend": "none",
                    "detailedMessagesToSend": "none"
                }
            })
        );
    }

    #[test]
    fn project_wide_and_repo_created_subscriptions() {
        let mut profile = GateProfile::default_profile()
            .with_webhook_url("https://gate.example.com/events")
            .unwrap();
        profile.scope = SubscriptionScope::Project;
        let a = action(
            ActionKind::CreateSubscription,
            None,
            Some("git.pullrequest.updated"),
        );
        let body =
            subscription_body(&a, &profile, None, Some(SubscriptionStatus::Enabled)).unwrap();
        let value = serde_json::to_value(&body).unwrap();
        assert_eq!(
            value["publisherInputs"],
            json!({"projectId": "p1", "repository": "", "branch": ""})
        );
        assert_eq!(value["status"], "enabled");
        assert!(value["consumerInputs"].get("basicAuthUsername").is_none());
        assert!(value["consumerInputs"].get("httpHeaders").is_none());

        let a = action(
            ActionKind::CreateSubscription,
            None,
            Some(REPO_CREATED_EVENT),
        );
        let body = subscription_body(&a, &profile, None, None).unwrap();
        let value = serde_json::to_value(&body).unwrap();
        assert_eq!(value["publisherInputs"], json!({"projectId": "p1"}));
        assert_eq!(value["resourceVersion"], "1.0-preview.1");
    }

    #[test]
    fn no_webhook_url_no_body() {
        let a = action(
            ActionKind::CreateSubscription,
            Some("r1"),
            Some("git.pullrequest.created"),
        );
        let err = subscription_body(&a, &GateProfile::default_profile(), None, None)
            .err()
            .unwrap();
        assert_eq!(err, BodyError::NoWebhookUrl);
    }

    #[test]
    fn status_policy_bodies() {
        let mut profile = profile();
        let a = action(ActionKind::CreateStatusPolicy, Some("r1"), None);
        let body = policy_body(&a, &profile, Some("user-1")).unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "isEnabled": true,
                "isBlocking": true,
                "type": {"id": STATUS_POLICY_TYPE_ID},
                "settings": {
                    "statusGenre": "pr-gate",
                    "statusName": "gate",
                    "invalidateOnSourceUpdate": true,
                    "policyApplicability": 1,
                    "authorId": "user-1",
                    "defaultDisplayName": "PR gate",
                    "filenamePatterns": [],
                    "scope": [{"repositoryId": "r1", "refName": "refs/heads/main", "matchKind": "exact"}]
                }
            })
        );

        profile.status_check.applicability = Applicability::Default;
        profile.status_check.blocking = false;
        profile.status_check.display_name = None;
        let a = action(ActionKind::CreateStatusPolicy, None, None);
        let value = serde_json::to_value(policy_body(&a, &profile, None).unwrap()).unwrap();
        assert_eq!(value["isBlocking"], false);
        assert_eq!(
            value["settings"]["policyApplicability"],
            serde_json::Value::Null
        );
        assert!(value["settings"].get("authorId").is_none());
        assert!(value["settings"].get("defaultDisplayName").is_none());
        assert_eq!(
            value["settings"]["scope"],
            json!([{"repositoryId": null, "matchKind": "DefaultBranch"}])
        );
    }

    #[test]
    fn existing_subscriptions_and_policies_are_recognised() {
        let a = action(
            ActionKind::CreateSubscription,
            Some("R1"),
            Some("git.pullrequest.created"),
        );
        let existing: Subscription = serde_json::from_value(json!({
            "id": "s1", "publisherId": "tfs", "eventType": "git.pullrequest.created",
            "consumerId": "webHooks", "consumerActionId": "httpRequest", "status": "enabled",
            "publisherInputs": {"projectId": "p1", "repository": "r1", "branch": ""},
            "consumerInputs": {"url": "https://GATE.example.com/events/", "basicAuthPassword": "********"}
        }))
        .unwrap();
        let body = subscription_body(&a, &profile(), None, None).unwrap();
        assert!(subscription_matches(&existing, &a, &body));
        let mut elsewhere = body.clone();
        elsewhere
            .consumer_inputs
            .insert("url".into(), "https://other.example.com/events".into());
        assert!(!subscription_matches(&existing, &a, &elsewhere));
        let mut filtered = body.clone();
        filtered
            .publisher_inputs
            .insert("branch".into(), "refs/heads/release".into());
        assert!(
            !subscription_matches(&existing, &a, &filtered),
            "a subscription without the filter is not the filtered one"
        );
        let project_wide = action(
            ActionKind::CreateSubscription,
            None,
            Some("git.pullrequest.created"),
        );
        assert!(!subscription_matches(&existing, &project_wide, &body));

        let profile = profile();
        let policy = |scope: serde_json::Value| -> PolicyConfiguration {
            serde_json::from_value(json!({
                "id": 7, "type": {"id": STATUS_POLICY_TYPE_ID}, "isEnabled": true,
                "settings": {"statusGenre": "pr-gate", "statusName": "gate", "scope": [scope]}
            }))
            .unwrap()
        };
        let repo_policy = action(ActionKind::CreateStatusPolicy, Some("r1"), None);
        assert!(policy_matches(
            &policy(
                json!({"repositoryId": "r1", "refName": "refs/heads/main", "matchKind": "Exact"})
            ),
            &repo_policy,
            &profile
        ));
        assert!(!policy_matches(
            &policy(
                json!({"repositoryId": "r1", "refName": "refs/heads/dev", "matchKind": "exact"})
            ),
            &repo_policy,
            &profile
        ));
        let project_policy = action(ActionKind::CreateStatusPolicy, None, None);
        assert!(policy_matches(
            &policy(json!({"repositoryId": null, "matchKind": "defaultBranch"})),
            &project_policy,
            &profile
        ));
        assert!(!policy_matches(
            &policy(
                json!({"repositoryId": "r1", "refName": "refs/heads/main", "matchKind": "exact"})
            ),
            &project_policy,
            &profile
        ));
    }
}
