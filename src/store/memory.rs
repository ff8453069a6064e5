//! A credential store that lives and dies with the process: for tests and `azdo-gate demo`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use secrecy::SecretString;

use super::{CredentialStore, StorageKind, StoreError};

/// Tokens kept in process memory only.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, SecretString>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Pre-seeds a token, so a test or the demo starts "already signed in".
    pub fn with_token(self, key: &str, token: SecretString) -> Self {
        self.tokens().insert(key.to_owned(), token);
        self
    }

    /// A panic in another holder cannot leave the map half-updated (every operation is a single
    /// insert/remove), so a poisoned lock is still safe to use.
    fn tokens(&self) -> MutexGuard<'_, HashMap<String, SecretString>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CredentialStore for MemoryStore {
    fn describe(&self) -> String {
        "in-memory (tests)".into()
    }

    fn kind(&self) -> StorageKind {
        StorageKind::Memory
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        Ok(self.tokens().get(key).cloned())
    }

    fn set(&self, key: &str, token: &SecretString) -> Result<(), StoreError> {
        self.tokens().insert(key.to_owned(), token.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.tokens().remove(key).is_some())
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn set_get_delete() -> Result<(), StoreError> {
        let store = MemoryStore::new().with_token("a", SecretString::from("pat-a"));
        assert_eq!(store.kind(), StorageKind::Memory);
        let exposed = |t: Option<SecretString>| t.map(|t| t.expose_secret().to_owned());
        assert_eq!(exposed(store.get("a")?).as_deref(), Some("pat-a"));
        assert!(store.get("b")?.is_none());
        store.set("a", &SecretString::from("pat-a2"))?;
        assert_eq!(exposed(store.get("a")?).as_deref(), Some("pat-a2"));
        assert!(store.delete("a")?);
        assert!(!store.delete("a")?);
        assert!(store.get("a")?.is_none());
        Ok(())
    }
}
