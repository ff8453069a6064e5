//! The runner's view of where tokens live: the credential stores (opened lazily, the OS store once)
//! and the tokens already in use this run. Tasks share it through an `Arc`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use secrecy::SecretString;
use tokio::sync::OnceCell;

use crate::ado::ClientConfig;
use crate::org::OrgUrl;
use crate::store::{
    self, CredentialStore, FileStore, MemoryStore, State, StorageKind, StoreError, get_async,
    set_async,
};
use crate::tui::effect::{StoreTarget, WebhookPassword};
use crate::tui::msg::{Stored, TaskError};

/// Stores, and the tokens this run has verified or read.
pub(crate) struct Credentials {
    config_dir: PathBuf,
    os: OnceCell<Arc<dyn CredentialStore>>,
    memory: Arc<dyn CredentialStore>,
    /// Tokens in use, by organization key: the one just verified and stored (or kept for this
    /// run only) wins over whatever a store holds.
    session: Mutex<HashMap<String, SecretString>>,
    /// Rotation: the token being replaced, by organization key, read from its store before the
    /// new one overwrote it; kept until the rotation ends so it can be put back.
    old: Mutex<HashMap<String, SecretString>>,
    /// The REST API version each organization's Azure DevOps Server accepts, by organization key:
    /// learnt this run, else as `state.toml` recorded it (read once per organization; `None`
    /// when it records none), so only the first client of a run (or none, on a later run) is
    /// refused an out-of-range version.
    api_versions: Mutex<HashMap<String, Option<String>>>,
}

impl Credentials {
    pub(crate) fn new(config_dir: PathBuf) -> Self {
        Self {
            config_dir,
            os: OnceCell::new(),
            memory: Arc::new(MemoryStore::new()),
            session: Mutex::new(HashMap::new()),
            old: Mutex::new(HashMap::new()),
            api_versions: Mutex::new(HashMap::new()),
        }
    }

    /// Client settings for `org`: the defaults, starting at the version its server is known to
    /// accept.
    pub(crate) fn client_config(&self, org: &OrgUrl) -> ClientConfig {
        let key = org.key();
        // What state.toml says, when this run has learnt nothing yet; an unreadable file only
        // costs one refused request.
        let api_version = lock(&self.api_versions)
            .entry(key)
            .or_insert_with_key(|key| {
                State::load(&self.config_dir)
                    .ok()?
                    .org(key)?
                    .api_version
                    .clone()
            })
            .clone();
        ClientConfig {
            api_version,
            ..ClientConfig::default()
        }
    }

    /// Remembers the version a client negotiated with `org`'s server, for the rest of the run.
    pub(crate) fn learnt_api_version(&self, org: &OrgUrl, version: Option<String>) {
        if let Some(version) = version {
            lock(&self.api_versions).insert(org.key(), Some(version));
        }
    }

    /// The configuration directory, where the insecure token file and the lock files live.
    pub(crate) fn config_dir(&self) -> &std::path::Path {
        &self.config_dir
    }

    /// The store behind `target`; `None` for a token kept for this run only. The OS store is
    /// opened on first use and kept; a failure to open it is retried on the next call.
    async fn store(
        &self,
        target: StoreTarget,
    ) -> Result<Option<Arc<dyn CredentialStore>>, StoreError> {
        Ok(match target {
            StoreTarget::OsStore => Some(
                self.os
                    .get_or_try_init(store::open_os_store_async)
                    .await?
                    .clone(),
            ),
            StoreTarget::InsecureFile => Some(Arc::new(FileStore::new(&self.config_dir))),
            StoreTarget::Memory => Some(self.memory.clone()),
            StoreTarget::SessionOnly => None,
        })
    }

    /// Stores `token` for `org` in `target` (replacing any previous one) and uses it from now on.
    pub(crate) async fn store_token(
        &self,
        org: &OrgUrl,
        token: SecretString,
        target: StoreTarget,
    ) -> Result<Stored, StoreError> {
        let description = match self.store(target).await? {
            Some(store) => {
                set_async(&store, &org.key(), &token).await?;
                match target {
                    StoreTarget::Memory => "memory (the demo forgets it when it ends)".to_owned(),
                    _ => store.describe(),
                }
            }
            None => "memory, for this run only".to_owned(),
        };
        self.remember(org, token);
        Ok(Stored {
            target,
            description,
        })
    }

    /// Reads the token stored for `org` in `target` and keeps it as the old token, unless one is
    /// kept already (a second attempt after a failed write may find the new token there). Returns
    /// whether an old token is kept; one that cannot be read is simply not kept.
    pub(crate) async fn keep_old(&self, org: &OrgUrl, target: StoreTarget) -> bool {
        let key = org.key();
        if lock(&self.old).contains_key(&key) {
            return true;
        }
        let Ok(Some(store)) = self.store(target).await else {
            return false;
        };
        match get_async(&store, &key).await {
            Ok(Some(old)) => {
                lock(&self.old).entry(key).or_insert(old);
                true
            }
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, "could not read the token being replaced");
                false
            }
        }
    }

    /// Writes the kept old token for `org` back into `target` and uses it again from now on.
    pub(crate) async fn restore_old(
        &self,
        org: &OrgUrl,
        target: StoreTarget,
    ) -> Result<Stored, StoreError> {
        let old = lock(&self.old).get(&org.key()).cloned();
        let Some(old) = old else {
            return Err(StoreError::Backend {
                store: "azdo-gate's memory".to_owned(),
                detail: "the old token is no longer kept (the rotation ended)".to_owned(),
            });
        };
        self.store_token(org, old, target).await
    }

    /// The rotation is over: the old tokens are dropped (and their memory zeroed).
    pub(crate) fn forget_old(&self) {
        lock(&self.old).clear();
    }

    /// Uses `token` for `org` for the rest of the run.
    fn remember(&self, org: &OrgUrl, token: SecretString) {
        lock(&self.session).insert(org.key(), token);
    }

    /// The token to use for `org`: the one in use this run, else the one stored as `kind`.
    pub(crate) async fn token_for(
        &self,
        org: &OrgUrl,
        kind: Option<StorageKind>,
    ) -> Result<SecretString, TaskError> {
        let key = org.key();
        let in_use = lock(&self.session).get(&key).cloned();
        if let Some(token) = in_use {
            return Ok(token);
        }
        let target = kind.map_or(StoreTarget::OsStore, StoreTarget::for_kind);
        let Some(store) = self.store(target).await? else {
            return Err(TaskError::NoToken {
                org: org.name().to_owned(),
                store: "this run's memory".to_owned(),
            });
        };
        match get_async(&store, &key).await? {
            Some(token) => {
                self.remember(org, token.clone());
                Ok(token)
            }
            None => Err(TaskError::NoToken {
                org: org.name().to_owned(),
                store: store.describe(),
            }),
        }
    }
}

/// The map, even if a task panicked while holding it: a map by organization has no invariant to
/// break.
fn lock<V>(map: &Mutex<HashMap<String, V>>) -> MutexGuard<'_, HashMap<String, V>> {
    map.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Credentials {
    /// Stores the webhook's basic-auth password beside the token just stored in `target`; with a
    /// token kept for this run only, in this run's memory (forgotten when the wizard ends).
    pub(crate) async fn store_webhook_password(
        &self,
        password: &WebhookPassword,
        target: StoreTarget,
    ) -> Result<(), StoreError> {
        let store = self
            .store(target)
            .await?
            .unwrap_or_else(|| self.memory.clone());
        set_async(&store, &password.entry, &password.password).await
    }

    /// Where the webhook's basic-auth password named `entry` is: this run's memory when it was
    /// kept there, else beside the organization's token (`kind` as `state.toml` records it, the
    /// OS store when unknown).
    pub(crate) async fn password_store(
        &self,
        entry: Option<&str>,
        kind: Option<StorageKind>,
    ) -> Result<Option<Arc<dyn CredentialStore>>, StoreError> {
        if let Some(entry) = entry
            && get_async(&self.memory, entry).await?.is_some()
        {
            return Ok(Some(self.memory.clone()));
        }
        self.store(kind.map_or(StoreTarget::OsStore, StoreTarget::for_kind))
            .await
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn org() -> OrgUrl {
        OrgUrl::parse("http://127.0.0.1:9/fabrikam").unwrap()
    }

    #[tokio::test]
    async fn a_stored_token_is_used_for_the_rest_of_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::new(dir.path().to_path_buf());
        let stored = credentials
            .store_token(&org(), SecretString::from("new-token"), StoreTarget::Memory)
            .await
            .unwrap();
        assert_eq!(stored.target, StoreTarget::Memory);
        let token = credentials
            .token_for(&org(), Some(StorageKind::Memory))
            .await
            .unwrap();
        assert_eq!(token.expose_secret(), "new-token");
    }

    #[tokio::test]
    async fn the_insecure_file_holds_the_token_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let first = Credentials::new(dir.path().to_path_buf());
        let stored = first
            .store_token(
                &org(),
                SecretString::from("file-token"),
                StoreTarget::InsecureFile,
            )
            .await
            .unwrap();
        assert!(
            stored.description.contains("tokens.toml"),
            "{}",
            stored.description
        );
        let next_run = Credentials::new(dir.path().to_path_buf());
        let token = next_run
            .token_for(&org(), Some(StorageKind::File))
            .await
            .unwrap();
        assert_eq!(token.expose_secret(), "file-token");
    }

    #[tokio::test]
    async fn a_session_only_token_is_not_written_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::new(dir.path().to_path_buf());
        credentials
            .store_token(
                &org(),
                SecretString::from("session"),
                StoreTarget::SessionOnly,
            )
            .await
            .unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let missing = Credentials::new(dir.path().to_path_buf())
            .token_for(&org(), Some(StorageKind::Memory))
            .await;
        assert!(matches!(missing, Err(TaskError::NoToken { .. })));
    }

    #[tokio::test]
    async fn a_rotation_keeps_the_old_token_until_it_ends_and_can_put_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = StoreTarget::InsecureFile;
        let credentials = Credentials::new(dir.path().to_path_buf());
        credentials
            .store_token(&org(), SecretString::from("old-token"), file)
            .await
            .unwrap();
        assert!(credentials.keep_old(&org(), file).await);
        credentials
            .store_token(&org(), SecretString::from("new-token"), file)
            .await
            .unwrap();
        assert!(
            credentials.keep_old(&org(), file).await,
            "a second attempt keeps the first old token, not the new one now stored"
        );

        credentials.restore_old(&org(), file).await.unwrap();
        let in_use = credentials.token_for(&org(), Some(StorageKind::File)).await;
        assert_eq!(in_use.unwrap().expose_secret(), "old-token");
        let next_run = Credentials::new(dir.path().to_path_buf())
            .token_for(&org(), Some(StorageKind::File))
            .await;
        assert_eq!(next_run.unwrap().expose_secret(), "old-token");

        credentials.forget_old();
        assert!(
            credentials.restore_old(&org(), file).await.is_err(),
            "dropped when the rotation ends"
        );
    }

    #[tokio::test]
    async fn nothing_is_kept_when_no_token_was_stored() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::new(dir.path().to_path_buf());
        assert!(
            !credentials
                .keep_old(&org(), StoreTarget::InsecureFile)
                .await
        );
    }
}
