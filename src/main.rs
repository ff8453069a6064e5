//! The `azdo-gate` binary: parse arguments, start logging to a file, run the command, and turn its
//! result into a message on stderr and an exit code (0 healthy, 1 problems found, 2 could not run).

use std::process::ExitCode;

use clap::Parser;

use azdo_gate::cli::{self, Cli};
use azdo_gate::logging;
use azdo_gate::report::style;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Text reports and messages may carry colour; anstream keeps it only where the stream allows.
    style::enable();
    // The demo promises to write nothing outside its temporary directory, which is removed on exit:
    // a log of it would be the one file left behind.
    let _log = if cli.writes_nothing() {
        None
    } else {
        logging::init()
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            cli::error(format_args!("could not start the async runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(cli::run(cli));
    // A credential-store call that timed out may still be waiting on a prompt; do not hang on it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            tracing::error!(%error, "command failed");
            cli::error(&error);
            if let Some(hint) = error.hint() {
                eprintln!("{hint}");
            }
            ExitCode::from(2)
        }
    }
}
