//! The operations the wizard ([`crate::tui`]) and the commands ([`crate::cli`]) both perform, each
//! written once so the two faces cannot drift apart: apply-then-re-audit, recording a token check,
//! the repository snapshot, and the webhook's basic-auth password. Like the engines below it, it
//! knows nothing about terminals; unlike them, it reads and writes the tool's own state.

mod apply;
mod basic_auth;
mod snapshot;
mod token;

pub use apply::{ApplyReport, apply_and_verify, touched_coverage};
pub use basic_auth::{
    BASIC_AUTH_PASSWORD_ENV, BasicAuthError, basic_auth_password, password_entry,
};
pub use snapshot::{previous_repository_ids, record_snapshot};
pub use token::record_check;
