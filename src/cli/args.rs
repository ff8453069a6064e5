//! The command line, as clap sees it. Help texts are written for an admin who has never used the tool.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Onboard an Azure DevOps organization onto a pull-request gating service: create and check the
/// integration token, find projects where it cannot manage service hooks, and configure every
/// repository with webhook subscriptions and a status-check branch policy.
///
/// Run without a command for the interactive wizard. The other commands are for scripts and cron:
/// reports go to stdout, messages to stderr; exit code 0 = healthy, 1 = problems found,
/// 2 = the command could not do its job.
#[derive(Debug, Parser)]
#[command(name = "azdo-gate", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// For the wizard: save the token in a plain file (tokens.toml, mode 0600) in the config
    /// directory instead of the OS credential store. Only for machines without one; every use
    /// prints a warning.
    #[arg(long)]
    pub insecure_storage: bool,
}

impl Cli {
    /// Whether the plain token file was asked for: before the command (`azdo-gate
    /// --insecure-storage check`, as scripts wrote it when the flag was global) or after it, on
    /// the commands that read a token.
    pub fn insecure_storage(&self) -> bool {
        let after = match &self.command {
            Some(Command::Check(a)) => a.token.insecure_storage,
            Some(Command::Audit(a)) => a.token.insecure_storage,
            Some(Command::Configure(a)) => a.token.insecure_storage,
            Some(Command::TestDelivery(a)) => a.token.insecure_storage,
            Some(Command::Logout(a)) => a.insecure_storage,
            _ => false,
        };
        self.insecure_storage || after
    }

    /// Commands that write nothing, not even a log: the demo (everything stays in its temporary
    /// directory) and the generated completions and manual page.
    pub fn writes_nothing(&self) -> bool {
        #[cfg(feature = "demo")]
        if matches!(self.command, Some(Command::Demo)) {
            return true;
        }
        matches!(
            self.command,
            Some(Command::Completions { .. } | Command::Man)
        )
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the wizard against a built-in simulated organization (no account needed, nothing real is touched).
    #[cfg(feature = "demo")]
    Demo,
    /// Check a token: accepted, whose it is, its scopes and its expiry.
    Check(CheckArgs),
    /// Report service-hook permissions per project and gating coverage per repository.
    Audit(AuditArgs),
    /// Have Azure DevOps send a test event through a gate subscription and show what the gate answered
    /// (exit 0: delivered, 1: the gate refused or did not answer, 2: the test could not be sent).
    TestDelivery(TestDeliveryArgs),
    /// Plan or apply webhook subscriptions and status policies for repositories that need them.
    Configure(ConfigureArgs),
    /// Remove the stored token and everything recorded about an organization.
    Logout(LogoutArgs),
    /// Serve a simulated Azure DevOps organization on loopback (for trying the tool and for tests).
    #[cfg(feature = "demo")]
    Sim(SimArgs),
    /// Print a shell completion script on stdout, e.g.
    /// `azdo-gate completions bash > ~/.local/share/bash-completion/completions/azdo-gate`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write or print a nightly job that configures repositories not gated yet and checks the
    /// token: an Azure Pipelines YAML (the default), a cron line or a systemd service and timer.
    Schedule(ScheduleArgs),
    /// Print the manual page (roff) on stdout, e.g. `azdo-gate man > ~/.local/share/man/man1/azdo-gate.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub org: OrgArg,
    /// Do not ask on a terminal before removing.
    #[arg(long)]
    pub yes: bool,
    /// Accepted for scripts written when the flag was global: for an organization with no
    /// recorded store, the token is looked for in the plain token file instead of the OS store.
    /// (The file's copy is removed either way.)
    #[arg(long, hide = true)]
    pub insecure_storage: bool,
}

#[derive(Debug, Args)]
pub struct OrgArg {
    /// Organization: a name (fabrikam) or URL (https://dev.azure.com/fabrikam,
    /// https://fabrikam.visualstudio.com, https://server/tfs/Collection). May be omitted when
    /// AZDO_GATE_ORG is set, when exactly one organization is set up, or when one is marked default.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
}

/// Where the token comes from for the non-interactive commands.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Read the token from the first line of standard input. Otherwise the environment variable
    /// AZURE_DEVOPS_EXT_PAT is used, then the token stored by the wizard.
    #[arg(long)]
    pub pat_stdin: bool,
    /// Read the stored token from the plain token file (tokens.toml in the config directory)
    /// instead of the OS credential store, for an organization whose store state.toml does not
    /// record. A token the wizard saved in that file is found without it.
    #[arg(long)]
    pub insecure_storage: bool,
}

/// Progress on stderr, for the commands that wait on Azure DevOps.
#[derive(Debug, Args)]
pub struct QuietArg {
    /// Draw no progress on stderr. (Progress is drawn only when stderr is a terminal, so pipes,
    /// files and cron never get it anyway.)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub org: OrgArg,
    #[command(flatten)]
    pub token: TokenArgs,
    /// Print the report as JSON (schema_version 1).
    #[arg(long)]
    pub json: bool,
    /// Treat a token that expires within this many days as a problem (exit 1).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub warn_days: u32,
    /// The token's expiry date as shown on the token page (a token cannot read its own expiry).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = calendar_date)]
    pub expires_on: Option<jiff::civil::Date>,
    /// Remember the --expires-on date and the token's fingerprint for this organization, so later
    /// runs given the same token (by AZURE_DEVOPS_EXT_PAT or --pat-stdin) know its expiry.
    #[arg(long, requires = "expires_on")]
    pub record: bool,
    #[command(flatten)]
    pub progress: QuietArg,
}

/// A `YYYY-MM-DD` date, refused in words (the date library's own message shows Rust range syntax,
/// such as `1..=12`).
fn calendar_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.trim().parse().map_err(|_| {
        "not a date in the calendar: write it as YYYY-MM-DD, for example 2027-03-31".to_owned()
    })
}

/// The gate profile options shared by `audit` and `configure`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Where the gating service receives events (overrides the profile and the stored setting).
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// A gate profile TOML file (events, subscription scope, status check); defaults to the one
    /// stored for this organization, then the built-in default.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub org: OrgArg,
    #[command(flatten)]
    pub token: TokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the report as JSON (schema_version 1).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print one CSV row per repository.
    #[arg(long)]
    pub csv: bool,
    /// Also read Azure DevOps' delivery history of every gate subscription: succeeded / failed
    /// deliveries, the last failure and its cause. Exits 1 when a gate hook's last delivery failed.
    #[arg(long)]
    pub deliveries: bool,
    /// How far back --deliveries looks: hours, days or weeks (36h, 7d, 2w).
    #[arg(long, value_name = "AGE", default_value = "7d", value_parser = parse_since, requires = "deliveries")]
    pub since: jiff::SignedDuration,
    #[command(flatten)]
    pub concurrency: ConcurrencyArg,
    #[command(flatten)]
    pub progress: QuietArg,
}

#[derive(Debug, Args)]
pub struct ConcurrencyArg {
    /// At most this many requests in flight (1-32). Without it the tool starts at 8 and grows up
    /// to 32 while Azure DevOps answers freely, slowing down as soon as it signals pressure.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=32))]
    pub max_concurrency: Option<u8>,
}

impl ConcurrencyArg {
    /// `config` capped at `--max-concurrency`, telling stderr (above any progress) whenever Azure
    /// DevOps throttles.
    pub fn apply(
        &self,
        mut config: crate::ado::ClientConfig,
        progress: &super::progress::Progress,
    ) -> crate::ado::ClientConfig {
        if let Some(max) = self.max_concurrency {
            let max = usize::from(max);
            config.max_concurrency = max;
            config.concurrency = config.concurrency.min(max);
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<std::time::Duration>();
        let progress = progress.clone();
        tokio::spawn(async move {
            while let Some(wait) = rx.recv().await {
                progress.say(format_args!(
                    "Azure DevOps asked us to slow down; waiting {} s",
                    wait.as_secs_f64().round().max(1.0)
                ));
            }
        });
        config.on_throttle = Some(tx);
        config
    }
}

fn parse_since(raw: &str) -> Result<jiff::SignedDuration, String> {
    crate::audit::deliveries::parse_since(raw)
        .ok_or_else(|| format!("'{raw}' is not an age like 36h, 7d or 2w"))
}

#[derive(Debug, Args)]
pub struct TestDeliveryArgs {
    #[command(flatten)]
    pub org: OrgArg,
    #[command(flatten)]
    pub token: TokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The repository (name or id) whose gate subscription to test; default: the first repository
    /// with one.
    #[arg(long, value_name = "NAME|ID", conflicts_with = "subscription")]
    pub repo: Option<String>,
    /// The subscription to test, by id.
    #[arg(long, value_name = "ID")]
    pub subscription: Option<String>,
    /// Print the result as JSON (schema_version 1).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub progress: QuietArg,
}

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    #[command(flatten)]
    pub org: OrgArg,
    #[command(flatten)]
    pub token: TokenArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Show what would change and change nothing.
    #[arg(long, conflicts_with = "apply", required_unless_present = "apply")]
    pub plan: bool,
    /// Make the changes (requires --yes when not run interactively).
    #[arg(long)]
    pub apply: bool,
    /// Confirm --apply without a prompt.
    #[arg(long, requires = "apply")]
    pub yes: bool,
    /// Print the plan or the results as JSON (schema_version 1).
    #[arg(long)]
    pub json: bool,
    /// Which repositories: missing (every one not covered), new (added since the last run), all,
    /// or a comma-separated list of repository ids.
    #[arg(long, value_name = "SELECTION", default_value = "missing")]
    pub repos: String,
    /// One subscription per repository and event, or one per project and event (which also
    /// covers repositories created later). Overrides the profile.
    #[arg(long, value_enum)]
    pub scope: Option<ScopeArg>,
    /// With --apply: how long to wait, in seconds, while another azdo-gate on this machine is
    /// changing the same organization.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub lock_timeout: u64,
    #[command(flatten)]
    pub concurrency: ConcurrencyArg,
    #[command(flatten)]
    pub progress: QuietArg,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(flatten)]
    pub org: OrgArg,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Which scheduler runs the job: azure-pipelines (a pipeline in the organization itself), cron
    /// or systemd (a server of yours).
    #[arg(long, value_enum, default_value = "azure-pipelines")]
    pub format: ScheduleFormat,
    /// Print the job on stdout instead of writing a file.
    #[arg(long, conflicts_with_all = ["output", "force"])]
    pub print: bool,
    /// Where to write the job. Default for azure-pipelines:
    /// azure-pipelines/azdo-gate-nightly.yml; cron and systemd are printed unless given a path.
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The branch whose copy of the pipeline YAML the schedule runs (azure-pipelines).
    #[arg(long, value_name = "NAME", default_value = "main")]
    pub branch: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleFormat {
    AzurePipelines,
    Cron,
    Systemd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScopeArg {
    Repository,
    Project,
}

#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on; only loopback addresses are allowed.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    /// A scenario file (JSON or TOML) describing the organization; defaults to the demo scenario.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Delay every answer by this many milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,
    /// Act as Azure DevOps Server supporting REST API versions up to this one (7.0 = Server 2022,
    /// 6.0 = Server 2020): newer api-versions are refused as the real server does, and the
    /// organization is also served under the collection URL /tfs/ORGANIZATION.
    #[arg(long, value_name = "VERSION")]
    pub server_version: Option<String>,
}
