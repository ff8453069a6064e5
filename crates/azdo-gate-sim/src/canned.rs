//! A loopback server that answers every request with one fixed response: the stand-in for an HTTP
//! server that is not Azure DevOps (a sign-in page, a proxy's error, a host that knows nothing of
//! the organization), which tests need beside the simulated organization.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::body::Body;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::SimError;

/// A running canned server; it stops when dropped.
pub struct Canned {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Canned {
    /// Serves `status` with `headers` and `body` to every request, on `127.0.0.1` at any port.
    pub async fn start(
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Self, SimError> {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let status = StatusCode::from_u16(status)
            .map_err(|e| SimError::Scenario(format!("canned status {status}: {e}")))?;
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let body = body.to_owned();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let headers = headers.clone();
                let body = body.clone();
                let service = service_fn(move |_request| {
                    let mut response = Response::new(Body::from(body.clone()));
                    *response.status_mut() = status;
                    for (name, value) in &headers {
                        if let (Ok(name), Ok(value)) = (
                            hyper::header::HeaderName::try_from(name.as_str()),
                            hyper::header::HeaderValue::try_from(value.as_str()),
                        ) {
                            response.headers_mut().append(name, value);
                        }
                    }
                    async move { Ok::<_, Infallible>(response) }
                });
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { addr, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.task.abort();
    }
}
