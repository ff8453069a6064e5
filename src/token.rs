//! The personal access token, cleaned once at the door.
//!
//! Every way a token comes in — the wizard's paste field, `--pat-stdin`, `AZURE_DEVOPS_EXT_PAT` —
//! goes through [`Pat::parse`]: surrounding whitespace (a pasted trailing space or newline, CR/LF,
//! tabs) is removed, and anything no PAT can contain inside (whitespace, control characters,
//! non-ASCII) is refused with its position — never with the token's text. From then on the value
//! verified, stored and sent is the same, byte for byte.
//!
//! A [`Fingerprint`] (the first 16 hex characters of the token's SHA-256) is what `state.toml`
//! keeps to recognise the token later without holding it: a PAT carries ≥ 256 bits of randomness,
//! so 64 bits of its hash cannot be turned back into it or help guess it.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A cleaned personal access token. No `Debug` that shows it, no `Display`.
#[derive(Clone)]
pub struct Pat(SecretString);

impl fmt::Debug for Pat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pat(..)")
    }
}

/// Why some text is not a token; says where, never what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatError {
    #[error("the token is empty")]
    Empty,
    #[error(
        "the token has {what} at position {position} of {length}, which no personal access token contains: paste the token alone, on one line"
    )]
    Character {
        /// 1-based, counted in characters after the surrounding whitespace is removed.
        position: usize,
        length: usize,
        what: &'static str,
    },
}

impl Pat {
    /// Cleans `input` (see the module documentation).
    pub fn parse(input: &str) -> Result<Self, PatError> {
        let token = input.trim();
        if token.is_empty() {
            return Err(PatError::Empty);
        }
        let length = token.chars().count();
        if let Some((index, c)) = token
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_graphic())
        {
            return Err(PatError::Character {
                position: index + 1,
                length,
                what: describe(c),
            });
        }
        Ok(Self(SecretString::from(token.to_owned())))
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    pub fn into_secret(self) -> SecretString {
        self.0
    }

    pub fn fingerprint(&self) -> Fingerprint {
        let digest = Sha256::digest(self.0.expose_secret().as_bytes());
        let hex: String = digest
            .iter()
            .take(Fingerprint::LEN / 2)
            .map(|b| format!("{b:02x}"))
            .collect();
        Fingerprint(hex)
    }
}

/// Equality on the secret, so tests can assert which token travels where.
impl PartialEq for Pat {
    fn eq(&self, other: &Self) -> bool {
        self.0.expose_secret() == other.0.expose_secret()
    }
}

/// Names a character class without showing the character.
fn describe(c: char) -> &'static str {
    match c {
        ' ' => "a space",
        '\t' => "a tab",
        '\n' | '\r' => "a line break",
        c if c.is_whitespace() => "a whitespace character",
        c if c.is_control() => "a control character",
        _ => "a non-ASCII character",
    }
}

/// The first 16 hex characters of a token's SHA-256: recognises a token without revealing it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Hex characters kept (64 bits).
    pub const LEN: usize = 16;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";

    #[test]
    fn surrounding_whitespace_is_removed_and_nothing_else() {
        for input in [
            TOKEN.to_owned(),
            format!("  {TOKEN} "),
            format!("{TOKEN}\n"),
            format!("\t{TOKEN}\r\n"),
        ] {
            let pat = Pat::parse(&input).unwrap();
            assert_eq!(pat.secret().expose_secret(), TOKEN);
        }
    }

    #[test]
    fn inner_whitespace_and_impossible_characters_are_refused_with_their_position() {
        let refused = |input: &str| Pat::parse(input).unwrap_err();
        assert_eq!(
            refused(" abc def "),
            PatError::Character {
                position: 4,
                length: 7,
                what: "a space"
            }
        );
        assert!(matches!(
            refused("ab\ncd"),
            PatError::Character {
                position: 3,
                what: "a line break",
                ..
            }
        ));
        assert!(matches!(
            refused("abcé"),
            PatError::Character {
                position: 4,
                what: "a non-ASCII character",
                ..
            }
        ));
        assert!(matches!(
            refused("a\u{7}b"),
            PatError::Character {
                what: "a control character",
                ..
            }
        ));
        assert_eq!(refused(" \r\n"), PatError::Empty);
    }

    #[test]
    fn the_message_never_shows_the_token() {
        let message = Pat::parse("secretpart1 secretpart2")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("a space at position 12 of 23"),
            "{message}"
        );
        assert!(!message.contains("secretpart"), "{message}");
    }

    #[test]
    fn the_fingerprint_is_the_sha256_prefix_and_ignores_surrounding_whitespace() {
        let pat = Pat::parse(&format!(" {TOKEN}\n")).unwrap();
        // `printf %s TOKEN | sha256sum | cut -c1-16`
        assert_eq!(pat.fingerprint().as_str(), "96903127e4208e76");
        assert_ne!(
            Pat::parse("other").unwrap().fingerprint(),
            pat.fingerprint()
        );
    }
}
