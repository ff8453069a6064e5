//! The report on stdout. A reader that stops early (`azdo-gate audit --csv | head -1`) closes the
//! pipe: that is a normal end, as in ripgrep, not an error and never a panic.

use std::io::{self, Write};

use super::CliError;

/// Writes `text` to stdout, ending it with a newline when it lacks one.
pub fn report(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
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
