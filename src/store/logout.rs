//! `azdo-gate logout`: forget an organization's token wherever it may be, then its metadata.

use std::path::Path;

use serde::Serialize;

use super::{CredentialStore, FileStore, State, StoreError};

/// The credential-store entry the wizard files the webhook password of the organization keyed
/// `key` under, beside its token: `webhook-password:` and the key, each character an entry name
/// cannot hold replaced by `_`, at most 128 characters as the profile allows. It lives here
/// because logout removes it with the token.
pub fn webhook_password_entry(key: &str) -> String {
    format!("webhook-password:{key}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@') {
                c
            } else {
                '_'
            }
        })
        .take(128)
        .collect()
}

/// What logout found and removed; all `false` means there was nothing to forget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LogoutOutcome {
    /// A token was removed from the given store.
    pub token_removed: bool,
    /// A token was (also) removed from the insecure `tokens.toml` in the configuration directory.
    pub insecure_file_token_removed: bool,
    /// The organization's entry was removed from `state.toml`.
    pub metadata_removed: bool,
    /// The webhook password the wizard stored for the organization was removed (only the wizard's
    /// own entry, named after the organization: an entry a hand-written profile names may serve
    /// other organizations).
    pub webhook_password_removed: bool,
}

impl LogoutOutcome {
    pub fn removed_anything(&self) -> bool {
        self.token_removed
            || self.insecure_file_token_removed
            || self.metadata_removed
            || self.webhook_password_removed
    }
}

/// Removes the token for `key` from `store` (the one `state.toml` records; `None` when it records
/// that azdo-gate keeps no token), from `dir/tokens.toml` if that file exists (a token may have
/// been stored there by an earlier `--insecure-storage` run), and the organization's metadata from
/// `dir/state.toml`. Tokens go first: if removing one fails, nothing else was changed and the
/// metadata still tells where the token lives.
pub fn logout(
    store: Option<&dyn CredentialStore>,
    dir: &Path,
    key: &str,
) -> Result<LogoutOutcome, StoreError> {
    let wizard_entry = webhook_password_entry(key);
    let (token_removed, store_password_removed) = match store {
        Some(store) => (store.delete(key)?, store.delete(&wizard_entry)?),
        None => (false, false),
    };
    let insecure = FileStore::new(dir);
    let insecure_file_token_removed = insecure.path().exists() && insecure.delete(key)?;
    let file_password_removed = insecure.path().exists() && insecure.delete(&wizard_entry)?;
    let mut state = State::load(dir)?;
    let metadata_removed = state.remove_org(key).is_some();
    if metadata_removed {
        state.save(dir)?;
    }
    Ok(LogoutOutcome {
        token_removed,
        insecure_file_token_removed,
        metadata_removed,
        webhook_password_removed: store_password_removed || file_password_removed,
    })
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::store::{MemoryStore, StorageKind, TokenMeta};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const KEY: &str = "https://dev.azure.com/fabrikam";
    const OTHER: &str = "https://dev.azure.com/contoso";

    #[test]
    fn removes_the_wizards_webhook_password_but_never_an_entry_a_profile_shares() -> TestResult {
        let dir = tempfile::tempdir()?;
        let entry = webhook_password_entry(KEY);
        let keyring = MemoryStore::new()
            .with_token(KEY, SecretString::from("pat-k"))
            .with_token(&entry, SecretString::from("hook-pw"))
            .with_token("shared-gate-password", SecretString::from("shared"));
        let mut state = State::default();
        let org = state.org_mut(KEY, "fabrikam", KEY);
        org.token = Some(TokenMeta::new(Some(StorageKind::Keyring)));
        org.profile
            .insert("basic_auth_secret".into(), entry.clone().into());
        let other = state.org_mut(OTHER, "contoso", OTHER);
        other
            .profile
            .insert("basic_auth_secret".into(), "shared-gate-password".into());
        state.save(dir.path())?;

        let outcome = logout(Some(&keyring), dir.path(), KEY)?;
        assert!(outcome.webhook_password_removed);
        assert!(keyring.get(&entry)?.is_none());

        let outcome = logout(Some(&keyring), dir.path(), OTHER)?;
        assert!(!outcome.webhook_password_removed);
        assert!(keyring.get("shared-gate-password")?.is_some());
        Ok(())
    }

    #[test]
    fn removes_token_insecure_copy_and_metadata_but_not_other_orgs() -> TestResult {
        let dir = tempfile::tempdir()?;
        let keyring = MemoryStore::new()
            .with_token(KEY, SecretString::from("pat-k"))
            .with_token(OTHER, SecretString::from("pat-o"));
        let file = FileStore::new(dir.path());
        file.set(KEY, &SecretString::from("pat-file"))?;
        file.set(OTHER, &SecretString::from("pat-file-o"))?;
        let mut state = State::default();
        state.org_mut(KEY, "fabrikam", KEY).token =
            Some(TokenMeta::new(Some(StorageKind::Keyring)));
        state.org_mut(OTHER, "contoso", OTHER);
        state.save(dir.path())?;

        let outcome = logout(Some(&keyring), dir.path(), KEY)?;
        assert_eq!(
            outcome,
            LogoutOutcome {
                token_removed: true,
                insecure_file_token_removed: true,
                metadata_removed: true,
                webhook_password_removed: false,
            }
        );
        assert!(keyring.get(KEY)?.is_none());
        assert!(file.get(KEY)?.is_none());
        let state = State::load(dir.path())?;
        assert!(state.org(KEY).is_none());

        assert!(keyring.get(OTHER)?.is_some());
        assert!(file.get(OTHER)?.is_some());
        assert!(state.org(OTHER).is_some());
        Ok(())
    }

    #[test]
    fn logging_out_twice_reports_nothing_removed_and_creates_nothing() -> TestResult {
        let dir = tempfile::tempdir()?;
        let keyring = MemoryStore::new().with_token(KEY, SecretString::from("pat"));
        assert!(logout(Some(&keyring), dir.path(), KEY)?.removed_anything());
        let second = logout(Some(&keyring), dir.path(), KEY)?;
        assert!(!second.removed_anything());
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
        Ok(())
    }

    #[test]
    fn works_when_the_store_is_the_insecure_file_itself() -> TestResult {
        let dir = tempfile::tempdir()?;
        let file = FileStore::new(dir.path());
        file.set(KEY, &SecretString::from("pat"))?;
        let outcome = logout(Some(&file), dir.path(), KEY)?;
        assert!(outcome.token_removed);
        assert!(!outcome.insecure_file_token_removed);
        assert!(!file.path().exists());
        Ok(())
    }
}
