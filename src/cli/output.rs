//! The report on stdout and messages on stderr, both through `anstream`, the one place that decides
//! whether colour reaches a stream (see [`crate::report::style`]). A reader that stops early
//! (`azdo-gate audit --csv | head -1`) closes the pipe: that is a normal end, as in ripgrep, not an
//! error and never a panic.

use std::fmt::Display;
use std::io::{self, Write};

use super::CliError;
use crate::report::style;

/// Writes `text` to stdout, ending it with a newline when it lacks one.
pub fn report(text: &str) -> Result<(), CliError> {
    let mut out = anstream::AutoStream::auto(io::stdout().lock());
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(CliError::Output),
    }
}

/// `warning: MESSAGE` on stderr.
pub fn warning(message: impl Display) {
    anstream::eprintln!("{} {message}", style::warning_prefix());
}

/// `error: MESSAGE` on stderr.
pub fn error(message: impl Display) {
    anstream::eprintln!("{} {message}", style::error_prefix());
}
