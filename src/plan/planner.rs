//! The planner: a pure diff from an audit to the actions that make the selected repositories
//! covered, in the profile's scope, without ever duplicating what already exists.

use std::collections::{BTreeMap, BTreeSet};

use super::action::{Action, ActionKind, Plan};
use super::body::BASIC_AUTH_PASSWORD_ENV;
use super::selection::Selection;
use crate::audit::deliveries::{DeliveryHealth, failure_note};
use crate::audit::{
    AuditReport, EventStatus, PolicyPresence, ProjectAudit, ProjectSubscription, RepositoryAudit,
};
use crate::org::OrgUrl;
use crate::profile::{GateProfile, REPO_CREATED_EVENT, SubscriptionScope};
use crate::words::plural;

/// Computes the plan. Actions are grouped by project (in the report's order); inside a project the
/// project-wide actions come first, then each repository's.
pub fn plan(
    report: &AuditReport,
    profile: &GateProfile,
    selection: &Selection,
    org: &OrgUrl,
) -> Plan {
    let mut planner = Planner {
        report,
        profile,
        org,
        repaired: BTreeSet::new(),
        updated_policies: BTreeSet::new(),
        actions: Vec::new(),
    };
    for project in project_order(report) {
        let repositories: Vec<&RepositoryAudit> = report
            .repositories
            .iter()
            .filter(|r| r.project_id == project.id && selection.includes(r))
            .collect();
        if repositories.is_empty() && !selection.covers_every_project() {
            continue;
        }
        planner.project(&project, &repositories);
    }
    Plan {
        actions: planner.actions,
    }
}

/// The identity and permissions of one project, whether the report lists it or only its
/// repositories name it.
struct ProjectRef<'a> {
    id: &'a str,
    name: &'a str,
    audit: Option<&'a ProjectAudit>,
}

impl ProjectRef<'_> {
    fn cannot_edit_subscriptions(&self) -> bool {
        self.audit
            .is_some_and(|p| p.service_hooks.edit == Some(false))
    }

    fn cannot_edit_policies(&self) -> bool {
        self.audit.is_some_and(|p| p.edit_policies == Some(false))
    }
}

/// The report's projects, then any project known only through its repositories.
fn project_order(report: &AuditReport) -> Vec<ProjectRef<'_>> {
    let mut order: Vec<ProjectRef<'_>> = report
        .projects
        .iter()
        .map(|p| ProjectRef {
            id: &p.id,
            name: &p.name,
            audit: Some(p),
        })
        .collect();
    for repository in &report.repositories {
        if !order.iter().any(|p| p.id == repository.project_id) {
            order.push(ProjectRef {
                id: &repository.project_id,
                name: &repository.project,
                audit: None,
            });
        }
    }
    order
}

/// What one repository lacks.
struct Needs<'a> {
    /// Profile events without an enabled subscription, with the state the audit found.
    events: Vec<EventNeed<'a>>,
    policy: bool,
}

struct EventNeed<'a> {
    event_type: &'a str,
    status: EventStatus,
    subscription_id: Option<&'a str>,
    scope: Option<SubscriptionScope>,
    basic_auth_user: Option<&'a str>,
    /// The subscription's delivery history, when the audit read it.
    deliveries: Option<&'a DeliveryHealth>,
    /// The enabled subscription found restricts delivery with filters the profile does not ask for.
    filters: Option<&'a BTreeMap<String, String>>,
}

struct Planner<'a> {
    report: &'a AuditReport,
    profile: &'a GateProfile,
    org: &'a OrgUrl,
    /// Subscriptions already planned for repair, so one shared by several repositories is
    /// repaired once.
    repaired: BTreeSet<String>,
    /// Status policies already planned for update.
    updated_policies: BTreeSet<i64>,
    actions: Vec<Action>,
}

/// Project scope: how many selected repositories lack each event and the policy, so the project
/// gets one project-wide fix for each.
#[derive(Default)]
struct ProjectNeeds<'a> {
    events: BTreeMap<&'a str, usize>,
    policy: usize,
}

impl<'a> Planner<'a> {
    fn project(&mut self, project: &ProjectRef<'a>, repositories: &[&'a RepositoryAudit]) {
        let mut project_actions = Vec::new();
        let mut repository_actions = Vec::new();
        let mut project_needs = ProjectNeeds::default();
        for repository in repositories {
            repository_actions.extend(self.repository(
                project,
                repository,
                &mut project_needs,
                &mut project_actions,
            ));
        }

        // Project-wide subscriptions, in the profile's event order.
        for event in &self.profile.events {
            if let Some(count) = project_needs.events.get(event.as_str()) {
                let reason = format!(
                    "{count} selected {} {event}; one project-wide subscription covers every repository of the project, including later ones",
                    plural(*count, "repository lacks", "repositories lack")
                );
                if let Some(action) = self.project_event(project, event, reason) {
                    project_actions.push(action);
                }
            }
        }
        if self.profile.notify_repo_created {
            self.repo_created(project, &mut project_actions);
        }
        if project_needs.policy > 0 {
            self.project_policy(project, project_needs.policy, &mut project_actions);
        }

        self.actions.extend(project_actions);
        self.actions.extend(repository_actions);
    }

    /// The repository's own actions. In project scope its needs are counted in `project_needs`
    /// instead; a repair of a project-wide subscription goes to `project_actions`.
    fn repository(
        &mut self,
        project: &ProjectRef<'a>,
        repository: &'a RepositoryAudit,
        project_needs: &mut ProjectNeeds<'a>,
        project_actions: &mut Vec<Action>,
    ) -> Vec<Action> {
        if repository.disabled {
            let reason = "the repository is disabled in Azure DevOps".into();
            return vec![self.skip(project, Some(repository), None, reason, None)];
        }
        let needs = self.needs(repository);
        let policy_flawed = self.profile.status_check.required
            && repository.default_branch.is_some()
            && !repository.status_policy.is_satisfied()
            && repository.status_policy != PolicyPresence::Absent;
        let mut own = Vec::new();
        self.duplicates(project, repository, &mut own, project_actions);
        if needs.events.is_empty() && !needs.policy && !policy_flawed {
            if own.is_empty() {
                let reason = nothing_to_do(repository, self.profile.status_check.required);
                own.push(self.skip(project, Some(repository), None, reason, None));
            }
            return own;
        }
        if !needs.events.is_empty() && project.cannot_edit_subscriptions() {
            let events: Vec<&str> = needs.events.iter().map(|n| n.event_type).collect();
            own.push(self.skip(
                project,
                Some(repository),
                None,
                format!(
                    "{user} cannot edit service hook subscriptions in project {} (missing: {})",
                    project.name,
                    events.join(", "),
                    user = self.report.user_name(),
                ),
                Some(self.permission_fix(project)),
            ));
        } else {
            for need in &needs.events {
                match self.profile.scope {
                    SubscriptionScope::Project => {
                        *project_needs.events.entry(need.event_type).or_default() += 1;
                    }
                    SubscriptionScope::Repository => {
                        self.repository_event(project, repository, need, &mut own, project_actions);
                    }
                }
            }
        }
        if needs.policy {
            match self.profile.scope {
                SubscriptionScope::Project => project_needs.policy += 1,
                SubscriptionScope::Repository => {
                    own.push(self.repository_policy(project, repository));
                }
            }
        }
        if policy_flawed {
            own.extend(self.flawed_policy(project, repository, project_actions));
        }
        own
    }

    /// A Status policy exists but does not make the gate's status count: update it (once per
    /// policy, as a project action: one policy may cover many repositories), or, when it could not
    /// be read, leave it and say so. Never a second policy beside it.
    fn flawed_policy(
        &mut self,
        project: &ProjectRef<'a>,
        repository: &RepositoryAudit,
        project_actions: &mut Vec<Action>,
    ) -> Option<Action> {
        let state = repository.status_policy;
        let id = repository.status_policy_id;
        let which = id.map_or_else(
            || "a Status policy".to_owned(),
            |id| format!("Status policy {id}"),
        );
        if state == PolicyPresence::Unknown {
            return Some(self.skip(
                project,
                Some(repository),
                None,
                format!(
                    "{which} in project {} could not be read, so the tool cannot tell whether it is the gate's; no second policy is created beside it",
                    project.name
                ),
                Some(format!(
                    "fix or delete {which} in the branch policies of project {}, then run again",
                    project.name
                )),
            ));
        }
        let id = id?;
        if project.cannot_edit_policies() {
            return Some(self.skip(
                project,
                Some(repository),
                None,
                format!(
                    "{which} does not make the gate's status count ({}), and {user} cannot edit branch policies in project {}",
                    state.as_str(),
                    project.name,
                    user = self.report.user_name(),
                ),
                Some(self.permission_fix(project)),
            ));
        }
        if !self.updated_policies.insert(id) {
            return None;
        }
        let problem = match state {
            PolicyPresence::Disabled => "is disabled",
            PolicyPresence::OtherAuthor => {
                "accepts only statuses posted by another identity, so the gate's status can never satisfy it"
            }
            _ => "is optional, but the profile asks for a blocking policy",
        };
        project_actions.push(Action {
            kind: ActionKind::UpdateStatusPolicy,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: None,
            repository: None,
            event_type: None,
            reason: format!("{which} {problem}: update it with the profile's settings"),
            subscription_id: None,
            policy_id: Some(id.to_string()),
            ref_name: None,
            fix: None,
        });
        None
    }

    /// Events without an enabled subscription, and whether the Status policy is missing where it
    /// can apply (a repository without a default branch cannot carry one yet).
    fn needs(&self, repository: &'a RepositoryAudit) -> Needs<'a> {
        let events = self
            .profile
            .events
            .iter()
            .filter_map(|event| {
                let found = repository.events.iter().find(|e| &e.event_type == event);
                let need = match found {
                    Some(e) if e.is_full() => return None,
                    Some(e) => EventNeed {
                        event_type: &e.event_type,
                        status: e.status.clone(),
                        subscription_id: e.subscription_id.as_deref(),
                        scope: e.scope,
                        basic_auth_user: e.basic_auth_user.as_deref(),
                        deliveries: e.deliveries.as_ref(),
                        filters: e.filters.as_ref().filter(|_| e.restricted),
                    },
                    None => EventNeed {
                        event_type: event,
                        status: EventStatus::Absent,
                        subscription_id: None,
                        scope: None,
                        basic_auth_user: None,
                        deliveries: None,
                        filters: None,
                    },
                };
                Some(need)
            })
            .collect();
        let policy = self.profile.status_check.required
            && repository.default_branch.is_some()
            && repository.status_policy == PolicyPresence::Absent
            && !self.project_has_policy(&repository.project_id);
        Needs { events, policy }
    }

    /// Repository scope: repair the unhealthy subscription the audit matched (project-wide ones
    /// once per project), or create one for this repository.
    fn repository_event(
        &mut self,
        project: &ProjectRef<'a>,
        repository: &'a RepositoryAudit,
        need: &EventNeed<'a>,
        own: &mut Vec<Action>,
        project_actions: &mut Vec<Action>,
    ) {
        let whole_project = need.scope == Some(SubscriptionScope::Project);
        let repair = need.subscription_id.and_then(|id| {
            let what = Repair {
                status: &need.status,
                filters: need.filters,
                user: self.report.user_name(),
            };
            Some((id, what.action(id, need.event_type, whole_project)?))
        });
        if let Some((id, (kind, reason))) = repair {
            if !self.repaired.insert(id.to_owned()) {
                return;
            }
            if let Some(mut skip) = self.basic_auth_skip(
                project,
                (!whole_project).then_some(repository),
                need.event_type,
                id,
                need.basic_auth_user,
            ) {
                skip.reason.push_str(&failure_note(need.deliveries));
                if whole_project {
                    project_actions.push(skip);
                } else {
                    own.push(skip);
                }
                return;
            }
            let action = Action {
                kind,
                project_id: project.id.to_owned(),
                project: project.name.to_owned(),
                repository_id: (!whole_project).then(|| repository.id.clone()),
                repository: (!whole_project).then(|| repository.name.clone()),
                event_type: Some(need.event_type.to_owned()),
                reason: format!("{reason}{}", failure_note(need.deliveries)),
                subscription_id: Some(id.to_owned()),
                policy_id: None,
                ref_name: None,
                fix: None,
            };
            if whole_project {
                project_actions.push(action);
            } else {
                own.push(action);
            }
            return;
        }
        // An enabled project-wide subscription already delivers this event: another one for the
        // repository would send every event twice.
        if self
            .project_subscription(project.id, need.event_type)
            .is_some_and(ProjectSubscription::is_full)
        {
            return;
        }
        own.push(Action {
            kind: ActionKind::CreateSubscription,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: Some(repository.id.clone()),
            repository: Some(repository.name.clone()),
            event_type: Some(need.event_type.to_owned()),
            reason: format!("no subscription delivers {} to the gate", need.event_type),
            subscription_id: None,
            policy_id: None,
            ref_name: None,
            fix: None,
        });
    }

    /// Project scope (and `git.repo.created`): repair the project-wide subscription for this
    /// event, or create it; nothing when an enabled one exists.
    fn project_event(
        &mut self,
        project: &ProjectRef<'a>,
        event: &str,
        create_reason: String,
    ) -> Option<Action> {
        let existing = self.project_subscription(project.id, event);
        let (kind, reason, subscription_id) = match existing {
            Some(s) if s.is_full() => return None,
            Some(s) => {
                let what = Repair {
                    status: &s.status,
                    filters: None,
                    user: self.report.user_name(),
                };
                let (kind, reason) = what.action(&s.subscription_id, event, true)?;
                if !self.repaired.insert(s.subscription_id.clone()) {
                    return None;
                }
                if let Some(skip) = self.basic_auth_skip(
                    project,
                    None,
                    event,
                    &s.subscription_id,
                    s.basic_auth_user.as_deref(),
                ) {
                    return Some(skip);
                }
                (kind, reason, Some(s.subscription_id.clone()))
            }
            None => (ActionKind::CreateSubscription, create_reason, None),
        };
        Some(Action {
            kind,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: None,
            repository: None,
            event_type: Some(event.to_owned()),
            reason,
            subscription_id,
            policy_id: None,
            ref_name: None,
            fix: None,
        })
    }

    fn repo_created(&mut self, project: &ProjectRef<'a>, out: &mut Vec<Action>) {
        let healthy = self
            .project_subscription(project.id, REPO_CREATED_EVENT)
            .is_some_and(ProjectSubscription::is_full);
        if healthy {
            return;
        }
        if project.cannot_edit_subscriptions() {
            out.push(self.skip(
                project,
                None,
                Some(REPO_CREATED_EVENT),
                format!(
                    "{user} cannot edit service hook subscriptions in project {}, so the gate will not hear about new repositories",
                    project.name,
                    user = self.report.user_name(),
                ),
                Some(self.permission_fix(project)),
            ));
            return;
        }
        let reason = format!(
            "no {REPO_CREATED_EVENT} subscription: the gate would not hear about new repositories"
        );
        if let Some(action) = self.project_event(project, REPO_CREATED_EVENT, reason) {
            out.push(action);
        }
    }

    /// Deletes of the repository's duplicate subscriptions and Status policies (project-wide
    /// ones into `project_actions`), each once however many repositories show it.
    fn duplicates(
        &mut self,
        project: &ProjectRef<'a>,
        repository: &'a RepositoryAudit,
        own: &mut Vec<Action>,
        project_actions: &mut Vec<Action>,
    ) {
        let base = |kind, reason: String| Action {
            kind,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: Some(repository.id.clone()),
            repository: Some(repository.name.clone()),
            event_type: None,
            reason,
            subscription_id: None,
            policy_id: None,
            ref_name: None,
            fix: None,
        };
        if !project.cannot_edit_subscriptions() {
            for event in &repository.events {
                for id in &event.duplicate_subscription_ids {
                    if !self.repaired.insert(id.clone()) {
                        continue;
                    }
                    let whole_project = self
                        .report
                        .project_subscriptions
                        .iter()
                        .any(|s| &s.subscription_id == id);
                    let mut action = base(
                        ActionKind::DeleteDuplicateSubscription,
                        format!(
                            "subscription {id} delivers {} to the gate a second time: the gate would receive every event twice",
                            event.event_type
                        ),
                    );
                    action.event_type = Some(event.event_type.clone());
                    action.subscription_id = Some(id.clone());
                    if whole_project {
                        action.repository_id = None;
                        action.repository = None;
                        project_actions.push(action);
                    } else {
                        own.push(action);
                    }
                }
            }
        }
        if !project.cannot_edit_policies() {
            for id in &repository.duplicate_status_policy_ids {
                if !self.repaired.insert(format!("policy:{}:{id}", project.id)) {
                    continue;
                }
                let mut action = base(
                    ActionKind::DeleteDuplicateStatusPolicy,
                    format!(
                        "Status policy {id} requires the gate's status on {} a second time",
                        repository
                            .default_branch
                            .as_deref()
                            .unwrap_or("the default branch")
                    ),
                );
                action.policy_id = Some(id.clone());
                action.ref_name = repository.default_branch.clone();
                own.push(action);
            }
        }
    }

    /// A replacement of a subscription that uses basic auth, when the profile cannot give its
    /// password: a skip, because the new subscription would lack basic auth and the gate would
    /// reject every delivery.
    fn basic_auth_skip(
        &self,
        project: &ProjectRef<'a>,
        repository: Option<&RepositoryAudit>,
        event: &str,
        id: &str,
        basic_auth_user: Option<&str>,
    ) -> Option<Action> {
        let user = basic_auth_user?;
        if self.profile.basic_auth_user.is_some() && self.profile.basic_auth_secret.is_some() {
            return None;
        }
        Some(self.skip(
            project,
            repository,
            Some(event),
            format!(
                "subscription {id} for {event} needs repair, but its webhook uses basic auth (user {user}) and the profile gives no password: a replacement would lose it"
            ),
            Some(format!(
                "set basic_auth_user = \"{user}\" and basic_auth_secret (the credential-store entry holding the password) in the gate profile, or give the password in {BASIC_AUTH_PASSWORD_ENV} with basic_auth_secret set; then run configure again"
            )),
        ))
    }

    fn repository_policy(&self, project: &ProjectRef<'a>, repository: &RepositoryAudit) -> Action {
        let check = &self.profile.status_check;
        let branch = repository.default_branch.as_deref().unwrap_or_default();
        if project.cannot_edit_policies() {
            return self.skip(
                project,
                Some(repository),
                None,
                format!(
                    "{user} cannot edit branch policies in project {}, so {branch} cannot require the gate's status",
                    project.name,
                    user = self.report.user_name(),
                ),
                Some(self.permission_fix(project)),
            );
        }
        Action {
            kind: ActionKind::CreateStatusPolicy,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: Some(repository.id.clone()),
            repository: Some(repository.name.clone()),
            event_type: None,
            reason: format!(
                "no Status policy requires {} on {branch}",
                status_label(&check.genre, &check.name)
            ),
            subscription_id: None,
            policy_id: None,
            ref_name: Some(branch.to_owned()),
            fix: None,
        }
    }

    fn project_policy(&self, project: &ProjectRef<'a>, needs: usize, out: &mut Vec<Action>) {
        let check = &self.profile.status_check;
        if project.cannot_edit_policies() {
            out.push(self.skip(
                project,
                None,
                None,
                format!(
                    "{user} cannot edit branch policies in project {}, so default branches cannot require the gate's status",
                    project.name,
                    user = self.report.user_name(),
                ),
                Some(self.permission_fix(project)),
            ));
            return;
        }
        out.push(Action {
            kind: ActionKind::CreateStatusPolicy,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: None,
            repository: None,
            event_type: None,
            reason: format!(
                "{needs} selected {} a Status policy requiring {}; one project-wide policy covers every default branch, including later ones",
                plural(needs, "repository lacks", "repositories lack"),
                status_label(&check.genre, &check.name)
            ),
            subscription_id: None,
            policy_id: None,
            ref_name: None,
            fix: None,
        });
    }

    /// The project-wide subscription for an event: an enabled one when there is one, otherwise
    /// the first unhealthy one.
    fn project_subscription(
        &self,
        project_id: &str,
        event: &str,
    ) -> Option<&'a ProjectSubscription> {
        let mut matching = self
            .report
            .project_subscriptions
            .iter()
            .filter(|s| s.project_id == project_id && s.event_type == event);
        let first = matching.next()?;
        if first.is_full() {
            return Some(first);
        }
        Some(matching.find(|s| s.is_full()).unwrap_or(first))
    }

    fn project_has_policy(&self, project_id: &str) -> bool {
        self.report
            .projects_with_policy
            .iter()
            .any(|p| p == project_id)
    }

    fn permission_fix(&self, project: &ProjectRef<'_>) -> String {
        format!(
            "add {user} to the Project Administrators group of project {}: {}",
            project.name,
            self.org.project_permissions_page(project.name),
            user = self.report.user_name(),
        )
    }

    fn skip(
        &self,
        project: &ProjectRef<'a>,
        repository: Option<&RepositoryAudit>,
        event_type: Option<&str>,
        reason: String,
        fix: Option<String>,
    ) -> Action {
        Action {
            kind: ActionKind::Skip,
            project_id: project.id.to_owned(),
            project: project.name.to_owned(),
            repository_id: repository.map(|r| r.id.clone()),
            repository: repository.map(|r| r.name.clone()),
            event_type: event_type.map(str::to_owned),
            reason,
            subscription_id: None,
            policy_id: None,
            ref_name: None,
            fix,
        }
    }
}

/// Why a repository with nothing missing is skipped.
fn nothing_to_do(repository: &RepositoryAudit, policy_required: bool) -> String {
    if policy_required && repository.default_branch.is_none() {
        "empty repository: its subscriptions are in place; the Status policy can apply only once it has a default branch (after the first push)".into()
    } else {
        "already covered".into()
    }
}

/// The state of a subscription that needs repair.
struct Repair<'s> {
    status: &'s EventStatus,
    /// Filters the profile does not ask for, on an enabled subscription.
    filters: Option<&'s BTreeMap<String, String>>,
    /// What the reason calls the integration user (the new subscription's owner).
    user: String,
}

impl Repair<'_> {
    /// How the subscription is repaired, and why; `None` when it needs no repair.
    fn action(&self, id: &str, event: &str, whole_project: bool) -> Option<(ActionKind, String)> {
        let what = if whole_project {
            format!("project-wide subscription {id} for {event}")
        } else {
            format!("subscription {id} for {event}")
        };
        let repair = match self.status {
            EventStatus::DisabledByUser => (
                ActionKind::EnableSubscription,
                format!("{what} was disabled by a user: enable it again"),
            ),
            EventStatus::DisabledBySystem => (
                ActionKind::RecreateSubscription,
                format!(
                    "{what} was disabled by Azure DevOps after failed deliveries: delete and create it again (updating it does not revive it)"
                ),
            ),
            EventStatus::DisabledByInactiveIdentity => (
                ActionKind::RecreateSubscription,
                format!(
                    "{what} was disabled because its owner is inactive or lost access: delete and create it again as {user}",
                    user = self.user,
                ),
            ),
            EventStatus::OnProbation => (
                ActionKind::RecreateSubscription,
                format!(
                    "{what} is on probation after failed deliveries: delete and create it again"
                ),
            ),
            EventStatus::Other(status) => (
                ActionKind::RecreateSubscription,
                format!(
                    "{what} has status \"{status}\", which this tool does not know: replace it with a new one"
                ),
            ),
            EventStatus::Enabled => {
                let filters = self.filters?;
                let list: Vec<String> = filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
                (
                    ActionKind::RecreateSubscription,
                    format!(
                        "{what} delivers only pull requests matching {}: replace it with one the profile's filters allow",
                        list.join(", ")
                    ),
                )
            }
            EventStatus::Absent => return None,
        };
        Some(repair)
    }
}

fn status_label(genre: &str, name: &str) -> String {
    if genre.is_empty() {
        name.to_owned()
    } else {
        format!("{genre}/{name}")
    }
}

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
