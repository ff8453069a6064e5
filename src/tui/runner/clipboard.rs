//! The system clipboard, through the platform's own tool where one is installed (`pbcopy`, `clip`,
//! `wl-copy`, `xclip`, `xsel`). Best effort by design: OSC 52 has already been sent through the
//! terminal, and a machine without a display (SSH, CI) simply has no system clipboard. No library
//! is linked for this, so a headless build or test run never depends on a display server.

use std::io::Write;
use std::process::{Command, Stdio};

/// The tools to try here, most specific first.
fn candidates() -> Vec<(&'static str, &'static [&'static str])> {
    if cfg!(target_os = "macos") {
        return vec![("pbcopy", &[])];
    }
    if cfg!(windows) {
        return vec![("clip", &[])];
    }
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let mut tools = Vec::new();
    if set("WAYLAND_DISPLAY") {
        tools.push(("wl-copy", &[][..]));
    }
    if set("DISPLAY") {
        tools.push(("xclip", &["-selection", "clipboard"][..]));
        tools.push(("xsel", &["--clipboard", "--input"][..]));
    }
    tools
}

/// Puts `text` on the system clipboard with the first tool that works; silently does nothing
/// where there is none. The text goes through the tool's stdin, never its command line.
pub(super) fn copy_system(text: &str) {
    for (program, args) in candidates() {
        let Ok(mut child) = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            continue;
        };
        let written = child
            .stdin
            .take()
            .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
        if written && child.wait().is_ok_and(|status| status.success()) {
            return;
        }
    }
}
