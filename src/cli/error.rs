//! Everything that stops a command from doing its job (exit code 2), worded for the admin.

use crate::ado::AdoError;
use crate::domain::BasicAuthError;
use crate::org::OrgError;
use crate::profile::ProfileError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Ado(#[from] AdoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    BasicAuth(#[from] BasicAuthError),
    #[error("the token from {origin} cannot be used: {error}")]
    Token {
        origin: &'static str,
        error: crate::token::PatError,
    },
    #[error("{}", org_needed(set_up))]
    OrgNeeded { set_up: Vec<String> },
    #[error(transparent)]
    Lock(#[from] crate::store::lock::LockError),
    #[error("no token for {org} in {store}")]
    NoToken { org: String, store: String },
    #[error("{0}")]
    Simulator(String),
    #[error("the test delivery could not be made: {0}")]
    TestDelivery(#[from] crate::audit::test_delivery::TestDeliveryError),
    #[error("{0}")]
    Terminal(String),
    #[error("could not write {}: {error}", path.display())]
    Write {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("could not write the report: {0}")]
    Output(#[from] std::io::Error),
    #[error("could not encode the report: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Which organizations could have been meant; nothing was sent anywhere.
fn org_needed(set_up: &[String]) -> String {
    match set_up {
        [] => "--org is needed: no organization is set up yet (run `azdo-gate` to set one up)"
            .to_owned(),
        names => format!(
            "--org is needed: {} organizations are set up ({}) and none is marked default; pass --org ORG or set {}",
            names.len(),
            names.join(", "),
            super::context::ORG_ENV
        ),
    }
}

impl CliError {
    /// What to do next, when there is something better to say than the error itself.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Ado(AdoError::Network { .. }) => Some(
                "Check the organization URL and your network connection, then run the command again."
                    .into(),
            ),
            Self::Ado(e) if e.is_token_problem() => Some(
                "Run `azdo-gate check --org ORG` for a full diagnosis of the token.".into(),
            ),
            Self::NoToken { .. } => Some(format!(
                "Give a token with --pat-stdin or the {} environment variable, or store one by running `azdo-gate` (the wizard).",
                super::context::PAT_ENV
            )),
            _ => None,
        }
    }
}
