//! The gate profile: what the gating service needs from Azure DevOps — where to send pull-request
//! events, which events, at what scope, and which status check must pass before a merge.
//!
//! A profile is TOML. The default ships in `assets/default-profile.toml` (embedded), a custom one is
//! loaded with `--profile FILE`, and the wizard stores the chosen profile per organization as a
//! [`toml::Table`]. Every refused key or value is reported with its key and line, because a profile
//! is hand-edited and "invalid profile" alone would leave the admin guessing.

mod error;
mod raw;
mod webhook;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use error::{Location, ProfileError};
pub use webhook::{
    WebhookUrl, WebhookUrlError, check_token_page_url, normalize_webhook_url, webhook_urls_match,
};

use error::Source;

/// The pull-request events a profile may subscribe to (service-hook event ids, publisher `tfs`).
pub const ALLOWED_EVENTS: [&str; 4] = [
    "git.pullrequest.created",
    "git.pullrequest.updated",
    "git.pullrequest.merged",
    "ms.vss-code.git-pullrequest-comment-event",
];

/// Events subscribed when a profile does not list any.
pub const DEFAULT_EVENTS: [&str; 2] = ["git.pullrequest.created", "git.pullrequest.updated"];

/// The per-project event subscribed when `notify_repo_created` is on, so the gate learns about new
/// repositories as soon as they exist.
pub const REPO_CREATED_EVENT: &str = "git.repo.created";

/// The publisher inputs that restrict which pull requests a subscription delivers, with the events
/// that accept each (`azure-devops-api.md` §6 and §13); `None` = every pull-request event.
pub const FILTER_INPUTS: [(&str, Option<&str>); 5] = [
    ("branch", None),
    ("pullrequestCreatedBy", None),
    ("pullrequestReviewersContains", None),
    ("notificationType", Some("git.pullrequest.updated")),
    ("mergeResult", Some("git.pullrequest.merged")),
];

/// Status check genre, name and display name used when a profile does not set them.
const DEFAULT_STATUS_GENRE: &str = "pr-gate";
const DEFAULT_STATUS_NAME: &str = "gate";
const DEFAULT_DISPLAY_NAME: &str = "PR gate";

/// How the embedded default and a stored table are named in error messages.
const DEFAULT_ORIGIN: &str = "built-in default profile";
const STORED_ORIGIN: &str = "stored gate profile";

const DEFAULT_PROFILE_TOML: &str = include_str!("../../assets/default-profile.toml");

/// The embedded default, parsed once.
static DEFAULT_PROFILE: LazyLock<GateProfile> = LazyLock::new(|| {
    // Invariant: the embedded asset is valid; `default_asset_parses_to_the_documented_defaults`
    // fails the build's tests otherwise.
    #[allow(clippy::expect_used)]
    GateProfile::from_toml_str(DEFAULT_PROFILE_TOML, DEFAULT_ORIGIN)
        .expect("the embedded default gate profile is valid")
});

/// A validated gate profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateProfile {
    /// `None` = not decided yet: the wizard asks, the commands need `--webhook-url`.
    pub webhook_url: Option<WebhookUrl>,
    /// The gating service's page that takes the token (`None`: the wizard asks for it).
    pub token_page_url: Option<String>,
    pub basic_auth_user: Option<String>,
    /// Name of the credential-store entry holding the basic-auth password (never the password).
    pub basic_auth_secret: Option<String>,
    pub http_headers: BTreeMap<String, String>,
    /// Non-empty, no duplicates, each one of [`ALLOWED_EVENTS`].
    pub events: Vec<String>,
    pub scope: SubscriptionScope,
    /// Also subscribe [`REPO_CREATED_EVENT`] per project.
    pub notify_repo_created: bool,
    /// Publisher filters the gate's subscriptions carry on purpose (e.g. only pull requests into
    /// one branch), by input name (one of [`FILTER_INPUTS`]); a subscription with exactly these is
    /// not flagged as filtered, and new subscriptions get them.
    pub filters: BTreeMap<String, String>,
    pub status_check: StatusCheck,
}

/// One subscription per repository and event, or one per project and event (which also covers
/// repositories created later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionScope {
    Repository,
    Project,
}

/// When the Status policy applies to a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// Always: every pull request waits for the gate's status.
    Default,
    /// Only once the gate has posted a status for the pull request, so nothing blocks before the
    /// gating service is live.
    Conditional,
}

/// The Status branch policy the gate's status must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCheck {
    /// Whether coverage requires the policy at all.
    pub required: bool,
    /// Status genre the gate posts (may be empty: a status without genre).
    pub genre: String,
    /// Status name the gate posts; never empty.
    pub name: String,
    pub blocking: bool,
    pub applicability: Applicability,
    /// Reset the status when new commits are pushed.
    pub invalidate_on_update: bool,
    /// Shown in the pull request; `None` lets Azure DevOps show genre/name.
    pub display_name: Option<String>,
}

/// A value that is not one of a fixed set of words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not allowed (expected one of: {})", expected.join(", "))]
pub struct UnknownWord {
    pub value: String,
    pub expected: &'static [&'static str],
}

impl SubscriptionScope {
    pub const ALL: [&'static str; 2] = ["repository", "project"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Repository => "repository",
            Self::Project => "project",
        }
    }
}

impl fmt::Display for SubscriptionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SubscriptionScope {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "repository" => Ok(Self::Repository),
            "project" => Ok(Self::Project),
            other => Err(UnknownWord {
                value: other.to_owned(),
                expected: &Self::ALL,
            }),
        }
    }
}

impl Applicability {
    pub const ALL: [&'static str; 2] = ["default", "conditional"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Conditional => "conditional",
        }
    }

    /// The Status policy's `policyApplicability` setting: absent = default, `1` = conditional.
    pub fn policy_applicability(self) -> Option<u8> {
        match self {
            Self::Default => None,
            Self::Conditional => Some(1),
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Applicability {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "default" => Ok(Self::Default),
            "conditional" => Ok(Self::Conditional),
            other => Err(UnknownWord {
                value: other.to_owned(),
                expected: &Self::ALL,
            }),
        }
    }
}

impl GateProfile {
    /// The shipped default profile (no webhook URL yet).
    pub fn default_profile() -> GateProfile {
        DEFAULT_PROFILE.clone()
    }

    /// Parses and validates profile text; `origin` (usually the file name) prefixes every message.
    pub fn from_toml_str(s: &str, origin: &str) -> Result<GateProfile, ProfileError> {
        raw::parse(&Source {
            text: s,
            origin: (!origin.is_empty()).then_some(origin),
            with_lines: true,
        })
    }

    /// Reads and validates a profile file.
    pub fn load(path: &Path) -> Result<GateProfile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// The profile as a TOML table, for storing per organization. Every setting is written out, so a
    /// later change of defaults does not silently change a stored profile.
    pub fn to_table(&self) -> toml::Table {
        let mut table = toml::Table::new();
        if let Some(url) = &self.webhook_url {
            table.insert("webhook_url".into(), url.as_str().into());
        }
        if let Some(page) = &self.token_page_url {
            table.insert("token_page_url".into(), page.as_str().into());
        }
        if let Some(user) = &self.basic_auth_user {
            table.insert("basic_auth_user".into(), user.as_str().into());
        }
        if let Some(secret) = &self.basic_auth_secret {
            table.insert("basic_auth_secret".into(), secret.as_str().into());
        }
        let headers: toml::Table = self
            .http_headers
            .iter()
            .map(|(name, value)| (name.clone(), value.as_str().into()))
            .collect();
        table.insert("http_headers".into(), headers.into());
        let events: toml::value::Array = self.events.iter().map(|e| e.as_str().into()).collect();
        table.insert("events".into(), events.into());
        table.insert("scope".into(), self.scope.as_str().into());
        table.insert(
            "notify_repo_created".into(),
            self.notify_repo_created.into(),
        );
        let filters: toml::Table = self
            .filters
            .iter()
            .map(|(input, value)| (input.clone(), value.as_str().into()))
            .collect();
        table.insert("filters".into(), filters.into());
        table.insert("status_check".into(), self.status_check.to_table().into());
        table
    }

    /// Reads a profile stored with [`GateProfile::to_table`], with the same validation as a file.
    pub fn from_table(t: &toml::Table) -> Result<GateProfile, ProfileError> {
        let text = toml::to_string(t).map_err(|e| ProfileError::Invalid {
            at: Location {
                origin: Some(STORED_ORIGIN.into()),
                line: None,
            },
            key: None,
            message: e.to_string(),
        })?;
        raw::parse(&Source {
            text: &text,
            origin: Some(STORED_ORIGIN),
            with_lines: false,
        })
    }

    /// Replaces the webhook URL (the `--webhook-url` override or the wizard's answer), with the same
    /// validation as the profile's `webhook_url`.
    pub fn with_webhook_url(self, url: &str) -> Result<GateProfile, ProfileError> {
        let url = WebhookUrl::parse(url).map_err(|e| ProfileError::Invalid {
            at: Location::default(),
            key: Some("webhook_url".into()),
            message: e.to_string(),
        })?;
        Ok(GateProfile {
            webhook_url: Some(url),
            ..self
        })
    }

    /// The profile with the gating service's token page set, once it passed [`check_token_page_url`].
    pub fn with_token_page_url(self, url: &str) -> Result<GateProfile, ProfileError> {
        let url = check_token_page_url(url).map_err(|message| ProfileError::Invalid {
            at: Location::default(),
            key: Some("token_page_url".into()),
            message,
        })?;
        Ok(GateProfile {
            token_page_url: Some(url),
            ..self
        })
    }

    /// The filters the profile asks for that `event` accepts.
    pub fn filters_for(&self, event: &str) -> BTreeMap<String, String> {
        self.filters
            .iter()
            .filter(|(input, _)| filter_applies(input, event))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The webhook URL, or an error telling the user every way to give one.
    pub fn require_webhook_url(&self) -> Result<&str, ProfileError> {
        self.webhook_url
            .as_ref()
            .map(WebhookUrl::as_str)
            .ok_or(ProfileError::MissingWebhookUrl)
    }
}

/// Whether the publisher input `input` is a filter of `event` (`git.repo.created` has none).
pub fn filter_applies(input: &str, event: &str) -> bool {
    event != REPO_CREATED_EVENT
        && FILTER_INPUTS
            .iter()
            .any(|(name, only)| *name == input && only.is_none_or(|e| e == event))
}

impl StatusCheck {
    fn to_table(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert("required".into(), self.required.into());
        table.insert("genre".into(), self.genre.as_str().into());
        table.insert("name".into(), self.name.as_str().into());
        table.insert("blocking".into(), self.blocking.into());
        table.insert("applicability".into(), self.applicability.as_str().into());
        table.insert(
            "invalidate_on_update".into(),
            self.invalidate_on_update.into(),
        );
        // An empty display name means "none", which an absent key cannot say (absent = default).
        table.insert(
            "display_name".into(),
            self.display_name.as_deref().unwrap_or("").into(),
        );
        table
    }
}

#[cfg(test)]
mod tests;
