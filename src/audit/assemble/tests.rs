use std::collections::BTreeSet;

use serde_json::json;

use super::*;
use crate::ado::models::Subscription;
use crate::audit::report::{EventStatus, HookPermissions};
use crate::profile::GateProfile;

/// The integration user every fetch in these tests is made as.
fn user() -> Identity {
    Identity {
        id: "u1".into(),
        display_name: "Gate Bot".into(),
        unique_name: "gate@fabrikam.com".into(),
    }
}

const URL: &str = "https://gate.example.com/hook";

fn profile(required: bool) -> GateProfile {
    let mut p = GateProfile::default_profile()
        .with_webhook_url(URL)
        .unwrap();
    p.status_check.required = required;
    p
}

fn repo(id: &str, name: &str, project: (&str, &str), disabled: bool) -> Repository {
    serde_json::from_value(json!({
        "id": id, "name": name, "project": { "id": project.0, "name": project.1 },
        "defaultBranch": "refs/heads/main", "isDisabled": disabled,
    }))
    .unwrap()
}

fn sub(
    id: &str,
    event: &str,
    project: &str,
    repository: Option<&str>,
    status: &str,
) -> Subscription {
    serde_json::from_value(json!({
        "id": id, "publisherId": "tfs", "eventType": event, "consumerId": "webHooks",
        "consumerActionId": "httpRequest", "status": status,
        "publisherInputs": { "projectId": project, "repository": repository.unwrap_or("") },
        "consumerInputs": { "url": URL },
    }))
    .unwrap()
}

fn granted(view: bool, edit: bool, policies: bool) -> ProjectPermissions {
    ProjectPermissions {
        hooks: HookPermissions {
            view: Some(view),
            edit: Some(edit),
        },
        edit_policies: Some(policies),
        contribute_pull_requests: Some(true),
        note: None,
    }
}

const ALPHA: (&str, &str) = ("p-alpha", "alpha");
const BETA: (&str, &str) = ("p-beta", "Beta");
const GAMMA: (&str, &str) = ("p-gamma", "gamma");

fn refs(projects: &[(&str, &str)]) -> Vec<ProjectRef> {
    projects
        .iter()
        .map(|(id, name)| ProjectRef {
            id: (*id).into(),
            name: (*name).into(),
        })
        .collect()
}

fn input(required: bool, previous: Option<&[&str]>) -> AuditInput {
    AuditInput {
        profile: profile(required),
        previous: previous.map(|ids| ids.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>()),
    }
}

fn org() -> OrgInfo {
    OrgInfo {
        name: "fabrikam".into(),
        url: "https://dev.azure.com/fabrikam".into(),
    }
}

#[test]
fn repositories_are_grouped_by_project_worst_first_and_projects_with_problems_lead() {
    let repos = [
        repo("r1", "zeta", BETA, false),
        repo("r2", "Alpha-web", ALPHA, false),
        repo("r3", "api", ALPHA, false),
        repo("r4", "old", ALPHA, true),
        repo("r5", "lib", GAMMA, false),
    ];
    let subs = [
        sub(
            "s1",
            "git.pullrequest.created",
            "p-alpha",
            Some("r3"),
            "enabled",
        ),
        sub(
            "s2",
            "git.pullrequest.updated",
            "p-alpha",
            Some("r3"),
            "enabled",
        ),
        sub("s3", "git.pullrequest.created", "p-gamma", None, "enabled"),
        sub(
            "s4",
            "git.pullrequest.updated",
            "p-gamma",
            None,
            "onProbation",
        ),
    ];
    let permissions = HashMap::from([
        ("p-alpha".to_owned(), granted(true, true, true)),
        ("p-beta".to_owned(), granted(true, true, true)),
        ("p-gamma".to_owned(), granted(true, false, true)),
    ]);
    let fetched = Fetched {
        user: user(),
        projects_source: ProjectsSource::Repositories,
        projects: refs(&[ALPHA, BETA, GAMMA]),
        permissions,
        repositories: &repos,
        subscriptions: &SubscriptionIndex::new(&subs, &profile(true), &mut Vec::new()),
        policies: None,
        unknown_items: Vec::new(),
    };
    let report = assemble(
        org(),
        &input(false, Some(&["r1", "r2", "r3", "r4"])),
        &fetched,
        9,
    );

    let order: Vec<(&str, Coverage, bool)> = report
        .repositories
        .iter()
        .map(|r| (r.name.as_str(), r.coverage, r.new))
        .collect();
    assert_eq!(
        order,
        [
            ("Alpha-web", Coverage::Missing, false),
            ("api", Coverage::Covered, false),
            ("old", Coverage::NotApplicable, false),
            ("zeta", Coverage::Missing, false),
            ("lib", Coverage::Unhealthy, true),
        ]
    );
    let projects: Vec<(&str, bool)> = report
        .projects
        .iter()
        .map(|p| (p.name.as_str(), p.fully_covered))
        .collect();
    assert_eq!(
        projects,
        [("gamma", false), ("alpha", false), ("Beta", false)]
    );
    assert_eq!(
        report.summary,
        AuditSummary {
            projects: 3,
            projects_missing_permissions: 1,
            repositories: 5,
            coverage: CoverageCounts {
                covered: 1,
                partial: 0,
                unhealthy: 1,
                missing: 2,
                not_applicable: 1,
            },
            new: 1,
            duplicate_subscriptions: 0,
            duplicate_status_policies: 0,
            failing_deliveries: 0,
        }
    );
    assert_eq!(report.requests, 9);
    assert_eq!(report.user_id(), Some("u1"));
    assert!(!report.healthy());
    let wide: Vec<(&str, &str, EventStatus)> = report
        .project_subscriptions
        .iter()
        .map(|s| {
            (
                s.project_id.as_str(),
                s.subscription_id.as_str(),
                s.status.clone(),
            )
        })
        .collect();
    assert_eq!(
        wide,
        [
            ("p-gamma", "s3", EventStatus::Enabled),
            ("p-gamma", "s4", EventStatus::OnProbation)
        ]
    );
    assert!(report.projects_with_policy.is_empty());
    assert!(
        report
            .repositories
            .iter()
            .all(|r| r.status_policy == PolicyPresence::NotRequired)
    );
}

#[test]
fn without_a_snapshot_nothing_is_new() {
    let repos = [repo("r1", "web", ALPHA, false)];
    let fetched = Fetched {
        user: user(),
        projects_source: ProjectsSource::ProjectsApi,
        projects: refs(&[ALPHA]),
        permissions: HashMap::from([("p-alpha".to_owned(), granted(true, true, true))]),
        repositories: &repos,
        subscriptions: &SubscriptionIndex::default(),
        policies: None,
        unknown_items: Vec::new(),
    };
    let report = assemble(org(), &input(false, None), &fetched, 0);
    assert!(!report.repositories[0].new);
    assert_eq!(report.summary.new, 0);
}

#[test]
fn unknown_permissions_are_never_granted_and_come_after_missing_ones() {
    let fetched = Fetched {
        user: user(),
        projects_source: ProjectsSource::ProjectsApi,
        projects: refs(&[ALPHA, BETA, GAMMA]),
        permissions: HashMap::from([
            ("p-gamma".to_owned(), granted(true, true, false)),
            (
                "p-beta".to_owned(),
                ProjectPermissions {
                    note: Some("refused".into()),
                    ..ProjectPermissions::default()
                },
            ),
        ]),
        repositories: &[],
        subscriptions: &SubscriptionIndex::default(),
        policies: None,
        unknown_items: Vec::new(),
    };
    let report = assemble(org(), &input(false, None), &fetched, 0);
    let names: Vec<&str> = report.projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["gamma", "alpha", "Beta"]);
    let alpha = report.project("p-alpha").unwrap();
    assert_eq!(
        alpha.service_hooks,
        HookPermissions {
            view: None,
            edit: None
        }
    );
    assert_eq!(
        alpha.permissions_note.as_deref(),
        Some("permissions were not evaluated")
    );
    assert_eq!(
        report
            .project("p-beta")
            .unwrap()
            .permissions_note
            .as_deref(),
        Some("refused")
    );
    assert_eq!(report.summary.projects_missing_permissions, 1);
    assert!(
        report.projects.iter().all(|p| p.fully_covered),
        "no repositories, no gaps"
    );
}

#[test]
fn policies_decide_coverage_and_project_wide_ones_are_reported_for_planning() {
    let repos = [
        repo("r1", "web", ALPHA, false),
        repo("r2", "api", BETA, false),
    ];
    let subs: Vec<Subscription> = ["p-alpha", "p-beta"]
        .iter()
        .flat_map(|p| {
            ["git.pullrequest.created", "git.pullrequest.updated"]
                .map(|e| sub(&format!("{p}-{e}"), e, p, None, "enabled"))
        })
        .collect();
    let wide: PolicyConfiguration = serde_json::from_value(json!({
        "id": 7, "type": { "id": crate::ado::models::STATUS_POLICY_TYPE_ID }, "isEnabled": true,
        "isBlocking": true,
        "settings": { "statusGenre": "pr-gate", "statusName": "gate",
                      "scope": [{ "repositoryId": null, "matchKind": "DefaultBranch" }] },
    }))
    .unwrap();
    let policies = BTreeMap::from([
        (
            "p-alpha".to_owned(),
            Listed {
                items: vec![wide],
                unknown: Vec::new(),
            },
        ),
        ("p-beta".to_owned(), Listed::default()),
    ]);
    let fetched = Fetched {
        user: user(),
        projects_source: ProjectsSource::ProjectsApi,
        projects: refs(&[ALPHA, BETA]),
        permissions: HashMap::new(),
        repositories: &repos,
        subscriptions: &SubscriptionIndex::new(&subs, &profile(true), &mut Vec::new()),
        policies: Some(&policies),
        unknown_items: Vec::new(),
    };
    let report = assemble(org(), &input(true, None), &fetched, 0);
    let by_name = |n: &str| report.repositories.iter().find(|r| r.name == n).unwrap();
    assert_eq!(by_name("web").status_policy, PolicyPresence::Present);
    assert_eq!(by_name("web").coverage, Coverage::Covered);
    assert_eq!(by_name("api").status_policy, PolicyPresence::Absent);
    assert_eq!(by_name("api").coverage, Coverage::Partial);
    assert_eq!(report.projects_with_policy, ["p-alpha"]);
    assert!(report.project("p-alpha").unwrap().fully_covered);
    assert!(!report.project("p-beta").unwrap().fully_covered);
}

#[test]
fn repo_created_subscriptions_are_reported_when_the_profile_asks_for_them() {
    let subs = [sub(
        "s1",
        "git.repo.created",
        "p-alpha",
        None,
        "disabledBySystem",
    )];
    let fetched = Fetched {
        user: user(),
        projects_source: ProjectsSource::ProjectsApi,
        projects: refs(&[ALPHA]),
        permissions: HashMap::new(),
        repositories: &[],
        subscriptions: &SubscriptionIndex::new(&subs, &profile(true), &mut Vec::new()),
        policies: None,
        unknown_items: Vec::new(),
    };
    let mut audit_input = input(false, None);
    assert!(
        assemble(org(), &audit_input, &fetched, 0)
            .project_subscriptions
            .is_empty()
    );
    audit_input.profile.notify_repo_created = true;
    let report = assemble(org(), &audit_input, &fetched, 0);
    assert_eq!(report.project_subscriptions.len(), 1);
    assert_eq!(
        report.project_subscriptions[0].event_type,
        "git.repo.created"
    );
    assert_eq!(
        report.project_subscriptions[0].status,
        EventStatus::DisabledBySystem
    );
}
