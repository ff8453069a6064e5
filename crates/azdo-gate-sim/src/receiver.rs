//! A small gate receiver on loopback: the other end of the simulator's deliveries, for tests and for
//! `azdo-gate demo` (so a first-time user sees events arrive). It records every request and answers
//! 200 when the basic-auth credentials are the expected ones, 401 when not, or whatever a test set
//! for a path (a status, or no answer at all, to time the sender out).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use base64::Engine as _;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::SimError;

/// How the receiver answers requests to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Check the basic-auth credentials: 200 when they match, 401 otherwise.
    CheckCredentials,
    Status(u16),
    /// Never answer (the sender's timeout decides).
    Hang,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// Lower-cased header names.
    pub headers: BTreeMap<String, String>,
    pub body: Bytes,
}

impl Received {
    /// The body as JSON (`Null` if it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    answers: HashMap<String, Answer>,
    /// [`Answer::CheckCredentials`] lets requests without credentials through.
    anonymous: bool,
}

/// A running receiver; stops when dropped.
pub struct GateReceiver {
    addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    task: JoinHandle<()>,
}

impl Drop for GateReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl GateReceiver {
    /// Listens on `127.0.0.1` (a free port), expecting `user`/`password` as basic auth.
    pub async fn start(user: &str, password: &str) -> Result<GateReceiver, SimError> {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let credentials = Arc::new((user.to_owned(), password.to_owned()));
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = {
            let inner = Arc::clone(&inner);
            axum::Router::new().fallback(move |request: Request<Body>| {
                let credentials = Arc::clone(&credentials);
                let inner = Arc::clone(&inner);
                async move { answer(request, &credentials, &inner).await }
            })
        };
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "the gate receiver stopped");
            }
        });
        Ok(GateReceiver { addr, inner, task })
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sets how requests to `path` are answered (default: [`Answer::CheckCredentials`]).
    pub fn answer(&self, path: &str, answer: Answer) {
        self.lock().answers.insert(path.to_owned(), answer);
    }

    /// Accepts requests that carry no credentials (wrong ones still get 401): a gate that checks
    /// the password of the hooks that send one, as the demo's does.
    pub fn allow_anonymous(&self) {
        self.lock().anonymous = true;
    }

    /// Every request received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn answer(
    request: Request<Body>,
    credentials: &(String, String),
    inner: &Mutex<Inner>,
) -> (StatusCode, &'static str) {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let (how, anonymous) = {
        let mut inner = inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.received.push(Received {
            path: path.clone(),
            headers: header_map(&parts.headers),
            body,
        });
        let how = inner
            .answers
            .get(&path)
            .copied()
            .unwrap_or(Answer::CheckCredentials);
        (
            how,
            inner.anonymous && !parts.headers.contains_key("authorization"),
        )
    };
    match how {
        Answer::CheckCredentials if anonymous || authorized(&parts.headers, credentials) => {
            (StatusCode::OK, "{\"accepted\":true}")
        }
        Answer::CheckCredentials => (
            StatusCode::UNAUTHORIZED,
            "{\"error\":\"invalid webhook credentials\"}",
        ),
        Answer::Status(code) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "{\"error\":\"gate answered as configured\"}",
        ),
        Answer::Hang => std::future::pending().await,
    }
}

fn authorized(headers: &HeaderMap, (user, password): &(String, String)) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .is_some_and(|v| v.trim() == expected)
}

fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
