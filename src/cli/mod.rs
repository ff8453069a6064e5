//! The non-interactive face of the tool: argument parsing, token sources, and one module per
//! command. Commands return an [`Outcome`] or a [`CliError`]; only `main` turns those into text on
//! stderr and an exit code.

mod args;
mod audit;
mod check;
mod configure;
mod context;
#[cfg(feature = "demo")]
mod demo;
mod error;
mod logout;
mod output;
mod profile_source;
mod progress;
mod prompt;
mod schedule;
mod signals;
#[cfg(feature = "demo")]
mod sim;
mod test_delivery;
mod wizard;

use std::process::ExitCode;

use clap::CommandFactory;

pub use args::{Cli, Command};
pub use context::{Context, PAT_ENV};
pub use error::CliError;
pub use output::error;

/// What a command found, as an exit code: 0 healthy, 1 problems found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Healthy,
    Problems,
    /// Stopped by SIGINT/SIGTERM after reporting what was done: exit 130, as shells expect.
    Interrupted,
}

impl Outcome {
    pub fn from_problems(problems: bool) -> Self {
        if problems {
            Self::Problems
        } else {
            Self::Healthy
        }
    }

    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Healthy => ExitCode::SUCCESS,
            Self::Problems => ExitCode::from(1),
            Self::Interrupted => ExitCode::from(INTERRUPTED_EXIT),
        }
    }
}

/// The exit code of a command stopped by SIGINT or SIGTERM (128 + SIGINT).
pub const INTERRUPTED_EXIT: u8 = 130;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<Outcome, CliError> {
    // Generated text needs no configuration (not even a home directory).
    match &cli.command {
        Some(Command::Completions { shell }) => return completions(*shell),
        Some(Command::Man) => return man(),
        _ => {}
    }
    let ctx = Context::from_env(cli.insecure_storage())?;
    match cli.command {
        #[cfg(feature = "demo")]
        Some(Command::Sim(args)) => sim::run(args).await,
        Some(Command::Check(args)) => check::run(args, &ctx).await,
        Some(Command::Logout(args)) => logout::run(args, &ctx).await,
        #[cfg(feature = "demo")]
        Some(Command::Demo) => demo::run(&ctx).await,
        None => wizard::run(&ctx).await,
        Some(Command::Audit(args)) => audit::run(args, &ctx).await,
        Some(Command::Configure(args)) => configure::run(args, &ctx).await,
        Some(Command::TestDelivery(args)) => test_delivery::run(args, &ctx).await,
        Some(Command::Schedule(args)) => schedule::run(args, &ctx).await,
        // Answered above, before the configuration is read.
        Some(Command::Completions { .. } | Command::Man) => Ok(Outcome::Healthy),
    }
}

/// `azdo-gate completions SHELL`: the completion script clap writes for the command line above.
fn completions(shell: clap_complete::Shell) -> Result<Outcome, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "azdo-gate", &mut script);
    output::report(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Healthy)
}

/// `azdo-gate man`: the manual page, from the same help texts as `--help`.
fn man() -> Result<Outcome, CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    output::report(&String::from_utf8_lossy(&page))?;
    Ok(Outcome::Healthy)
}
