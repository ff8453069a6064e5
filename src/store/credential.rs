//! The credential store interface, and the bridge that keeps its blocking calls off the async runtime.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Which kind of store holds a token; recorded in the state file so reports can say where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// The OS credential store (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// The plain-text `tokens.toml` the user opted into with `--insecure-storage`.
    File,
    /// Process memory only (tests and `azdo-gate demo`).
    Memory,
}

/// A place to keep one token per organization, keyed by [`crate::org::OrgUrl::key`].
///
/// Calls may block (a keyring may wait for an unlock prompt): from async code use [`call`] or the
/// `*_async` helpers, never the methods directly.
pub trait CredentialStore: Send + Sync {
    /// Human-readable name shown in reports and on screen, e.g. "Secret Service (GNOME Keyring)".
    fn describe(&self) -> String;
    fn kind(&self) -> StorageKind;
    /// The stored token, or `None` when this organization has none.
    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError>;
    /// Stores or replaces the token.
    fn set(&self, key: &str, token: &SecretString) -> Result<(), StoreError>;
    /// Removes the token; `true` if there was one.
    fn delete(&self, key: &str) -> Result<bool, StoreError>;
}

/// How long a store call may take before the caller is told the keyring did not answer.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `op` against `store` on the blocking thread pool, giving up after `timeout`.
///
/// A call that times out cannot be cancelled: its thread finishes (or keeps waiting on the prompt) in
/// the background, and the runtime waits for it at shutdown unless shut down with a timeout.
pub async fn call<T, F>(
    store: &Arc<dyn CredentialStore>,
    timeout: Duration,
    op: F,
) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&dyn CredentialStore) -> Result<T, StoreError> + Send + 'static,
{
    let worker = Arc::clone(store);
    let task = tokio::task::spawn_blocking(move || op(worker.as_ref()));
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(StoreError::Task(join.to_string())),
        Err(_elapsed) => Err(StoreError::Timeout {
            store: store.describe(),
            after: timeout,
        }),
    }
}

/// [`CredentialStore::get`] off the runtime, with [`STORE_TIMEOUT`].
pub async fn get_async(
    store: &Arc<dyn CredentialStore>,
    key: &str,
) -> Result<Option<SecretString>, StoreError> {
    let key = key.to_owned();
    call(store, STORE_TIMEOUT, move |s| s.get(&key)).await
}

/// [`CredentialStore::set`] off the runtime, with [`STORE_TIMEOUT`].
pub async fn set_async(
    store: &Arc<dyn CredentialStore>,
    key: &str,
    token: &SecretString,
) -> Result<(), StoreError> {
    let key = key.to_owned();
    let token = token.clone();
    call(store, STORE_TIMEOUT, move |s| s.set(&key, &token)).await
}

/// [`CredentialStore::delete`] off the runtime, with [`STORE_TIMEOUT`].
pub async fn delete_async(store: &Arc<dyn CredentialStore>, key: &str) -> Result<bool, StoreError> {
    let key = key.to_owned();
    call(store, STORE_TIMEOUT, move |s| s.delete(&key)).await
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::mpsc::{Receiver, Sender, channel};

    use secrecy::ExposeSecret;

    use super::*;
    use crate::store::MemoryStore;

    /// A keyring that hangs (as if an unlock prompt were open) until the test releases it.
    struct StuckStore {
        release: Mutex<Receiver<()>>,
    }

    impl StuckStore {
        fn new() -> (Self, Sender<()>) {
            let (tx, rx) = channel();
            (
                Self {
                    release: Mutex::new(rx),
                },
                tx,
            )
        }

        fn wait(&self) {
            if let Ok(rx) = self.release.lock() {
                // Bounded so a failing test cannot hang the suite.
                let _released = rx.recv_timeout(Duration::from_secs(5));
            }
        }
    }

    impl CredentialStore for StuckStore {
        fn describe(&self) -> String {
            "stuck keyring".into()
        }
        fn kind(&self) -> StorageKind {
            StorageKind::Keyring
        }
        fn get(&self, _key: &str) -> Result<Option<SecretString>, StoreError> {
            self.wait();
            Ok(None)
        }
        fn set(&self, _key: &str, _token: &SecretString) -> Result<(), StoreError> {
            self.wait();
            Ok(())
        }
        fn delete(&self, _key: &str) -> Result<bool, StoreError> {
            self.wait();
            Ok(false)
        }
    }

    #[tokio::test]
    async fn a_store_that_does_not_answer_times_out_with_advice() {
        let (stuck, release) = StuckStore::new();
        let store: Arc<dyn CredentialStore> = Arc::new(stuck);
        let started = std::time::Instant::now();
        let result = call(&store, Duration::from_millis(100), |s| s.get("k")).await;
        let elapsed = started.elapsed();
        let _ = release.send(());
        let err = match result {
            Err(err @ StoreError::Timeout { .. }) => err,
            other => panic!("expected a timeout, got {other:?}"),
        };
        assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
        let text = err.to_string();
        assert!(text.contains("stuck keyring did not answer"), "{text}");
        assert!(text.contains("unlock prompt"), "{text}");
    }

    #[tokio::test]
    async fn async_helpers_round_trip() -> Result<(), StoreError> {
        let store: Arc<dyn CredentialStore> = Arc::new(MemoryStore::new());
        let key = "https://dev.azure.com/fabrikam";
        assert!(get_async(&store, key).await?.is_none());
        set_async(&store, key, &SecretString::from("pat-1")).await?;
        let got = get_async(&store, key).await?;
        assert_eq!(got.as_ref().map(|t| t.expose_secret()), Some("pat-1"));
        assert!(delete_async(&store, key).await?);
        assert!(!delete_async(&store, key).await?);
        Ok(())
    }

    #[test]
    fn storage_kind_serializes_in_snake_case() {
        let json =
            serde_json::to_string(&[StorageKind::Keyring, StorageKind::File, StorageKind::Memory])
                .unwrap_or_default();
        assert_eq!(json, r#"["keyring","file","memory"]"#);
    }
}
