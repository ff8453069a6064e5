//! Advisory file locks in the configuration directory, so that commands on this machine do not
//! write over each other: one writer per organization (`configure --apply`, the wizard's apply
//! step), and one `state.toml` update at a time.
//!
//! The locks are `flock`-style (fd-lock): the operating system releases them when the process
//! ends, however it ends, so a crashed run never leaves a stale lock behind. The file itself only
//! says who holds it, for the message a waiting command prints.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::StoreError;
use super::atomic::ensure_private_dir;

/// Sub-directory of the configuration directory that holds the lock files.
pub const LOCK_DIR: &str = "locks";

/// How often a waiting command tries the lock again.
const POLL: Duration = Duration::from_millis(100);

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another azdo-gate ({holder}) is changing {organization}; waited {waited} s for it to finish: try again later, or raise --lock-timeout"
    )]
    Timeout {
        organization: String,
        holder: String,
        waited: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A held lock: released when dropped (the file is closed) or when the process ends.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// Tries once: `Ok(None)` when another process holds it.
fn try_take(path: &Path) -> Result<Option<File>, StoreError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io("open the lock file", path, e))?;
    let mut lock = fd_lock::RwLock::new(file);
    let taken = match lock.try_write() {
        Ok(guard) => {
            // Closing the file releases the lock (flock and LockFileEx are tied to the open file),
            // so the guard is not needed to unlock: the lock lives exactly as long as the file
            // kept in `FileLock`.
            std::mem::forget(guard);
            true
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
        Err(e) => return Err(StoreError::io("lock", path, e)),
    };
    Ok(taken.then(|| lock.into_inner()))
}

/// The path of a lock named `name` (any text: it is reduced to a safe file name).
fn lock_path(config_dir: &Path, name: &str) -> Result<PathBuf, StoreError> {
    let dir = config_dir.join(LOCK_DIR);
    ensure_private_dir(&dir)?;
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Ok(dir.join(format!("{slug}.lock")))
}

/// Who holds a lock, as its holder wrote it; "another process" when it wrote nothing readable.
/// Who holds the lock, when its note is written.
fn holder(path: &Path) -> Option<String> {
    let mut text = String::new();
    let read = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    read.ok()
        .map(|_| text.trim().to_owned())
        .filter(|who| !who.is_empty())
}

/// The holder, when it has not said who it is.
const ANOTHER: &str = "another process";

/// How long a waiter waits for the holder's note before saying it waits.
const NAME_WAIT: Duration = Duration::from_secs(1);

/// Takes the organization's writer lock, waiting up to `timeout` while another process holds it
/// (`on_wait` is told once, with who that is). `what` says what this process does, for the next
/// waiter.
pub fn lock_organization(
    config_dir: &Path,
    organization_key: &str,
    organization_name: &str,
    what: &str,
    timeout: Duration,
    on_wait: impl FnOnce(&str),
) -> Result<FileLock, LockError> {
    let path = lock_path(config_dir, &format!("org-{organization_key}"))?;
    let started = Instant::now();
    let mut on_wait = Some(on_wait);
    loop {
        if let Some(mut file) = try_take(&path)? {
            // Best effort: the note only improves the message a waiter prints.
            let note = format!("process {} running {what}\n", std::process::id());
            let _ = file
                .set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)))
                .and_then(|_| file.write_all(note.as_bytes()));
            return Ok(FileLock { _file: file });
        }
        let who = holder(&path);
        if started.elapsed() >= timeout {
            return Err(LockError::Timeout {
                organization: organization_name.to_owned(),
                holder: who.clone().unwrap_or_else(|| ANOTHER.to_owned()),
                waited: started.elapsed().as_secs(),
            });
        }
        // The holder writes its note just after taking the lock: wait a moment for it, so the
        // admin is told who, but never longer than a second before saying anything.
        if (who.is_some() || started.elapsed() >= NAME_WAIT)
            && let Some(tell) = on_wait.take()
        {
            tell(who.as_deref().unwrap_or(ANOTHER));
        }
        std::thread::sleep(POLL);
    }
}

/// Takes the lock that serialises `state.toml` updates, waiting as long as it takes: holders keep
/// it only for one read and one write.
pub(crate) fn lock_state(config_dir: &Path) -> Result<FileLock, StoreError> {
    let path = lock_path(config_dir, "state")?;
    loop {
        if let Some(file) = try_take(&path)? {
            return Ok(FileLock { _file: file });
        }
        std::thread::sleep(POLL / 10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_waits_then_times_out_naming_the_holder()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let held = lock_organization(
            dir.path(),
            "k",
            "fabrikam",
            "configure --apply",
            Duration::ZERO,
            |_| {},
        )?;
        let mut told = Vec::new();
        let second = lock_organization(
            dir.path(),
            "k",
            "fabrikam",
            "x",
            Duration::from_millis(250),
            |who| told.push(who.to_owned()),
        );
        assert_eq!(told.len(), 1, "told once: {told:?}");
        let message = match second {
            Err(e @ LockError::Timeout { .. }) => e.to_string(),
            other => panic!("expected a timeout, got {other:?}"),
        };
        assert!(message.contains("configure --apply"), "{message}");
        assert!(
            message.contains(&std::process::id().to_string()),
            "{message}"
        );
        drop(held);
        lock_organization(dir.path(), "k", "fabrikam", "x", Duration::ZERO, |_| {})?;
        Ok(())
    }
}
