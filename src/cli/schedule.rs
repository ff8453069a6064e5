//! `azdo-gate schedule`: the nightly job in the scheduler of the place it runs. An Azure Pipelines
//! YAML runs in the organization itself with the token in a secret variable; a cron line or a
//! systemd service and timer run it on a server of yours. Every form runs the same two commands,
//! keeps both JSON reports even when a command exits 1, and fails the run when either found
//! problems (1) or could not run (2).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::args::{ScheduleArgs, ScheduleFormat};
use super::context::{Context, PAT_ENV};
use super::{CliError, Outcome, output, profile_source};
use crate::domain::BASIC_AUTH_PASSWORD_ENV;

/// Where `schedule` writes the pipeline unless told otherwise.
pub const DEFAULT_PIPELINE_PATH: &str = "azure-pipelines/azdo-gate-nightly.yml";

/// The pipeline's secret variables: the token, and the webhook's basic-auth password when the
/// profile names one.
const TOKEN_VARIABLE: &str = "AZDO_GATE_TOKEN";
const PASSWORD_VARIABLE: &str = "AZDO_GATE_BASIC_AUTH_PASSWORD";

/// 02:30 every night (UTC in Azure Pipelines, local time in cron and systemd).
const CRON_SCHEDULE: &str = "30 2 * * *";
const SYSTEMD_CALENDAR: &str = "*-*-* 02:30:00";

/// The days before expiry at which `check` reports a problem.
const WARN_DAYS: u32 = 30;

/// What every form of the job needs.
struct Job {
    /// The organization's address, exactly as the commands take it.
    org: String,
    /// The gate profile in effect now, as TOML: the job configures exactly what the wizard would.
    profile: String,
    /// The profile names a basic-auth password, which the job must be given.
    basic_auth: bool,
    /// The token's expiry as recorded on this machine, so the nightly check can warn before it.
    expires_on: Option<jiff::civil::Date>,
}

pub async fn run(args: ScheduleArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let state = ctx.load_state()?;
    let org = ctx.org(&args.org, &state)?;
    let stored = state.org(&org.key());
    let profile = profile_source::resolve(&args.profile, stored)?;
    let job = Job {
        org: org.base().to_owned(),
        profile: toml::to_string(&profile.to_table())
            .map_err(|e| CliError::Usage(format!("the gate profile cannot be written out: {e}")))?,
        basic_auth: profile.basic_auth_secret.is_some(),
        expires_on: stored
            .and_then(|o| o.token.as_ref())
            .and_then(|m| m.expires_on),
    };
    let text = match args.format {
        ScheduleFormat::AzurePipelines => azure_pipelines(&job, &args.branch),
        ScheduleFormat::Cron => cron(&job, &program()),
        ScheduleFormat::Systemd => systemd(&job, &program()),
    };
    let path = match (&args.output, args.format) {
        _ if args.print => None,
        (Some(path), _) => Some(path.clone()),
        (None, ScheduleFormat::AzurePipelines) => Some(PathBuf::from(DEFAULT_PIPELINE_PATH)),
        (None, ScheduleFormat::Cron | ScheduleFormat::Systemd) => None,
    };
    match path {
        None => output::report(&text)?,
        Some(path) => {
            write_new(&path, &text, args.force)?;
            eprintln!("Wrote {}.", path.display());
            if args.format == ScheduleFormat::AzurePipelines {
                eprintln!(
                    "Next: commit it, create a pipeline from it (Pipelines > New pipeline > Existing Azure Pipelines YAML file), and add the secret variable {TOKEN_VARIABLE} holding the token{}.",
                    if job.basic_auth {
                        format!(" and {PASSWORD_VARIABLE} holding the webhook's password")
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    Ok(Outcome::Healthy)
}

/// Writes `text` to `path`, creating its directory; an existing file is replaced only with `force`.
fn write_new(path: &Path, text: &str, force: bool) -> Result<(), CliError> {
    let failed = |error: std::io::Error| CliError::Write {
        path: path.to_path_buf(),
        error,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // Checked by the open itself, so nothing can appear between a look and the write.
        options.create_new(true);
    }
    let mut file = match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CliError::Usage(format!(
                "{} exists; nothing was written (--force replaces it, --print shows the job)",
                path.display()
            )));
        }
        other => other.map_err(failed)?,
    };
    file.write_all(text.as_bytes()).map_err(failed)
}

/// This program's path for a server's job (cron and systemd have a minimal PATH).
fn program() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(str::to_owned))
        .unwrap_or_else(|| "azdo-gate".to_owned())
}

/// Where the commands run, for what their text must escape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Runner {
    Pipeline,
    /// A crontab line, where `%` means a newline.
    Cron,
    /// A unit's `ExecStart=`, where systemd reads `$` and `%` itself.
    Systemd,
}

/// The two commands, as a shell sees them: `configure` then `check`, each with its report in a
/// file and its exit code kept in `$configure` and `$check`.
fn commands(job: &Job, runner: Runner, program: &str, profile: Option<&str>) -> [String; 2] {
    let escape = |text: &str| match runner {
        Runner::Pipeline => text.to_owned(),
        Runner::Cron => text.replace('%', "\\%"),
        Runner::Systemd => text.replace('%', "%%"),
    };
    let dollar = if runner == Runner::Systemd { "$$" } else { "$" };
    // A path with a space or a shell character is quoted; `azdo-gate` or /usr/bin/azdo-gate is not.
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+".contains(c);
    let program = if program.chars().all(plain) {
        escape(program)
    } else {
        format!("\"{}\"", escape(program))
    };
    let org = escape(&job.org);
    let profile = profile
        .map(|p| format!(" --profile \"{}\"", escape(p)))
        .unwrap_or_default();
    let expires = job
        .expires_on
        .map(|d| format!(" --expires-on {d}"))
        .unwrap_or_default();
    [
        format!(
            "{program} configure --org \"{org}\"{profile} --apply --yes --repos missing --json > configure.json; configure={dollar}?;"
        ),
        format!(
            "{program} check --org \"{org}\" --warn-days {WARN_DAYS}{expires} --json > check.json; check={dollar}?;"
        ),
    ]
}

fn azure_pipelines(job: &Job, branch: &str) -> String {
    let mut out = String::new();
    // A single-quoted YAML scalar doubles its quotes.
    let branch = branch.replace('\'', "''");
    let version = env!("CARGO_PKG_VERSION");
    let org = &job.org;
    let password_note = if job.basic_auth {
        format!(
            "\n# and the secret variable {PASSWORD_VARIABLE} holding the webhook's basic-auth password."
        )
    } else {
        ".".to_owned()
    };
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "\
# Nightly azdo-gate run for {org}, written by `azdo-gate schedule` {version}.
# It configures every repository not gated yet and checks the integration token; both JSON reports
# are published as the pipeline artifact azdo-gate-reports even when a command finds problems, and
# the run fails when either command found problems (exit 1) or could not run (exit 2).
#
# Before the first run add, under Pipelines > this pipeline > Edit > Variables, the secret variable
# {TOKEN_VARIABLE} holding the token (\"Keep this value secret\"){password_note}
# Secret variables reach a script only when mapped under env:, as below.
trigger: none
pr: none
schedules:
  - cron: '{CRON_SCHEDULE}'
    displayName: Nightly azdo-gate (02:30 UTC)
    branches:
      include:
        - '{branch}'
    always: true
pool:
  vmImage: ubuntu-latest
variables:
  REPORTS: $(Build.ArtifactStagingDirectory)/azdo-gate
  PROFILE: $(Agent.TempDirectory)/azdo-gate-profile.toml
steps:
  - checkout: none
  # Replace with however you ship azdo-gate to agents (a package, a pipeline artifact).
  - script: cargo install --locked --no-default-features azdo-gate --version {version}
    displayName: Install azdo-gate
  # The gate profile in effect when this file was written, so the job configures what the wizard would.
  - script: |
      mkdir -p \"$(REPORTS)\"
      cat > \"$(PROFILE)\" <<'AZDO_GATE_PROFILE'
"
    );
    for line in job.profile.lines() {
        if line.is_empty() {
            let _ = writeln!(out);
        } else {
            let _ = writeln!(out, "      {line}");
        }
    }
    let [configure, check] = commands(job, Runner::Pipeline, "azdo-gate", Some("$(PROFILE)"));
    let password_env = if job.basic_auth {
        format!("\n      {BASIC_AUTH_PASSWORD_ENV}: $({PASSWORD_VARIABLE})")
    } else {
        String::new()
    };
    // (No line continuation here: it would eat the indentation YAML needs.)
    let _ = write!(
        out,
        "      AZDO_GATE_PROFILE
    displayName: Write the gate profile
  # Each command keeps its exit code for the last step, so the reports are published either way.
  - script: |
      set +e
      cd \"$(REPORTS)\"
      {configure}
      echo \"##vso[task.setvariable variable=CONFIGURE_EXIT]$configure\"
    displayName: azdo-gate configure --apply
    env:
      {PAT_ENV}: $({TOKEN_VARIABLE}){password_env}
  - script: |
      set +e
      cd \"$(REPORTS)\"
      {check}
      echo \"##vso[task.setvariable variable=CHECK_EXIT]$check\"
    displayName: azdo-gate check
    env:
      {PAT_ENV}: $({TOKEN_VARIABLE})
  - task: PublishPipelineArtifact@1
    displayName: Publish the JSON reports
    condition: always()
    inputs:
      targetPath: $(REPORTS)
      artifact: azdo-gate-reports
  - script: |
      echo \"configure exited $(CONFIGURE_EXIT), check exited $(CHECK_EXIT)\"
      test \"$(CONFIGURE_EXIT)\" = 0 && test \"$(CHECK_EXIT)\" = 0
    displayName: Fail the run when azdo-gate found problems
"
    );
    out
}

fn cron(job: &Job, program: &str) -> String {
    let [configure, check] = commands(job, Runner::Cron, program, None);
    format!(
        "\
# Nightly azdo-gate run for {org} at 02:30: add with `crontab -e`, as the user who set it up.
# It uses that user's gate profile and stored token. The OS credential store is usually locked
# without a login session: keep the token in the plain token file (the wizard's --insecure-storage)
# or put `{PAT_ENV}=\"$(cat ~/.azdo-gate-token)\"; export {PAT_ENV};` first.
# The reports land in ~/azdo-gate-reports; the job exits non-zero when either command did.
{CRON_SCHEDULE} mkdir -p \"$HOME/azdo-gate-reports\" && cd \"$HOME/azdo-gate-reports\" && {{ {configure} {check} [ $configure -eq 0 ] && [ $check -eq 0 ]; }}
",
        org = job.org
    )
}

fn systemd(job: &Job, program: &str) -> String {
    let profile_path = "/etc/azdo-gate/profile.toml";
    let [configure, check] = commands(job, Runner::Systemd, program, Some(profile_path));
    let (password_credential, password_export) = if job.basic_auth {
        (
            "\n# The webhook's basic-auth password, likewise: /etc/azdo-gate/basic-auth-password.\nLoadCredential=basic-auth-password:/etc/azdo-gate/basic-auth-password".to_owned(),
            format!(
                "{BASIC_AUTH_PASSWORD_ENV}=\"$$(cat \"$${{CREDENTIALS_DIRECTORY}}/basic-auth-password\")\"; export {BASIC_AUTH_PASSWORD_ENV}; "
            ),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "\
# {profile_path}: the gate profile in effect when this was written.
{profile}

# /etc/systemd/system/azdo-gate-nightly.service
[Unit]
Description=azdo-gate: configure repositories not gated yet in {org} and check the token
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
DynamicUser=yes
# The repository snapshot and the reports live in /var/lib/azdo-gate.
StateDirectory=azdo-gate
Environment=AZDO_GATE_CONFIG_DIR=%S/azdo-gate
WorkingDirectory=%S/azdo-gate
# The token, in a file only root can read: /etc/azdo-gate/token (mode 0600).
LoadCredential=token:/etc/azdo-gate/token{password_credential}
ExecStart=/bin/sh -c '{PAT_ENV}=\"$$(cat \"$${{CREDENTIALS_DIRECTORY}}/token\")\"; export {PAT_ENV}; {password_export}{configure} {check} [ $$configure -eq 0 ] && [ $$check -eq 0 ]'

# /etc/systemd/system/azdo-gate-nightly.timer
[Unit]
Description=Run azdo-gate nightly

[Timer]
OnCalendar={SYSTEMD_CALENDAR}
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target

# Then: systemctl daemon-reload && systemctl enable --now azdo-gate-nightly.timer
# A failed run shows in `systemctl --failed`; the reports: /var/lib/azdo-gate/*.json.
",
        org = job.org,
        profile = job.profile.trim_end(),
    )
}
