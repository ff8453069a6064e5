//! Profile errors that point at the offending key and line, so an admin can fix the file without
//! guessing which of a dozen settings was refused.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use toml::de::DeTable;

/// Where in a profile a problem sits. Both parts are optional: a profile stored per organization has
/// no meaningful line numbers, and a `--webhook-url` override has no file at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// File name (or another description of the source, e.g. "stored gate profile").
    pub origin: Option<String>,
    /// 1-based line number.
    pub line: Option<usize>,
}

impl Location {
    fn is_empty(&self) -> bool {
        self.origin.is_none() && self.line.is_none()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.origin, self.line) {
            (Some(origin), Some(line)) => write!(f, "{origin} line {line}"),
            (Some(origin), None) => f.write_str(origin),
            (None, Some(line)) => write!(f, "line {line}"),
            (None, None) => Ok(()),
        }
    }
}

/// Why a gate profile could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The profile file could not be read.
    #[error("cannot read the gate profile {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A syntax error, an unknown key or a refused value. `message` names the key when there is one.
    #[error("{}", located(at, message))]
    Invalid {
        at: Location,
        /// Dotted key path (`status_check.applicability`), when the problem belongs to one key.
        key: Option<String>,
        message: String,
    },
    /// No webhook URL anywhere; the message says every way to give one.
    #[error(
        "no webhook URL for the gating service: pass --webhook-url URL, set the webhook URL (webhook_url) in the gate profile (--profile FILE), or run the wizard (azdo-gate) to enter it"
    )]
    MissingWebhookUrl,
}

fn located(at: &Location, message: &str) -> String {
    if at.is_empty() {
        message.to_owned()
    } else {
        format!("{at}: {message}")
    }
}

impl ProfileError {
    /// The dotted key the error is about, if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => key.as_deref(),
            Self::Read { .. } | Self::MissingWebhookUrl => None,
        }
    }

    /// The 1-based line the error is about, if known.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Invalid { at, .. } => at.line,
            Self::Read { .. } | Self::MissingWebhookUrl => None,
        }
    }
}

/// The text being parsed and how to describe positions in it.
pub(super) struct Source<'a> {
    pub text: &'a str,
    pub origin: Option<&'a str>,
    /// False when the text was re-serialised from a stored table: its lines mean nothing to a user.
    pub with_lines: bool,
}

impl Source<'_> {
    pub fn location(&self, span: Option<Range<usize>>) -> Location {
        let line = span
            .filter(|_| self.with_lines)
            .map(|span| line_of(self.text, span.start));
        Location {
            origin: self.origin.map(str::to_owned),
            line,
        }
    }

    /// An error about `key` at `span`.
    pub fn invalid(&self, span: Range<usize>, key: &str, message: String) -> ProfileError {
        ProfileError::Invalid {
            at: self.location(Some(span)),
            key: Some(key.to_owned()),
            message,
        }
    }

    /// Turns a TOML parse or deserialisation error into one that names the key, using the error's
    /// span to find which key it sits in.
    pub fn toml_error(
        &self,
        err: &toml::de::Error,
        known_keys: &dyn Fn(&str) -> &'static [&'static str],
    ) -> ProfileError {
        let span = err.span();
        let raw = err.message().trim().replace('\n', "; ");
        if raw == "duplicate key" {
            // The document does not parse, so the key cannot be looked up; the span is the key itself.
            let key = span
                .clone()
                .and_then(|span| self.text.get(span))
                .map(|k| k.trim_matches(|c: char| "[]\"' \t".contains(c)).to_owned());
            let message = match &key {
                Some(key) => format!("duplicate key \"{key}\""),
                None => raw,
            };
            return ProfileError::Invalid {
                at: self.location(span),
                key,
                message,
            };
        }
        let key = span
            .as_ref()
            .and_then(|span| key_path_at(self.text, span.start));
        let message = match (&key, raw.starts_with("unknown field")) {
            (Some(key), true) => {
                let parent = key.rsplit_once('.').map_or("", |(parent, _)| parent);
                format!(
                    "unknown key \"{key}\" (expected one of: {})",
                    known_keys(parent).join(", ")
                )
            }
            (Some(key), false) => format!("{key}: {raw}"),
            (None, _) => raw,
        };
        ProfileError::Invalid {
            at: self.location(span),
            key,
            message,
        }
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The dotted path of the key whose name or value covers `offset`, found by re-parsing the text into
/// TOML's spanned tree. Serde errors carry only a span; this recovers the key so the message can name it.
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    find_key(root.get_ref(), offset, &mut path).then(|| path.join("."))
}

fn find_key(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
    for (key, value) in table {
        path.push(key.get_ref().to_string());
        if key.span().contains(&offset) {
            return true;
        }
        // Nested tables are searched whatever their own span is: a `[header]` table's span does not
        // necessarily cover the keys below it.
        if let Some(inner) = value.get_ref().as_table()
            && find_key(inner, offset, path)
        {
            return true;
        }
        if value.span().contains(&offset) {
            return true;
        }
        path.pop();
    }
    false
}
