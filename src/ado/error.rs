//! One error taxonomy for everything Azure DevOps (or the network) can answer.
//!
//! The classification follows `azure-devops-api.md` §2c: a 401 or a 203 HTML sign-in page means the
//! token was rejected, unless the body says it has expired, or the same token was already accepted by
//! this client, in which case the 401 means a scope is missing. Messages are written for the admin and
//! never include the token.

use std::time::Duration;

/// What went wrong talking to Azure DevOps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoError {
    #[error("Azure DevOps rejected the token{}", detail(.message))]
    TokenRejected { message: String },
    #[error("the token has expired{}", detail(.message))]
    TokenExpired { message: String },
    #[error("Azure DevOps treated the request as anonymous: the token was not accepted")]
    AnonymousIdentity,
    #[error("the token lacks the scope this request needs ({route}){}", detail(.message))]
    ScopeMissing { route: String, message: String },
    #[error("permission denied{}", detail(.message))]
    PermissionDenied { message: String },
    #[error("not found{}", detail(.message))]
    NotFound { message: String },
    #[error("Azure DevOps refused the request{}", detail(.message))]
    BadRequest { message: String },
    #[error("Azure DevOps is throttling requests{}{}", retry_hint(.retry_after), detail(.message))]
    Throttled {
        retry_after: Option<Duration>,
        message: String,
    },
    #[error("Azure DevOps answered with server error {status}{}", detail(.message))]
    Server { status: u16, message: String },
    #[error("could not reach Azure DevOps: {message}")]
    Network { message: String, timed_out: bool },
    #[error("Azure DevOps sent an answer this tool cannot read: {message}")]
    Malformed { message: String },
    /// A 3xx answer: redirects are never followed, so nothing goes to another host.
    #[error("Azure DevOps answered {status}, redirecting to {host}: not followed")]
    Redirected { status: u16, host: String },
    #[error("unexpected HTTP status {status}{}", detail(.message))]
    UnexpectedStatus { status: u16, message: String },
    /// Azure DevOps Server refused the REST API version (`VssVersionOutOfRangeException`);
    /// `supported` is the latest version it names, when the message says.
    #[error("Azure DevOps Server does not support this REST API version{}", detail(.message))]
    VersionOutOfRange {
        supported: Option<String>,
        message: String,
    },
    #[error(
        "this Azure DevOps Server supports REST API {supported} at most; azdo-gate needs {MIN_API_VERSION} or later (Azure DevOps Server 2019 or later) for service hooks, branch policies and permission evaluation"
    )]
    ServerTooOld { supported: String },
    #[error(
        "Azure DevOps sent an answer larger than {limit_mb} MB for {route}; it was not read (a misconfigured proxy or server?)"
    )]
    TooLarge { route: String, limit_mb: usize },
}

/// The oldest REST API version whose hooks, policy and security calls the tool uses as it does
/// (Azure DevOps Server 2019).
pub const MIN_API_VERSION: &str = "5.0";

fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (retry after {} s)", d.as_secs()))
        .unwrap_or_default()
}

impl AdoError {
    /// Worth another attempt for an idempotent request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Throttled { .. } | Self::Server { .. } | Self::Network { .. }
        )
    }

    /// The request may have reached the server and been carried out even though no answer came
    /// back: a create must re-read before trying again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Self::Server { .. } | Self::Network { .. })
    }

    /// The token itself is unusable (as opposed to one request failing).
    pub fn is_token_problem(&self) -> bool {
        matches!(
            self,
            Self::TokenRejected { .. } | Self::TokenExpired { .. } | Self::AnonymousIdentity
        )
    }

    /// A short stable name, for logs and JSON (`token_rejected`, `throttled`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TokenRejected { .. } => "token_rejected",
            Self::TokenExpired { .. } => "token_expired",
            Self::AnonymousIdentity => "token_anonymous",
            Self::ScopeMissing { .. } => "scope_missing",
            Self::PermissionDenied { .. } => "permission_denied",
            Self::NotFound { .. } => "not_found",
            Self::BadRequest { .. } => "bad_request",
            Self::Throttled { .. } => "throttled",
            Self::Server { .. } => "server_error",
            Self::Network { .. } => "network",
            Self::Malformed { .. } => "malformed_response",
            Self::Redirected { .. } => "redirected",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::VersionOutOfRange { .. } => "api_version_out_of_range",
            Self::ServerTooOld { .. } => "server_too_old",
            Self::TooLarge { .. } => "response_too_large",
        }
    }
}

/// The sentence Azure DevOps uses for an expired PAT, in JSON messages and HTML titles alike.
const EXPIRED_MARKER: &str = "has expired";

/// Classifies a non-success answer. `token_accepted` says whether this client has already seen the
/// token accepted (a later 401 then means a missing scope, not a bad token).
pub(crate) fn classify(
    status: u16,
    content_type: &str,
    body: &str,
    retry_after: Option<Duration>,
    token_accepted: bool,
    route: &str,
) -> AdoError {
    let is_html = content_type.contains("text/html");
    let message = server_message(body, is_html);
    if status == 203 || (is_html && (200..300).contains(&status)) {
        return if body.contains(EXPIRED_MARKER) {
            AdoError::TokenExpired { message }
        } else {
            AdoError::TokenRejected {
                message: "Azure DevOps answered with a sign-in page".into(),
            }
        };
    }
    match status {
        401 if body.contains(EXPIRED_MARKER) => AdoError::TokenExpired { message },
        401 if token_accepted => AdoError::ScopeMissing {
            route: route.to_owned(),
            message,
        },
        401 => AdoError::TokenRejected { message },
        400 if body.contains(VERSION_OUT_OF_RANGE) => AdoError::VersionOutOfRange {
            supported: last_version(&message),
            message,
        },
        400 => AdoError::BadRequest { message },
        403 => AdoError::PermissionDenied { message },
        404 => AdoError::NotFound { message },
        429 => AdoError::Throttled {
            retry_after,
            message,
        },
        500..=599 => AdoError::Server { status, message },
        _ => AdoError::UnexpectedStatus { status, message },
    }
}

/// The `typeKey` (and type name) of Azure DevOps Server's answer to a too new `api-version`.
const VERSION_OUT_OF_RANGE: &str = "VssVersionOutOfRangeException";

/// The last `major.minor` in a message: "The requested REST API version of 7.1 is out of range for
/// this server. The latest REST API version this server supports is 7.0." → `7.0`.
fn last_version(message: &str) -> Option<String> {
    message
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|word| word.trim_matches('.'))
        .rfind(|word| {
            word.split_once('.').is_some_and(|(major, minor)| {
                !major.is_empty()
                    && !minor.is_empty()
                    && major.bytes().all(|b| b.is_ascii_digit())
                    && minor.bytes().all(|b| b.is_ascii_digit())
            })
        })
        .map(str::to_owned)
}

/// Extracts the human message from a wrapped-exception JSON body or an HTML `<title>`, trimmed to a
/// length that fits a terminal line.
fn server_message(body: &str, is_html: bool) -> String {
    let text = if is_html {
        html_title(body).unwrap_or_default()
    } else {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| body.trim().to_owned())
    };
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 300;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    Some(body[start..end].trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signin_page_is_a_rejection_and_expiry_is_recognised_in_html_titles() {
        let page = "<html><head><title>Sign In</title></head></html>";
        assert!(matches!(
            classify(203, "text/html", page, None, false, "r"),
            AdoError::TokenRejected { .. }
        ));
        let expired = "<html><title>Access Denied: The Personal Access Token used has expired.</title></html>";
        assert_eq!(
            classify(401, "text/html; charset=utf-8", expired, None, true, "r"),
            AdoError::TokenExpired {
                message: "Access Denied: The Personal Access Token used has expired.".into()
            }
        );
    }

    #[test]
    fn unauthorized_depends_on_whether_the_token_was_accepted() {
        let body = r#"{"$id":"1","message":"TF400813: The user '' is not authorized to access this resource.","typeKey":"UnauthorizedRequestException"}"#;
        assert!(matches!(
            classify(401, "application/json", body, None, false, "r"),
            AdoError::TokenRejected { .. }
        ));
        assert!(matches!(
            classify(401, "application/json", body, None, true, "GET projects"),
            AdoError::ScopeMissing { ref route, .. } if route == "GET projects"
        ));
    }

    #[test]
    fn a_version_out_of_range_names_the_supported_version() {
        let body = r#"{"$id":"1","message":"The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is 6.1.","typeKey":"VssVersionOutOfRangeException"}"#;
        assert!(matches!(
            classify(400, "application/json", body, None, false, "r"),
            AdoError::VersionOutOfRange { supported: Some(ref v), .. } if v == "6.1"
        ));
        assert_eq!(last_version("nothing here."), None);
    }

    #[test]
    fn other_statuses_keep_the_server_message() {
        let body = r#"{"message":"VS402892: bad input","typeKey":"X"}"#;
        assert_eq!(
            classify(400, "application/json", body, None, true, "r"),
            AdoError::BadRequest {
                message: "VS402892: bad input".into()
            }
        );
        assert!(matches!(
            classify(429, "application/json", body, Some(Duration::from_secs(3)), true, "r"),
            AdoError::Throttled { retry_after: Some(d), .. } if d.as_secs() == 3
        ));
        assert!(classify(503, "", "", None, true, "r").is_transient());
        assert!(!classify(404, "", "", None, true, "r").is_transient());
    }
}
