//! The OS credential store through `keyring-core`: Secret Service on Linux, the Keychain on macOS,
//! the Credential Manager on Windows. One credential per organization under service [`SERVICE`].

use std::sync::Arc;

use keyring_core::{Entry, Error as KeyringError};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};

use super::error::ALTERNATIVES;
use super::{CredentialStore, STORE_TIMEOUT, StorageKind, StoreError};

/// The service name every credential of this tool is filed under; the user is the organization key.
pub const SERVICE: &str = "azdo-gate";

/// A `keyring-core` store with the name users know it by.
pub(crate) struct KeyringStore {
    /// `Some` until dropped; see the `Drop` impl.
    inner: Option<Arc<keyring_core::CredentialStore>>,
    name: String,
}

impl KeyringStore {
    pub(crate) fn new(inner: Arc<keyring_core::CredentialStore>, name: String) -> Self {
        Self {
            inner: Some(inner),
            name,
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, StoreError> {
        let Some(inner) = &self.inner else {
            return Err(StoreError::Backend {
                store: self.name.clone(),
                detail: "the store was already closed".to_owned(),
            });
        };
        Entry::new_in_store(inner, SERVICE, key).map_err(|e| self.error(key, e))
    }

    /// Translates a keyring error; never formats the error's payload, which may hold secret bytes.
    fn error(&self, key: &str, err: KeyringError) -> StoreError {
        let store = self.name.clone();
        let detail = match err {
            KeyringError::NoStorageAccess(cause) => {
                return StoreError::Locked {
                    store,
                    advice: format!(
                        "unlock it when prompted (the unlock was refused or the prompt dismissed: {cause}) and try again, or {ALTERNATIVES}"
                    ),
                };
            }
            KeyringError::PlatformFailure(cause) => cause.to_string(),
            KeyringError::BadEncoding(mut bytes) | KeyringError::BadDataFormat(mut bytes, _) => {
                bytes.zeroize();
                format!("the entry for {key} does not hold a readable token; store the token again")
            }
            KeyringError::Ambiguous(entries) => format!(
                "{} entries match service \"{SERVICE}\" and account \"{key}\"; remove the duplicates with your keyring manager and store the token again",
                entries.len()
            ),
            KeyringError::TooLong(field, limit) => {
                format!("the {field} is longer than the store's limit of {limit} characters")
            }
            KeyringError::Invalid(field, reason) => format!("invalid {field}: {reason}"),
            other => other.to_string(),
        };
        StoreError::Backend { store, detail }
    }
}

impl Drop for KeyringStore {
    /// The Secret Service client blocks on its own Tokio runtime when its last handle goes, which
    /// panics on a thread that drives async tasks (where the TUI and commands drop their store), so
    /// there the handle is released on a short-lived plain thread instead.
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            // If no thread can be started the closure, and the handle with it, is dropped here after
            // all: no worse than not trying.
            let _spawned = std::thread::Builder::new()
                .name("keyring-close".into())
                .spawn(move || drop(inner));
        }
    }
}

impl CredentialStore for KeyringStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn kind(&self) -> StorageKind {
        StorageKind::Keyring
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        match self.entry(key)?.get_password() {
            Ok(token) => Ok(Some(SecretString::from(token))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(self.error(key, e)),
        }
    }

    fn set(&self, key: &str, token: &SecretString) -> Result<(), StoreError> {
        self.entry(key)?
            .set_password(token.expose_secret())
            .map_err(|e| self.error(key, e))
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(self.error(key, e)),
        }
    }
}

/// Opens the OS credential store after checking it can be used, or says precisely why not and what
/// to do instead. Never falls back to another store.
///
/// Blocks (it talks to the keyring daemon); from async code use [`open_os_store_async`]. On Linux it
/// must not run on an async runtime's worker thread, because the D-Bus client runs its own runtime.
pub fn open_os_store() -> Result<Arc<dyn CredentialStore>, StoreError> {
    platform::open().map(|store| Arc::new(store) as Arc<dyn CredentialStore>)
}

/// [`open_os_store`] on the blocking thread pool, giving up after [`STORE_TIMEOUT`].
pub async fn open_os_store_async() -> Result<Arc<dyn CredentialStore>, StoreError> {
    match tokio::time::timeout(STORE_TIMEOUT, tokio::task::spawn_blocking(open_os_store)).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(StoreError::Task(join.to_string())),
        Err(_elapsed) => Err(StoreError::Timeout {
            store: "the OS credential store".into(),
            after: STORE_TIMEOUT,
        }),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    pub(super) use crate::store::linux::open;
}

#[cfg(target_os = "macos")]
mod platform {
    use super::{KeyringStore, StoreError};
    use crate::store::error::ALTERNATIVES;

    pub(super) fn open() -> Result<KeyringStore, StoreError> {
        let store = apple_native_keyring_store::keychain::Store::new().map_err(|e| {
            StoreError::Unavailable {
                reason: format!("the macOS Keychain could not be opened: {e}"),
                advice: ALTERNATIVES.to_owned(),
            }
        })?;
        Ok(KeyringStore::new(store, "macOS Keychain".to_owned()))
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use super::{KeyringStore, StoreError};
    use crate::store::error::ALTERNATIVES;

    pub(super) fn open() -> Result<KeyringStore, StoreError> {
        let store =
            windows_native_keyring_store::Store::new().map_err(|e| StoreError::Unavailable {
                reason: format!("the Windows Credential Manager could not be opened: {e}"),
                advice: ALTERNATIVES.to_owned(),
            })?;
        Ok(KeyringStore::new(
            store,
            "Windows Credential Manager".to_owned(),
        ))
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod platform {
    use super::{KeyringStore, StoreError};
    use crate::store::error::ALTERNATIVES;

    pub(super) fn open() -> Result<KeyringStore, StoreError> {
        Err(StoreError::Unavailable {
            reason: "azdo-gate supports no OS credential store on this platform".to_owned(),
            advice: ALTERNATIVES.to_owned(),
        })
    }
}
