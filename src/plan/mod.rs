//! Plan and apply: turn an audit into the changes that gate every selected repository, show them,
//! and carry them out idempotently.
//!
//! [`plan()`] is a pure function of the audit, the profile and the selection, so the wizard and
//! `configure --plan` show exactly what [`apply()`] will do, and tests need no HTTP. Apply is safe
//! to run again: a fresh audit plans only what is still missing.

mod action;
mod apply;
mod body;
mod planner;
mod selection;

pub use action::{Action, ActionKind, Mode, Plan};
pub use apply::{ActionResult, ApplyEvent, ApplyInput, Outcome, StopFlag, apply};
pub use body::{BASIC_AUTH_PASSWORD_ENV, BodyError, policy_body, subscription_body};
pub use planner::plan;
pub use selection::{Selection, SelectionError};
