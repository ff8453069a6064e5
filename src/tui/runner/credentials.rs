//! The runner's view of where tokens live: the credential stores (opened lazily, the OS store once)
//! and the tokens already in use this run. Tasks share it through an `Arc`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use secrecy::SecretString;
use tokio::sync::OnceCell;

use crate::org::OrgUrl;
use crate::store::{
    self, CredentialStore, FileStore, MemoryStore, StorageKind, StoreError, get_async, set_async,
};
use crate::tui::effect::StoreTarget;
use crate::tui::msg::{Stored, TaskError};

/// Stores, and the tokens this run has verified or read.
pub(crate) struct Credentials {
    config_dir: PathBuf,
    os: OnceCell<Arc<dyn CredentialStore>>,
    memory: Arc<dyn CredentialStore>,
    /// Tokens in use, by organization key: the one just verified and stored (or kept for this
    /// run only) wins over whatever a store holds.
    session: Mutex<HashMap<String, SecretString>>,
}

impl Credentials {
    pub(crate) fn new(config_dir: PathBuf) -> Self {
        Self {
            config_dir,
            os: OnceCell::new(),
            memory: Arc::new(MemoryStore::new()),
            session: Mutex::new(HashMap::new()),
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

    /// Uses `token` for `org` for the rest of the run.
    fn remember(&self, org: &OrgUrl, token: SecretString) {
        self.session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(org.key(), token);
    }

    /// The token to use for `org`: the one in use this run, else the one stored as `kind`.
    pub(crate) async fn token_for(
        &self,
        org: &OrgUrl,
        kind: Option<StorageKind>,
    ) -> Result<SecretString, TaskError> {
        let key = org.key();
        let in_use = self
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
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

impl Credentials {
    /// The store the organization's token is kept in (`kind` as `state.toml` records it, the OS
    /// store when unknown): other secrets, like the webhook's basic-auth password, live beside it.
    pub(crate) async fn store_for(
        &self,
        kind: Option<StorageKind>,
    ) -> Result<Option<Arc<dyn CredentialStore>>, StoreError> {
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
}
