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

/// `completions bash` is a script bash loads, registering completion for `azdo-gate` and knowing
/// its commands (issue 14, item 14).
#[test]
fn bash_completion_loads_in_bash() {
    let script = Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(script.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("azdo-gate.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p azdo-gate",
            path.display()
        ))
        .output()
        .expect("bash runs the completion script");
    let said = String::from_utf8_lossy(&loaded.stdout);
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(said.contains("azdo-gate"), "{said}");
    let text = String::from_utf8_lossy(&script.stdout);
    for command in [
        "check",
        "audit",
        "configure",
        "test-delivery",
        "logout",
        "schedule",
    ] {
        assert!(text.contains(command), "{command} missing from the script");
    }
}

/// `man` renders a roff page named after the tool, with its commands.
#[test]
fn the_manual_page_names_the_tool_and_its_commands() {
    let page = Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
        .arg("man")
        .output()
        .unwrap();
    assert_eq!(page.status.code(), Some(0));
    let text = String::from_utf8_lossy(&page.stdout);
    assert!(text.contains(".TH azdo-gate 1"), "{text}");
    assert!(text.contains("configure"), "{text}");
}
