//! Questions to the admin on a terminal. Without one (scripts, cron) nothing is asked: each command
//! decides what that means for it.

use std::io::{BufRead, IsTerminal, Write};

use super::CliError;

/// Whether someone can be asked: standard input and standard error are both terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question [y/N]` on stderr; true only for y or yes.
pub fn ask(question: &str) -> Result<bool, CliError> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
