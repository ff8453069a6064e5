//! The token check engine: everything `azdo-gate check` and the wizard's verify step report.
//! It knows nothing about terminals; progress is streamed as [`CheckEvent`]s.

mod engine;
mod expiry;
mod findings;
pub mod format;
pub mod reachability;
mod report;

pub use engine::{CheckError, CheckEvent, CheckId, CheckInput, Mark, REQUIRED_SCOPES, run};
pub use expiry::{ExpiryInput, SHORT_LIFETIME_DAYS, days_between};
pub use report::{
    ExpiryInfo, ExpirySource, Finding, FindingCode, ScopeCheck, ScopeStatus, Severity, TokenInfo,
    TokenReport, TokenSource,
};
