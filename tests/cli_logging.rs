//! Logging never stops a command (issue 14, items 12 and 13): an unopenable log file is one warning
//! and the command completes; a fresh configuration directory is private (0700) and the log 0600.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use azdo_gate_sim::Scenario;
use common::{demo_token, run, start, stderr};

#[tokio::test(flavor = "multi_thread")]
async fn a_log_file_that_cannot_be_opened_is_a_warning_not_a_failure() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    // A directory where the log file should be: opening it fails, as a read-only one would.
    std::fs::create_dir_all(dir.path().join("logs/azdo-gate.log")).unwrap();
    let out = run(
        dir.path(),
        Some(&demo_token("gate")),
        &["check", "--org", &sim.org_url(), "--json"],
    )
    .await;
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(101), "{err}");
    assert_ne!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err.matches("warning: not writing a log file").count(),
        1,
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.stdout.is_empty(), "the report still comes out");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_configuration_directory_and_its_log_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let sim = start(Scenario::demo()).await;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("azdo-gate");
    let out = run(
        &dir,
        Some(&demo_token("gate")),
        &["check", "--org", &sim.org_url(), "--json"],
    )
    .await;
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("logs")), 0o700);
    assert_eq!(mode(&dir.join("logs/azdo-gate.log")), 0o600);
}
