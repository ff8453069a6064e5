//! The token check engine: everything that decides whether a PAT is fit for the gate, from the local
//! shape check that runs before any network call to the probes against the organization.

pub mod format;
