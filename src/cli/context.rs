//! What every command needs from its surroundings: where state lives, which credential store to
//! use, today's date, and where the token comes from.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;

use super::CliError;
use super::args::TokenArgs;
use crate::checks::TokenSource;
use crate::org::OrgUrl;
use crate::store::{self, CredentialStore, FileStore, State, StorageKind, StoreError};

/// The environment variable the `az devops` CLI reads; honoured here for the same reason.
pub const PAT_ENV: &str = "AZURE_DEVOPS_EXT_PAT";

pub struct Context {
    pub config_dir: PathBuf,
    pub insecure_storage: bool,
    pub today: jiff::civil::Date,
}

/// A token and where it came from (reports name the source, never the token).
pub struct ResolvedToken {
    pub token: SecretString,
    pub source: TokenSource,
}

impl Context {
    pub fn from_env(insecure_storage: bool) -> Result<Self, CliError> {
        Ok(Self {
            config_dir: store::config_dir()?,
            insecure_storage,
            today: jiff::Zoned::now().date(),
        })
    }

    pub fn load_state(&self) -> Result<State, CliError> {
        Ok(State::load(&self.config_dir)?)
    }

    /// The credential store this run uses: the insecure file only when asked for explicitly,
    /// otherwise the OS store, whose absence is an error that says why and what to do instead.
    pub async fn credential_store(&self) -> Result<Arc<dyn CredentialStore>, StoreError> {
        if self.insecure_storage {
            let file = FileStore::new(&self.config_dir);
            eprintln!(
                "warning: using the insecure token file {}: {}",
                file.path().display(),
                FileStore::WARNING
            );
            return Ok(Arc::new(file));
        }
        store::open_os_store_async().await
    }

    /// `--pat-stdin`, then `AZURE_DEVOPS_EXT_PAT`, then the stored token.
    pub async fn resolve_token(
        &self,
        args: &TokenArgs,
        org: &OrgUrl,
    ) -> Result<ResolvedToken, CliError> {
        if args.pat_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                CliError::Usage(format!("could not read the token from stdin: {e}"))
            })?;
            let token = line.trim().to_owned();
            if token.is_empty() {
                return Err(CliError::Usage(
                    "--pat-stdin was given but standard input held no token".into(),
                ));
            }
            return Ok(ResolvedToken {
                token: SecretString::from(token),
                source: TokenSource::Stdin,
            });
        }
        if let Ok(value) = std::env::var(PAT_ENV) {
            let value = value.trim().to_owned();
            if !value.is_empty() {
                return Ok(ResolvedToken {
                    token: SecretString::from(value),
                    source: TokenSource::Env,
                });
            }
        }
        let store = self.credential_store().await?;
        let source = match store.kind() {
            StorageKind::File => TokenSource::File,
            StorageKind::Keyring | StorageKind::Memory => TokenSource::Keyring,
        };
        match store::get_async(&store, &org.key()).await? {
            Some(token) => Ok(ResolvedToken { token, source }),
            None => Err(CliError::NoToken {
                org: org.name().to_owned(),
                store: store.describe(),
            }),
        }
    }
}
