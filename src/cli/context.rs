//! What every command needs from its surroundings: where state lives, which credential store to
//! use, today's date, and where the token comes from.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::ExposeSecret;

use super::CliError;
use super::args::{OrgArg, TokenArgs};
use crate::ado::Client;
use crate::checks::TokenSource;
use crate::org::OrgUrl;
use crate::store::{self, CredentialStore, FileStore, State, StorageKind, StoreError};
use crate::token::{Pat, PatError};

/// The environment variable the `az devops` CLI reads; honoured here for the same reason.
pub const PAT_ENV: &str = "AZURE_DEVOPS_EXT_PAT";

/// Names the organization when `--org` is omitted (an explicit `--org` wins).
pub const ORG_ENV: &str = "AZDO_GATE_ORG";

pub struct Context {
    pub config_dir: PathBuf,
    pub insecure_storage: bool,
    pub today: jiff::civil::Date,
}

/// A token and where it came from (reports name the source, never the token).
pub struct ResolvedToken {
    pub token: Pat,
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

    /// The organization a command works on: `--org`, else `AZDO_GATE_ORG`, else the default in
    /// `state` (the one marked default, or the only one set up). Decided before any request.
    pub fn org(&self, arg: &OrgArg, state: &State) -> Result<OrgUrl, CliError> {
        let named = arg
            .org
            .clone()
            .or_else(|| std::env::var(ORG_ENV).ok().filter(|v| !v.trim().is_empty()));
        if let Some(name) = named {
            return Ok(OrgUrl::parse(&name)?);
        }
        if let Some(org) = state.default_org() {
            return Ok(OrgUrl::parse(&org.organization.url)?);
        }
        let set_up: Vec<String> = state
            .organizations()
            .filter(|(_, o)| o.token.is_some())
            .map(|(_, o)| o.organization.name.clone())
            .collect();
        Err(CliError::OrgNeeded { set_up })
    }

    /// The store that holds `org`'s token: the one `state.toml` records (so a token the wizard
    /// kept in the file store is found without `--insecure-storage`); for an organization with no
    /// recorded store, the insecure file only when asked for explicitly, otherwise the OS store,
    /// whose absence is an error that says why and what to do instead.
    pub async fn credential_store(
        &self,
        recorded: Option<StorageKind>,
    ) -> Result<Arc<dyn CredentialStore>, StoreError> {
        let file = match recorded {
            Some(StorageKind::File) => true,
            Some(StorageKind::Keyring) => false,
            Some(StorageKind::Memory) | None => self.insecure_storage,
        };
        if file {
            let file = FileStore::new(&self.config_dir);
            super::output::warning(format_args!(
                "using the insecure token file {}: {}",
                file.path().display(),
                FileStore::WARNING
            ));
            return Ok(Arc::new(file));
        }
        store::open_os_store_async().await
    }

    /// Keeps the version an Azure DevOps Server negotiated `client` down to for the next run,
    /// whatever became of the command; a state that cannot be saved is a warning, not a failure.
    pub fn remember_api_version(&self, state: &mut State, org: &OrgUrl, client: &Client) {
        if state.remember_api_version(org, client.negotiated_api_version())
            && let Err(e) = state.save(&self.config_dir)
        {
            super::output::warning(format_args!("the API version was not remembered ({e})"));
        }
    }

    /// `--pat-stdin`, then `AZURE_DEVOPS_EXT_PAT`, then the token in the store `state` records;
    /// each cleaned by [`Pat::parse`].
    pub async fn resolve_token(
        &self,
        args: &TokenArgs,
        org: &OrgUrl,
        state: &State,
    ) -> Result<ResolvedToken, CliError> {
        let refused = |source: TokenSource| {
            move |error: PatError| CliError::Token {
                origin: source.describe(),
                error,
            }
        };
        if args.pat_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                CliError::Usage(format!("could not read the token from stdin: {e}"))
            })?;
            let token = match Pat::parse(&line) {
                Err(PatError::Empty) => {
                    return Err(CliError::Usage(
                        "--pat-stdin was given but standard input held no token".into(),
                    ));
                }
                other => other.map_err(refused(TokenSource::Stdin))?,
            };
            return Ok(ResolvedToken {
                token,
                source: TokenSource::Stdin,
            });
        }
        if let Ok(value) = std::env::var(PAT_ENV) {
            match Pat::parse(&value) {
                Err(PatError::Empty) => {}
                other => {
                    return Ok(ResolvedToken {
                        token: other.map_err(refused(TokenSource::Env))?,
                        source: TokenSource::Env,
                    });
                }
            }
        }
        let store = self
            .credential_store(state.token_storage(&org.key()))
            .await?;
        let source = match store.kind() {
            StorageKind::File => TokenSource::File,
            StorageKind::Keyring | StorageKind::Memory => TokenSource::Keyring,
        };
        match store::get_async(&store, &org.key()).await? {
            Some(token) => Ok(ResolvedToken {
                token: Pat::parse(token.expose_secret()).map_err(refused(source))?,
                source,
            }),
            None => Err(CliError::NoToken {
                org: org.name().to_owned(),
                store: store.describe(),
            }),
        }
    }
}
