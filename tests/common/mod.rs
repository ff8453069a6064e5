//! Helpers shared by the command-line tests: an in-process simulator and the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails
#![allow(dead_code)] // each test crate uses a different subset

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use azdo_gate_sim::{self as sim, Scenario, SimHandle, SimOptions};

pub async fn start(scenario: Scenario) -> SimHandle {
    sim::start(
        scenario,
        "127.0.0.1:0".parse().unwrap(),
        SimOptions::default(),
    )
    .await
    .unwrap()
}

pub fn demo_token(name: &str) -> String {
    Scenario::demo().token(name).unwrap().to_owned()
}

/// Runs `azdo-gate ARGS` with the token in `AZURE_DEVOPS_EXT_PAT` and a private config dir, off
/// the async runtime (the simulator runs on it).
pub async fn run(config_dir: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
    cmd.args(args)
        .env("AZDO_GATE_CONFIG_DIR", config_dir)
        .env_remove("AZURE_DEVOPS_EXT_PAT")
        .env_remove("AZDO_GATE_ORG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    if let Some(t) = token {
        cmd.env("AZURE_DEVOPS_EXT_PAT", t);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

/// Every file under `dir`, recursively, as (path, bytes).
pub fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, bytes));
        }
    }
    found
}

/// `azdo-gate ARGS` on a pseudo-terminal (`script`, as an admin's shell would give it), `answer`
/// typed into it, without colour; the exit code and what it showed on stdout and stderr together.
/// Exit code -1 (outside CI): `script` is not installed and the caller skips.
pub fn on_terminal(
    dir: &Path,
    token: Option<&str>,
    args: &str,
    answer: &str,
) -> (Option<i32>, String) {
    let have_script = Command::new("script").arg("--version").output().is_ok();
    if !have_script {
        assert!(
            std::env::var("CI").is_err(),
            "`script` (util-linux) is needed for this test"
        );
        eprintln!("skipped: `script` is not installed");
        return (Some(-1), String::new());
    }
    let mut child = Command::new("script")
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_azdo-gate")),
            "/dev/null",
        ])
        .env("AZDO_GATE_CONFIG_DIR", dir)
        .env("AZURE_DEVOPS_EXT_PAT", token.unwrap_or_default())
        .env_remove("AZDO_GATE_ORG")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
