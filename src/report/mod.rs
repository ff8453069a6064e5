//! Rendering reports for the non-interactive commands: JSON (with `schema_version`), CSV and text.
//! Stdout carries only these; progress and messages go to stderr.

mod audit;
mod check_text;
mod clean;
mod configure;
mod deliveries;
pub mod plan_view;
pub mod style;

use serde::Serialize;

pub use audit::{audit_csv, audit_json, audit_text};
pub use check_text::check_text;
pub use clean::{escape_controls, escape_report_names, neutralize_formula};
pub use configure::{configure_json, configure_progress_line, configure_text, plan_text};
pub use deliveries::test_delivery_text;

/// The version of every JSON report's shape; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    schema_version: u32,
    #[serde(flatten)]
    report: &'a T,
}

/// Pretty JSON with `"schema_version": 1` first.
pub fn to_json<T: Serialize>(report: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&Versioned {
        schema_version: SCHEMA_VERSION,
        report,
    })
}
