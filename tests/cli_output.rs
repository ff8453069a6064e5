//! A reader that stops early (`azdo-gate audit --csv | head -1`) is a normal end of the report
//! (issue 14, item 11): no panic, no backtrace, the report's own exit code.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use azdo_gate_sim::Scenario;
use common::start;

const GATE_URL: &str = "https://gate.example.com/ado/events";

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_the_report_quietly() {
    // 5 000 repositories: the CSV is far larger than a pipe's buffer, so writing meets the close.
    let scenario = Scenario::generated(50, 5_000, 0, GATE_URL);
    let token = scenario.primary_token().unwrap().to_owned();
    let sim = start(scenario).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
        .args([
            "audit",
            "--org",
            &sim.org_url(),
            "--csv",
            "--webhook-url",
            GATE_URL,
        ])
        .env("AZDO_GATE_CONFIG_DIR", dir.path())
        .env("AZURE_DEVOPS_EXT_PAT", &token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is dropped here: `head -1` has what it wanted and closes the pipe.
        let out = child.wait_with_output().unwrap();
        (first, out)
    })
    .await
    .unwrap();
    let (first, out) = out;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first.starts_with("project"), "{first}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}: {stderr}",
        out.status
    );
}
