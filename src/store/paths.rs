//! Where the configuration, state and logs live.

use std::path::PathBuf;

use directories::ProjectDirs;

use super::StoreError;

/// Overrides the configuration directory (tests, portable setups, several identities side by side).
pub const CONFIG_DIR_ENV: &str = "AZDO_GATE_CONFIG_DIR";

/// The configuration directory: `$AZDO_GATE_CONFIG_DIR` when set and non-empty (made absolute against
/// the current directory), else the platform's config dir (`~/.config/azdo-gate` on Linux,
/// `~/Library/Application Support/azdo-gate` on macOS, `%APPDATA%\azdo-gate\config` on Windows).
/// It is not created here: writers create it (mode 0700) when they first need it.
pub fn config_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return std::path::absolute(&dir).map_err(|e| StoreError::io("resolve", &dir, e));
    }
    ProjectDirs::from("", "", "azdo-gate")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or(StoreError::NoConfigDir)
}

/// The log directory: `logs` inside [`config_dir`], so one override moves everything the tool writes
/// and a user finds the logs next to the state they describe.
pub fn log_dir() -> Result<PathBuf, StoreError> {
    config_dir().map(|dir| dir.join("logs"))
}
