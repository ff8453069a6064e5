//! The webhook's basic-auth password, found the same way by both faces: the environment variable
//! first (scripts and CI), then the credential-store entry the profile names.

use std::future::Future;
use std::sync::Arc;

use secrecy::SecretString;

use crate::org::OrgUrl;
use crate::profile::GateProfile;
use crate::store::{self, CredentialStore, StoreError};

pub use crate::plan::BASIC_AUTH_PASSWORD_ENV;

/// The credential-store entry the wizard files `org`'s webhook password under, beside its token.
pub fn password_entry(org: &OrgUrl) -> String {
    store::webhook_password_entry(&org.key())
}

/// Why the password the profile asks for could not be found.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BasicAuthError {
    #[error(
        "the webhook password's credential-store entry that the profile names (basic_auth_secret), \"{entry}\", is not in {store}; store the password there or set {BASIC_AUTH_PASSWORD_ENV}"
    )]
    Missing { entry: String, store: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The password when the profile names one: `AZDO_GATE_BASIC_AUTH_PASSWORD` if set and not empty,
/// else the entry in the store `open` yields (`None`: a run that keeps nothing in a store). A
/// profile whose password cannot be found is an error, because applying without it would create
/// subscriptions the gate rejects. The store is opened only when the environment does not answer.
pub async fn basic_auth_password<F>(
    profile: &GateProfile,
    open: F,
) -> Result<Option<SecretString>, BasicAuthError>
where
    F: Future<Output = Result<Option<Arc<dyn CredentialStore>>, StoreError>>,
{
    let Some(entry) = &profile.basic_auth_secret else {
        return Ok(None);
    };
    if let Ok(value) = std::env::var(BASIC_AUTH_PASSWORD_ENV)
        && !value.is_empty()
    {
        return Ok(Some(SecretString::from(value)));
    }
    let missing = |store: String| BasicAuthError::Missing {
        entry: entry.clone(),
        store,
    };
    let Some(credentials) = open.await? else {
        return Err(missing("this run's memory".to_owned()));
    };
    match store::get_async(&credentials, entry).await? {
        Some(password) => Ok(Some(password)),
        None => Err(missing(credentials.describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn profile(secret: Option<&str>) -> GateProfile {
        let mut profile = GateProfile::default_profile();
        profile.basic_auth_secret = secret.map(str::to_owned);
        profile
    }

    fn memory() -> Arc<dyn CredentialStore> {
        Arc::new(MemoryStore::new())
    }

    #[test]
    fn the_password_entry_is_a_name_the_profile_accepts() {
        let org = OrgUrl::parse("https://tfs.example.com/tfs/DefaultCollection").unwrap();
        let entry = password_entry(&org);
        assert!(
            entry == "webhook-password:https://tfs.example.com/tfs/defaultcollection",
            "{entry}"
        );
        let mut profile = GateProfile::default_profile();
        profile.basic_auth_user = Some("gate".into());
        profile.basic_auth_secret = Some(entry);
        assert!(GateProfile::from_table(&profile.to_table()).is_ok());
    }

    #[tokio::test]
    async fn a_profile_without_a_secret_needs_no_store() {
        let unopened = async { panic!("the store is not opened") };
        assert!(
            basic_auth_password(&profile(None), unopened)
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_missing_entry_names_the_store_and_the_variable() {
        assert!(
            std::env::var_os(BASIC_AUTH_PASSWORD_ENV).is_none(),
            "unset {BASIC_AUTH_PASSWORD_ENV} to run this test"
        );
        let store = memory();
        let described = store.describe();
        let error = basic_auth_password(&profile(Some("hook")), async { Ok(Some(store)) })
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("\"hook\""), "{message}");
        assert!(message.contains(&described), "{message}");
        assert!(message.contains(BASIC_AUTH_PASSWORD_ENV), "{message}");
        let session_only = basic_auth_password(&profile(Some("hook")), async { Ok(None) })
            .await
            .unwrap_err();
        assert!(session_only.to_string().contains("this run's memory"));
    }
}
