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
use super::lock::lock_state;
use super::{StorageKind, StoreError};
use crate::ado::ClientConfig;
use crate::org::OrgUrl;
use crate::org::{Identity, OrgInfo};
use crate::token::Fingerprint;

/// The state file's name inside the configuration directory.
pub const STATE_FILE: &str = "state.toml";

/// The format version this build writes; a file with a higher one is refused, not misread.
pub const STATE_VERSION: u32 = 1;

const HEADER: &str = "# azdo-gate state: remembered between runs. It holds no token.\n# Deleting it is safe: the tool asks again what it needs.\n\n";

/// Everything remembered, keyed by organization key ([`crate::org::OrgUrl::key`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    #[serde(default = "current_version")]
    version: u32,
    /// The organization commands use when `--org` is omitted (a key of `organizations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_organization: Option<String>,
    #[serde(default)]
    organizations: BTreeMap<String, OrgState>,
    /// Keys this version does not know, kept as they are.
    #[serde(flatten, default)]
    extra: toml::Table,
    /// The organizations as loaded, so [`State::save`] writes only the entries this command
    /// changed and keeps what other commands wrote meanwhile.
    #[serde(skip)]
    baseline: BTreeMap<String, OrgState>,
    /// The default organization as loaded, for the same reason.
    #[serde(skip)]
    baseline_default: Option<String>,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.default_organization == other.default_organization
            && self.organizations == other.organizations
            && self.extra == other.extra
    }
}

/// What [`State::save`] writes: always the current format version.
#[derive(Serialize)]
struct StateOut<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_organization: Option<&'a String>,
    organizations: &'a BTreeMap<String, OrgState>,
    #[serde(flatten)]
    extra: &'a toml::Table,
}

fn current_version() -> u32 {
    STATE_VERSION
}

impl Default for State {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            default_organization: None,
            organizations: BTreeMap::new(),
            extra: toml::Table::new(),
            baseline: BTreeMap::new(),
            baseline_default: None,
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
    /// Keys this version does not know (written by a newer one), kept as they are.
    #[serde(flatten, default, skip_serializing_if = "toml::Table::is_empty")]
    pub extra: toml::Table,
    /// The REST API version this Azure DevOps Server supports (learnt when it refused the tool's
    /// own), so later runs start with it and send no request it must refuse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// What is known about the stored token without holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenMeta {
    /// The name the wizard's recipe suggested for the token (Azure DevOps does not tell a token
    /// its own name), so the revoke step can point at it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
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
    /// Which store holds the token, so every command finds it without flags; `None` for a token
    /// azdo-gate does not keep (a CI secret recorded with `check --record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageKind>,
    /// Recognises the token when it comes from the environment or stdin, and refuses it as its
    /// own replacement (see [`crate::token`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
    /// Whether the admin confirmed giving this token to the gating service; `None` when the
    /// wizard did not ask (a token recorded by the command line, or by an older version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<HandOver>,
}

/// The answer on the wizard's "Give the token to the gating service" step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandOver {
    /// "I pasted it and saved it in the gating service."
    Confirmed,
    /// Skipped: an open item on the summary and the home screen until marked done.
    Skipped,
}

impl TokenMeta {
    /// Metadata for a token just stored in `storage` (`None`: kept elsewhere), before anything
    /// is known about it.
    pub fn new(storage: Option<StorageKind>) -> Self {
        Self {
            name: None,
            expires_on: None,
            expiry_source: None,
            identity: None,
            scopes_seen: Vec::new(),
            checked_at: None,
            storage,
            fingerprint: None,
            handover: None,
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
        let mut state = Self::read(dir)?;
        state.baseline = state.organizations.clone();
        state.baseline_default = state.default_organization.clone();
        Ok(state)
    }

    fn read(dir: &Path) -> Result<Self, StoreError> {
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
    ///
    /// Under the state lock, the file is read again and only the organizations this value changed
    /// since it was loaded are replaced (or removed): two commands for different organizations
    /// sharing a directory never lose each other's entries, and what they do not know is kept.
    pub fn save(&self, dir: &Path) -> Result<(), StoreError> {
        super::atomic::ensure_private_dir(dir)?;
        let _lock = lock_state(dir)?;
        let mut current = Self::read(dir)?;
        let keys: std::collections::BTreeSet<&String> = self
            .organizations
            .keys()
            .chain(self.baseline.keys())
            .collect();
        for key in keys {
            let now = self.organizations.get(key);
            if now == self.baseline.get(key) {
                continue;
            }
            match now {
                Some(org) => current.organizations.insert(key.clone(), org.clone()),
                None => current.organizations.remove(key),
            };
        }
        if self.default_organization != self.baseline_default {
            current.default_organization = self.default_organization.clone();
        }
        let path = Self::path(dir);
        let body = toml::to_string(&StateOut {
            version: STATE_VERSION,
            default_organization: current.default_organization.as_ref(),
            organizations: &current.organizations,
            extra: &current.extra,
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

    /// The store the organization's token was saved in, as recorded; `None` when nothing is
    /// recorded or the token lives outside azdo-gate (a CI secret noted with `check --record`).
    pub fn token_storage(&self, key: &str) -> Option<StorageKind> {
        self.org(key)?.token.as_ref()?.storage
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
                extra: toml::Table::new(),
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

    /// Remembers the REST API version a client learnt for the organization (`None`: it learnt
    /// nothing); `true` when that changed the state (so it needs saving).
    pub fn remember_api_version(&mut self, org: &OrgUrl, version: Option<String>) -> bool {
        let Some(version) = version else {
            return false;
        };
        let entry = self.org_mut(&org.key(), org.name(), org.base());
        if entry.api_version.as_deref() == Some(version.as_str()) {
            return false;
        }
        entry.api_version = Some(version);
        true
    }

    /// Forgets an organization (and that it was the default); returns what was remembered.
    pub fn remove_org(&mut self, key: &str) -> Option<OrgState> {
        if self.default_organization.as_deref() == Some(key) {
            self.default_organization = None;
        }
        self.organizations.remove(key)
    }

    /// The organization to use when none is named: the one marked default, else the only one
    /// set up (with a token recorded); `None` when that does not single one out.
    pub fn default_org(&self) -> Option<&OrgState> {
        if let Some(org) = self
            .default_organization
            .as_deref()
            .and_then(|key| self.organizations.get(key))
        {
            return Some(org);
        }
        let mut set_up = self.organizations.values().filter(|o| o.token.is_some());
        match (set_up.next(), set_up.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// The organization marked default, if one is.
    pub fn default_org_key(&self) -> Option<&str> {
        self.default_organization.as_deref()
    }

    /// Marks `key` as the organization to use when none is named.
    pub fn set_default_org(&mut self, key: &str) {
        self.default_organization = Some(key.to_owned());
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
            name: Some("azdo-gate fabrikam 2025-03-31".into()),
            expires_on: Some(Date::new(2026, 3, 31)?),
            expiry_source: Some(ExpirySource::Verified),
            identity: Some(Identity {
                id: "6f1c1a8e-0000-4000-8000-000000000001".into(),
                display_name: "Gate Bot".into(),
                unique_name: "gate@fabrikam.com".into(),
            }),
            scopes_seen: vec!["vso.code".into(), "vso.hooks_write".into()],
            checked_at: Some("2025-11-28T05:17:00Z".parse()?),
            storage: Some(StorageKind::Keyring),
            fingerprint: Some(crate::token::Pat::parse("pat")?.fingerprint()),
            handover: Some(HandOver::Skipped),
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
        assert!(text.contains("fingerprint = \""), "{text}");
        Ok(())
    }

    #[test]
    fn the_default_organization_is_the_marked_one_else_the_only_one_set_up() -> TestResult {
        let dir = tempfile::tempdir()?;
        let mut state = sample()?;
        // Two entries, one with a token: that one is the default.
        assert_eq!(
            state.default_org().map(|o| o.organization.name.as_str()),
            Some("fabrikam")
        );
        let other = "https://tfs.example.com/tfs/defaultcollection";
        state.org_mut(other, "DefaultCollection", other).token =
            Some(TokenMeta::new(Some(StorageKind::File)));
        assert!(state.default_org().is_none(), "two set up, none marked");
        state.set_default_org(other);
        state.save(dir.path())?;
        let loaded = State::load(dir.path())?;
        assert_eq!(
            loaded.default_org().map(|o| o.organization.name.as_str()),
            Some("DefaultCollection")
        );
        let mut loaded = loaded;
        loaded.remove_org(other);
        assert_eq!(
            loaded.default_org().map(|o| o.organization.name.as_str()),
            Some("fabrikam")
        );
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
            .token = Some(TokenMeta::new(Some(StorageKind::File)));
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
        let mut names: Vec<String> = fs::read_dir(&config)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        names.sort();
        assert_eq!(
            names,
            vec![
                super::super::lock::LOCK_DIR.to_owned(),
                STATE_FILE.to_owned()
            ]
        );
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
    fn concurrent_saves_keep_each_others_organizations_and_unknown_keys() -> TestResult {
        let dir = tempfile::tempdir()?;
        fs::write(
            State::path(dir.path()),
            "version = 1\nfuture_top = 1\n[organizations.other]\nfuture_key = \"kept\"\n[organizations.other.organization]\nname = \"o\"\nurl = \"u\"\n",
        )?;
        let mut first = State::load(dir.path())?;
        let mut second = State::load(dir.path())?;
        first.org_mut("a", "a", "https://a");
        second.org_mut("b", "b", "https://b");
        first.save(dir.path())?;
        second.save(dir.path())?;
        let merged = State::load(dir.path())?;
        let keys: Vec<&str> = merged.organizations().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["a", "b", "other"]);
        let text = fs::read_to_string(State::path(dir.path()))?;
        assert!(text.contains("future_key = \"kept\""), "{text}");
        assert!(text.contains("future_top = 1"), "{text}");

        let mut remover = State::load(dir.path())?;
        remover.remove_org("a");
        remover.save(dir.path())?;
        let keys: Vec<String> = State::load(dir.path())?
            .organizations()
            .map(|(k, _)| k.to_owned())
            .collect();
        assert_eq!(keys, vec!["b", "other"]);
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
