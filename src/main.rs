//! The `azdo-gate` binary: parse arguments, start logging to a file, run the command, and turn its
//! result into a message on stderr and an exit code (0 healthy, 1 problems found, 2 could not run).

use std::process::ExitCode;

use clap::Parser;

use azdo_gate::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            tracing::error!(%error, "command failed");
            eprintln!("error: {error}");
            if let Some(hint) = error.hint() {
                eprintln!("{hint}");
            }
            ExitCode::from(2)
        }
    }
}
