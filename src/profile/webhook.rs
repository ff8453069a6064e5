//! The gating service's webhook URL: validated once so no event (and no basic-auth password) is ever
//! sent in clear text, and normalised for comparison so an existing subscription is recognised even when
//! its URL differs in host case or a trailing slash.

use std::fmt;
use std::net::IpAddr;

use serde::{Serialize, Serializer};
use url::{Host, Url};

use crate::org::{NO_SERVER, url_problem};

/// A webhook URL that passed validation: `https`, or plain `http` to a loopback test server only, and
/// without credentials in it. Holds the text as given (trimmed), because that is what Azure DevOps stores
/// and returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

/// Why a webhook URL was refused. Messages are complete sentences naming the setting in words, with
/// its profile key (`webhook_url`) for those who edit the profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    #[error(
        "the webhook URL (webhook_url) is empty: give the https address where the gating service receives events"
    )]
    Empty,
    #[error("the webhook URL (webhook_url) \"{0}\" cannot be used: {1}")]
    NotAUrl(String, String),
    #[error(
        "the webhook URL (webhook_url) \"{0}\" must use https (plain http is accepted only for a loopback test server: 127.0.0.1, ::1 or localhost)"
    )]
    InsecureHttp(String),
    #[error("the webhook URL (webhook_url) \"{0}\" must use https, not {1}")]
    UnsupportedScheme(String, String),
    /// The URL itself is not repeated: it carries a password.
    #[error(
        "the webhook URL (webhook_url) must not contain a user name or password: give the user as the profile's basic-auth user (basic_auth_user) and keep the password in the credential store, under the entry the profile names (basic_auth_secret)"
    )]
    HasCredentials,
}

impl WebhookUrl {
    /// Validates a webhook URL; see the type documentation for the rules.
    pub fn parse(input: &str) -> Result<Self, WebhookUrlError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(WebhookUrlError::Empty);
        }
        let url = Url::parse(text)
            .map_err(|e| WebhookUrlError::NotAUrl(text.into(), url_problem(e).into()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(WebhookUrlError::HasCredentials);
        }
        match url.scheme() {
            "https" => {}
            "http" if url.host().is_some_and(|h| is_loopback(&h)) => {}
            "http" => return Err(WebhookUrlError::InsecureHttp(text.into())),
            other => {
                return Err(WebhookUrlError::UnsupportedScheme(
                    text.into(),
                    other.into(),
                ));
            }
        }
        if url.host().is_none() {
            return Err(WebhookUrlError::NotAUrl(text.into(), NO_SERVER.into()));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WebhookUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Validates the gating service's token page (`token_page_url`): the admin's browser opens it and
/// the token is pasted there, so it must be `https` (plain `http` only on loopback, for the demo).
pub fn check_token_page_url(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("the gating service's token page (token_page_url) is empty: give the address of its page that takes the token".into());
    }
    let url = Url::parse(text).map_err(|e| {
        format!(
            "the gating service's token page (token_page_url) \"{text}\" cannot be used: {}",
            url_problem(e)
        )
    })?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(text.to_owned()),
        "http" if url.host().is_some_and(|h| is_loopback(&h)) => Ok(text.to_owned()),
        _ => Err(format!(
            "the gating service's token page (token_page_url) \"{text}\" must be an https address (plain http only for a loopback test server)"
        )),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// The form used to decide whether two webhook URLs name the same endpoint: scheme and host lowercased,
/// the scheme's default port dropped, one trailing slash of the path dropped. Path and query keep their
/// case, because servers may treat them case-sensitively. Text that is not a URL is only trimmed.
pub fn normalize_webhook_url(url: &str) -> String {
    let text = url.trim();
    let Ok(parsed) = Url::parse(text) else {
        return text.to_owned();
    };
    let mut out = format!("{}://", parsed.scheme());
    if !parsed.username().is_empty() || parsed.password().is_some() {
        out.push_str(parsed.username());
        if let Some(password) = parsed.password() {
            out.push(':');
            out.push_str(password);
        }
        out.push('@');
    }
    if let Some(host) = parsed.host_str() {
        out.push_str(&host.to_ascii_lowercase());
    }
    // `port()` is already `None` when the port is the scheme's default.
    if let Some(port) = parsed.port() {
        out.push_str(&format!(":{port}"));
    }
    let path = parsed.path();
    out.push_str(path.strip_suffix('/').unwrap_or(path));
    if let Some(query) = parsed.query() {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = parsed.fragment() {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Whether two webhook URLs name the same endpoint (see [`normalize_webhook_url`]).
pub fn webhook_urls_match(a: &str, b: &str) -> bool {
    normalize_webhook_url(a) == normalize_webhook_url(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_accepted_and_kept_as_given() {
        let url = WebhookUrl::parse("  https://Gate.Example.com/ado/events \n").unwrap();
        assert_eq!(url.as_str(), "https://Gate.Example.com/ado/events");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let err = WebhookUrl::parse("http://gate.example.com").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the webhook URL (webhook_url) \"http://gate.example.com\" must use https (plain http is accepted only for a loopback test server: 127.0.0.1, ::1 or localhost)"
        );
    }

    #[test]
    fn plain_http_to_loopback_is_accepted() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://127.8.9.10/hook",
            "http://[::1]:3000/hook",
            "http://localhost:9000/",
            "http://LOCALHOST/",
        ] {
            assert!(WebhookUrl::parse(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        assert!(matches!(
            WebhookUrl::parse("ftp://gate.example.com"),
            Err(WebhookUrlError::UnsupportedScheme(_, s)) if s == "ftp"
        ));
        assert!(matches!(
            WebhookUrl::parse("gate.example.com/events"),
            Err(WebhookUrlError::NotAUrl(..))
        ));
        assert_eq!(WebhookUrl::parse("  "), Err(WebhookUrlError::Empty));
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        let err = WebhookUrl::parse("https://gate:hunter2@gate.example.com/").unwrap_err();
        assert_eq!(err, WebhookUrlError::HasCredentials);
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn normalisation_ignores_scheme_and_host_case_default_port_and_trailing_slash() {
        assert!(webhook_urls_match(
            "HTTPS://Gate.Example.com/ado/events/",
            "https://gate.example.com/ado/events"
        ));
        assert!(webhook_urls_match(
            "https://gate.example.com:443/ado/events",
            "https://gate.example.com/ado/events/"
        ));
        assert!(webhook_urls_match(
            "http://127.0.0.1:80/x",
            "HTTP://127.0.0.1/x/"
        ));
        assert!(webhook_urls_match(
            "https://gate.example.com/",
            "https://gate.example.com"
        ));
        assert_eq!(
            normalize_webhook_url("HTTPS://Gate.Example.com/ado/events/"),
            "https://gate.example.com/ado/events"
        );
    }

    #[test]
    fn normalisation_keeps_path_query_and_non_default_ports_distinct() {
        assert!(!webhook_urls_match(
            "https://gate.example.com/ADO/events",
            "https://gate.example.com/ado/events"
        ));
        assert!(!webhook_urls_match(
            "https://gate.example.com/hook?key=A",
            "https://gate.example.com/hook?key=a"
        ));
        assert!(!webhook_urls_match(
            "https://gate.example.com:8443/hook",
            "https://gate.example.com/hook"
        ));
        assert!(!webhook_urls_match(
            "http://gate.example.com/hook",
            "https://gate.example.com/hook"
        ));
        assert_eq!(
            normalize_webhook_url("https://gate.example.com/hook/?key=A"),
            "https://gate.example.com/hook?key=A"
        );
    }

    #[test]
    fn only_one_trailing_slash_is_dropped() {
        assert_eq!(
            normalize_webhook_url("https://gate.example.com/hook//"),
            "https://gate.example.com/hook/"
        );
    }

    #[test]
    fn text_that_is_not_a_url_is_compared_trimmed() {
        assert_eq!(normalize_webhook_url("  ******** "), "********");
        assert!(!webhook_urls_match("********", "https://gate.example.com"));
    }
}
