//! The real OS credential store. Ignored by default: it needs a running, unlocked keyring.
//! On Linux run `.ci/secret-service-test.sh`, which starts a throwaway D-Bus session and GNOME Keyring.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

use std::sync::Arc;

use azdo_gate::store::{
    CredentialStore, StorageKind, StoreError, delete_async, get_async, open_os_store,
    open_os_store_async, set_async,
};
use secrecy::{ExposeSecret, SecretString};

/// A key no real organization uses, unique per run so parallel or aborted runs cannot collide.
fn unique_key() -> String {
    format!(
        "https://dev.azure.com/azdo-gate-test-{}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    )
}

/// A token shaped like a PAT (52 base-32 characters), random so nothing stale can pass for it.
fn random_token() -> SecretString {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let token: String = (0..52)
        .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
        .collect();
    SecretString::from(token)
}

fn open() -> Arc<dyn CredentialStore> {
    open_os_store().unwrap_or_else(|e| panic!("the OS credential store should be usable: {e}"))
}

#[test]
#[ignore = "uses the real OS credential store; run .ci/secret-service-test.sh"]
fn a_token_survives_a_round_trip_and_is_gone_after_delete() -> Result<(), StoreError> {
    let store = open();
    assert_eq!(store.kind(), StorageKind::Keyring);
    eprintln!("store: {}", store.describe());
    let key = unique_key();
    let token = random_token();

    assert!(store.get(&key)?.is_none(), "a fresh key has no token");
    store.set(&key, &token)?;
    let read = store.get(&key)?;
    assert_eq!(
        read.as_ref().map(ExposeSecret::expose_secret),
        Some(token.expose_secret()),
        "the token read back differs from the one stored"
    );

    // A second connection sees it too: the token is in the keyring, not cached by this handle.
    let reopened = open();
    assert!(reopened.get(&key)?.is_some());

    let replacement = random_token();
    store.set(&key, &replacement)?;
    assert_eq!(
        store.get(&key)?.as_ref().map(ExposeSecret::expose_secret),
        Some(replacement.expose_secret()),
        "setting again replaces the token"
    );

    assert!(
        store.delete(&key)?,
        "delete reports that it removed the token"
    );
    assert!(store.get(&key)?.is_none(), "the token is gone after delete");
    assert!(!store.delete(&key)?, "deleting again finds nothing");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "uses the real OS credential store; run .ci/secret-service-test.sh"]
async fn the_async_helpers_work_from_inside_the_runtime() -> Result<(), StoreError> {
    let store = open_os_store_async().await?;
    let key = unique_key();
    let token = random_token();
    set_async(&store, &key, &token).await?;
    let read = get_async(&store, &key).await?;
    assert_eq!(
        read.as_ref().map(ExposeSecret::expose_secret),
        Some(token.expose_secret())
    );
    assert!(delete_async(&store, &key).await?);
    assert!(get_async(&store, &key).await?.is_none());
    Ok(())
}

/// Linux only: locking a Secret Service collection has no counterpart in the other stores.
#[cfg(target_os = "linux")]
mod locked {
    use super::*;

    /// Set by `.ci/secret-service-test.sh` for its throwaway keyring: the test below locks the default
    /// collection, which nobody wants done to their real login keyring.
    const THROWAWAY_KEYRING_ENV: &str = "AZDO_GATE_THROWAWAY_KEYRING";

    fn lock_default_collection() -> zbus::Result<()> {
        use zbus::zvariant::OwnedObjectPath;
        let conn = zbus::blocking::Connection::session()?;
        let service = zbus::blocking::Proxy::new(
            &conn,
            "org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service",
        )?;
        let default: OwnedObjectPath = service.call("ReadAlias", &("default",))?;
        let _reply: (Vec<OwnedObjectPath>, OwnedObjectPath) =
            service.call("Lock", &(vec![default],))?;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "locks the default keyring; run only through .ci/secret-service-test.sh"]
    async fn a_locked_keyring_is_reported_as_locked() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(
            std::env::var(THROWAWAY_KEYRING_ENV).as_deref(),
            Ok("1"),
            "refusing to lock this session's keyring: set {THROWAWAY_KEYRING_ENV}=1 only for a throwaway one"
        );
        let opened_before = open_os_store_async().await?;
        tokio::task::spawn_blocking(lock_default_collection).await??;

        match open_os_store_async().await {
            Err(StoreError::Locked { advice, .. }) => {
                assert!(
                    advice.contains("gnome-keyring-daemon --replace --unlock"),
                    "{advice}"
                );
                assert!(advice.contains("AZURE_DEVOPS_EXT_PAT"), "{advice}");
            }
            Err(other) => panic!("expected a locked-keyring error, got: {other}"),
            Ok(store) => panic!("a locked keyring was accepted: {}", store.describe()),
        }

        // A store opened before the lock cannot prompt either: it must fail (or time out), never hang.
        let started = std::time::Instant::now();
        let result = set_async(&opened_before, &unique_key(), &random_token()).await;
        eprintln!(
            "set on a locked keyring: {result:?} after {:?}",
            started.elapsed()
        );
        assert!(
            matches!(
                result,
                Err(StoreError::Locked { .. } | StoreError::Timeout { .. })
            ),
            "{result:?}"
        );
        Ok(())
    }
}

/// Set by `.ci/secret-service-test.sh` to a phrase the explanation must contain in the broken setup
/// it prepared (no session bus; a provider without a default keyring).
const EXPECT_UNAVAILABLE_ENV: &str = "AZDO_GATE_EXPECT_UNAVAILABLE";

#[test]
#[ignore = "expects a broken keyring setup prepared by .ci/secret-service-test.sh"]
fn an_unusable_keyring_is_explained() {
    let expected = std::env::var(EXPECT_UNAVAILABLE_ENV).unwrap_or_else(|_| {
        panic!("set {EXPECT_UNAVAILABLE_ENV} to the reason this setup's keyring is unusable")
    });
    match open_os_store() {
        Err(StoreError::Unavailable { reason, advice }) => {
            eprintln!("reason: {reason}\nadvice: {advice}");
            assert!(reason.contains(&expected), "{reason}");
            assert!(advice.contains("AZURE_DEVOPS_EXT_PAT"), "{advice}");
            assert!(advice.contains("--insecure-storage"), "{advice}");
        }
        Err(other) => panic!("expected an unavailable-store error, got: {other}"),
        Ok(store) => panic!("expected no usable store, got {}", store.describe()),
    }
}
