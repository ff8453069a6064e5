//! One error type for the store, worded for the person at the terminal: what happened, then what to do.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The alternatives offered whenever the OS credential store cannot be used.
pub(crate) const ALTERNATIVES: &str = "give the token through the AZURE_DEVOPS_EXT_PAT environment variable instead, or keep it in a plain-text file with --insecure-storage (mode 0600, less safe)";

/// Why a store or state operation failed. Never carries a token: messages may be shown and logged.
///
/// `Clone` so the TUI can carry it inside messages; I/O causes are shared through an `Arc`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The OS credential store cannot be used at all on this machine or session.
    #[error("the OS credential store is unavailable: {reason}; {advice}")]
    Unavailable { reason: String, advice: String },

    /// The store exists but refuses access until it is unlocked.
    #[error("{store} is locked: {advice}")]
    Locked { store: String, advice: String },

    /// The store did not answer in time (the blocking call may still be pending).
    #[error(
        "{store} did not answer within {} s; it may be waiting for an unlock prompt: answer or dismiss the prompt, or unlock the keyring, then try again",
        .after.as_secs_f64()
    )]
    Timeout { store: String, after: Duration },

    /// The store answered with an error.
    #[error("{store} failed: {detail}")]
    Backend { store: String, detail: String },

    /// A file of ours does not parse. It is never reset silently.
    #[error(
        "{} is not valid: {problem}{}; the file was left untouched: fix it, or move it aside to start afresh",
        .path.display(),
        location(.line, .column)
    )]
    Corrupt {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        problem: String,
    },

    /// A file of ours was written by a later version whose format this one does not know.
    #[error(
        "{} was written by a newer azdo-gate (format version {found}; this one understands up to {supported}): upgrade azdo-gate",
        .path.display()
    )]
    NewerFormat {
        path: PathBuf,
        found: u32,
        supported: u32,
    },

    /// A file holding tokens can be read by other users; refused like ssh refuses a loose key.
    #[error(
        "{} can be read by other users (mode {mode:03o}): run `chmod 600 {}` and try again",
        .path.display(),
        .path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },

    /// A file or directory operation failed.
    #[error("could not {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },

    /// Our data could not be encoded for writing (a bug, not a user mistake).
    #[error("could not encode {}: {detail}", .path.display())]
    Encode { path: PathBuf, detail: String },

    /// Neither `AZDO_GATE_CONFIG_DIR` nor a home directory gives a place for the configuration.
    #[error(
        "no home directory was found to hold the configuration: set AZDO_GATE_CONFIG_DIR to a directory"
    )]
    NoConfigDir,

    /// The background task running a store call ended abnormally (it panicked or was cancelled).
    #[error("the credential store call stopped unexpectedly: {0}")]
    Task(String),
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source: Arc::new(source),
        }
    }
}

fn location(line: &Option<usize>, column: &Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" (line {line}, column {column})"),
        (Some(line), None) => format!(" (line {line})"),
        _ => String::new(),
    }
}

/// Line and column (1-based) of a byte offset, for pointing at the broken spot of a file.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |tail| tail.chars().count() + 1);
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines_and_columns() {
        let text = "a = 1\nb = =\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 10), (2, 5));
        assert_eq!(line_and_column(text, 999), (3, 1));
    }

    #[test]
    fn corrupt_message_names_file_and_line() {
        let err = StoreError::Corrupt {
            path: PathBuf::from("/x/state.toml"),
            line: Some(3),
            column: Some(7),
            problem: "expected `=`".into(),
        };
        let text = err.to_string();
        assert!(text.contains("/x/state.toml"), "{text}");
        assert!(text.contains("line 3, column 7"), "{text}");
        assert!(text.contains("left untouched"), "{text}");
    }
}
