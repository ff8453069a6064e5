//! `state.toml`: what the tool remembers per organization between runs. Never a token.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::atomic::write_private;
use super::error::line_and_column;
use super::{StorageKind, StoreError};
use crate::ado::{Client, ClientConfig};
use crate::org::OrgUrl;

/// The state file's name inside the configuration directory.
pub const STATE_FILE: &str = "state.toml";

/// The format version this build writes; a file with a higher one is refused, not misread.
pub const STATE_VERSION: u32 = 1;

const HEADER: &str = "# azdo-gate state: remembered between runs. It holds no token.\n# Deleting it is safe: the tool asks again what it needs.\n\n";

/// Everything remembered, keyed by organization key ([`crate::org::OrgUrl::key`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    #[serde(default = "current_version")]
    version: u32,
    #[serde(default)]
    organizations: BTreeMap<String, OrgState>,
}

/// What [`State::save`] writes: always the current format version.
#[derive(Serialize)]
struct StateOut<'a> {
    version: u32,
    organizations: &'a BTreeMap<String, OrgState>,
}

fn current_version() -> u32 {
    STATE_VERSION
}

impl Default for State {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            organizations: BTreeMap::new(),
        }
    }
}

/// What is remembered about one organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgState {
    pub organization: OrgInfo,
    /// Metadata about the stored token (the token itself is in the credential store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenMeta>,
    /// Gate profile settings (webhook URL and so on), owned by the profile module.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub profile: toml::Table,
    /// The repositories the last audit saw, so the next one can tell which are new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
    /// The REST API version this Azure DevOps Server supports (learnt when it refused the tool's
    /// own), so later runs start with it and send no request it must refuse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub name: String,
    pub url: String,
}

/// What is known about the stored token without holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Date>,
    /// Where `expires_on` came from; `None` when no expiry is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_source: Option<ExpirySource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_seen: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<Timestamp>,
    pub storage: StorageKind,
}

impl TokenMeta {
    /// Metadata for a token just stored in `storage`, before anything is known about it.
    pub fn new(storage: StorageKind) -> Self {
        Self {
            expires_on: None,
            expiry_source: None,
            identity: None,
            scopes_seen: Vec::new(),
            checked_at: None,
            storage,
        }
    }
}

/// Whether the expiry date was typed by the user or confirmed by Azure DevOps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpirySource {
    Entered,
    Verified,
}

/// The identity the token authenticates as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub display_name: String,
    pub unique_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub taken_at: Timestamp,
    pub repository_ids: Vec<String>,
}

/// The last token rotation, so the tool can remind the user to revoke the old token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub old_token_revoked: bool,
    pub rotated_at: Timestamp,
}

impl State {
    /// `dir/state.toml`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// Reads `dir/state.toml`. A missing file is an empty state; an unreadable, corrupt or newer
    /// file is an error naming the file (and the line), and the file is left as it is.
    pub fn load(dir: &Path) -> Result<Self, StoreError> {
        let path = Self::path(dir);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(StoreError::io("read", &path, e)),
        };
        let state: Self = toml::from_str(&text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(&text, span.start))
                .unzip();
            StoreError::Corrupt {
                path: path.clone(),
                line,
                column,
                problem: e.message().trim_end().to_owned(),
            }
        })?;
        if state.version > STATE_VERSION {
            return Err(StoreError::NewerFormat {
                path,
                found: state.version,
                supported: STATE_VERSION,
            });
        }
        Ok(state)
    }

    /// Writes `dir/state.toml` atomically (mode 0600), creating `dir` (mode 0700) if needed.
    pub fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let path = Self::path(dir);
        let body = toml::to_string(&StateOut {
            version: STATE_VERSION,
            organizations: &self.organizations,
        })
        .map_err(|e| StoreError::Encode {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        write_private(&path, format!("{HEADER}{body}").as_bytes())
    }

    pub fn org(&self, key: &str) -> Option<&OrgState> {
        self.organizations.get(key)
    }

    /// The organization's entry, created if absent; its name and URL are refreshed to the given ones.
    pub fn org_mut(&mut self, key: &str, name: &str, url: &str) -> &mut OrgState {
        let org = self
            .organizations
            .entry(key.to_owned())
            .or_insert_with(|| OrgState {
                organization: OrgInfo {
                    name: String::new(),
                    url: String::new(),
                },
                token: None,
                profile: toml::Table::new(),
                snapshot: None,
                rotation: None,
                api_version: None,
            });
        name.clone_into(&mut org.organization.name);
        url.clone_into(&mut org.organization.url);
        org
    }

    /// The client settings for the organization: the defaults, starting at the REST API version
    /// its server is known to support.
    pub fn client_config(&self, key: &str) -> ClientConfig {
        ClientConfig {
            api_version: self.org(key).and_then(|o| o.api_version.clone()),
            ..ClientConfig::default()
        }
    }

    /// Remembers the REST API version a client learnt for the organization; `true` when that
    /// changed the state (so it needs saving).
    pub fn remember_api_version(&mut self, org: &OrgUrl, client: &Client) -> bool {
        let Some(version) = client.negotiated_api_version() else {
            return false;
        };
        let entry = self.org_mut(&org.key(), org.name(), org.base());
        if entry.api_version.as_deref() == Some(version.as_str()) {
            return false;
        }
        entry.api_version = Some(version);
        true
    }

    /// Forgets an organization; returns what was remembered.
    pub fn remove_org(&mut self, key: &str) -> Option<OrgState> {
        self.organizations.remove(key)
    }

    /// All remembered organizations, ordered by key.
    pub fn organizations(&self) -> impl Iterator<Item = (&str, &OrgState)> {
        self.organizations
            .iter()
            .map(|(key, org)| (key.as_str(), org))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const KEY: &str = "https://dev.azure.com/fabrikam";

    fn sample() -> Result<State, Box<dyn std::error::Error>> {
        let mut state = State::default();
        let org = state.org_mut(KEY, "fabrikam", "https://dev.azure.com/fabrikam");
        org.token = Some(TokenMeta {
            expires_on: Some(Date::new(2026, 3, 31)?),
            expiry_source: Some(ExpirySource::Verified),
            identity: Some(Identity {
                id: "6f1c1a8e-0000-4000-8000-000000000001".into(),
                display_name: "Gate Bot".into(),
                unique_name: "gate@fabrikam.com".into(),
            }),
            scopes_seen: vec!["vso.code".into(), "vso.hooks_write".into()],
            checked_at: Some("2025-11-28T05:17:00Z".parse()?),
            storage: StorageKind::Keyring,
        });
        let profile: toml::Table = toml::from_str(
            "webhook_url = \"https://gate.example.com/hook\"\n[status]\nname = \"gate\"\nblocking = true\n",
        )?;
        org.profile = profile;
        org.snapshot = Some(Snapshot {
            taken_at: "2025-11-28T05:18:00Z".parse()?,
            repository_ids: vec!["r1".into(), "r2".into()],
        });
        org.rotation = Some(Rotation {
            old_token_revoked: false,
            rotated_at: "2025-11-27T10:00:00Z".parse()?,
        });
        state.org_mut(
            "https://tfs.example.com/tfs/defaultcollection",
            "DefaultCollection",
            "https://tfs.example.com/tfs/DefaultCollection",
        );
        Ok(state)
    }

    #[test]
    fn round_trip_keeps_everything() -> TestResult {
        let dir = tempfile::tempdir()?;
        let state = sample()?;
        state.save(dir.path())?;
        let loaded = State::load(dir.path())?;
        assert_eq!(loaded, state);
        let keys: Vec<&str> = loaded.organizations().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            vec![KEY, "https://tfs.example.com/tfs/defaultcollection"]
        );
        let text = fs::read_to_string(State::path(dir.path()))?;
        assert!(text.contains("expires_on = \"2026-03-31\""), "{text}");
        assert!(text.contains("expiry_source = \"verified\""), "{text}");
        assert!(text.contains("storage = \"keyring\""), "{text}");
        Ok(())
    }

    #[test]
    fn a_missing_file_is_an_empty_state() -> TestResult {
        let dir = tempfile::tempdir()?;
        let state = State::load(&dir.path().join("not-yet-created"))?;
        assert_eq!(state.organizations().count(), 0);
        Ok(())
    }

    #[test]
    fn org_mut_creates_then_refreshes_and_remove_forgets() -> TestResult {
        let mut state = State::default();
        state
            .org_mut(KEY, "fabrikam", "https://dev.azure.com/fabrikam")
            .token = Some(TokenMeta::new(StorageKind::File));
        let again = state.org_mut(KEY, "Fabrikam", "https://dev.azure.com/Fabrikam");
        assert_eq!(again.organization.name, "Fabrikam");
        assert!(again.token.is_some(), "refreshing keeps what was known");
        assert!(state.remove_org(KEY).is_some());
        assert!(state.org(KEY).is_none());
        assert!(state.remove_org(KEY).is_none());
        Ok(())
    }

    #[test]
    fn save_is_atomic_and_private() -> TestResult {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("azdo-gate");
        sample()?.save(&config)?;
        State::default().save(&config)?;
        let names: Vec<String> = fs::read_dir(&config)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        assert_eq!(names, vec![STATE_FILE.to_owned()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode(&State::path(&config))?, 0o600);
            assert_eq!(mode(&config)?, 0o700);
        }
        Ok(())
    }

    #[test]
    fn a_corrupt_file_is_an_error_with_its_line_and_stays_untouched() -> TestResult {
        let dir = tempfile::tempdir()?;
        sample()?.save(dir.path())?;
        let path = State::path(dir.path());
        let mut text = fs::read_to_string(&path)?;
        text.push_str("\n[organizations.\"broken\"\nname = 1\n");
        fs::write(&path, &text)?;
        let broken_line = text
            .lines()
            .position(|l| l.contains("\"broken\""))
            .map(|i| i + 1);

        let err = match State::load(dir.path()) {
            Err(err @ StoreError::Corrupt { .. }) => err,
            other => panic!("expected a corrupt-file error, got {other:?}"),
        };
        if let StoreError::Corrupt { line, .. } = &err {
            assert_eq!(*line, broken_line);
        }
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("line "), "{message}");
        assert_eq!(
            fs::read_to_string(&path)?,
            text,
            "the file must not be reset"
        );
        Ok(())
    }

    #[test]
    fn a_newer_format_is_refused() -> TestResult {
        let dir = tempfile::tempdir()?;
        fs::write(State::path(dir.path()), "version = 99\n")?;
        match State::load(dir.path()) {
            Err(StoreError::NewerFormat { found: 99, .. }) => Ok(()),
            other => panic!("expected a newer-format error, got {other:?}"),
        }
    }
}
