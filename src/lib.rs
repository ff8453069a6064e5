//! `azdo-gate`: onboard an Azure DevOps organization onto a pull-request gating service.
//!
//! The layout follows the architecture in DESIGN.md: [`ado`] is the only code that speaks HTTP, the
//! engines ([`checks`], [`audit`], [`plan`]) turn API answers into typed reports, [`domain`] holds
//! the operations both faces perform, [`tui`] and [`cli`] are the two faces that call it and the
//! engines, and [`store`] keeps secrets and state. The simulated Azure DevOps organization used by
//! tests, benchmarks and the demo is the separate `azdo-gate-sim` crate.

pub mod ado;
pub mod audit;
pub mod checks;
pub mod cli;
pub mod columns;
pub mod domain;
pub mod follow_up;
pub mod logging;

pub mod org;
pub mod plan;
pub mod profile;
pub mod report;
pub mod store;
pub mod token;
pub mod tui;
pub mod words;

#[cfg(test)]
mod serde_names;
