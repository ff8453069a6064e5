use serde_json::{Value, json};

use super::*;

const URL: &str = "https://gate.example.com/ado/events";
const CREATED: &str = "git.pullrequest.created";
const UPDATED: &str = "git.pullrequest.updated";
const P1: &str = "11111111-0000-0000-0000-000000000001";
const P2: &str = "11111111-0000-0000-0000-000000000002";
const R1: &str = "22222222-0000-0000-0000-000000000001";
const R2: &str = "22222222-0000-0000-0000-000000000002";
const USER: &str = "33333333-0000-0000-0000-000000000001";

fn repo(id: &str, project: &str, default_branch: Option<&str>, disabled: bool) -> Repository {
    serde_json::from_value(json!({
        "id": id, "name": format!("repo-{id}"),
        "project": { "id": project, "name": format!("project-{project}") },
        "defaultBranch": default_branch, "isDisabled": disabled,
    }))
    .unwrap()
}

fn sub(
    id: &str,
    event: &str,
    project: &str,
    repository: Option<&str>,
    url: &str,
    status: &str,
) -> Subscription {
    let mut publisher = json!({ "projectId": project, "branch": "" });
    if let Some(r) = repository {
        publisher["repository"] = json!(r);
    }
    serde_json::from_value(json!({
        "id": id, "publisherId": "tfs", "eventType": event,
        "consumerId": "webHooks", "consumerActionId": "httpRequest", "status": status,
        "publisherInputs": publisher, "consumerInputs": { "url": url },
    }))
    .unwrap()
}

fn policy(enabled: bool, deleted: bool, settings: Value) -> PolicyConfiguration {
    serde_json::from_value(json!({
        "id": 1, "type": { "id": crate::ado::models::STATUS_POLICY_TYPE_ID },
        "isEnabled": enabled, "isBlocking": true, "isDeleted": deleted, "settings": settings,
    }))
    .unwrap()
}

fn status_settings(genre: Option<&str>, name: &str, scope: Value) -> Value {
    let mut settings = json!({ "statusName": name, "scope": scope });
    if let Some(g) = genre {
        settings["statusGenre"] = json!(g);
    }
    settings
}

fn events(subs: &[Subscription], repo: &Repository) -> Vec<EventCoverage> {
    let index = SubscriptionIndex::new(subs, &gate_profile(), &mut Vec::new());
    [CREATED, UPDATED]
        .iter()
        .map(|e| index.event_coverage(repo, e))
        .collect()
}

fn statuses(events: &[EventCoverage]) -> Vec<EventStatus> {
    events.iter().map(|e| e.status.clone()).collect()
}

fn gate_profile() -> GateProfile {
    GateProfile::default_profile()
        .with_webhook_url(URL)
        .unwrap()
}

fn check(genre: &str) -> StatusCheck {
    StatusCheck {
        genre: genre.to_owned(),
        name: "gate".to_owned(),
        ..gate_profile().status_check
    }
}

fn presence(policies: &[PolicyConfiguration], repo: &Repository, genre: &str) -> PolicyPresence {
    PolicyIndex::new(
        [(P1, policies, &[][..])],
        &check(genre),
        Some(USER),
        &mut Vec::new(),
    )
    .presence(repo)
    .0
}

#[test]
fn repository_and_project_subscriptions_both_count() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let subs = [
        sub("a", CREATED, P1, Some(R1), URL, "enabled"),
        sub("b", UPDATED, P1, None, URL, "enabled"),
    ];
    let ev = events(&subs, &r);
    assert_eq!(ev[0].scope, Some(SubscriptionScope::Repository));
    assert_eq!(ev[0].subscription_id.as_deref(), Some("a"));
    assert_eq!(ev[1].scope, Some(SubscriptionScope::Project));
    assert_eq!(ev[1].subscription_id.as_deref(), Some("b"));
    assert_eq!(
        classify(&r, &ev, PolicyPresence::NotRequired),
        Coverage::Covered
    );
}

#[test]
fn the_url_is_compared_normalised_and_other_services_do_not_count() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let subs = [
        sub(
            "a",
            CREATED,
            P1,
            Some(R1),
            "HTTPS://Gate.Example.com/ado/events/",
            "enabled",
        ),
        sub(
            "b",
            UPDATED,
            P1,
            Some(R1),
            "https://other.example.com/ado/events",
            "enabled",
        ),
    ];
    let ev = events(&subs, &r);
    assert_eq!(statuses(&ev), [EventStatus::Enabled, EventStatus::Absent]);
    let only_other = [sub(
        "b",
        CREATED,
        P1,
        None,
        "https://other.example.com/hook",
        "enabled",
    )];
    let ev = events(&only_other, &r);
    assert_eq!(
        classify(&r, &ev, PolicyPresence::NotRequired),
        Coverage::Missing
    );
}

#[test]
fn subscriptions_of_another_project_or_repository_do_not_count() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let subs = [
        sub("a", CREATED, P2, None, URL, "enabled"),
        sub("b", CREATED, P1, Some(R2), URL, "enabled"),
        sub("c", "git.pullrequest.merged", P1, None, URL, "enabled"),
    ];
    let ev = events(&subs, &r);
    assert_eq!(statuses(&ev), [EventStatus::Absent, EventStatus::Absent]);
}

#[test]
fn guids_match_whatever_their_case() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let subs = [
        sub(
            "a",
            CREATED,
            &P1.to_uppercase(),
            Some(&R1.to_uppercase()),
            URL,
            "enabled",
        ),
        sub("b", UPDATED, &P1.to_uppercase(), None, URL, "enabled"),
    ];
    assert_eq!(
        statuses(&events(&subs, &r)),
        [EventStatus::Enabled, EventStatus::Enabled]
    );
}

#[test]
fn an_enabled_match_wins_over_an_unhealthy_one() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let subs = [
        sub("a", CREATED, P1, Some(R1), URL, "disabledBySystem"),
        sub("b", CREATED, P1, None, URL, "enabled"),
        sub("c", UPDATED, P1, Some(R1), URL, "enabled"),
    ];
    let ev = events(&subs, &r);
    assert_eq!(ev[0].subscription_id.as_deref(), Some("b"));
    assert_eq!(
        classify(&r, &ev, PolicyPresence::NotRequired),
        Coverage::Covered
    );
}

#[test]
fn an_unhealthy_only_match_is_reported_with_its_id_and_wins_over_partial() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let subs = [
        sub("a", CREATED, P1, Some(R1), URL, "disabledByUser"),
        sub("b", CREATED, P1, Some(R1), URL, "onProbation"),
    ];
    let ev = events(&subs, &r);
    assert_eq!(ev[0].status, EventStatus::OnProbation);
    assert_eq!(ev[0].subscription_id.as_deref(), Some("b"));
    assert_eq!(ev[1].status, EventStatus::Absent);
    assert_eq!(ev[1].subscription_id, None);
    assert_eq!(ev[1].scope, None);
    assert_eq!(
        classify(&r, &ev, PolicyPresence::Present),
        Coverage::Unhealthy
    );
}

#[test]
fn some_pieces_present_is_partial_nothing_is_missing() {
    let r = repo(R1, P1, Some("refs/heads/main"), false);
    let one = [sub("a", CREATED, P1, Some(R1), URL, "enabled")];
    let ev = events(&one, &r);
    assert_eq!(
        classify(&r, &ev, PolicyPresence::NotRequired),
        Coverage::Partial
    );
    let none = events(&[], &r);
    assert_eq!(
        classify(&r, &none, PolicyPresence::Present),
        Coverage::Partial
    );
    assert_eq!(
        classify(&r, &none, PolicyPresence::Absent),
        Coverage::Missing
    );
    assert_eq!(
        classify(&r, &none, PolicyPresence::NotRequired),
        Coverage::Missing
    );
    let both = [
        sub("a", CREATED, P1, None, URL, "enabled"),
        sub("b", UPDATED, P1, None, URL, "enabled"),
    ];
    let ev = events(&both, &r);
    assert_eq!(classify(&r, &ev, PolicyPresence::Absent), Coverage::Partial);
}

#[test]
fn disabled_repositories_are_not_applicable_whatever_matches() {
    let r = repo(R1, P1, Some("refs/heads/main"), true);
    assert_eq!(
        classify(&r, &events(&[], &r), PolicyPresence::Absent),
        Coverage::NotApplicable
    );
}

#[test]
fn an_empty_repository_is_not_applicable_only_when_just_the_policy_is_missing() {
    let r = repo(R1, P1, None, false);
    let both = [
        sub("a", CREATED, P1, None, URL, "enabled"),
        sub("b", UPDATED, P1, None, URL, "enabled"),
    ];
    let ev = events(&both, &r);
    assert_eq!(
        classify(&r, &ev, PolicyPresence::Absent),
        Coverage::NotApplicable
    );
    assert_eq!(
        classify(&r, &ev, PolicyPresence::Present),
        Coverage::Covered
    );
    assert_eq!(
        classify(&r, &events(&[], &r), PolicyPresence::Absent),
        Coverage::Missing
    );
}

#[test]
fn repository_policies_apply_on_the_exact_default_branch_or_default_branch_kind() {
    let main = repo(R1, P1, Some("refs/heads/main"), false);
    let exact = |repo: &str, r#ref: &str, kind: &str| {
        policy(
            true,
            false,
            status_settings(
                Some("pr-gate"),
                "gate",
                json!([{ "repositoryId": repo, "refName": r#ref, "matchKind": kind }]),
            ),
        )
    };
    assert_eq!(
        presence(&[exact(R1, "refs/heads/main", "exact")], &main, "pr-gate"),
        PolicyPresence::Present
    );
    assert_eq!(
        presence(&[exact(R1, "refs/heads/Main", "Exact")], &main, "pr-gate"),
        PolicyPresence::Present
    );
    assert_eq!(
        presence(
            &[exact(R1, "refs/heads/develop", "exact")],
            &main,
            "pr-gate"
        ),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(&[exact(R2, "refs/heads/main", "exact")], &main, "pr-gate"),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(&[exact(R1, "refs/heads/", "prefix")], &main, "pr-gate"),
        PolicyPresence::Present
    );
    let default_kind = policy(
        true,
        false,
        status_settings(
            Some("pr-gate"),
            "gate",
            json!([{ "repositoryId": R1, "matchKind": "DefaultBranch" }]),
        ),
    );
    assert_eq!(
        presence(&[default_kind], &main, "pr-gate"),
        PolicyPresence::Present
    );
}

#[test]
fn project_wide_policies_apply_to_every_repository_of_their_project() {
    let main = repo(R1, P1, Some("refs/heads/main"), false);
    let develop = repo(R2, P1, Some("refs/heads/develop"), false);
    let elsewhere = repo(R2, P2, Some("refs/heads/main"), false);
    let empty = repo(R2, P1, None, false);
    let wide = [policy(
        true,
        false,
        status_settings(
            Some("pr-gate"),
            "gate",
            json!([{ "repositoryId": null, "matchKind": "DefaultBranch" }]),
        ),
    )];
    for r in [&main, &develop, &empty] {
        assert_eq!(presence(&wide, r, "pr-gate"), PolicyPresence::Present);
    }
    assert_eq!(
        presence(&wide, &elsewhere, "pr-gate"),
        PolicyPresence::Absent
    );
    let on_main = [policy(
        true,
        false,
        status_settings(
            Some("pr-gate"),
            "gate",
            json!([{ "repositoryId": null, "refName": "refs/heads/main", "matchKind": "exact" }]),
        ),
    )];
    assert_eq!(
        presence(&on_main, &main, "pr-gate"),
        PolicyPresence::Present
    );
    assert_eq!(
        presence(&on_main, &develop, "pr-gate"),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(&on_main, &empty, "pr-gate"),
        PolicyPresence::Absent
    );
}

#[test]
fn only_undeleted_policies_with_the_exact_genre_and_name_count_and_a_disabled_one_says_so() {
    let main = repo(R1, P1, Some("refs/heads/main"), false);
    let scope = json!([{ "repositoryId": null, "matchKind": "DefaultBranch" }]);
    let with = |enabled, deleted, genre: Option<&str>, name: &str| {
        [policy(
            enabled,
            deleted,
            status_settings(genre, name, scope.clone()),
        )]
    };
    assert_eq!(
        presence(
            &with(false, false, Some("pr-gate"), "gate"),
            &main,
            "pr-gate"
        ),
        PolicyPresence::Disabled
    );
    assert_eq!(
        presence(&with(true, true, Some("pr-gate"), "gate"), &main, "pr-gate"),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(
            &with(true, false, Some("PR-Gate"), "gate"),
            &main,
            "pr-gate"
        ),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(
            &with(true, false, Some("pr-gate"), "Gate"),
            &main,
            "pr-gate"
        ),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(&with(true, false, None, "gate"), &main, "pr-gate"),
        PolicyPresence::Absent
    );
    assert_eq!(
        presence(&with(true, false, None, "gate"), &main, ""),
        PolicyPresence::Present
    );
    assert_eq!(
        presence(&with(true, false, Some(""), "gate"), &main, ""),
        PolicyPresence::Present
    );
    let other_type: PolicyConfiguration = serde_json::from_value(json!({
        "id": 2, "type": { "id": "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd" }, "isEnabled": true,
        "settings": status_settings(Some("pr-gate"), "gate", scope.clone()),
    }))
    .unwrap();
    assert_eq!(
        presence(&[other_type], &main, "pr-gate"),
        PolicyPresence::Absent
    );
}

#[test]
fn only_a_project_wide_default_branch_policy_counts_as_the_projects_policy() {
    let index = |scope: Value| {
        let policies = [policy(
            true,
            false,
            status_settings(Some("pr-gate"), "gate", scope),
        )];
        PolicyIndex::new(
            [(P1, &policies[..], &[][..])],
            &check("pr-gate"),
            Some(USER),
            &mut Vec::new(),
        )
        .has_project_wide(P1)
    };
    assert!(index(
        json!([{ "repositoryId": null, "matchKind": "DefaultBranch" }])
    ));
    assert!(!index(
        json!([{ "repositoryId": R1, "matchKind": "DefaultBranch" }])
    ));
    assert!(!index(
        json!([{ "repositoryId": null, "refName": "refs/heads/main", "matchKind": "exact" }])
    ));
}
