//! The live organization: what a scenario seeded plus what requests created since. Indexed so that
//! lookups are O(1) and lists are one pass, whatever the organization's size.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::auth::UserRef;
use super::delivery::Deliveries;
use super::ids::{encode_path_segment, stable_guid};
use super::scenario::{AccessLevel, HookStatus, Scenario, Visibility};

/// Timestamp given to seeded objects that do not state their own, so seeded answers are stable.
const SEED_DATE: &str = "2026-01-05T10:00:00.000Z";

pub(crate) struct UserState {
    pub id: String,
    pub display_name: String,
    pub custom_display_name: Option<String>,
    pub unique_name: String,
    pub access_level: AccessLevel,
}

pub(crate) struct TokenState {
    /// Lower-cased user id.
    pub user: String,
    pub scopes: Vec<String>,
    pub full_access: bool,
    pub expired: bool,
}

/// What a user may do in a project.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grant {
    pub hooks_view: bool,
    pub hooks_edit: bool,
    pub edit_policies: bool,
    pub contribute_pull_requests: bool,
}

impl Grant {
    const ALL: Grant = Grant {
        hooks_view: true,
        hooks_edit: true,
        edit_policies: true,
        contribute_pull_requests: true,
    };
}

pub(crate) struct ProjectState {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub visibility: Visibility,
    pub revision: u64,
    pub permission_evaluation_refused: bool,
    /// Keyed by lower-cased user id; users not present have [`Grant::ALL`].
    pub grants: HashMap<String, Grant>,
    /// Indexes into [`OrgState::repos`].
    pub repos: Vec<usize>,
    pub policies: BTreeMap<i64, PolicyState>,
}

pub(crate) struct RepoState {
    pub id: String,
    pub name: String,
    pub project: usize,
    pub default_branch: Option<String>,
    pub disabled: bool,
    pub fork: bool,
    pub size: u64,
}

pub(crate) struct SubState {
    pub id: String,
    pub publisher_id: String,
    pub event_type: String,
    pub resource_version: Option<String>,
    pub consumer_id: String,
    pub consumer_action_id: String,
    pub status: HookStatus,
    pub probation_retries: Option<u32>,
    pub publisher_inputs: BTreeMap<String, String>,
    pub consumer_inputs: BTreeMap<String, String>,
    pub created_by: String,
    pub created_date: String,
    pub modified_by: String,
    pub modified_date: String,
    pub event_description: String,
    pub action_description: String,
    /// Fields answered verbatim in place of the simulator's own (scenario `raw`).
    pub raw: serde_json::Map<String, Value>,
}

pub(crate) struct PolicyState {
    pub id: i64,
    pub type_id: String,
    pub revision: i64,
    pub is_enabled: bool,
    pub is_blocking: bool,
    pub settings: Value,
    pub created_by: String,
    pub created_date: String,
}

pub(crate) struct OrgState {
    pub org: String,
    pub instance_id: String,
    pub deployment_id: String,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub public_projects: bool,
    users: HashMap<String, UserState>,
    tokens: HashMap<String, TokenState>,
    pub projects: Vec<ProjectState>,
    /// Lower-cased project id and name → index. Projects are never removed, so indexes stay valid
    /// across locks.
    project_keys: HashMap<String, usize>,
    pub repos: Vec<RepoState>,
    /// Lower-cased repository id → index.
    repo_keys: HashMap<String, usize>,
    /// Repository indexes in the order the org-level list returns them (by name, then project).
    pub repos_sorted: Vec<usize>,
    /// Creation order → subscription; the list answers in this order.
    pub subscriptions: BTreeMap<u64, SubState>,
    /// Lower-cased subscription id → key in `subscriptions`.
    subscription_keys: HashMap<String, u64>,
    next_subscription: u64,
    next_policy_id: i64,
    added_repos: u64,
    /// Pull requests and their service hook notifications.
    pub deliveries: Deliveries,
    /// A PUT with `"status": "enabled"` revives a `disabledBySystem` subscription (unverified
    /// either way, `azure-devops-api.md` §13; Sentry found it did not).
    pub put_revives_disabled_by_system: bool,
}

impl OrgState {
    /// Consumes the scenario: its subscriptions move into the state instead of being copied, which
    /// keeps a large generated organization from being held twice while the simulator starts.
    pub fn build(scenario: Scenario, base: &str) -> OrgState {
        let org = scenario.organization.clone();
        let mut state = OrgState {
            instance_id: stable_guid(&format!("instance:{org}"), 0),
            deployment_id: stable_guid(&format!("deployment:{org}"), 0),
            org,
            base: base.to_owned(),
            public_projects: scenario.public_projects,
            users: HashMap::new(),
            tokens: HashMap::new(),
            projects: Vec::with_capacity(scenario.projects.len()),
            project_keys: HashMap::new(),
            repos: Vec::new(),
            repo_keys: HashMap::new(),
            repos_sorted: Vec::new(),
            subscriptions: BTreeMap::new(),
            subscription_keys: HashMap::new(),
            next_subscription: 0,
            next_policy_id: 1,
            added_repos: 0,
            deliveries: Deliveries::default(),
            put_revives_disabled_by_system: false,
        };
        for user in &scenario.users {
            state.users.insert(
                user.id.to_ascii_lowercase(),
                UserState {
                    id: user.id.clone(),
                    display_name: user.display_name.clone(),
                    custom_display_name: user.custom_display_name.clone(),
                    unique_name: user.unique_name.clone(),
                    access_level: user.access_level,
                },
            );
        }
        for token in &scenario.tokens {
            let foreign = token
                .organization
                .as_deref()
                .is_some_and(|o| !o.eq_ignore_ascii_case(&scenario.organization));
            // Another organization's token is simply unknown here.
            if foreign {
                continue;
            }
            state.tokens.insert(
                token.token.clone(),
                TokenState {
                    user: token.user.to_ascii_lowercase(),
                    scopes: token.scopes.clone(),
                    full_access: token.full_access,
                    expired: token.expired,
                },
            );
        }
        state.next_policy_id = scenario
            .projects
            .iter()
            .flat_map(|p| &p.policies)
            .filter_map(|p| p.id)
            .max()
            .unwrap_or(0)
            + 1;
        for (index, project) in scenario.projects.iter().enumerate() {
            let grants = project
                .permissions
                .iter()
                .map(|g| {
                    (
                        g.user.to_ascii_lowercase(),
                        Grant {
                            hooks_view: g.service_hooks_view,
                            hooks_edit: g.service_hooks_edit,
                            edit_policies: g.edit_policies,
                            contribute_pull_requests: g.contribute_pull_requests,
                        },
                    )
                })
                .collect();
            state
                .project_keys
                .insert(project.id.to_ascii_lowercase(), index);
            state
                .project_keys
                .insert(project.name.to_ascii_lowercase(), index);
            state.projects.push(ProjectState {
                id: project.id.clone(),
                name: project.name.clone(),
                description: project.description.clone(),
                visibility: project.visibility,
                revision: 400 + index as u64,
                permission_evaluation_refused: project.permission_evaluation_refused,
                grants,
                repos: Vec::with_capacity(project.repositories.len()),
                policies: BTreeMap::new(),
            });
            for repo in &project.repositories {
                let size = repo.size.unwrap_or_else(|| default_size(repo));
                state.push_repo(RepoState {
                    id: repo.id.clone(),
                    name: repo.name.clone(),
                    project: index,
                    default_branch: repo.default_branch.clone(),
                    disabled: repo.disabled,
                    fork: repo.fork,
                    size,
                });
            }
            for policy in &project.policies {
                let id = policy.id.unwrap_or_else(|| state.take_policy_id());
                let mut settings = policy.settings.clone();
                normalize_policy_scope(&mut settings);
                state.projects[index].policies.insert(
                    id,
                    PolicyState {
                        id,
                        type_id: policy.type_id.to_ascii_lowercase(),
                        revision: 1,
                        is_enabled: policy.is_enabled,
                        is_blocking: policy.is_blocking,
                        settings,
                        created_by: policy.created_by.clone(),
                        created_date: policy
                            .created_date
                            .clone()
                            .unwrap_or_else(|| SEED_DATE.to_owned()),
                    },
                );
            }
        }
        state.sort_repos();
        for sub in scenario.subscriptions {
            let created_date = sub.created_date.unwrap_or_else(|| SEED_DATE.to_owned());
            let (event_description, action_description) =
                state.descriptions(&sub.event_type, &sub.publisher_inputs, &sub.consumer_inputs);
            let modified_by = sub.modified_by.unwrap_or_else(|| sub.created_by.clone());
            let modified_date = sub.modified_date.unwrap_or_else(|| created_date.clone());
            let seeded = SubState {
                id: sub.id,
                publisher_id: sub.publisher_id,
                event_type: sub.event_type,
                resource_version: sub.resource_version,
                consumer_id: sub.consumer_id,
                consumer_action_id: sub.consumer_action_id,
                status: sub.status,
                probation_retries: sub.probation_retries,
                publisher_inputs: sub.publisher_inputs,
                consumer_inputs: sub.consumer_inputs,
                created_by: sub.created_by,
                modified_by,
                modified_date,
                created_date,
                event_description,
                action_description,
                raw: sub.raw,
            };
            state.insert_subscription(seeded);
        }
        state
    }

    fn push_repo(&mut self, repo: RepoState) -> usize {
        let index = self.repos.len();
        self.repo_keys.insert(repo.id.to_ascii_lowercase(), index);
        self.projects[repo.project].repos.push(index);
        self.repos.push(repo);
        index
    }

    fn repo_order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (ra, rb) = (&self.repos[a], &self.repos[b]);
        ra.name
            .to_ascii_lowercase()
            .cmp(&rb.name.to_ascii_lowercase())
            .then_with(|| {
                self.projects[ra.project]
                    .name
                    .to_ascii_lowercase()
                    .cmp(&self.projects[rb.project].name.to_ascii_lowercase())
            })
    }

    fn sort_repos(&mut self) {
        let mut order: Vec<usize> = (0..self.repos.len()).collect();
        order.sort_by(|a, b| self.repo_order(*a, *b));
        self.repos_sorted = order;
    }

    // ---- lookups -------------------------------------------------------------------------------

    pub fn org_url(&self) -> String {
        format!("{}/{}", self.base, self.org)
    }

    /// `{org_url}/_apis/{path}`.
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/{}/_apis/{path}", self.base, self.org)
    }

    pub fn token(&self, pat: &str) -> Option<&TokenState> {
        self.tokens.get(pat)
    }

    pub fn user(&self, id: &str) -> Option<&UserState> {
        self.users.get(&id.to_ascii_lowercase())
    }

    /// The caller view of a user. Tokens only reference users the scenario declares (validated),
    /// so the fallback is an identity with no names.
    pub fn user_ref(&self, id: &str) -> UserRef {
        match self.user(id) {
            Some(u) => UserRef {
                id: u.id.clone(),
                display_name: u.display_name.clone(),
                custom_display_name: u.custom_display_name.clone(),
                unique_name: u.unique_name.clone(),
                access_level: u.access_level,
            },
            None => UserRef {
                id: id.to_owned(),
                display_name: String::new(),
                custom_display_name: None,
                unique_name: String::new(),
                access_level: AccessLevel::Basic,
            },
        }
    }

    /// Project by id or name (case-insensitive).
    pub fn project_index(&self, key: &str) -> Option<usize> {
        self.project_keys.get(&key.to_ascii_lowercase()).copied()
    }

    pub fn repo_index(&self, id: &str) -> Option<usize> {
        self.repo_keys.get(&id.to_ascii_lowercase()).copied()
    }

    /// Whether `repo_id` names a repository of project `project`.
    pub fn repo_in_project(&self, repo_id: &str, project: usize) -> bool {
        self.repo_index(repo_id)
            .is_some_and(|r| self.repos[r].project == project)
    }

    pub fn grant(&self, project: usize, user_id: &str) -> Grant {
        self.projects[project]
            .grants
            .get(&user_id.to_ascii_lowercase())
            .copied()
            .unwrap_or(Grant::ALL)
    }

    pub fn subscription(&self, id: &str) -> Option<&SubState> {
        let key = self.subscription_keys.get(&id.to_ascii_lowercase())?;
        self.subscriptions.get(key)
    }

    pub fn subscription_mut(&mut self, id: &str) -> Option<&mut SubState> {
        let key = self.subscription_keys.get(&id.to_ascii_lowercase())?;
        self.subscriptions.get_mut(key)
    }

    /// The project index a subscription belongs to (`publisherInputs.projectId`).
    pub fn subscription_project(&self, sub: &SubState) -> Option<usize> {
        sub.publisher_inputs
            .get("projectId")
            .and_then(|p| self.project_index(p))
    }

    // ---- mutations ----------------------------------------------------------------------------

    /// A fresh subscription id (deterministic per organization).
    pub fn new_subscription_id(&self) -> String {
        stable_guid(
            &format!("subscription:{}", self.org),
            self.next_subscription,
        )
    }

    pub fn insert_subscription(&mut self, sub: SubState) {
        let key = self.next_subscription;
        self.next_subscription += 1;
        self.subscription_keys
            .insert(sub.id.to_ascii_lowercase(), key);
        self.subscriptions.insert(key, sub);
    }

    pub fn remove_subscription(&mut self, id: &str) -> bool {
        match self.subscription_keys.remove(&id.to_ascii_lowercase()) {
            Some(key) => self.subscriptions.remove(&key).is_some(),
            None => false,
        }
    }

    pub fn take_policy_id(&mut self) -> i64 {
        let id = self.next_policy_id;
        self.next_policy_id += 1;
        id
    }

    /// Adds a repository at runtime; returns its id.
    pub fn add_repository(
        &mut self,
        project: usize,
        name: &str,
        default_branch: Option<&str>,
    ) -> String {
        self.added_repos += 1;
        let id = stable_guid(&format!("added-repository:{}", self.org), self.added_repos);
        let repo = RepoState {
            id: id.clone(),
            name: name.to_owned(),
            project,
            default_branch: default_branch.map(str::to_owned),
            disabled: false,
            fork: false,
            size: 0,
        };
        let index = self.push_repo(repo);
        let at = self
            .repos_sorted
            .partition_point(|&other| self.repo_order(other, index).is_lt());
        self.repos_sorted.insert(at, index);
        id
    }

    /// The server-written `eventDescription` and `actionDescription` of a subscription.
    pub fn descriptions(
        &self,
        event_type: &str,
        publisher_inputs: &BTreeMap<String, String>,
        consumer_inputs: &BTreeMap<String, String>,
    ) -> (String, String) {
        let action = consumer_inputs
            .get("url")
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(|h| format!("To host {h}")))
            .unwrap_or_default();
        (self.event_description(event_type, publisher_inputs), action)
    }

    /// "Repository X" / "Any repository" (+ ", branch B"): the portal's summary of the filters.
    /// Wording UNVERIFIED.
    fn event_description(&self, event_type: &str, inputs: &BTreeMap<String, String>) -> String {
        let input = |k: &str| inputs.get(k).map(String::as_str).filter(|v| !v.is_empty());
        if event_type == "git.repo.created" {
            return input("projectId")
                .and_then(|p| self.project_index(p))
                .map(|p| format!("Project {}", self.projects[p].name))
                .unwrap_or_default();
        }
        let mut text = match input("repository").and_then(|r| self.repo_index(r)) {
            Some(r) => format!("Repository {}", self.repos[r].name),
            None => "Any repository".to_owned(),
        };
        if let Some(branch) = input("branch") {
            text.push_str(&format!(", branch {branch}"));
        }
        text
    }

    // ---- URLs ---------------------------------------------------------------------------------

    pub fn project_url(&self, project: usize) -> String {
        self.api_url(&format!("projects/{}", self.projects[project].id))
    }

    pub fn repo_remote_url(&self, repo: &RepoState) -> String {
        format!(
            "{}/{}/_git/{}",
            self.org_url(),
            encode_path_segment(&self.projects[repo.project].name),
            encode_path_segment(&repo.name)
        )
    }
}

/// A plausible size that differs per repository, so lists do not look cloned; 0 for empty repos.
fn default_size(repo: &super::scenario::Repository) -> u64 {
    if repo.default_branch.is_none() {
        return 0;
    }
    let spread = repo
        .name
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31) ^ u64::from(b));
    40_960 + spread % 8_000_000
}

/// Azure DevOps answers scope entries with `repositoryId` always present (null for "every
/// repository") and `matchKind` capitalised (`exact` in a request comes back `Exact`, see
/// `policy/configuration-create-*.json`).
pub(crate) fn normalize_policy_scope(settings: &mut Value) {
    let Some(scope) = settings.get_mut("scope").and_then(Value::as_array_mut) else {
        return;
    };
    for entry in scope.iter_mut().filter_map(Value::as_object_mut) {
        entry.entry("repositoryId").or_insert(Value::Null);
        if let Some(kind) = entry.get("matchKind").and_then(Value::as_str)
            && let Some(canonical) = canonical_match_kind(kind)
        {
            entry.insert("matchKind".into(), Value::String(canonical.into()));
        }
    }
}

/// `exact` → `Exact`, `prefix` → `Prefix`, `defaultbranch` → `DefaultBranch`; `None` if unknown.
pub(crate) fn canonical_match_kind(kind: &str) -> Option<&'static str> {
    ["Exact", "Prefix", "DefaultBranch"]
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
}
