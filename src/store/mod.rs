//! Secrets and state on disk.
//!
//! The token goes to a [`CredentialStore`]: the OS credential store ([`open_os_store`]), an explicit
//! plain-text [`FileStore`] (`--insecure-storage`), or a [`MemoryStore`] for tests and the demo. The
//! store is chosen by the caller and never changes behind its back: when the OS store is missing, the
//! error says why and what to do instead. Everything that is not a secret (token metadata, the
//! audit's repository snapshot, the gate profile) lives in `state.toml` ([`State`]) in
//! [`config_dir`]. Files are written atomically with mode 0600 in a 0700 directory.

mod atomic;
mod credential;
mod error;
mod file;
mod keyring;
#[cfg(target_os = "linux")]
mod linux;
pub mod lock;
mod logout;
mod memory;
mod paths;
mod state;

/// What `state.toml` remembers about an organization and its token's user: the same types the
/// reports print.
pub use crate::org::{Identity, OrgInfo};
pub(crate) use atomic::ensure_private_dir;
pub(crate) use atomic::write_private;
pub use credential::{
    CredentialStore, STORE_TIMEOUT, StorageKind, call, delete_async, get_async, set_async,
};
pub use error::StoreError;
pub use file::FileStore;
pub use keyring::{SERVICE, open_os_store, open_os_store_async};
pub use logout::{LogoutOutcome, logout, webhook_password_entry};
pub use memory::MemoryStore;
pub use paths::{CONFIG_DIR_ENV, config_dir, log_dir};
pub use state::{
    ExpirySource, HandOver, OrgState, Rotation, STATE_FILE, STATE_VERSION, Snapshot, State,
    TokenMeta,
};
