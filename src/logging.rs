//! Logs go to a file, never the terminal: stdout is the report and stderr the admin's messages.
//!
//! The file is `azdo-gate.log` in the log directory (see [`crate::store::log_dir`]); the level comes
//! from `AZDO_GATE_LOG` (default `info`). When no log directory can be created, logging is off rather
//! than spilling onto the terminal.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging; keep the guard alive until exit so buffered lines are flushed.
pub fn init() -> Option<WorkerGuard> {
    let dir = crate::store::log_dir().ok()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "azdo-gate.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
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
