//! The habits of gh, az and terraform (issue 14, items 10 and 14): colour that honours NO_COLOR,
//! CLICOLOR and CLICOLOR_FORCE and never reaches JSON; progress on stderr only on a terminal and
//! never with --quiet; flags only on the commands they mean something to; and the nightly job
//! `azdo-gate schedule` writes for Azure Pipelines, cron and systemd.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use azdo_gate_sim::{self as sim, Scenario, SimOptions};
use common::{demo_token, on_terminal, start};
use serde_yaml_ng::Value;

const GATE_URL: &str = "https://gate.example.com/ado/events";
const ESC: char = '\u{1b}';

/// `azdo-gate ARGS` with stdout and stderr piped (not terminals), the demo token, and exactly the
/// colour variables given in `env`.
fn piped(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_azdo-gate"));
    cmd.args(args)
        .env("AZDO_GATE_CONFIG_DIR", dir)
        .env("AZURE_DEVOPS_EXT_PAT", demo_token("gate"))
        .env_remove("AZDO_GATE_ORG")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm")
        .stdin(Stdio::null());
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn colour_follows_no_color_clicolor_and_clicolor_force_and_never_reaches_json() {
    let sim = start(Scenario::demo()).await;
    let dir = tempfile::tempdir().unwrap();
    let org = sim.org_url();
    let check = |env: &[(&str, &str)], extra: &[&str]| {
        let args = [&["check", "--org", org.as_str()][..], extra].concat();
        // The simulator answers on the runtime's other threads.
        tokio::task::block_in_place(|| piped(dir.path(), &args, env))
    };
    let forced = check(&[("CLICOLOR_FORCE", "1")], &[]);
    let plain_pipe = check(&[], &[]);
    let no_color = check(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], &[]);
    let clicolor_0 = check(&[("CLICOLOR", "0")], &[]);
    let json = check(&[("CLICOLOR_FORCE", "1")], &["--json"]);

    // Forced even into a pipe: the verdict marks and the closing verdict are coloured.
    let text = String::from_utf8_lossy(&forced.stdout);
    assert!(
        text.contains("\u{1b}[32m✓\u{1b}[0m Token accepted"),
        "{text}"
    );
    assert!(
        text.contains("\u{1b}[33m!\u{1b}[0m Expiry unknown"),
        "{text}"
    );
    for (why, out) in [
        ("a pipe", &plain_pipe),
        ("NO_COLOR=1 (over CLICOLOR_FORCE)", &no_color),
        ("CLICOLOR=0", &clicolor_0),
    ] {
        let shown = both(out);
        assert!(shown.contains("✓ Token accepted"), "{why}: {shown}");
        assert!(
            !shown.contains(ESC),
            "{why} has escape sequences: {shown:?}"
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert!(!both(&json).contains(ESC), "JSON is never coloured");
}

#[test]
fn error_messages_are_coloured_only_where_colour_may_go() {
    let dir = tempfile::tempdir().unwrap();
    // No organization set up and none named: the command stops with an error.
    let args = ["check"];
    let forced = piped(dir.path(), &args, &[("CLICOLOR_FORCE", "1")]);
    let err = String::from_utf8_lossy(&forced.stderr);
    assert_eq!(forced.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m "),
        "{err:?}"
    );
    let plain = piped(dir.path(), &args, &[("NO_COLOR", "1")]);
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(err.starts_with("error: --org is needed"), "{err:?}");
}

/// A simulator slow enough for an audit to be seen in progress.
async fn slow_simulator() -> sim::SimHandle {
    sim::start(
        Scenario::demo(),
        "127.0.0.1:0".parse().unwrap(),
        SimOptions {
            latency: Duration::from_millis(60),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_shows_on_a_terminal_and_quiet_or_a_pipe_silences_it() {
    let sim = slow_simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let token = demo_token("gate");
    let audit = format!(
        "audit --org {} --webhook-url {GATE_URL} --json",
        sim.org_url()
    );
    let org = sim.org_url();
    let (shown, quiet, piped_out) = tokio::task::block_in_place(|| {
        (
            on_terminal(dir.path(), Some(&token), &audit, ""),
            on_terminal(dir.path(), Some(&token), &format!("{audit} --quiet"), ""),
            piped(
                dir.path(),
                &["audit", "--org", &org, "--webhook-url", GATE_URL, "--json"],
                &[],
            ),
        )
    });
    let (code, shown) = shown;
    if code == Some(-1) {
        return;
    }
    assert_eq!(code, Some(1), "{shown}");
    assert!(shown.contains("Auditing fabrikam"), "{shown}");
    assert!(shown.contains("\"schema_version\": 1"), "{shown}");
    let (code, quiet) = quiet;
    assert_eq!(code, Some(1), "{quiet}");
    assert!(
        !quiet.contains("Auditing"),
        "--quiet draws nothing: {quiet}"
    );
    assert!(quiet.contains("\"schema_version\": 1"), "{quiet}");
    let err = String::from_utf8_lossy(&piped_out.stderr);
    assert!(!err.contains("Auditing"), "no terminal, no progress: {err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_with_yes_prints_each_change_as_it_finishes_on_a_terminal_only() {
    // One organization per run, so each has the same changes to make.
    let (on_tty, quiet, pipe) = (
        slow_simulator().await,
        slow_simulator().await,
        slow_simulator().await,
    );
    let token = demo_token("gate");
    let apply =
        |org: String| format!("configure --org {org} --webhook-url {GATE_URL} --apply --yes");
    let dir = tempfile::tempdir().unwrap();
    let (shown, quiet, piped_out) = tokio::task::block_in_place(|| {
        (
            on_terminal(dir.path(), Some(&token), &apply(on_tty.org_url()), ""),
            on_terminal(
                dir.path(),
                Some(&token),
                &format!("{} --quiet", apply(quiet.org_url())),
                "",
            ),
            piped(
                dir.path(),
                &apply(pipe.org_url()).split(' ').collect::<Vec<_>>(),
                &[("NO_COLOR", "1")],
            ),
        )
    });
    let (code, shown) = shown;
    if code == Some(-1) {
        return;
    }
    let change =
        "+ create subscription git.pullrequest.updated for repository storefront-mobile … ok";
    assert!(shown.contains(change), "{shown}");
    // The bar counts the seven changes.
    assert!(shown.contains("/7 "), "{shown}");
    let (_, quiet) = quiet;
    assert!(quiet.contains("Applied: 7 done"), "{quiet}");
    assert!(!quiet.contains(change), "--quiet: {quiet}");
    assert!(!quiet.contains("Auditing"), "--quiet: {quiet}");
    let err = String::from_utf8_lossy(&piped_out.stderr);
    assert!(
        String::from_utf8_lossy(&piped_out.stdout).contains("Applied: 7 done"),
        "{}",
        both(&piped_out)
    );
    assert!(!err.contains(change), "no terminal, no progress: {err}");
}

/// Help text of `azdo-gate ARGS --help`.
fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn flags_show_only_on_the_commands_they_mean_something_to() {
    let without = [
        vec!["sim"],
        vec!["demo"],
        vec!["logout"],
        vec!["schedule"],
        vec!["completions"],
        vec!["man"],
    ];
    for args in &without {
        let text = help(args);
        assert!(!text.contains("--insecure-storage"), "{args:?}: {text}");
        assert!(!text.contains("--quiet"), "{args:?}: {text}");
    }
    for args in [["check"], ["audit"], ["configure"], ["test-delivery"]] {
        let text = help(&args);
        assert!(text.contains("--insecure-storage"), "{args:?}: {text}");
        assert!(text.contains("--quiet"), "{args:?}: {text}");
    }
    // The wizard (no command) stores a token: its flag says so.
    let top = help(&[]);
    assert!(top.contains("--insecure-storage"), "{top}");
    assert!(top.contains("wizard"), "{top}");
}

/// `azdo-gate schedule ARGS` in `cwd`, with a private config dir.
fn schedule(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
        .arg("schedule")
        .args(args)
        .current_dir(cwd)
        .env("AZDO_GATE_CONFIG_DIR", cwd.join("config"))
        .env_remove("AZDO_GATE_ORG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn step<'a>(pipeline: &'a Value, name: &str) -> &'a Value {
    pipeline["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["displayName"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

#[test]
fn schedule_print_is_a_nightly_pipeline_that_keeps_reports_and_fails_on_problems() {
    let dir = tempfile::tempdir().unwrap();
    let out = schedule(
        dir.path(),
        &["--org", "fabrikam", "--webhook-url", GATE_URL, "--print"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let pipeline: Value = serde_yaml_ng::from_slice(&out.stdout).unwrap();

    assert_eq!(pipeline["trigger"].as_str(), Some("none"));
    assert_eq!(pipeline["pr"].as_str(), Some("none"));
    let nightly = &pipeline["schedules"][0];
    assert_eq!(nightly["cron"].as_str(), Some("30 2 * * *"));
    assert_eq!(nightly["always"].as_bool(), Some(true));
    assert_eq!(nightly["branches"]["include"][0].as_str(), Some("main"));

    let profile = step(&pipeline, "Write the gate profile")["script"]
        .as_str()
        .unwrap();
    assert!(
        profile.contains(&format!("webhook_url = \"{GATE_URL}\"")),
        "{profile}"
    );
    let configure = step(&pipeline, "azdo-gate configure --apply");
    let script = configure["script"].as_str().unwrap();
    assert!(
        script.contains("azdo-gate configure --org \"https://dev.azure.com/fabrikam\" --profile \"$(PROFILE)\" --apply --yes --repos missing --json > configure.json; configure=$?;"),
        "{script}"
    );
    assert!(
        script.contains("set +e"),
        "a problem must not stop the script: {script}"
    );
    assert!(
        script.contains("variable=CONFIGURE_EXIT]$configure"),
        "{script}"
    );
    // The secret variable reaches the script only through env:, under the name azdo-gate reads.
    assert_eq!(
        configure["env"]["AZURE_DEVOPS_EXT_PAT"].as_str(),
        Some("$(AZDO_GATE_TOKEN)")
    );
    let check = step(&pipeline, "azdo-gate check");
    let script = check["script"].as_str().unwrap();
    assert!(
        script.contains(
            "check --org \"https://dev.azure.com/fabrikam\" --warn-days 30 --json > check.json"
        ),
        "{script}"
    );
    assert_eq!(
        check["env"]["AZURE_DEVOPS_EXT_PAT"].as_str(),
        Some("$(AZDO_GATE_TOKEN)")
    );
    let publish = step(&pipeline, "Publish the JSON reports");
    assert_eq!(publish["task"].as_str(), Some("PublishPipelineArtifact@1"));
    assert_eq!(publish["condition"].as_str(), Some("always()"));
    let verdict = step(&pipeline, "Fail the run when azdo-gate found problems")["script"]
        .as_str()
        .unwrap();
    assert!(
        verdict.contains("test \"$(CONFIGURE_EXIT)\" = 0 && test \"$(CHECK_EXIT)\" = 0"),
        "{verdict}"
    );
    // No basic-auth password in this profile: no second secret is asked for.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("BASIC_AUTH_PASSWORD"));
}

#[test]
fn schedule_writes_the_pipeline_once_and_replaces_it_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--org", "fabrikam", "--webhook-url", GATE_URL];
    let path = dir.path().join("azure-pipelines/azdo-gate-nightly.yml");

    let out = schedule(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(out.stdout.is_empty(), "written, not printed");
    assert!(
        both(&out).contains("AZDO_GATE_TOKEN"),
        "says what to add next"
    );
    let written = std::fs::read_to_string(&path).unwrap();
    serde_yaml_ng::from_str::<Value>(&written).unwrap();

    std::fs::write(&path, "mine").unwrap();
    let out = schedule(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("--force"), "{}", both(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");

    let out = schedule(dir.path(), &[&args[..], &["--force"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
}

#[test]
fn schedule_prints_the_same_job_for_cron_and_systemd() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--org", "fabrikam", "--webhook-url", GATE_URL, "--format"];
    let cron = schedule(dir.path(), &[&args[..], &["cron"]].concat());
    assert_eq!(cron.status.code(), Some(0), "{}", both(&cron));
    let cron = String::from_utf8_lossy(&cron.stdout);
    let line = cron.lines().find(|l| !l.starts_with('#')).unwrap();
    assert!(line.starts_with("30 2 * * * "), "{line}");
    assert!(line.contains("configure --org \"https://dev.azure.com/fabrikam\" --apply --yes --repos missing --json > configure.json"), "{line}");
    assert!(
        line.contains("--warn-days 30 --json > check.json"),
        "{line}"
    );
    assert!(
        line.ends_with("[ $configure -eq 0 ] && [ $check -eq 0 ]; }"),
        "{line}"
    );

    let systemd = schedule(dir.path(), &[&args[..], &["systemd"]].concat());
    assert_eq!(systemd.status.code(), Some(0), "{}", both(&systemd));
    let units = String::from_utf8_lossy(&systemd.stdout);
    for part in [
        "# /etc/systemd/system/azdo-gate-nightly.service",
        "Type=oneshot",
        "LoadCredential=token:/etc/azdo-gate/token",
        "--apply --yes --repos missing --json > configure.json; configure=$$?;",
        "[ $$configure -eq 0 ] && [ $$check -eq 0 ]'",
        "# /etc/systemd/system/azdo-gate-nightly.timer",
        "OnCalendar=*-*-* 02:30:00",
        "Persistent=true",
        "WantedBy=timers.target",
        "webhook_url = \"https://gate.example.com/ado/events\"",
    ] {
        assert!(units.contains(part), "{part} missing:\n{units}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn insecure_storage_reads_the_token_file_after_the_command_or_before_it() {
    use azdo_gate::org::OrgUrl;
    use azdo_gate::store::{CredentialStore, FileStore};

    let sim = start(Scenario::demo()).await;
    let org = OrgUrl::parse(&sim.org_url()).unwrap();
    for args in [
        vec!["check", "--org", org.base(), "--json", "--insecure-storage"],
        vec!["--insecure-storage", "check", "--org", org.base(), "--json"],
    ] {
        // A token in the plain file, and nothing recorded about where it is kept (a check that
        // found it there records that, hence a directory per run).
        let dir = tempfile::tempdir().unwrap();
        FileStore::new(dir.path())
            .set(&org.key(), &secrecy::SecretString::from(demo_token("gate")))
            .unwrap();
        let out = tokio::task::block_in_place(|| {
            Command::new(env!("CARGO_BIN_EXE_azdo-gate"))
                .args(&args)
                .env("AZDO_GATE_CONFIG_DIR", dir.path())
                .env_remove("AZURE_DEVOPS_EXT_PAT")
                .env_remove("AZDO_GATE_ORG")
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .output()
                .unwrap()
        });
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", both(&out)));
        assert_eq!(report["token"]["source"], "file", "{args:?}");
    }
}
