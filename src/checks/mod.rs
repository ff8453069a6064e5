//! The token check engine: everything `azdo-gate check` and the wizard's verify step report.

pub mod reachability;
