//! The bodies of the runner's tasks: each runs one engine or I/O call and reports back as
//! messages. Progress channels are forwarded while the engine runs, so the screen moves as it goes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeSet;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::ado::Client;
use crate::audit::{self, AuditInput, test_delivery};
use crate::checks::{self, CheckInput, ExpiryInput, ExpirySource, TokenSource};
use crate::domain;
use crate::org::OrgUrl;
use crate::plan::{ApplyInput, Plan, StopFlag};
use crate::profile::GateProfile;
use crate::store::{self, State, StorageKind, StoreError};
use crate::token::Pat;
use crate::tui::effect::{StoreTarget, WebhookPassword};
use crate::tui::msg::{Msg, RequestId, TaskError};
use crate::tui::runner::credentials::Credentials;

/// Expiry within this many days is an error for a token being set up now.
const WARN_DAYS: u32 = 30;

/// How long the wizard's apply waits for another azdo-gate changing the same organization, like
/// `configure --lock-timeout`'s default.
const WIZARD_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Turns progress events into messages until the engine drops its sender.
async fn forward<E>(
    tx: UnboundedSender<Msg>,
    mut events: UnboundedReceiver<E>,
    to_msg: impl Fn(E) -> Msg,
) {
    while let Some(event) = events.recv().await {
        // A closed channel means the wizard is ending; the rest is moot.
        let _ = tx.send(to_msg(event));
    }
}

/// The token check, with the pasted expiry date as a freshly entered one.
pub(crate) async fn verify(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    org: OrgUrl,
    token: Pat,
    expires_on: Date,
    today: Date,
) {
    let client = credentials.client_config(&org);
    let input = CheckInput {
        org: org.clone(),
        token,
        source: TokenSource::Entered,
        expiry: ExpiryInput {
            date: Some(expires_on),
            source: ExpirySource::Flag,
            freshly_entered: true,
        },
        warn_days: WARN_DAYS,
        today,
        client,
    };
    let (progress, events) = unbounded_channel();
    let (result, ()) = tokio::join!(
        checks::run(input, Some(progress)),
        forward(tx.clone(), events, move |event| Msg::CheckProgress {
            request,
            event
        }),
    );
    if let Ok(report) = &result {
        credentials.learnt_api_version(&org, report.api_version.clone());
    }
    let _ = tx.send(Msg::Verified {
        request,
        result,
        at: Timestamp::now(),
    });
}

/// Stores the token in `target` (in a rotation, the one it replaces is read from `keep_old` and
/// kept first), then the webhook password beside it: either failing is the store failing.
pub(crate) async fn store_token(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    org: OrgUrl,
    token: Pat,
    (target, keep_old): (StoreTarget, Option<StoreTarget>),
    webhook_password: Option<WebhookPassword>,
) {
    if let Some(old_store) = keep_old
        && credentials.keep_old(&org, old_store).await
    {
        let _ = tx.send(Msg::OldTokenKept);
    }
    let result = match credentials
        .store_token(&org, token.secret().clone(), target)
        .await
    {
        Ok(stored) => match &webhook_password {
            Some(password) => credentials
                .store_webhook_password(password, target)
                .await
                .map(|()| stored),
            None => Ok(stored),
        },
        Err(error) => Err(error),
    };
    let _ = tx.send(Msg::TokenStored {
        request,
        result,
        at: Timestamp::now(),
    });
}

/// Puts the kept old token back in its store.
pub(crate) async fn restore_old_token(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    org: OrgUrl,
    target: StoreTarget,
) {
    let result = credentials.restore_old(&org, target).await;
    let _ = tx.send(Msg::OldTokenRestored { request, result });
}

/// What an audit or an apply works with.
pub(crate) struct Target {
    pub(crate) org: OrgUrl,
    pub(crate) profile: GateProfile,
    pub(crate) previous: Option<BTreeSet<String>>,
    pub(crate) storage: Option<StorageKind>,
}

impl Target {
    async fn client(&self, credentials: &Credentials) -> Result<Client, TaskError> {
        let token = credentials.token_for(&self.org, self.storage).await?;
        let config = credentials.client_config(&self.org);
        Ok(Client::new(self.org.clone(), token, config)?)
    }

    fn input(&self) -> AuditInput {
        AuditInput {
            profile: self.profile.clone(),
            previous: self.previous.clone(),
        }
    }
}

/// The audit, with its phases forwarded as they progress.
pub(crate) async fn audit(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    target: Target,
) {
    let result = match target.client(&credentials).await {
        Ok(client) => {
            let input = target.input();
            let (progress, events) = unbounded_channel();
            let (result, ()) = tokio::join!(
                audit::run(&client, &input, Some(progress)),
                forward(tx.clone(), events, move |event| Msg::AuditProgress {
                    request,
                    event
                }),
            );
            let mut result = result;
            // Delivery health is on by default in the wizard; without it the audit still stands.
            if let Ok(report) = result.as_mut()
                && let Err(e) =
                    audit::deliveries::check(&client, report, audit::deliveries::default_since())
                        .await
            {
                tracing::warn!(error = %e, "could not read the delivery history");
            }
            credentials.learnt_api_version(&target.org, client.negotiated_api_version());
            result.map_err(TaskError::from)
        }
        Err(error) => Err(error),
    };
    let _ = tx.send(Msg::Audited {
        request,
        result,
        at: Timestamp::now(),
    });
}

/// Carries the plan out with each action's progress forwarded, then audits again so the summary
/// shows the coverage the changes left: [`domain::apply_and_verify`], as `configure --apply` does.
pub(crate) async fn apply(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    target: Target,
    plan: Plan,
    user_id: Option<String>,
    stop: StopFlag,
) {
    let prepared = async {
        // One writer per organization, as for `configure --apply`; held until the apply ends.
        let (key, name) = (target.org.key(), target.org.name().to_owned());
        let config_dir = credentials.config_dir().to_owned();
        let writer = tokio::task::spawn_blocking(move || {
            store::lock::lock_organization(
                &config_dir,
                &key,
                &name,
                "the wizard's apply step",
                WIZARD_LOCK_TIMEOUT,
                |_| {},
            )
        })
        .await
        .map_err(|e| TaskError::Lock(e.to_string()))?
        .map_err(|e| TaskError::Lock(e.to_string()))?;
        let client = target.client(&credentials).await?;
        let password = domain::basic_auth_password(
            &target.profile,
            credentials.password_store(target.profile.basic_auth_secret.as_deref(), target.storage),
        )
        .await?;
        Ok::<_, TaskError>((client, password, writer))
    }
    .await;
    let (client, basic_auth_password, _writer) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            let _ = tx.send(Msg::Applied {
                request,
                result: Err(error),
                after: None,
                at: Timestamp::now(),
            });
            return;
        }
    };
    let input = ApplyInput {
        stop: Some(stop),
        plan: &plan,
        profile: &target.profile,
        basic_auth_password,
        user_id,
    };
    let audit_input = target.input();
    let (progress, events) = unbounded_channel();
    let (applied, ()) = tokio::join!(
        domain::apply_and_verify(&client, input, &audit_input, Some(progress)),
        forward(tx.clone(), events, move |event| Msg::ApplyProgress {
            request,
            event
        }),
    );
    credentials.learnt_api_version(&target.org, client.negotiated_api_version());
    let _ = tx.send(Msg::Applied {
        request,
        result: Ok(applied.results),
        after: applied.after.map(|after| after.map_err(TaskError::from)),
        at: Timestamp::now(),
    });
}

/// A test delivery through one subscription, bounded by [`test_delivery::Wait`]'s limit.
pub(crate) async fn test_delivery(
    tx: UnboundedSender<Msg>,
    credentials: Arc<Credentials>,
    request: RequestId,
    org: OrgUrl,
    subscription_id: String,
    storage: Option<StorageKind>,
) {
    let result = match credentials.token_for(&org, storage).await {
        Ok(token) => match Client::new(org.clone(), token, credentials.client_config(&org)) {
            Ok(client) => {
                test_delivery::run(&client, &subscription_id, test_delivery::Wait::default())
                    .await
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    };
    let _ = tx.send(Msg::TestDelivered { request, result });
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

/// Writes the calendar file into the current directory (if asked), or into the configuration
/// directory when the current one is not writable or not wanted.
pub(crate) async fn write_calendar(
    tx: UnboundedSender<Msg>,
    config_dir: PathBuf,
    in_current_dir: bool,
    file_name: String,
    contents: String,
) {
    let result = tokio::task::spawn_blocking(move || {
        if !in_current_dir {
            return write_atomically(&config_dir, &file_name, &contents);
        }
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

/// Writes `dir/name` whole (the store's atomic write), returning where it went.
fn write_atomically(dir: &Path, name: &str, contents: &str) -> Result<PathBuf, String> {
    let target = dir.join(name);
    store::write_private(&target, contents.as_bytes()).map_err(|e| e.to_string())?;
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
    async fn progress_is_forwarded_until_the_engine_is_done() {
        let (tx, mut rx) = unbounded_channel();
        let (progress, events) = unbounded_channel();
        let engine = async move {
            let _ = progress.send(1_u64);
            let _ = progress.send(2);
            7
        };
        let (result, ()) = tokio::join!(
            engine,
            forward(tx, events, |n| Msg::ClipboardWritten {
                result: Err(n.to_string()),
            })
        );
        assert_eq!(result, 7);
        let mut seen = Vec::new();
        while let Ok(Msg::ClipboardWritten { result: Err(n) }) = rx.try_recv() {
            seen.push(n);
        }
        assert_eq!(seen, ["1", "2"]);
    }
}
