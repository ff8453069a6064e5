//! Logs go to a file, never the terminal: stdout is the report and stderr the admin's messages.
//!
//! The file is `azdo-gate.log` in the log directory (see [`crate::store::log_dir`]), mode 0600 in a
//! 0700 directory; the level comes from `AZDO_GATE_LOG` (default `info`). Logging never stops a
//! command: when the file cannot be opened, one warning on stderr says why and the command goes on
//! without a file log.

use std::fs::{File, OpenOptions};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging; keep the guard alive until exit so buffered lines are flushed.
pub fn init() -> Option<WorkerGuard> {
    let file = match open() {
        Ok(file) => file,
        Err(why) => {
            eprintln!("warning: not writing a log file: {why}");
            return None;
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter =
        EnvFilter::try_from_env("AZDO_GATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The log file, opened for appending; its directories are created private before anything is
/// written into them.
fn open() -> Result<File, String> {
    let dir = crate::store::log_dir().map_err(|e| e.to_string())?;
    crate::store::ensure_private_dir(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("azdo-gate.log");
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(&path)
        .map_err(|e| format!("could not open {}: {e}", path.display()))
}
