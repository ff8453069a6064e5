use std::collections::BTreeSet;

use super::*;
use crate::audit::{AuditSummary, Coverage, EventCoverage, HookPermissions, ProjectsSource};
use crate::org::{Identity, OrgInfo};
use crate::profile::{GateProfile, SubscriptionScope};

const CREATED: &str = "git.pullrequest.created";
const UPDATED: &str = "git.pullrequest.updated";

fn org() -> OrgUrl {
    OrgUrl::parse("fabrikam").unwrap()
}

fn profile(scope: SubscriptionScope) -> GateProfile {
    GateProfile {
        scope,
        ..GateProfile::default_profile()
            .with_webhook_url("https://gate.example.com/events")
            .unwrap()
    }
}

fn project(id: &str, name: &str) -> ProjectAudit {
    ProjectAudit {
        id: id.into(),
        name: name.into(),
        service_hooks: HookPermissions {
            view: Some(true),
            edit: Some(true),
        },
        edit_policies: Some(true),
        contribute_pull_requests: Some(true),
        permissions_note: None,
        fully_covered: false,
    }
}

/// A repository with every event in `statuses` (the rest absent) and the given policy presence.
fn repo(
    id: &str,
    project_id: &str,
    events: &[(&str, EventStatus, Option<&str>, SubscriptionScope)],
    policy: PolicyPresence,
) -> RepositoryAudit {
    let events: Vec<EventCoverage> = [CREATED, UPDATED]
        .iter()
        .map(|event| match events.iter().find(|(e, ..)| e == event) {
            Some((_, status, sub, scope)) => EventCoverage {
                event_type: (*event).into(),
                status: status.clone(),
                subscription_id: sub.map(str::to_owned),
                scope: Some(*scope),
                duplicate_subscription_ids: Vec::new(),
                basic_auth_user: None,
                deliveries: None,
                filters: None,
                restricted: false,
            },
            None => EventCoverage {
                event_type: (*event).into(),
                status: EventStatus::Absent,
                subscription_id: None,
                scope: None,
                duplicate_subscription_ids: Vec::new(),
                basic_auth_user: None,
                deliveries: None,
                filters: None,
                restricted: false,
            },
        })
        .collect();
    let all_enabled = events.iter().all(|e| e.status == EventStatus::Enabled);
    let any_unhealthy = events
        .iter()
        .any(|e| !matches!(e.status, EventStatus::Enabled | EventStatus::Absent));
    let none = events.iter().all(|e| e.status == EventStatus::Absent);
    let coverage = if any_unhealthy {
        Coverage::Unhealthy
    } else if all_enabled && policy != PolicyPresence::Absent {
        Coverage::Covered
    } else if none && policy == PolicyPresence::Absent {
        Coverage::Missing
    } else {
        Coverage::Partial
    };
    RepositoryAudit {
        id: id.into(),
        name: format!("{id}-name"),
        project_id: project_id.into(),
        project: format!("{project_id}-name"),
        default_branch: Some("refs/heads/main".into()),
        disabled: false,
        new: false,
        coverage,
        events,
        status_policy: policy,
        duplicate_status_policy_ids: Vec::new(),
        status_policy_id: None,
    }
}

fn missing(id: &str, project_id: &str) -> RepositoryAudit {
    repo(id, project_id, &[], PolicyPresence::Absent)
}

fn enabled<'a>(
    event: &'a str,
    sub: &'a str,
) -> (&'a str, EventStatus, Option<&'a str>, SubscriptionScope) {
    (
        event,
        EventStatus::Enabled,
        Some(sub),
        SubscriptionScope::Repository,
    )
}

fn covered(id: &str, project_id: &str) -> RepositoryAudit {
    repo(
        id,
        project_id,
        &[enabled(CREATED, "s1"), enabled(UPDATED, "s2")],
        PolicyPresence::Present,
    )
}

fn report(projects: Vec<ProjectAudit>, repositories: Vec<RepositoryAudit>) -> AuditReport {
    AuditReport {
        organization: OrgInfo::from(&org()),
        projects_source: ProjectsSource::Repositories,
        projects,
        repositories,
        summary: AuditSummary::default(),
        requests: 0,
        project_subscriptions: Vec::new(),
        projects_with_policy: Vec::new(),
        user: Some(Identity {
            id: "user-1".into(),
            display_name: "Gate Bot".into(),
            unique_name: "gate@fabrikam.com".into(),
        }),
        unknown_items: Vec::new(),
    }
}

fn one_project(repositories: Vec<RepositoryAudit>) -> AuditReport {
    report(vec![project("p1", "Alpha")], repositories)
}

/// `(kind, repository, event)` per action, the shape most assertions need.
fn summary(plan: &Plan) -> Vec<(ActionKind, Option<&str>, Option<&str>)> {
    plan.actions
        .iter()
        .map(|a| (a.kind, a.repository_id.as_deref(), a.event_type.as_deref()))
        .collect()
}

fn run(report: &AuditReport, profile: &GateProfile, selection: Selection) -> Plan {
    plan(report, profile, &selection, &org())
}

use ActionKind::*;

#[test]
fn a_missing_repository_gets_every_event_and_the_policy() {
    let report = one_project(vec![missing("r1", "p1")]);
    let plan = run(
        &report,
        &profile(SubscriptionScope::Repository),
        Selection::Missing,
    );
    assert_eq!(
        summary(&plan),
        vec![
            (CreateSubscription, Some("r1"), Some(CREATED)),
            (CreateSubscription, Some("r1"), Some(UPDATED)),
            (CreateStatusPolicy, Some("r1"), None),
        ]
    );
    assert_eq!(
        plan.actions[0].reason,
        "no subscription delivers git.pullrequest.created to the gate"
    );
    assert_eq!(
        plan.actions[2].reason,
        "no Status policy requires pr-gate/gate on refs/heads/main"
    );
    assert_eq!(plan.actions[2].ref_name.as_deref(), Some("refs/heads/main"));
    assert_eq!(plan.actions[0].project, "Alpha");
    assert_eq!(plan.actions[0].repository.as_deref(), Some("r1-name"));
    assert_eq!(plan.work_count(), 3);
    assert!(!plan.is_empty_of_work());
}

#[test]
fn a_partial_repository_gets_only_what_it_lacks() {
    let only_updated_missing = repo(
        "r1",
        "p1",
        &[enabled(CREATED, "s1")],
        PolicyPresence::Present,
    );
    let only_policy_missing = repo(
        "r2",
        "p1",
        &[enabled(CREATED, "s2"), enabled(UPDATED, "s3")],
        PolicyPresence::Absent,
    );
    let report = one_project(vec![only_updated_missing, only_policy_missing]);
    let plan = run(
        &report,
        &profile(SubscriptionScope::Repository),
        Selection::Missing,
    );
    assert_eq!(
        summary(&plan),
        vec![
            (CreateSubscription, Some("r1"), Some(UPDATED)),
            (CreateStatusPolicy, Some("r2"), None),
        ]
    );
}

#[test]
fn covered_repositories_need_nothing_and_show_as_skips_only_when_selected() {
    let report = one_project(vec![covered("r1", "p1")]);
    let profile = profile(SubscriptionScope::Repository);
    let plan = run(&report, &profile, Selection::Missing);
    assert!(plan.actions.is_empty());
    assert!(plan.is_empty_of_work());

    let plan = run(&report, &profile, Selection::All);
    assert_eq!(summary(&plan), vec![(Skip, Some("r1"), None)]);
    assert_eq!(plan.actions[0].reason, "already covered");
    assert!(plan.is_empty_of_work());
}

#[test]
fn each_unhealthy_status_is_repaired_the_way_azure_devops_allows() {
    let cases = [
        (
            EventStatus::DisabledBySystem,
            RecreateSubscription,
            "disabled by Azure DevOps",
        ),
        (
            EventStatus::DisabledByInactiveIdentity,
            RecreateSubscription,
            "owner is inactive",
        ),
        (
            EventStatus::OnProbation,
            RecreateSubscription,
            "on probation",
        ),
        (
            EventStatus::DisabledByUser,
            EnableSubscription,
            "disabled by a user",
        ),
    ];
    for (status, kind, words) in cases {
        let r = repo(
            "r1",
            "p1",
            &[
                (
                    CREATED,
                    status.clone(),
                    Some("bad"),
                    SubscriptionScope::Repository,
                ),
                enabled(UPDATED, "s2"),
            ],
            PolicyPresence::Present,
        );
        let plan = run(
            &one_project(vec![r]),
            &profile(SubscriptionScope::Repository),
            Selection::Missing,
        );
        assert_eq!(
            summary(&plan),
            vec![(kind, Some("r1"), Some(CREATED))],
            "{status:?}"
        );
        let action = &plan.actions[0];
        assert_eq!(action.subscription_id.as_deref(), Some("bad"));
        assert!(action.reason.contains(words), "{}", action.reason);
        assert!(
            action.reason.contains("subscription bad"),
            "{}",
            action.reason
        );
    }
}

#[test]
fn an_unhealthy_project_wide_subscription_is_repaired_once_for_all_its_repositories() {
    let unhealthy = |id| {
        repo(
            id,
            "p1",
            &[
                (
                    CREATED,
                    EventStatus::DisabledBySystem,
                    Some("shared"),
                    SubscriptionScope::Project,
                ),
                enabled(UPDATED, "s2"),
            ],
            PolicyPresence::Present,
        )
    };
    let report = one_project(vec![unhealthy("r1"), unhealthy("r2")]);
    let plan = run(
        &report,
        &profile(SubscriptionScope::Repository),
        Selection::Missing,
    );
    assert_eq!(
        summary(&plan),
        vec![(RecreateSubscription, None, Some(CREATED))]
    );
    assert!(
        plan.actions[0]
            .reason
            .starts_with("project-wide subscription shared")
    );
}

#[test]
fn repository_scope_never_duplicates_an_enabled_project_wide_subscription() {
    let mut report = one_project(vec![repo(
        "r1",
        "p1",
        &[enabled(UPDATED, "s2")],
        PolicyPresence::Present,
    )]);
    report.project_subscriptions.push(ProjectSubscription {
        project_id: "p1".into(),
        event_type: CREATED.into(),
        subscription_id: "project-sub".into(),
        status: EventStatus::Enabled,
        basic_auth_user: None,
        restricted: false,
    });
    let plan = run(
        &report,
        &profile(SubscriptionScope::Repository),
        Selection::Missing,
    );
    assert!(plan.actions.is_empty(), "{:?}", summary(&plan));
}

#[test]
fn disabled_and_empty_repositories() {
    let mut disabled = missing("r1", "p1");
    disabled.disabled = true;
    disabled.coverage = Coverage::NotApplicable;
    let mut empty = missing("r2", "p1");
    empty.default_branch = None;
    let mut empty_subscribed = covered("r3", "p1");
    empty_subscribed.default_branch = None;
    empty_subscribed.status_policy = PolicyPresence::Absent;
    empty_subscribed.coverage = Coverage::NotApplicable;
    let report = one_project(vec![disabled, empty, empty_subscribed]);
    let profile = profile(SubscriptionScope::Repository);

    // An empty repository gets its subscriptions but never a policy (no default branch).
    let plan = run(&report, &profile, Selection::Missing);
    assert_eq!(
        summary(&plan),
        vec![
            (CreateSubscription, Some("r2"), Some(CREATED)),
            (CreateSubscription, Some("r2"), Some(UPDATED)),
        ]
    );

    let plan = run(&report, &profile, Selection::All);
    assert_eq!(
        summary(&plan),
        vec![
            (Skip, Some("r1"), None),
            (CreateSubscription, Some("r2"), Some(CREATED)),
            (CreateSubscription, Some("r2"), Some(UPDATED)),
            (Skip, Some("r3"), None),
        ]
    );
    assert_eq!(
        plan.actions[0].reason,
        "the repository is disabled in Azure DevOps"
    );
    assert!(plan.actions[3].reason.starts_with("empty repository"));
}

#[test]
fn selections_choose_the_repositories() {
    let mut new_missing = missing("r2", "p1");
    new_missing.new = true;
    let mut new_covered = covered("r3", "p1");
    new_covered.new = true;
    let report = one_project(vec![missing("r1", "p1"), new_missing, new_covered]);
    let profile = GateProfile {
        events: vec![CREATED.into()],
        ..profile(SubscriptionScope::Repository)
    };
    let profile = GateProfile {
        status_check: crate::profile::StatusCheck {
            required: false,
            ..profile.status_check.clone()
        },
        ..profile
    };

    let repos = |plan: &Plan| -> Vec<(ActionKind, String)> {
        plan.actions
            .iter()
            .map(|a| (a.kind, a.repository_id.clone().unwrap_or_default()))
            .collect()
    };
    assert_eq!(
        repos(&run(&report, &profile, Selection::Missing)),
        vec![
            (CreateSubscription, "r1".into()),
            (CreateSubscription, "r2".into())
        ]
    );
    assert_eq!(
        repos(&run(&report, &profile, Selection::New)),
        vec![(CreateSubscription, "r2".into()), (Skip, "r3".into())]
    );
    assert_eq!(
        repos(&run(&report, &profile, Selection::All)),
        vec![
            (CreateSubscription, "r1".into()),
            (CreateSubscription, "r2".into()),
            (Skip, "r3".into())
        ]
    );
    let ids: Selection = "R3,r1".parse().unwrap();
    assert_eq!(
        repos(&run(&report, &profile, ids)),
        vec![(CreateSubscription, "r1".into()), (Skip, "r3".into())]
    );
    let typo = Selection::Ids(BTreeSet::from(["r1".into(), "nope".into()]));
    assert_eq!(typo.unknown_ids(&report), vec!["nope".to_owned()]);
    assert!(Selection::All.unknown_ids(&report).is_empty());
}

#[test]
fn project_scope_plans_one_subscription_per_project_and_event_and_one_policy() {
    let report = report(
        vec![project("p1", "Alpha"), project("p2", "Beta")],
        vec![
            missing("r1", "p1"),
            missing("r2", "p1"),
            missing("r3", "p2"),
        ],
    );
    let plan = run(
        &report,
        &profile(SubscriptionScope::Project),
        Selection::Missing,
    );
    assert_eq!(
        plan.actions
            .iter()
            .map(|a| (
                a.kind,
                a.project_id.as_str(),
                a.repository_id.as_deref(),
                a.event_type.as_deref()
            ))
            .collect::<Vec<_>>(),
        vec![
            (CreateSubscription, "p1", None, Some(CREATED)),
            (CreateSubscription, "p1", None, Some(UPDATED)),
            (CreateStatusPolicy, "p1", None, None),
            (CreateSubscription, "p2", None, Some(CREATED)),
            (CreateSubscription, "p2", None, Some(UPDATED)),
            (CreateStatusPolicy, "p2", None, None),
        ]
    );
    assert!(
        plan.actions[0]
            .reason
            .starts_with("2 selected repositories lack git.pullrequest.created")
    );
    assert!(
        plan.actions[3]
            .reason
            .starts_with("1 selected repository lacks git.pullrequest.created")
    );
    assert_eq!(plan.actions[2].ref_name, None);
}

#[test]
fn project_scope_reuses_what_the_project_already_has() {
    let mut report = one_project(vec![
        repo(
            "r1",
            "p1",
            &[enabled(CREATED, "proj-created")],
            PolicyPresence::Absent,
        ),
        repo(
            "r2",
            "p1",
            &[
                enabled(CREATED, "proj-created"),
                (
                    UPDATED,
                    EventStatus::DisabledByUser,
                    Some("proj-updated"),
                    SubscriptionScope::Project,
                ),
            ],
            PolicyPresence::Absent,
        ),
    ]);
    report.project_subscriptions = vec![
        ProjectSubscription {
            project_id: "p1".into(),
            event_type: CREATED.into(),
            subscription_id: "proj-created".into(),
            status: EventStatus::Enabled,
            basic_auth_user: None,
            restricted: false,
        },
        ProjectSubscription {
            project_id: "p1".into(),
            event_type: UPDATED.into(),
            subscription_id: "proj-updated".into(),
            status: EventStatus::DisabledByUser,
            basic_auth_user: None,
            restricted: false,
        },
    ];
    report.projects_with_policy = vec!["p1".into()];
    let plan = run(
        &report,
        &profile(SubscriptionScope::Project),
        Selection::Missing,
    );
    assert_eq!(
        summary(&plan),
        vec![(EnableSubscription, None, Some(UPDATED))]
    );
    assert_eq!(
        plan.actions[0].subscription_id.as_deref(),
        Some("proj-updated")
    );
}

#[test]
fn repo_created_is_one_subscription_per_project() {
    let mut report = report(
        vec![
            project("p1", "Alpha"),
            project("p2", "Beta"),
            project("p3", "Gamma"),
        ],
        vec![missing("r1", "p1"), covered("r2", "p2")],
    );
    report.project_subscriptions.push(ProjectSubscription {
        project_id: "p3".into(),
        event_type: REPO_CREATED_EVENT.into(),
        subscription_id: "rc3".into(),
        status: EventStatus::Enabled,
        basic_auth_user: None,
        restricted: false,
    });
    let profile = GateProfile {
        notify_repo_created: true,
        ..profile(SubscriptionScope::Repository)
    };
    let repo_created = |plan: &Plan| -> Vec<String> {
        plan.actions
            .iter()
            .filter(|a| a.event_type.as_deref() == Some(REPO_CREATED_EVENT))
            .map(|a| {
                assert_eq!(a.kind, CreateSubscription);
                assert_eq!(a.repository_id, None);
                a.project_id.clone()
            })
            .collect()
    };
    // Missing: every project without one (p3 has one already), whatever its repositories.
    assert_eq!(
        repo_created(&run(&report, &profile, Selection::Missing)),
        vec!["p1", "p2"]
    );
    // Explicit ids: only the projects of the selected repositories.
    assert_eq!(
        repo_created(&run(&report, &profile, "r2".parse().unwrap())),
        vec!["p2"]
    );
    // New: no new repository, so no project is touched.
    assert!(run(&report, &profile, Selection::New).actions.is_empty());
}

#[test]
fn projects_without_permissions_are_skipped_with_the_fix() {
    let mut no_hooks = project("p1", "Team Alpha");
    no_hooks.service_hooks.edit = Some(false);
    let mut no_policies = project("p2", "Beta");
    no_policies.edit_policies = Some(false);
    let mut unknown = project("p3", "Gamma");
    unknown.service_hooks = HookPermissions::default();
    unknown.edit_policies = None;
    let report = report(
        vec![no_hooks, no_policies, unknown],
        vec![
            missing("r1", "p1"),
            missing("r2", "p2"),
            missing("r3", "p3"),
        ],
    );
    let plan = run(
        &report,
        &profile(SubscriptionScope::Repository),
        Selection::Missing,
    );
    assert_eq!(
        summary(&plan),
        vec![
            (Skip, Some("r1"), None),
            (CreateStatusPolicy, Some("r1"), None),
            (CreateSubscription, Some("r2"), Some(CREATED)),
            (CreateSubscription, Some("r2"), Some(UPDATED)),
            (Skip, Some("r2"), None),
            // Unknown permissions: planned anyway, apply reports a refusal per action.
            (CreateSubscription, Some("r3"), Some(CREATED)),
            (CreateSubscription, Some("r3"), Some(UPDATED)),
            (CreateStatusPolicy, Some("r3"), None),
        ]
    );
    let hooks_skip = &plan.actions[0];
    assert_eq!(
        hooks_skip.reason,
        "Gate Bot cannot edit service hook subscriptions in project Team Alpha (missing: git.pullrequest.created, git.pullrequest.updated)"
    );
    assert_eq!(
        hooks_skip.fix.as_deref(),
        Some(
            "add Gate Bot to the Project Administrators group of project Team Alpha: https://dev.azure.com/fabrikam/Team%20Alpha/_settings/permissions"
        )
    );
    let policy_skip = &plan.actions[4];
    assert!(
        policy_skip
            .reason
            .contains("cannot edit branch policies in project Beta")
    );
    assert!(
        policy_skip
            .fix
            .as_deref()
            .unwrap()
            .ends_with("/Beta/_settings/permissions")
    );
}

#[test]
fn project_scope_permission_gaps() {
    let mut alpha = project("p1", "Alpha");
    alpha.service_hooks.edit = Some(false);
    alpha.edit_policies = Some(false);
    let report = report(vec![alpha], vec![missing("r1", "p1")]);
    let profile = GateProfile {
        notify_repo_created: true,
        ..profile(SubscriptionScope::Project)
    };
    let plan = run(&report, &profile, Selection::Missing);
    assert_eq!(
        summary(&plan),
        vec![
            (Skip, None, Some(REPO_CREATED_EVENT)),
            (Skip, None, None),
            (Skip, Some("r1"), None),
        ]
    );
    assert!(plan.actions.iter().all(|a| a.fix.is_some()));
    assert!(plan.is_empty_of_work());
}

#[test]
fn no_policy_when_the_profile_does_not_require_one() {
    let mut profile = profile(SubscriptionScope::Project);
    profile.status_check.required = false;
    let report = one_project(vec![missing("r1", "p1")]);
    let plan = run(&report, &profile, Selection::Missing);
    assert!(plan.actions.iter().all(|a| a.kind == CreateSubscription));
    assert_eq!(plan.actions.len(), 2);
}

#[test]
fn projects_known_only_from_repositories_are_planned_too() {
    let report = report(Vec::new(), vec![missing("r1", "p9")]);
    let plan = run(
        &report,
        &profile(SubscriptionScope::Repository),
        Selection::Missing,
    );
    assert_eq!(plan.work_count(), 3);
    assert_eq!(plan.actions[0].project, "p9-name");
}
