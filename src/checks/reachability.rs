//! Is the organization there at all? Asked before the admin has a token, so it sends none.

use secrecy::SecretString;

use crate::ado::{AdoError, Client, ClientConfig};
use crate::org::OrgUrl;

/// What an unauthenticated look at the organization revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgPresence {
    /// The server answered for this organization (it asked for credentials, or served it publicly).
    Exists,
    /// The server says there is no such organization.
    NotFound,
}

/// Probes `connectionData` without a token. A sign-in demand (401/203) or the anonymous identity
/// means the organization exists; 404 means it does not. How real Azure DevOps answers for an
/// organization that does not exist is not verified against a live service (see
/// `azure-devops-api.md` §10); the simulator answers 404.
pub async fn probe(org: &OrgUrl) -> Result<OrgPresence, AdoError> {
    let config = ClientConfig {
        max_attempts: 2,
        ..ClientConfig::default()
    };
    let client = Client::new(org.clone(), SecretString::from(String::new()), config)?;
    match client.connection_data().await {
        Ok(_) | Err(AdoError::TokenRejected { .. } | AdoError::AnonymousIdentity) => {
            Ok(OrgPresence::Exists)
        }
        Err(AdoError::NotFound { .. }) => Ok(OrgPresence::NotFound),
        Err(e) => Err(e),
    }
}
