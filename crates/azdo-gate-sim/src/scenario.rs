//! Scenario files: the seed of a simulated organization (users, tokens, projects, repositories,
//! existing subscriptions and policies, faults). JSON or TOML; unknown keys are rejected so a typo in
//! a scenario fails loudly instead of silently seeding the wrong organization.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SimError;
use super::routes::Route;

/// The demo organization shipped with the binary (`azdo-gate demo`).
const DEMO_TOML: &str = include_str!("../assets/demo-scenario.toml");

/// Policy type "Status" (require a successful status from an external service).
pub const STATUS_POLICY_TYPE: &str = "cbdc66da-9728-4af8-aada-9a5a32e4a226";

/// Policy types the simulator knows, with the display names Azure DevOps gives them. Ids from the
/// official examples in `ado-examples/policy/` and `azure-devops-api.md` §7; "Comment requirements"
/// UNVERIFIED.
pub(crate) const POLICY_TYPES: &[(&str, &str)] = &[
    (STATUS_POLICY_TYPE, "Status"),
    (
        "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd",
        "Minimum approval count",
    ),
    ("fd2167ab-b0be-447a-8ec8-39368250530e", "Required reviewers"),
    ("0609b952-1397-4640-95ec-e00a01b2c241", "Build"),
    ("40e92b44-2fe1-4dd6-b3d8-74a9c21d0c6e", "Work item linking"),
    (
        "fa4e907d-c16b-4a4c-9dfa-4916e5d171ab",
        "Require a merge strategy",
    ),
    (
        "c6a1889d-b943-4856-b76f-9e46bb6b0df2",
        "Comment requirements",
    ),
];

/// The display name of a known policy type.
pub(crate) fn policy_type_name(type_id: &str) -> Option<&'static str> {
    POLICY_TYPES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(type_id))
        .map(|(_, name)| *name)
}

/// A whole simulated organization.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Organization name, as it appears in URLs (`fabrikam`).
    pub organization: String,
    /// The organization allows public projects: a rejected token on `connectionData` then gets 200
    /// with the anonymous identity instead of 401.
    #[serde(default)]
    pub public_projects: bool,
    /// Delay before every answer, for the CLI (`azdo-gate sim`); `SimOptions::latency` wins when set.
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub tokens: Vec<Token>,
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Service hook subscriptions that exist before the tool runs.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Faults armed at start, consumed in order.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// GUID.
    pub id: String,
    pub display_name: String,
    /// Sign-in name (`gate-bot@fabrikam.example`).
    pub unique_name: String,
    /// Set when the user renamed themselves; `connectionData` then reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_display_name: Option<String>,
    #[serde(default)]
    pub access_level: AccessLevel,
}

/// License level. Stakeholders cannot read code, so repository lists come back empty for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessLevel {
    #[default]
    Basic,
    Stakeholder,
}

/// A personal access token. `Debug` redacts the token string.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// A label for tests and the scenario's reader (`gate`, `expired`, ...); never sent anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub token: String,
    /// Id of the owning user.
    pub user: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// "Full access" PAT: every scope.
    #[serde(default)]
    pub full_access: bool,
    #[serde(default)]
    pub expired: bool,
    /// The organization the token was created for; `None` = this scenario's. A different one makes
    /// it a token of another organization, which this one does not honour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The gate's own token (what `SimHandle::primary_token` returns). At most one.
    #[serde(default)]
    pub primary: bool,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("name", &self.name)
            .field("token", &"<redacted>")
            .field("user", &self.user)
            .field("scopes", &self.scopes)
            .field("full_access", &self.full_access)
            .field("expired", &self.expired)
            .field("organization", &self.organization)
            .field("primary", &self.primary)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// GUID.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub repositories: Vec<Repository>,
    /// Per-user overrides; users not listed have every permission.
    #[serde(default)]
    pub permissions: Vec<Permissions>,
    /// Permission evaluations naming this project are refused with 403 (a locked-down project).
    #[serde(default)]
    pub permission_evaluation_refused: bool,
    /// Branch policies that exist before the tool runs.
    #[serde(default)]
    pub policies: Vec<Policy>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Private,
    Public,
}

impl Visibility {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Public => "public",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// GUID.
    pub id: String,
    pub name: String,
    /// `refs/heads/main`; absent = empty repository (nothing pushed yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub fork: bool,
    /// Size in bytes; a default is derived from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// What one user may do in one project.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// User id.
    pub user: String,
    /// ServiceHooks `ViewSubscriptions` (bit 1) on `PublisherSecurity/{projectId}`.
    #[serde(default = "yes")]
    pub service_hooks_view: bool,
    /// ServiceHooks `EditSubscriptions` (bit 2; also stands for `DeleteSubscriptions`, bit 4).
    #[serde(default = "yes")]
    pub service_hooks_edit: bool,
    /// Git `EditPolicies` (bit 2048) on `repoV2/{projectId}[/{repoId}]`.
    #[serde(default = "yes")]
    pub edit_policies: bool,
    /// Git `PullRequestContribute` (bit 16384, "Contribute to pull requests": posting a pull
    /// request status) on `repoV2/{projectId}[/{repoId}]`.
    #[serde(default = "yes")]
    pub contribute_pull_requests: bool,
}

fn yes() -> bool {
    true
}

/// A branch policy configuration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Integer id; assigned after the highest explicit id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Policy type GUID; defaults to Status.
    #[serde(default = "status_type")]
    pub type_id: String,
    #[serde(default = "yes")]
    pub is_enabled: bool,
    #[serde(default = "yes")]
    pub is_blocking: bool,
    /// Settings exactly as the API carries them (`statusGenre`, `statusName`, `scope`, ...).
    pub settings: serde_json::Value,
    /// User id of the creator.
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
}

fn status_type() -> String {
    STATUS_POLICY_TYPE.to_owned()
}

/// Subscription status, as the hooks API spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HookStatus {
    #[default]
    Enabled,
    OnProbation,
    DisabledByUser,
    DisabledBySystem,
    DisabledByInactiveIdentity,
}

impl HookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::OnProbation => "onProbation",
            Self::DisabledByUser => "disabledByUser",
            Self::DisabledBySystem => "disabledBySystem",
            Self::DisabledByInactiveIdentity => "disabledByInactiveIdentity",
        }
    }

    /// Parses the API spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Enabled,
            Self::OnProbation,
            Self::DisabledByUser,
            Self::DisabledBySystem,
            Self::DisabledByInactiveIdentity,
        ]
        .into_iter()
        .find(|status| status.as_str().eq_ignore_ascii_case(s))
    }
}

/// An existing service hook subscription. Inputs keep the API's own key names (`projectId`,
/// `repository`, `url`, `basicAuthPassword`, ...).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// GUID.
    pub id: String,
    #[serde(default = "tfs")]
    pub publisher_id: String,
    pub event_type: String,
    #[serde(default = "default_resource_version")]
    pub resource_version: Option<String>,
    #[serde(default = "web_hooks")]
    pub consumer_id: String,
    #[serde(default = "http_request")]
    pub consumer_action_id: String,
    #[serde(default)]
    pub status: HookStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probation_retries: Option<u32>,
    #[serde(default)]
    pub publisher_inputs: BTreeMap<String, String>,
    #[serde(default)]
    pub consumer_inputs: BTreeMap<String, String>,
    /// User id of the creator.
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// User id; defaults to the creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<String>,
    /// Fields answered verbatim in place of the simulator's own, for what real organizations send
    /// and the typed fields cannot say: a `null` input (`{"publisherInputs": {"branch": null}}`
    /// replaces that one input), a status outside the documented five, another tool's consumer
    /// shape. Objects are merged one level deep; anything else replaces the field. JSON scenarios
    /// can write `null`; TOML cannot.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub raw: serde_json::Map<String, serde_json::Value>,
}

fn tfs() -> String {
    "tfs".into()
}
fn web_hooks() -> String {
    "webHooks".into()
}
fn http_request() -> String {
    "httpRequest".into()
}
fn default_resource_version() -> Option<String> {
    Some("1.0".into())
}

/// A fault armed from the scenario (`[[faults]]` with `kind = "throttle"`, ...). `route` is one of
/// the route labels (`"GET git/repositories"`); absent = any route.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// 429 + `Retry-After`.
    Throttle {
        #[serde(default)]
        route: Option<String>,
        count: u32,
        #[serde(default = "one")]
        retry_after_secs: u32,
    },
    /// A server error with a wrapped-exception body.
    Fail {
        #[serde(default)]
        route: Option<String>,
        count: u32,
        #[serde(default = "internal_error")]
        status: u16,
    },
    /// The connection is closed without an answer.
    DropConnection {
        #[serde(default)]
        route: Option<String>,
        count: u32,
    },
    /// 200 with truncated JSON.
    Malformed {
        #[serde(default)]
        route: Option<String>,
        count: u32,
    },
    /// The request is carried out, then the connection is closed without an answer.
    CommitThenDrop {
        #[serde(default)]
        route: Option<String>,
        count: u32,
    },
    /// The request is carried out (and answered) only after `delay_ms`, even when the client has
    /// given up waiting.
    LateCommit {
        #[serde(default)]
        route: Option<String>,
        count: u32,
        delay_ms: u64,
    },
    /// Answered `status` (a 3xx) with `Location: {location}{request path}`; not carried out.
    Redirect {
        #[serde(default)]
        route: Option<String>,
        count: u32,
        #[serde(default = "temporary_redirect")]
        status: u16,
        /// Base URL of the other host, e.g. `http://127.0.0.1:9999`.
        location: String,
    },
}

fn temporary_redirect() -> u16 {
    307
}

fn one() -> u32 {
    1
}
fn internal_error() -> u16 {
    500
}

impl FaultSpec {
    fn route(&self) -> Option<&str> {
        match self {
            Self::Throttle { route, .. }
            | Self::Fail { route, .. }
            | Self::DropConnection { route, .. }
            | Self::Malformed { route, .. }
            | Self::CommitThenDrop { route, .. }
            | Self::LateCommit { route, .. }
            | Self::Redirect { route, .. } => route.as_deref(),
        }
    }
}

impl Scenario {
    /// Reads a `.json` or `.toml` scenario file (by extension).
    pub fn from_path(path: &Path) -> Result<Scenario, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::ReadScenario {
            path: path.to_owned(),
            source,
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let parsed = match ext.as_deref() {
            Some("json") => Self::from_json_str(&text),
            Some("toml") => Self::from_toml_str(&text),
            _ => {
                return Err(SimError::Scenario(format!(
                    "{}: a scenario file must end in .json or .toml",
                    path.display()
                )));
            }
        };
        parsed.map_err(|e| SimError::Scenario(format!("{}: {e}", path.display())))
    }

    pub fn from_toml_str(s: &str) -> Result<Scenario, SimError> {
        let scenario: Scenario =
            toml::from_str(s).map_err(|e| SimError::Scenario(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn from_json_str(s: &str) -> Result<Scenario, SimError> {
        let scenario: Scenario =
            serde_json::from_str(s).map_err(|e| SimError::Scenario(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The demo organization `fabrikam` (see `assets/demo-scenario.toml`).
    pub fn demo() -> Scenario {
        // Invariant: the embedded file is parsed and validated by the `demo_scenario_*` tests in
        // tests/sim_server.rs, so a failure here is a build defect, not a runtime condition.
        Self::from_toml_str(DEMO_TOML)
            .unwrap_or_else(|e| panic!("the embedded demo scenario is invalid: {e}"))
    }

    /// The token marked `primary = true` (the gate's token).
    pub fn primary_token(&self) -> Option<&str> {
        self.tokens
            .iter()
            .find(|t| t.primary)
            .map(|t| t.token.as_str())
    }

    /// The token whose `name` label is `name`.
    pub fn token(&self, name: &str) -> Option<&str> {
        self.tokens
            .iter()
            .find(|t| t.name.as_deref() == Some(name))
            .map(|t| t.token.as_str())
    }

    /// Checks references and uniqueness, so the server never meets a dangling id.
    pub fn validate(&self) -> Result<(), SimError> {
        let fail = |m: String| Err(SimError::Scenario(m));
        if !is_valid_org_name(&self.organization) {
            return fail(format!(
                "organization \"{}\" is not a valid organization name",
                self.organization
            ));
        }
        let mut users = HashSet::new();
        for user in &self.users {
            require_guid("user id", &user.id)?;
            if !users.insert(user.id.to_ascii_lowercase()) {
                return fail(format!("user id {} appears twice", user.id));
            }
        }
        let known_user = |id: &str| users.contains(&id.to_ascii_lowercase());

        let mut token_strings = HashSet::new();
        let mut primaries = 0;
        for token in &self.tokens {
            if token.token.is_empty() || token.token.contains(char::is_whitespace) {
                return fail(format!(
                    "token {:?} is empty or contains whitespace",
                    token.name
                ));
            }
            if !token_strings.insert(token.token.as_str()) {
                return fail(format!("token {:?} appears twice", token.name));
            }
            if !known_user(&token.user) {
                return fail(format!(
                    "token {:?} belongs to unknown user {}",
                    token.name, token.user
                ));
            }
            primaries += usize::from(token.primary);
        }
        if primaries > 1 {
            return fail("more than one token is marked primary".into());
        }

        let mut project_keys = HashSet::new();
        let mut project_ids = HashSet::new();
        let mut repos: HashMap<String, String> = HashMap::new();
        let mut policy_ids = HashSet::new();
        for project in &self.projects {
            require_guid("project id", &project.id)?;
            project_ids.insert(project.id.to_ascii_lowercase());
            if project.name.trim().is_empty() {
                return fail(format!("project {} has an empty name", project.id));
            }
            for key in [&project.id, &project.name] {
                if !project_keys.insert(key.to_ascii_lowercase()) {
                    return fail(format!("project id or name {key} appears twice"));
                }
            }
            let mut names = HashSet::new();
            for repo in &project.repositories {
                require_guid("repository id", &repo.id)?;
                if repos
                    .insert(
                        repo.id.to_ascii_lowercase(),
                        project.id.to_ascii_lowercase(),
                    )
                    .is_some()
                {
                    return fail(format!("repository id {} appears twice", repo.id));
                }
                if !names.insert(repo.name.to_ascii_lowercase()) {
                    return fail(format!(
                        "repository {} appears twice in project {}",
                        repo.name, project.name
                    ));
                }
            }
            for grant in &project.permissions {
                if !known_user(&grant.user) {
                    return fail(format!(
                        "permissions in project {} name unknown user {}",
                        project.name, grant.user
                    ));
                }
            }
            for policy in &project.policies {
                if policy_type_name(&policy.type_id).is_none() {
                    return fail(format!(
                        "policy in project {} has unknown type {}",
                        project.name, policy.type_id
                    ));
                }
                if !known_user(&policy.created_by) {
                    return fail(format!(
                        "policy in project {} was created by unknown user {}",
                        project.name, policy.created_by
                    ));
                }
                if !policy.settings.is_object() {
                    return fail(format!(
                        "policy in project {} has settings that are not a table",
                        project.name
                    ));
                }
                if let Some(id) = policy.id
                    && (id <= 0 || !policy_ids.insert(id))
                {
                    return fail(format!("policy id {id} is not positive or appears twice"));
                }
            }
        }

        let mut subscription_ids = HashSet::new();
        for sub in &self.subscriptions {
            require_guid("subscription id", &sub.id)?;
            if !subscription_ids.insert(sub.id.to_ascii_lowercase()) {
                return fail(format!("subscription id {} appears twice", sub.id));
            }
            for user in std::iter::once(&sub.created_by).chain(sub.modified_by.as_ref()) {
                if !known_user(user) {
                    return fail(format!("subscription {} names unknown user {user}", sub.id));
                }
            }
            let project = sub
                .publisher_inputs
                .get("projectId")
                .map(|p| p.to_ascii_lowercase());
            if let Some(project) = &project
                && !project_ids.contains(project)
            {
                return fail(format!(
                    "subscription {} names unknown project {project}",
                    sub.id
                ));
            }
            if let Some(repo) = sub
                .publisher_inputs
                .get("repository")
                .filter(|r| !r.is_empty())
            {
                let owner = repos.get(&repo.to_ascii_lowercase());
                if owner.is_none() || owner != project.as_ref() {
                    return fail(format!(
                        "subscription {} names repository {repo}, which is not in its project",
                        sub.id
                    ));
                }
            }
        }

        for fault in &self.faults {
            if let Some(route) = fault.route()
                && Route::from_label(route).is_none()
            {
                return fail(format!(
                    "fault route \"{route}\" is not a route label (expected e.g. \"GET git/repositories\")"
                ));
            }
            if let FaultSpec::Fail { status, .. } = fault
                && !(400..=599).contains(status)
            {
                return fail(format!("fault status {status} is not an HTTP error status"));
            }
            if let FaultSpec::Redirect { status, .. } = fault
                && !(300..=399).contains(status)
            {
                return fail(format!("redirect status {status} is not a 3xx status"));
            }
        }
        Ok(())
    }
}

fn require_guid(what: &str, value: &str) -> Result<(), SimError> {
    if super::ids::is_guid(value) {
        Ok(())
    } else {
        Err(SimError::Scenario(format!(
            "{what} \"{value}\" is not a GUID"
        )))
    }
}

/// Azure DevOps' organization-name rule (letters, digits and inner hyphens, at most 50), kept here
/// rather than borrowed from the tool so the simulator depends on nothing of it.
fn is_valid_org_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    bytes.len() <= 50
        && first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::{HookStatus, Visibility};

    /// The answers spell these with `as_str()`, the scenario files with serde: they must agree.
    #[test]
    fn every_as_str_is_its_serde_name() {
        let statuses = [
            HookStatus::Enabled,
            HookStatus::OnProbation,
            HookStatus::DisabledByUser,
            HookStatus::DisabledBySystem,
            HookStatus::DisabledByInactiveIdentity,
        ];
        // A new variant fails to compile here until it is listed above.
        let _exhaustive = |s: HookStatus| match s {
            HookStatus::Enabled
            | HookStatus::OnProbation
            | HookStatus::DisabledByUser
            | HookStatus::DisabledBySystem
            | HookStatus::DisabledByInactiveIdentity => {}
        };
        for status in statuses {
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.as_str())),
                "{status:?}"
            );
            assert_eq!(HookStatus::parse(status.as_str()), Some(status));
        }
        for visibility in [Visibility::Private, Visibility::Public] {
            assert_eq!(
                serde_json::to_value(visibility).ok(),
                Some(serde_json::Value::from(visibility.as_str())),
                "{visibility:?}"
            );
        }
    }
}
