//! The only code that speaks HTTP to Azure DevOps: [`Client`], its [`AdoError`] taxonomy and the
//! typed [`models`].

mod client;
mod counter;
mod error;
mod limiter;
pub mod models;
mod retry;

pub use client::{
    Client, ClientConfig, MAX_BODY_BYTES, MAX_CONCURRENCY, MIN_CONCURRENCY, THROTTLE_BUDGET,
};
pub use counter::RequestCounter;
pub use error::AdoError;
pub use retry::Backoff;
