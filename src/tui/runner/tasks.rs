//! The bodies of the runner's tasks: each runs one engine or I/O call and reports back as
//! messages. Progress channels are forwarded while the engine runs, so the screen moves as it goes.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::ado::ClientConfig;
use crate::checks::{self, CheckInput, ExpiryInput, ExpirySource, TokenSource};
use crate::org::OrgUrl;
use crate::store::{State, StoreError};
use crate::tui::effect::{StoreTarget, TokenArg};
use crate::tui::msg::{Msg, RequestId};
use crate::tui::runner::credentials::Credentials;

/// Expiry within this many days is an error for a token being set up now.
const WARN_DAYS: u32 = 30;

/// Runs `engine` with a progress channel whose events are turned into messages as they arrive;
/// returns the engine's result once both the engine and the forwarding are done.
pub(crate) async fn with_progress<E, T, F, Fut>(
    tx: &UnboundedSender<Msg>,
    to_msg: impl Fn(E) -> Msg,
    engine: F,
) -> T
where
    F: FnOnce(UnboundedSender<E>) -> Fut,
    Fut: Future<Output = T>,
{
    let (progress, mut events) = unbounded_channel();
    let forward = async {
        while let Some(event) = events.recv().await {
            // A closed channel means the wizard is ending; the rest is moot.
            let _ = tx.send(to_msg(event));
        }
    };
    let (result, ()) = tokio::join!(engine(progress), forward);
    result
}

/// The token check, with the pasted expiry date as a freshly entered one.
pub(crate) async fn verify(
    tx: UnboundedSender<Msg>,
    request: RequestId,
    org: OrgUrl,
    token: TokenArg,
    expires_on: Date,
    today: Date,
) {
    let input = CheckInput {
        org,
        token: token.secret().clone(),
        source: TokenSource::Entered,
        expiry: ExpiryInput {
            date: Some(expires_on),
            source: ExpirySource::Flag,
            freshly_entered: true,
        },
        warn_days: WARN_DAYS,
        today,
        client: ClientConfig::default(),
    };
    let result = with_progress(
        &tx,
        |event| Msg::CheckProgress { request, event },
        |progress| checks::run(input, Some(progress)),
    )
    .await;
    let _ = tx.send(Msg::Verified {
        request,
        result,
        at: Timestamp::now(),
    });
}

pub(crate) async fn store_token(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    org: OrgUrl,
    token: TokenArg,
    target: StoreTarget,
) {
    let result = credentials
        .store_token(&org, token.secret().clone(), target)
        .await;
    let _ = tx.send(Msg::TokenStored {
        request,
        result,
        at: Timestamp::now(),
    });
}

/// Writes `state.toml` off the async threads (it is a small file, but a slow disk must not freeze
/// the screen).
pub(crate) async fn save_state(
    tx: UnboundedSender<Msg>,
    config_dir: PathBuf,
    request: RequestId,
    state: State,
) {
    let result = match tokio::task::spawn_blocking(move || state.save(&config_dir)).await {
        Ok(saved) => saved,
        Err(join) => Err(StoreError::Task(join.to_string())),
    };
    let _ = tx.send(Msg::StateSaved { request, result });
}

/// Writes the calendar file into the current directory, or into the configuration directory when
/// the current one is not writable.
pub(crate) async fn write_calendar(
    tx: UnboundedSender<Msg>,
    config_dir: PathBuf,
    file_name: String,
    contents: String,
) {
    let result = tokio::task::spawn_blocking(move || {
        let here = std::env::current_dir().map_err(|e| e.to_string());
        let first = here.and_then(|dir| write_atomically(&dir, &file_name, &contents));
        first.or_else(|first_error| {
            write_atomically(&config_dir, &file_name, &contents)
                .map_err(|second| format!("{first_error}; {second}"))
        })
    })
    .await
    .unwrap_or_else(|join| Err(join.to_string()));
    let _ = tx.send(Msg::CalendarWritten { result });
}

/// Writes `dir/name` through a temporary file in the same directory, renamed into place, so a
/// crash never leaves half a file.
fn write_atomically(dir: &Path, name: &str, contents: &str) -> Result<PathBuf, String> {
    let target = dir.join(name);
    let failed = |e: std::io::Error| format!("could not write {}: {e}", target.display());
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(contents.as_bytes()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(&target).map_err(|e| failed(e.error))?;
    Ok(std::path::absolute(&target).unwrap_or(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_files_are_written_whole_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_atomically(dir.path(), "reminder.ics", "one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_atomically(dir.path(), "reminder.ics", "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn progress_is_forwarded_before_the_result() {
        let (tx, mut rx) = unbounded_channel();
        let result = with_progress(
            &tx,
            |n: u64| Msg::ClipboardWritten {
                result: Err(n.to_string()),
            },
            |progress| async move {
                let _ = progress.send(1);
                let _ = progress.send(2);
                7
            },
        )
        .await;
        assert_eq!(result, 7);
        let mut seen = Vec::new();
        while let Ok(Msg::ClipboardWritten { result: Err(n) }) = rx.try_recv() {
            seen.push(n);
        }
        assert_eq!(seen, ["1", "2"]);
    }
}
