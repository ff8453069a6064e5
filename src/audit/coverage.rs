//! Coverage classification, exactly per DESIGN.md's coverage model: pure functions over the
//! fetched subscriptions and Status policies, indexed once so classifying 10 000 repositories
//! against 20 000 subscriptions stays linear.
//!
//! Matching rules (the spec of issue 4):
//! - a subscription counts for a repository and event when its event type is the event, its
//!   consumer URL matches the profile's ([`crate::profile::webhook_urls_match`]), its
//!   `projectId` is the repository's project, and its `repository` input is the repository (scope
//!   repository) or empty/absent (scope project). Other publisher inputs that restrict delivery
//!   (`branch`, creator, reviewers, `notificationType`, `mergeResult`) are reported as the event's
//!   `filters`; one the profile does not ask for makes the event not covered (issue 11).
//! - a Status policy is the gate's when it is not deleted, its `statusName` equals the profile's
//!   name and its `statusGenre` (absent = empty) the profile's genre, both compared
//!   case-sensitively, and one of its scopes covers the repository's default branch. It is
//!   `present` only when it is also enabled, blocking (if the profile asks for blocking) and open to
//!   the integration user's statuses (`authorId` absent or that user); otherwise it is
//!   `disabled`, `other_author` or `not_blocking`, in that order. A Status policy whose settings
//!   cannot be read makes every repository of its project without a present policy `unknown`.
//!
//! GUIDs and ref names are compared case-insensitively: Azure DevOps treats both that way.

use std::collections::{BTreeMap, HashMap};

use super::report::{Coverage, EventCoverage, EventStatus, PolicyPresence};
use crate::ado::models::{
    ItemKind, PolicyConfiguration, PolicyScope, Repository, Subscription, SubscriptionStatus,
    UnknownItem,
};
use crate::profile::{
    GateProfile, StatusCheck, SubscriptionScope, filter_applies, normalize_webhook_url,
};

/// The subscriptions that point at the profile's webhook URL, reduced to what classification needs,
/// so the full list (tens of megabytes in a large organization) can be dropped as soon as it is
/// read.
#[derive(Debug, Default)]
pub(super) struct SubscriptionIndex {
    /// By (lowercase project id, lowercase repository id or "" for the whole project, event type).
    hooks: HashMap<(String, String, String), Vec<Hook>>,
}

/// One subscription to the gate's URL.
#[derive(Debug, Clone)]
pub(super) struct Hook {
    pub id: String,
    pub status: SubscriptionStatus,
    /// As the subscription spells it.
    pub project_id: String,
    /// The consumer URL as written, to prefer the one spelled like the profile's.
    pub url: String,
    pub basic_auth_user: Option<String>,
    pub created_date: Option<String>,
    /// Its restricting publisher inputs (non-empty ones only).
    pub filters: BTreeMap<String, String>,
    /// Some filter is not one the profile asks for.
    pub restricted: bool,
}

/// What the kept subscription among duplicates should look like: the profile's.
pub(super) struct Preference<'a> {
    pub url: &'a str,
    pub basic_auth_user: Option<&'a str>,
}

/// The restricting publisher inputs a subscription sets, and whether any differs from what the
/// profile asks for. Values compare case-insensitively, as Azure DevOps compares branch names.
fn hook_filters(sub: &Subscription, profile: &GateProfile) -> (BTreeMap<String, String>, bool) {
    let wanted = profile.filters_for(&sub.event_type);
    let filters: BTreeMap<String, String> = sub
        .publisher_inputs
        .iter()
        .filter(|(input, value)| filter_applies(input, &sub.event_type) && !value.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let restricted = filters
        .iter()
        .any(|(k, v)| wanted.get(k).is_none_or(|w| !w.eq_ignore_ascii_case(v)));
    (filters, restricted)
}

impl SubscriptionIndex {
    /// Keeps only web-hook subscriptions to the profile's webhook URL that name a project; URLs are
    /// normalised once per subscription. Gate subscriptions with a status this tool does not know
    /// are also reported as unknown items.
    pub(super) fn new(
        subscriptions: &[Subscription],
        profile: &GateProfile,
        unknown: &mut Vec<UnknownItem>,
    ) -> Self {
        // Without a webhook URL no subscription can be the gate's: every event reads as absent.
        let webhook_url = profile.webhook_url.as_ref().map_or("", |u| u.as_str());
        let target = normalize_webhook_url(webhook_url);
        let mut index = Self::default();
        for sub in subscriptions {
            let is_webhook = sub.publisher_id.eq_ignore_ascii_case("tfs")
                && sub.consumer_id.eq_ignore_ascii_case("webHooks")
                && sub.consumer_action_id.eq_ignore_ascii_case("httpRequest");
            let to_gate = sub
                .consumer_url()
                .is_some_and(|u| normalize_webhook_url(u) == target);
            let Some(project) = sub.project_id().filter(|p| !p.is_empty()) else {
                continue;
            };
            if !is_webhook || !to_gate {
                continue;
            }
            let key = (
                project.to_ascii_lowercase(),
                sub.repository_id().unwrap_or("").to_ascii_lowercase(),
                sub.event_type.clone(),
            );
            if let SubscriptionStatus::Other(status) = &sub.status {
                unknown.push(UnknownItem {
                    kind: ItemKind::Subscription,
                    id: Some(sub.id.clone()),
                    reason: format!(
                        "the gate's subscription for {} has status \"{status}\", which this tool does not know; it is treated as not delivering",
                        sub.event_type
                    ),
                });
            }
            let (filters, restricted) = hook_filters(sub, profile);
            index.hooks.entry(key).or_default().push(Hook {
                id: sub.id.clone(),
                status: sub.status.clone(),
                project_id: project.to_owned(),
                url: sub.consumer_url().unwrap_or_default().to_owned(),
                basic_auth_user: sub
                    .consumer_inputs
                    .get("basicAuthUsername")
                    .filter(|u| !u.is_empty())
                    .cloned(),
                created_date: sub.created_date.clone(),
                filters,
                restricted,
            });
        }
        index
    }

    fn get(&self, project: &str, repo: &str, event: &str) -> &[Hook] {
        self.hooks
            .get(&(project.to_owned(), repo.to_owned(), event.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// The state of `event` for one repository: the best matching subscription (enabled first),
    /// or `absent`.
    pub(super) fn event_coverage(&self, repo: &Repository, event: &str) -> EventCoverage {
        let project = repo.project.id.to_ascii_lowercase();
        let repo_hooks = self
            .get(&project, &repo.id.to_ascii_lowercase(), event)
            .iter()
            .map(|h| (h, SubscriptionScope::Repository));
        let wide_hooks = self
            .get(&project, "", event)
            .iter()
            .map(|h| (h, SubscriptionScope::Project));
        let best = repo_hooks
            .chain(wide_hooks)
            .min_by(|(a, a_scope), (b, b_scope)| {
                (
                    status_rank(&a.status),
                    a.restricted,
                    scope_rank(*a_scope),
                    &a.id,
                )
                    .cmp(&(
                        status_rank(&b.status),
                        b.restricted,
                        scope_rank(*b_scope),
                        &b.id,
                    ))
            });
        match best {
            Some((hook, scope)) => EventCoverage {
                event_type: event.to_owned(),
                status: EventStatus::from(&hook.status),
                subscription_id: Some(hook.id.clone()),
                scope: Some(scope),
                duplicate_subscription_ids: Vec::new(),
                basic_auth_user: hook.basic_auth_user.clone(),
                deliveries: None,
                filters: (!hook.filters.is_empty()).then(|| hook.filters.clone()),
                restricted: hook.restricted,
            },
            None => EventCoverage {
                event_type: event.to_owned(),
                status: EventStatus::Absent,
                subscription_id: None,
                scope: None,
                duplicate_subscription_ids: Vec::new(),
                basic_auth_user: None,
                deliveries: None,
                filters: None,
                restricted: false,
            },
        }
    }

    /// The enabled subscriptions beyond the one kept that deliver `event` for the repository: what
    /// a repair deletes. An enabled project-wide subscription is kept over the repository's own
    /// (deleting a project-wide one could un-gate the project's other repositories); among equals
    /// the one like the profile (URL as written, basic-auth user), then the oldest.
    pub(super) fn duplicates(
        &self,
        repo: &Repository,
        event: &str,
        prefer: &Preference<'_>,
    ) -> Vec<String> {
        let project = repo.project.id.to_ascii_lowercase();
        let enabled = |hooks: &[Hook]| -> Vec<Hook> {
            let mut hooks: Vec<Hook> = hooks
                .iter()
                .filter(|h| h.status == SubscriptionStatus::Enabled)
                .cloned()
                .collect();
            hooks.sort_by(|a, b| preference_key(a, prefer).cmp(&preference_key(b, prefer)));
            hooks
        };
        let wide = enabled(self.get(&project, "", event));
        let own = enabled(self.get(&project, &repo.id.to_ascii_lowercase(), event));
        let extra = if wide.is_empty() {
            own.iter().skip(1).collect::<Vec<_>>()
        } else {
            wide.iter().skip(1).chain(&own).collect()
        };
        extra.into_iter().map(|h| h.id.clone()).collect()
    }

    /// Every project-wide subscription to the profile's URL for `event`, whatever its status.
    pub(super) fn project_wide<'s>(
        &'s self,
        event: &'s str,
    ) -> impl Iterator<Item = &'s Hook> + 's {
        self.hooks
            .iter()
            .filter(move |((_, repo, e), _)| repo.is_empty() && e == event)
            .flat_map(|(_, hooks)| hooks)
    }
}

/// Smaller is kept first: URL spelled like the profile's, same basic-auth user, oldest, lowest id.
fn preference_key<'h>(
    hook: &'h Hook,
    prefer: &Preference<'_>,
) -> (bool, bool, bool, &'h str, &'h str) {
    (
        hook.url != prefer.url,
        hook.basic_auth_user.as_deref() != prefer.basic_auth_user,
        hook.created_date.is_none(),
        hook.created_date.as_deref().unwrap_or_default(),
        &hook.id,
    )
}

/// Enabled first; among unhealthy ones the one closest to working (probation still delivers);
/// a status nobody knows last.
fn status_rank(status: &SubscriptionStatus) -> u8 {
    match status {
        SubscriptionStatus::Enabled => 0,
        SubscriptionStatus::OnProbation => 1,
        SubscriptionStatus::DisabledBySystem => 2,
        SubscriptionStatus::DisabledByInactiveIdentity => 3,
        SubscriptionStatus::DisabledByUser => 4,
        SubscriptionStatus::Other(_) => 5,
    }
}

/// The repository's own subscription is reported before the project-wide one.
fn scope_rank(scope: SubscriptionScope) -> u8 {
    match scope {
        SubscriptionScope::Repository => 0,
        SubscriptionScope::Project => 1,
    }
}

/// One of the gate's Status policies (name and genre match), reduced to what classification needs.
#[derive(Debug, Clone)]
struct GatePolicy {
    id: i64,
    /// `present` when it satisfies the profile, else what is wrong with it.
    state: PolicyPresence,
    scopes: Vec<PolicyScope>,
}

/// The gate's Status policies by project (lowercase id), and the projects holding a Status policy
/// that could not be read.
#[derive(Default)]
pub(super) struct PolicyIndex {
    policies: HashMap<String, Vec<GatePolicy>>,
    /// Lowercase project id → the id of one unreadable Status policy there.
    unreadable: HashMap<String, Option<i64>>,
}

/// What is wrong with a policy that matches the gate's status, or `present`.
fn policy_state(
    configuration: &PolicyConfiguration,
    author_id: Option<&str>,
    check: &StatusCheck,
    user_id: Option<&str>,
) -> PolicyPresence {
    let author_ok = match (author_id.filter(|a| !a.is_empty()), user_id) {
        (None, _) => true,
        (Some(author), Some(user)) => author.eq_ignore_ascii_case(user),
        (Some(_), None) => false,
    };
    if !configuration.is_enabled {
        PolicyPresence::Disabled
    } else if !author_ok {
        PolicyPresence::OtherAuthor
    } else if check.blocking && !configuration.is_blocking {
        PolicyPresence::NotBlocking
    } else {
        PolicyPresence::Present
    }
}

impl GatePolicy {
    /// Applies to every default branch of the project, whatever the repository.
    fn project_wide(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| repository_filter(s).is_none() && match_kind(s) == MatchKind::Default)
    }

    /// Every scope names this repository: deleting it touches no other repository.
    fn only_for(&self, repo_id: &str) -> bool {
        self.scopes
            .iter()
            .all(|s| repository_filter(s).is_some_and(|r| r.eq_ignore_ascii_case(repo_id)))
    }
}

impl PolicyIndex {
    /// `policies` are each project's Status policy configurations, keyed by project id, with the
    /// items of that list that could not be read; `user_id` is the integration user. Unreadable
    /// policies are added to `unknown`.
    pub(super) fn new<'p>(
        policies: impl IntoIterator<Item = (&'p str, &'p [PolicyConfiguration], &'p [UnknownItem])>,
        check: &StatusCheck,
        user_id: Option<&str>,
        unknown: &mut Vec<UnknownItem>,
    ) -> Self {
        let mut index = Self::default();
        for (project, configurations, unreadable) in policies {
            let key = project.to_ascii_lowercase();
            for item in unreadable {
                unknown.push(item.clone());
                index
                    .unreadable
                    .entry(key.clone())
                    .or_insert_with(|| item.id.as_deref().and_then(|id| id.parse().ok()));
            }
            for configuration in configurations.iter().filter(|c| !c.is_deleted) {
                let settings = match configuration.status_settings() {
                    None => continue,
                    Some(Ok(settings)) => settings,
                    Some(Err(reason)) => {
                        unknown.push(UnknownItem {
                            kind: ItemKind::Policy,
                            id: Some(configuration.id.to_string()),
                            reason: format!(
                                "the Status policy's settings could not be read ({reason}); no other Status policy is created in its project while it exists"
                            ),
                        });
                        index
                            .unreadable
                            .entry(key.clone())
                            .or_insert(Some(configuration.id));
                        continue;
                    }
                };
                if settings.status_name != check.name
                    || settings.status_genre.as_deref().unwrap_or("") != check.genre
                {
                    continue;
                }
                let state =
                    policy_state(configuration, settings.author_id.as_deref(), check, user_id);
                index
                    .policies
                    .entry(key.clone())
                    .or_default()
                    .push(GatePolicy {
                        id: configuration.id,
                        state,
                        scopes: settings.scope,
                    });
            }
        }
        for policies in index.policies.values_mut() {
            policies.sort_by_key(|p| p.id);
        }
        index
    }

    /// The satisfying Status policies beyond the one kept that apply to the repository's default
    /// branch: what a repair deletes. A project-wide one is kept first (it may gate other
    /// repositories), then the oldest (lowest id); a policy is deleted only when every scope of it
    /// is this repository's or it is project-wide like the kept one, so no other branch loses it.
    /// Flawed policies are never duplicates: they are updated, not deleted.
    pub(super) fn duplicates(&self, repo: &Repository) -> Vec<String> {
        let Some(policies) = self.policies.get(&repo.project.id.to_ascii_lowercase()) else {
            return Vec::new();
        };
        let branch = repo.default_branch.as_deref();
        let mut applying: Vec<&GatePolicy> = policies
            .iter()
            .filter(|p| p.state == PolicyPresence::Present)
            .filter(|p| p.scopes.iter().any(|s| scope_applies(s, &repo.id, branch)))
            .collect();
        applying.sort_by_key(|p| (!p.project_wide(), p.id));
        let Some((kept, rest)) = applying.split_first() else {
            return Vec::new();
        };
        rest.iter()
            .filter(|p| p.only_for(&repo.id) || (kept.project_wide() && p.project_wide()))
            .map(|p| p.id.to_string())
            .collect()
    }

    /// Whether a Status policy makes the gate's status required on the repository's default
    /// branch, and which policy the answer is about. A satisfying policy wins; then an unreadable
    /// one (it may be the gate's); then the first flawed one (disabled before other author before
    /// not blocking).
    pub(super) fn presence(&self, repo: &Repository) -> (PolicyPresence, Option<i64>) {
        let key = repo.project.id.to_ascii_lowercase();
        let applying: Vec<&GatePolicy> = self
            .policies
            .get(&key)
            .into_iter()
            .flatten()
            .filter(|p| {
                p.scopes
                    .iter()
                    .any(|s| scope_applies(s, &repo.id, repo.default_branch.as_deref()))
            })
            .collect();
        if let Some(good) = applying.iter().find(|p| p.state == PolicyPresence::Present) {
            return (PolicyPresence::Present, Some(good.id));
        }
        if let Some(id) = self.unreadable.get(&key) {
            return (PolicyPresence::Unknown, *id);
        }
        let flawed = [
            PolicyPresence::Disabled,
            PolicyPresence::OtherAuthor,
            PolicyPresence::NotBlocking,
        ]
        .into_iter()
        .find_map(|state| applying.iter().find(|p| p.state == state));
        match flawed {
            Some(p) => (p.state, Some(p.id)),
            None => (PolicyPresence::Absent, None),
        }
    }

    /// Whether the project has a project-wide satisfying policy on every default branch
    /// (`repositoryId` null, `matchKind` DefaultBranch): what the planner's project scope creates.
    pub(super) fn has_project_wide(&self, project_id: &str) -> bool {
        self.policies
            .get(&project_id.to_ascii_lowercase())
            .is_some_and(|policies| {
                policies.iter().any(|p| {
                    p.state == PolicyPresence::Present
                        && p.scopes.iter().any(|s| {
                            repository_filter(s).is_none() && match_kind(s) == MatchKind::Default
                        })
                })
            })
    }
}

#[derive(Debug, PartialEq, Eq)]
enum MatchKind {
    Exact,
    Prefix,
    Default,
    Unknown,
}

/// Azure DevOps spells match kinds inconsistently (`exact`, `Exact`, `DefaultBranch`); absent means
/// exact, the API's default.
fn match_kind(scope: &PolicyScope) -> MatchKind {
    match scope
        .match_kind
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("exact") => MatchKind::Exact,
        Some("prefix") => MatchKind::Prefix,
        Some("defaultbranch") => MatchKind::Default,
        Some(_) => MatchKind::Unknown,
    }
}

fn repository_filter(scope: &PolicyScope) -> Option<&str> {
    scope.repository_id.as_deref().filter(|r| !r.is_empty())
}

/// One policy scope against one repository's default branch. A `DefaultBranch` scope applies even
/// to an empty repository (it will cover whatever becomes the default branch); an `exact` scope
/// needs the ref to be the default branch; a `prefix` scope needs the default branch to start with
/// it (a prefix policy gates that branch too).
fn scope_applies(scope: &PolicyScope, repo_id: &str, default_branch: Option<&str>) -> bool {
    if repository_filter(scope).is_some_and(|r| !r.eq_ignore_ascii_case(repo_id)) {
        return false;
    }
    let ref_name = scope.ref_name.as_deref().filter(|r| !r.is_empty());
    match (match_kind(scope), ref_name, default_branch) {
        (MatchKind::Default, _, _) => true,
        (MatchKind::Exact, Some(r), Some(branch)) => r.eq_ignore_ascii_case(branch),
        (MatchKind::Prefix, Some(r), Some(branch)) => branch
            .to_ascii_lowercase()
            .starts_with(&r.to_ascii_lowercase()),
        _ => false,
    }
}

/// The repository's class. Precedence, first that holds:
/// 1. disabled repository → not applicable (nothing can be delivered for it);
/// 2. every event enabled (and unrestricted) and the policy present or not required → covered;
/// 3. every event enabled, only the policy missing or flawed, and the repository empty → not
///    applicable (a branch policy needs a default branch);
/// 4. some event's only match is on probation or disabled → unhealthy (it wins over partial: the
///    admin must re-enable or recreate that hook, which creating the missing pieces would not fix);
/// 5. at least one event enabled (even filtered) or some gate policy exists → partial;
/// 6. otherwise → missing.
pub(super) fn classify(
    repo: &Repository,
    events: &[EventCoverage],
    policy: PolicyPresence,
) -> Coverage {
    if repo.is_disabled {
        return Coverage::NotApplicable;
    }
    let all_enabled = events.iter().all(EventCoverage::is_full);
    let policy_ok = policy.is_satisfied();
    if all_enabled && policy_ok {
        return Coverage::Covered;
    }
    if all_enabled && repo.default_branch.is_none() {
        return Coverage::NotApplicable;
    }
    let unhealthy = events
        .iter()
        .any(|e| !matches!(e.status, EventStatus::Enabled | EventStatus::Absent));
    if unhealthy {
        return Coverage::Unhealthy;
    }
    let something = events.iter().any(|e| e.status == EventStatus::Enabled)
        || !matches!(policy, PolicyPresence::Absent | PolicyPresence::NotRequired);
    if something {
        Coverage::Partial
    } else {
        Coverage::Missing
    }
}

#[cfg(test)]
mod tests;
