//! Parsing a profile: TOML into span-carrying raw fields, then validation into a [`GateProfile`].
//! The raw layer keeps each value's span so a refused value is reported on its own line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::error::{ProfileError, Source};
use super::webhook::WebhookUrl;
use super::{
    ALLOWED_EVENTS, Applicability, DEFAULT_DISPLAY_NAME, DEFAULT_EVENTS, DEFAULT_STATUS_GENRE,
    DEFAULT_STATUS_NAME, FILTER_INPUTS, GateProfile, StatusCheck, SubscriptionScope,
};

/// Top-level keys, in the order the default profile documents them (for "expected one of").
const TOP_KEYS: &[&str] = &[
    "webhook_url",
    "token_page_url",
    "basic_auth_user",
    "basic_auth_secret",
    "http_headers",
    "events",
    "scope",
    "notify_repo_created",
    "filters",
    "status_check",
];

const STATUS_CHECK_KEYS: &[&str] = &[
    "required",
    "genre",
    "name",
    "blocking",
    "applicability",
    "invalidate_on_update",
    "display_name",
];

/// Longest accepted credential-store entry name; anything longer is more likely a pasted secret.
const MAX_SECRET_NAME_LEN: usize = 128;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    webhook_url: Option<Spanned<String>>,
    token_page_url: Option<Spanned<String>>,
    basic_auth_user: Option<Spanned<String>>,
    basic_auth_secret: Option<Spanned<String>>,
    #[serde(default)]
    http_headers: BTreeMap<Spanned<String>, Spanned<String>>,
    events: Option<Spanned<Vec<Spanned<String>>>>,
    scope: Option<Spanned<String>>,
    #[serde(default)]
    notify_repo_created: bool,
    #[serde(default)]
    filters: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    status_check: RawStatusCheck,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStatusCheck {
    required: Option<bool>,
    genre: Option<String>,
    name: Option<Spanned<String>>,
    blocking: Option<bool>,
    applicability: Option<Spanned<String>>,
    invalidate_on_update: Option<bool>,
    display_name: Option<String>,
}

/// Parses and validates one profile text.
pub(super) fn parse(src: &Source<'_>) -> Result<GateProfile, ProfileError> {
    let raw: RawProfile =
        toml::from_str(src.text).map_err(|e| src.toml_error(&e, &expected_keys))?;
    raw.validate(src)
}

/// The keys a table accepts, by the table's dotted path.
fn expected_keys(table: &str) -> &'static [&'static str] {
    match table {
        "status_check" => STATUS_CHECK_KEYS,
        _ => TOP_KEYS,
    }
}

/// An optional string where empty means "not set" (the default profile leaves `webhook_url` empty).
fn non_empty(value: Option<Spanned<String>>) -> Option<Spanned<String>> {
    value.filter(|v| !v.get_ref().trim().is_empty())
}

impl RawProfile {
    fn validate(self, src: &Source<'_>) -> Result<GateProfile, ProfileError> {
        let webhook_url = non_empty(self.webhook_url)
            .map(|url| {
                WebhookUrl::parse(url.get_ref())
                    .map_err(|e| src.invalid(url.span(), "webhook_url", e.to_string()))
            })
            .transpose()?;
        let token_page_url = non_empty(self.token_page_url)
            .map(|url| {
                super::check_token_page_url(url.get_ref())
                    .map_err(|e| src.invalid(url.span(), "token_page_url", e))
            })
            .transpose()?;
        let basic_auth_user = non_empty(self.basic_auth_user)
            .map(|user| basic_auth_user(src, user))
            .transpose()?;
        let basic_auth_secret = non_empty(self.basic_auth_secret)
            .map(|secret| basic_auth_secret(src, secret, basic_auth_user.is_some()))
            .transpose()?;
        let http_headers = http_headers(src, self.http_headers, basic_auth_user.is_some())?;
        let events = match self.events {
            Some(events) => events_list(src, events)?,
            None => DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
        };
        let scope = match self.scope {
            Some(scope) => word(src, &scope, "scope")?,
            None => SubscriptionScope::Repository,
        };
        Ok(GateProfile {
            webhook_url,
            token_page_url,
            basic_auth_user,
            basic_auth_secret,
            http_headers,
            events,
            scope,
            notify_repo_created: self.notify_repo_created,
            filters: filters(src, self.filters)?,
            status_check: self.status_check.validate(src)?,
        })
    }
}

impl RawStatusCheck {
    fn validate(self, src: &Source<'_>) -> Result<StatusCheck, ProfileError> {
        let name = match self.name {
            Some(name) if name.get_ref().trim().is_empty() => {
                return Err(src.invalid(
                    name.span(),
                    "status_check.name",
                    "status_check.name must not be empty: it is the name of the status the gate posts"
                        .into(),
                ));
            }
            Some(name) => name.into_inner(),
            None => DEFAULT_STATUS_NAME.to_owned(),
        };
        let applicability = match self.applicability {
            Some(value) => word(src, &value, "status_check.applicability")?,
            None => Applicability::Conditional,
        };
        let display_name = match self.display_name {
            Some(name) if name.trim().is_empty() => None,
            Some(name) => Some(name),
            None => Some(DEFAULT_DISPLAY_NAME.to_owned()),
        };
        Ok(StatusCheck {
            required: self.required.unwrap_or(true),
            genre: self
                .genre
                .unwrap_or_else(|| DEFAULT_STATUS_GENRE.to_owned()),
            name,
            blocking: self.blocking.unwrap_or(true),
            applicability,
            invalidate_on_update: self.invalidate_on_update.unwrap_or(true),
            display_name,
        })
    }
}

/// Parses one of a fixed set of words, naming the key on failure.
fn word<T: std::str::FromStr<Err = super::UnknownWord>>(
    src: &Source<'_>,
    value: &Spanned<String>,
    key: &str,
) -> Result<T, ProfileError> {
    value
        .get_ref()
        .parse()
        .map_err(|e: super::UnknownWord| src.invalid(value.span(), key, format!("{key} {e}")))
}

fn basic_auth_user(src: &Source<'_>, user: Spanned<String>) -> Result<String, ProfileError> {
    // RFC 7617: the user-id cannot contain a colon, and control characters would corrupt the header.
    if user.get_ref().contains(':') || user.get_ref().chars().any(char::is_control) {
        return Err(src.invalid(
            user.span(),
            "basic_auth_user",
            format!(
                "basic_auth_user {:?} must not contain ':' or control characters",
                user.get_ref()
            ),
        ));
    }
    Ok(user.into_inner())
}

fn basic_auth_secret(
    src: &Source<'_>,
    secret: Spanned<String>,
    has_user: bool,
) -> Result<String, ProfileError> {
    let name = secret.get_ref();
    let plausible_name = name.len() <= MAX_SECRET_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@'));
    // The value is never repeated in these messages: someone may have pasted the password itself.
    if !plausible_name {
        return Err(src.invalid(
            secret.span(),
            "basic_auth_secret",
            format!(
                "basic_auth_secret must be the NAME of a credential-store entry (at most {MAX_SECRET_NAME_LEN} letters, digits and - _ . : / @), never the password itself"
            ),
        ));
    }
    if !has_user {
        return Err(src.invalid(
            secret.span(),
            "basic_auth_secret",
            "basic_auth_secret is set but basic_auth_user is not: basic authentication needs both"
                .into(),
        ));
    }
    Ok(secret.into_inner())
}

/// RFC 9110 token characters, the only ones allowed in a header name.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn http_headers(
    src: &Source<'_>,
    headers: BTreeMap<Spanned<String>, Spanned<String>>,
    has_basic_auth: bool,
) -> Result<BTreeMap<String, String>, ProfileError> {
    let mut seen = BTreeSet::new();
    let mut out = BTreeMap::new();
    for (name, value) in headers {
        let key = format!("http_headers.{}", name.get_ref());
        let fail = |span: Range<usize>, message: String| src.invalid(span, &key, message);
        if !is_header_name(name.get_ref()) {
            return Err(fail(
                name.span(),
                format!(
                    "http_headers: {:?} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                    name.get_ref()
                ),
            ));
        }
        // Azure DevOps stores headers as "Name:value" lines, so a line break would smuggle in another
        // header. The value is not repeated: it is often an API key.
        if value.get_ref().chars().any(char::is_control) {
            return Err(fail(
                value.span(),
                format!(
                    "http_headers: the value of {:?} must be one line without control characters",
                    name.get_ref()
                ),
            ));
        }
        let lower = name.get_ref().to_ascii_lowercase();
        if has_basic_auth && lower == "authorization" {
            return Err(fail(
                name.span(),
                "http_headers: an Authorization header conflicts with basic_auth_user: use one or the other".into(),
            ));
        }
        if !seen.insert(lower) {
            return Err(fail(
                name.span(),
                format!(
                    "http_headers: {:?} is given twice (header names ignore case)",
                    name.get_ref()
                ),
            ));
        }
        out.insert(name.into_inner(), value.into_inner());
    }
    Ok(out)
}

fn events_list(
    src: &Source<'_>,
    events: Spanned<Vec<Spanned<String>>>,
) -> Result<Vec<String>, ProfileError> {
    let allowed = ALLOWED_EVENTS.join(", ");
    if events.get_ref().is_empty() {
        return Err(src.invalid(
            events.span(),
            "events",
            format!("events must list at least one event (allowed: {allowed})"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for event in events.into_inner() {
        let name = event.get_ref();
        if !ALLOWED_EVENTS.contains(&name.as_str()) {
            return Err(src.invalid(
                event.span(),
                "events",
                format!("events: {name:?} is not a supported event (allowed: {allowed})"),
            ));
        }
        if out.contains(name) {
            return Err(src.invalid(
                event.span(),
                "events",
                format!("events: {name:?} is listed twice"),
            ));
        }
        out.push(event.into_inner());
    }
    Ok(out)
}

/// `[filters]`: publisher inputs the gate's subscriptions should carry, each a known input with a
/// one-line, non-empty value.
fn filters(
    src: &Source<'_>,
    filters: BTreeMap<Spanned<String>, Spanned<String>>,
) -> Result<BTreeMap<String, String>, ProfileError> {
    let mut out = BTreeMap::new();
    for (input, value) in filters {
        let key = format!("filters.{}", input.get_ref());
        if !FILTER_INPUTS
            .iter()
            .any(|(name, _)| name == input.get_ref())
        {
            let known: Vec<&str> = FILTER_INPUTS.iter().map(|(name, _)| *name).collect();
            return Err(src.invalid(
                input.span(),
                &key,
                format!(
                    "filters: {:?} is not a publisher filter (allowed: {})",
                    input.get_ref(),
                    known.join(", ")
                ),
            ));
        }
        let text = value.get_ref();
        if text.trim().is_empty() || text.chars().any(char::is_control) {
            return Err(src.invalid(
                value.span(),
                &key,
                format!(
                    "filters: the value of {:?} must be one non-empty line",
                    input.get_ref()
                ),
            ));
        }
        out.insert(input.into_inner(), value.into_inner());
    }
    Ok(out)
}
