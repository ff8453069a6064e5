//! The explicit, insecure fallback: tokens in plain text in `tokens.toml` (mode 0600).
//!
//! Only used when the user asks for it (`--insecure-storage`), for machines without an OS credential
//! store. The file's text is held in secret containers and wiped after use; parse errors never quote
//! the file, since any line of it may be a token.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::atomic::write_private;
use super::error::line_and_column;
use super::{CredentialStore, StorageKind, StoreError};

const HEADER: &str = "# azdo-gate tokens, stored in plain text because --insecure-storage was chosen.\n# Anyone who can read this file can use these tokens. Keep it private (mode 0600).\n\n";

/// Tokens in a plain-text TOML file, keyed by organization key.
pub struct FileStore {
    path: PathBuf,
    /// Serialises this process's read-modify-write cycles on the file.
    lock: Mutex<()>,
}

/// A token as read from the file: goes straight into a secret container.
struct FileToken(SecretString);

impl<'de> Deserialize<'de> for FileToken {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Self(SecretString::from(s)))
    }
}

/// A token on its way into the file: the one place this store exposes it.
struct ExposedForFile<'a>(&'a SecretString);

impl Serialize for ExposedForFile<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.expose_secret())
    }
}

#[derive(Deserialize)]
struct TokensIn {
    #[serde(default)]
    tokens: BTreeMap<String, FileToken>,
}

#[derive(Serialize)]
struct TokensOut<'a> {
    tokens: BTreeMap<&'a str, ExposedForFile<'a>>,
}

impl FileStore {
    /// Shown wherever this store is chosen or described.
    pub const WARNING: &'static str = "the token is stored unencrypted: anyone who can read this file, or a backup of it, can act as you in Azure DevOps";

    /// The file's name inside the configuration directory.
    pub const FILE_NAME: &'static str = "tokens.toml";

    /// The store for `dir/tokens.toml`. Nothing is read or created until it is used.
    pub fn new(dir: &Path) -> Self {
        Self {
            path: dir.join(Self::FILE_NAME),
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens in the file; an absent file holds none.
    fn read(&self) -> Result<BTreeMap<String, SecretString>, StoreError> {
        let raw = match fs::read_to_string(&self.path) {
            Ok(text) => SecretString::from(text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(StoreError::io("read", &self.path, e)),
        };
        self.check_private()?;
        let parsed: TokensIn = toml::from_str(raw.expose_secret()).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(raw.expose_secret(), span.start))
                .unzip();
            StoreError::Corrupt {
                path: self.path.clone(),
                line,
                column,
                problem: "it is not a valid token file (details are not shown because the file holds tokens)".into(),
            }
        })?;
        Ok(parsed
            .tokens
            .into_iter()
            .map(|(key, token)| (key, token.0))
            .collect())
    }

    /// Refuses a token file other users can read, as ssh refuses a loose private key.
    fn check_private(&self) -> Result<(), StoreError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&self.path)
                .map_err(|e| StoreError::io("inspect", &self.path, e))?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                return Err(StoreError::InsecurePermissions {
                    path: self.path.clone(),
                    mode,
                });
            }
        }
        Ok(())
    }

    /// Writes the tokens back, or removes the file once none is left.
    fn write(&self, tokens: &BTreeMap<String, SecretString>) -> Result<(), StoreError> {
        if tokens.is_empty() {
            return match fs::remove_file(&self.path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError::io("remove", &self.path, e)),
            };
        }
        let out = TokensOut {
            tokens: tokens
                .iter()
                .map(|(key, token)| (key.as_str(), ExposedForFile(token)))
                .collect(),
        };
        let mut body = toml::to_string(&out).map_err(|e| StoreError::Encode {
            path: self.path.clone(),
            detail: e.to_string(),
        })?;
        let mut text = format!("{HEADER}{body}");
        body.zeroize();
        let written = write_private(&self.path, text.as_bytes());
        text.zeroize();
        written
    }
}

impl CredentialStore for FileStore {
    /// Where, only: the [`FileStore::WARNING`] is given once by whoever uses the file (the CLI on
    /// every use, the wizard where the token is stored), not again in every sentence naming it.
    fn describe(&self) -> String {
        format!("insecure file {}", display_with_home(&self.path))
    }

    fn kind(&self) -> StorageKind {
        StorageKind::File
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(self.read()?.remove(key))
    }

    fn set(&self, key: &str, token: &SecretString) -> Result<(), StoreError> {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut tokens = self.read()?;
        tokens.insert(key.to_owned(), token.clone());
        self.write(&tokens)
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut tokens = self.read()?;
        if tokens.remove(key).is_none() {
            return Ok(false);
        }
        self.write(&tokens)?;
        Ok(true)
    }
}

/// `~/...` instead of the full home path: shorter on screen, and the same for every user's docs.
fn display_with_home(path: &Path) -> String {
    directories::BaseDirs::new()
        .and_then(|dirs| {
            path.strip_prefix(dirs.home_dir())
                .ok()
                .map(|rest| Path::new("~").join(rest).display().to_string())
        })
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn exposed(token: Option<SecretString>) -> Option<String> {
        token.map(|t| t.expose_secret().to_owned())
    }

    #[test]
    fn set_get_delete_across_instances() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = FileStore::new(dir.path());
        assert_eq!(store.kind(), StorageKind::File);
        assert!(store.get("https://dev.azure.com/a")?.is_none());
        assert!(!store.delete("https://dev.azure.com/a")?);
        assert!(!store.path().exists(), "reading must not create the file");

        store.set("https://dev.azure.com/a", &SecretString::from("pat-a"))?;
        store.set("https://dev.azure.com/b", &SecretString::from("pat-b"))?;
        store.set("https://dev.azure.com/a", &SecretString::from("pat-a2"))?;

        let reopened = FileStore::new(dir.path());
        assert_eq!(
            exposed(reopened.get("https://dev.azure.com/a")?).as_deref(),
            Some("pat-a2")
        );
        assert_eq!(
            exposed(reopened.get("https://dev.azure.com/b")?).as_deref(),
            Some("pat-b")
        );

        assert!(reopened.delete("https://dev.azure.com/a")?);
        assert!(store.get("https://dev.azure.com/a")?.is_none());
        assert!(store.path().exists());
        assert!(reopened.delete("https://dev.azure.com/b")?);
        assert!(
            !store.path().exists(),
            "the file goes away with its last token"
        );
        Ok(())
    }

    #[test]
    fn the_file_warns_its_reader() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = FileStore::new(dir.path());
        store.set("k", &SecretString::from("pat"))?;
        let text = fs::read_to_string(store.path())?;
        assert!(text.starts_with("# azdo-gate tokens"), "{text}");
        assert!(!store.describe().contains(FileStore::WARNING), "said once");
        assert!(store.describe().contains("insecure file"));
        assert!(store.describe().contains("tokens.toml"));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_a_loose_one_is_refused() -> TestResult {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let store = FileStore::new(dir.path());
        store.set("k", &SecretString::from("pat"))?;
        assert_eq!(
            fs::metadata(store.path())?.permissions().mode() & 0o777,
            0o600
        );

        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644))?;
        match store.get("k") {
            Err(StoreError::InsecurePermissions { mode, .. }) => assert_eq!(mode, 0o644),
            other => panic!("expected a permissions error, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn a_corrupt_file_is_reported_without_quoting_it() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = FileStore::new(dir.path());
        store.set("k", &SecretString::from("pat-secret-value"))?;
        let broken = "[tokens]\n\"k\" = \"pat-secret-value\n";
        fs::write(store.path(), broken)?;
        let err = match store.get("k") {
            Err(err @ StoreError::Corrupt { .. }) => err,
            other => panic!("expected a corrupt-file error, got {other:?}"),
        };
        let text = err.to_string();
        assert!(text.contains("tokens.toml"), "{text}");
        assert!(text.contains("line 2"), "{text}");
        assert!(!text.contains("pat-secret-value"), "{text}");
        assert_eq!(fs::read_to_string(store.path())?, broken);
        Ok(())
    }
}
