//! A stand-in for the gating service's token page, so the demo can show the whole hand-over: the
//! wizard opens `GET /_gate/token` (a form), the admin pastes the token and submits it, and the
//! simulator records the token it received (`POST`, form-encoded `token`). Not Azure DevOps: these
//! requests are not counted with the API's.

use std::sync::Mutex;

use hyper::StatusCode;

use super::respond::{HTML, Reply};

/// Where the stand-in page is served, under the simulator's base URL.
pub const GATE_TOKEN_PATH: &str = "/_gate/token";

/// The tokens submitted to the stand-in page, in order.
#[derive(Debug, Default)]
pub(crate) struct Received(Mutex<Vec<String>>);

impl Received {
    pub(crate) fn all(&self) -> Vec<String> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// The form for `GET`, the receipt for `POST`, 405 for anything else.
pub(crate) fn answer(received: &Received, method: &hyper::Method, body: &[u8]) -> Reply {
    let page = |status: StatusCode, text: &str| {
        Reply {
        status,
        content_type: HTML,
        body: format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gating service (simulated) · Personal access token</title></head>\n<body>{text}</body></html>\n"
        )
        .into_bytes(),
        headers: Vec::new(),
    }
    };
    match *method {
        hyper::Method::GET => page(
            StatusCode::OK,
            "<h1>Gating service (simulated)</h1><p>Personal access token used to read pull requests and post the status:</p>\
<form method=\"post\"><input type=\"password\" name=\"token\" size=\"90\" autofocus> <button type=\"submit\">Save</button></form>",
        ),
        hyper::Method::POST => {
            let token = url::form_urlencoded::parse(body)
                .find(|(name, _)| name == "token")
                .map(|(_, value)| value.into_owned());
            match token.filter(|t| !t.is_empty()) {
                Some(token) => {
                    if let Ok(mut all) = received.0.lock() {
                        all.push(token);
                    }
                    page(
                        StatusCode::OK,
                        "<h1>Saved</h1><p>The gating service now uses this token. Go back to azdo-gate and confirm.</p>",
                    )
                }
                None => page(
                    StatusCode::BAD_REQUEST,
                    "<h1>No token</h1><p>Paste the token first.</p>",
                ),
            }
        }
        _ => page(StatusCode::METHOD_NOT_ALLOWED, "<p>GET or POST only.</p>"),
    }
}
