//! Local PAT format check, run before any network call: it catches the paste mistakes (a URL, a GUID,
//! a JWT, `user:token`) that would otherwise come back as an unhelpful 401, and verifies the checksum
//! embedded in legacy PATs. Nothing here is a hard failure on its own: Azure DevOps Server formats are
//! not documented, so an unrecognised token is still tried; callers decide whether to refuse the
//! obvious mistakes (see [`FormatReport::mistake`]).
//!
//! Formats (see `azure-devops-api.md` §3):
//! - **legacy**: 52 characters of lowercase base32 (`[a-z2-7]`) encoding 32 bytes (the last 4 of the
//!   260 bits are padding). Bytes 0–1, 3–6, 9–21 and 23–31 are the token data (28 bytes); bytes
//!   22, 8, 7, 2 hold, in that order, the little-endian bytes of `crc32(data) ^ seed`, with seed
//!   [`USER_PAT_SEED`] for user PATs or [`APPLICATION_TOKEN_SEED`] for application tokens.
//! - **current** (since 2024): 84 characters, `[A-Za-z0-9]{52}` + `JQQJ99` + 1 character + `[A-L]` +
//!   12 characters + `AAAAAZDO` + 4 characters; an 88-character form with a `xx==` tail is tolerated.
//!
//! The token itself never appears in a report or a message.

use serde::Serialize;

/// Checksum seed of legacy user PATs.
pub const USER_PAT_SEED: u32 = 0xE0B9_692D;
/// Checksum seed of legacy application tokens.
pub const APPLICATION_TOKEN_SEED: u32 = 0x1019_F92E;

const LEGACY_LEN: usize = 52;
const LEGACY_BYTES: usize = 32;
/// Positions of the 28 data bytes inside a decoded legacy token, in checksum order.
const LEGACY_DATA_POSITIONS: [usize; 28] = [
    0, 1, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28,
    29, 30, 31,
];
/// Positions of the checksum's little-endian bytes (least significant first).
const LEGACY_CHECKSUM_POSITIONS: [usize; 4] = [22, 8, 7, 2];
/// How many data bytes [`legacy_pat_from_bytes`] takes from its caller; the rest are zero.
const GENERATED_RANDOM_BYTES: usize = 25;

const CURRENT_LEN: usize = 84;
const CURRENT_TAIL_LEN: usize = 88;

/// The shape a token has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFormat {
    /// 52-character base32 PAT with an embedded checksum.
    Legacy,
    /// 84-character PAT introduced in 2024 (or its 88-character variant).
    Current,
    /// Neither: maybe an Azure DevOps Server token, maybe a mistake.
    Unrecognised,
}

impl TokenFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Current => "current",
            Self::Unrecognised => "unrecognised",
        }
    }
}

/// Something that was pasted instead of a PAT. Callers may refuse these outright: none can be a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mistake {
    Empty,
    /// `Basic …` or `Bearer …`: a whole Authorization header value.
    AuthorizationHeader,
    Url,
    /// An Entra ID / OAuth access token.
    Jwt,
    Guid,
    /// `user:token`, or a header line.
    Colon,
    InnerWhitespace,
}

impl Mistake {
    /// The user-facing explanation.
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "the token is empty: paste the personal access token",
            Self::AuthorizationHeader => {
                "this looks like an Authorization header value (\"Basic …\" or \"Bearer …\"), not a token: paste only the personal access token"
            }
            Self::Url => {
                "this looks like a URL, not a token: paste the personal access token itself"
            }
            Self::Jwt => {
                "this looks like a JWT (an Entra ID / OAuth access token), not a personal access token"
            }
            Self::Guid => {
                "this looks like a GUID (an identifier, such as a token's or a project's id), not a token"
            }
            Self::Colon => {
                "this contains ':', so it looks like user:token or a header line, not a token: paste only the token"
            }
            Self::InnerWhitespace => {
                "this contains spaces or line breaks inside, which a token never has: paste the token alone, on one line"
            }
        }
    }
}

/// What the local check found. Holds nothing derived from the token's characters beyond its shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormatReport {
    pub format: TokenFormat,
    /// User-facing warning; `None` when the token looks right.
    pub warning: Option<String>,
    /// Legacy tokens only: whether the embedded checksum matches.
    pub checksum_ok: Option<bool>,
    /// Set when the input is recognisably not a token at all.
    pub mistake: Option<Mistake>,
}

impl FormatReport {
    /// True when the input cannot be a token (a URL, GUID, JWT, …), as opposed to merely unfamiliar.
    pub fn is_obvious_mistake(&self) -> bool {
        self.mistake.is_some()
    }

    fn for_mistake(mistake: Mistake) -> Self {
        Self {
            format: TokenFormat::Unrecognised,
            warning: Some(mistake.message().to_owned()),
            checksum_ok: None,
            mistake: Some(mistake),
        }
    }
}

/// The token as it should be sent: surrounding whitespace and line breaks removed.
pub fn normalize(token: &str) -> &str {
    token.trim()
}

/// Classifies a token (after [`normalize`]) without logging or returning any part of it.
pub fn inspect(token: &str) -> FormatReport {
    let token = normalize(token);
    if let Some(mistake) = obvious_mistake(token) {
        return FormatReport::for_mistake(mistake);
    }
    if let Some(checksum_ok) = legacy_checksum_ok(token) {
        let warning = (!checksum_ok).then(|| {
            "this looks like a legacy Azure DevOps PAT, but its checksum does not match: a character may have been mistyped or lost; it will still be tried".to_owned()
        });
        return FormatReport {
            format: TokenFormat::Legacy,
            warning,
            checksum_ok: Some(checksum_ok),
            mistake: None,
        };
    }
    if is_current_format(token) {
        return FormatReport {
            format: TokenFormat::Current,
            warning: None,
            checksum_ok: None,
            mistake: None,
        };
    }
    FormatReport {
        format: TokenFormat::Unrecognised,
        warning: Some(format!(
            "this does not look like an Azure DevOps PAT (expected {LEGACY_LEN} or {CURRENT_LEN} letters and digits, got {} characters); it will still be tried",
            token.chars().count()
        )),
        checksum_ok: None,
        mistake: None,
    }
}

fn obvious_mistake(token: &str) -> Option<Mistake> {
    let lower = token.to_ascii_lowercase();
    if token.is_empty() {
        Some(Mistake::Empty)
    } else if lower.starts_with("basic ") || lower.starts_with("bearer ") {
        Some(Mistake::AuthorizationHeader)
    } else if looks_like_url(&lower) {
        Some(Mistake::Url)
    } else if looks_like_jwt(token) {
        Some(Mistake::Jwt)
    } else if looks_like_guid(token) {
        Some(Mistake::Guid)
    } else if token.contains(':') {
        Some(Mistake::Colon)
    } else if token.chars().any(char::is_whitespace) {
        Some(Mistake::InnerWhitespace)
    } else {
        None
    }
}

fn looks_like_url(lower: &str) -> bool {
    lower.contains("://")
        || lower.starts_with("www.")
        || lower.starts_with("dev.azure.com")
        || lower.contains(".visualstudio.com")
}

/// Three base64url parts separated by dots (the signature may be empty for unsigned tokens).
fn looks_like_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    let base64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    matches!(parts.as_slice(), [header, payload, signature]
        if !header.is_empty() && !payload.is_empty() && [header, payload, signature].iter().all(|p| base64url(p)))
}

/// `8-4-4-4-12` hex digits, optionally in braces.
fn looks_like_guid(token: &str) -> bool {
    let inner = token
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(token);
    let groups: Vec<&str> = inner.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Some(checksum matches)` for a 52-character lowercase base32 token, `None` for any other shape.
fn legacy_checksum_ok(token: &str) -> Option<bool> {
    if token.len() != LEGACY_LEN {
        return None;
    }
    let decoded = base32_decode(token)?;
    let bytes: [u8; LEGACY_BYTES] = decoded.get(..LEGACY_BYTES)?.try_into().ok()?;
    let data: Vec<u8> = LEGACY_DATA_POSITIONS.iter().map(|&i| bytes[i]).collect();
    let stored = u32::from_le_bytes(LEGACY_CHECKSUM_POSITIONS.map(|i| bytes[i]));
    let crc = crc32fast::hash(&data);
    Some([USER_PAT_SEED, APPLICATION_TOKEN_SEED].contains(&(crc ^ stored)))
}

fn is_current_format(token: &str) -> bool {
    let b = token.as_bytes();
    let alnum = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_alphanumeric);
    let core = b.len() >= CURRENT_LEN
        && alnum(0..52)
        && &b[52..58] == b"JQQJ99"
        && b[58].is_ascii_alphanumeric()
        && (b'A'..=b'L').contains(&b[59])
        && alnum(60..72)
        && &b[72..80] == b"AAAAAZDO"
        && alnum(80..84);
    match b.len() {
        CURRENT_LEN => core,
        CURRENT_TAIL_LEN => core && alnum(84..86) && &b[86..88] == b"==",
        _ => false,
    }
}

/// RFC 4648 base32 value of a lowercase alphabet character.
fn base32_value(c: u8) -> Option<u8> {
    match c {
        b'a'..=b'z' => Some(c - b'a'),
        b'2'..=b'7' => Some(c - b'2' + 26),
        _ => None,
    }
}

/// Decodes unpadded lowercase base32; trailing bits that do not fill a byte are dropped.
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut acc: u16 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        acc = (acc << 5) | u16::from(base32_value(c)?);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Encodes as unpadded lowercase base32, zero-filling the last character's unused bits.
fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut acc: u16 = 0;
    let mut bits = 0;
    for &byte in bytes {
        acc = (acc << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[usize::from((acc >> bits) & 0x1F)]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            ALPHABET[usize::from((acc << (5 - bits)) & 0x1F)],
        ));
    }
    out
}

/// Builds a legacy user PAT with a valid checksum, for tests and simulator scenarios.
///
/// Layout: `random` fills the first 25 of the 28 data bytes (token bytes 0–1, 3–6, 9–21, 23–28);
/// the last three data bytes (token bytes 29–31) are zero, so a generated token always ends in
/// `aaaaa` and is recognisable as synthetic. Bytes 22, 8, 7, 2 receive the little-endian checksum
/// `crc32(data) ^ USER_PAT_SEED`, and the 32 bytes are encoded as 52 lowercase base32 characters.
pub fn legacy_pat_from_bytes(random: [u8; 25]) -> String {
    let mut data = [0u8; LEGACY_DATA_POSITIONS.len()];
    data[..GENERATED_RANDOM_BYTES].copy_from_slice(&random);
    let mut bytes = [0u8; LEGACY_BYTES];
    for (&position, &byte) in LEGACY_DATA_POSITIONS.iter().zip(&data) {
        bytes[position] = byte;
    }
    let checksum = crc32fast::hash(&data) ^ USER_PAT_SEED;
    for (&position, byte) in LEGACY_CHECKSUM_POSITIONS.iter().zip(checksum.to_le_bytes()) {
        bytes[position] = byte;
    }
    base32_encode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample_legacy() -> String {
        legacy_pat_from_bytes(*b"azdo-gate sample token 01")
    }

    /// A current-format token assembled from its documented parts.
    fn sample_current() -> String {
        let random = "Q7fk2LmZp9XvB4sT1nRc8HyW3uJd6GaEo5KiN0bVxYzM1wPqLrSt";
        assert_eq!(random.len(), 52);
        format!(
            "{random}JQQJ99{}{}{}AAAAAZDO{}",
            "B", "C", "x1y2z3w4v5u6", "Ab12"
        )
    }

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        // RFC 4648 §10, lowercased and unpadded.
        for (plain, encoded) in [
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw6ytb1i"), None);
    }

    #[test]
    fn generated_legacy_pat_validates() {
        let token = sample_legacy();
        assert_eq!(token.len(), 52);
        assert!(token.ends_with("aaaaa"));
        assert!(token.bytes().all(|b| base32_value(b).is_some()));
        let report = inspect(&token);
        assert_eq!(
            report,
            FormatReport {
                format: TokenFormat::Legacy,
                warning: None,
                checksum_ok: Some(true),
                mistake: None,
            }
        );
    }

    #[test]
    fn application_token_seed_is_accepted() {
        // Re-seal a generated token with the application seed.
        let mut bytes: [u8; 32] = base32_decode(&sample_legacy()).unwrap()[..32]
            .try_into()
            .unwrap();
        let data: Vec<u8> = LEGACY_DATA_POSITIONS.iter().map(|&i| bytes[i]).collect();
        let checksum = crc32fast::hash(&data) ^ APPLICATION_TOKEN_SEED;
        for (&p, b) in LEGACY_CHECKSUM_POSITIONS.iter().zip(checksum.to_le_bytes()) {
            bytes[p] = b;
        }
        let token = base32_encode(&bytes);
        assert_eq!(inspect(&token).checksum_ok, Some(true));
    }

    #[test]
    fn one_changed_character_breaks_the_checksum_but_stays_legacy() {
        let mut token = sample_legacy().into_bytes();
        token[10] = if token[10] == b'q' { b'r' } else { b'q' };
        let token = String::from_utf8(token).unwrap();
        let report = inspect(&token);
        assert_eq!(report.format, TokenFormat::Legacy);
        assert_eq!(report.checksum_ok, Some(false));
        assert_eq!(report.mistake, None);
        let warning = report.warning.unwrap();
        assert!(warning.contains("checksum does not match"), "{warning}");
        assert!(warning.contains("will still be tried"), "{warning}");
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let token = sample_legacy();
        let pasted = format!("  {token}\r\n");
        assert_eq!(normalize(&pasted), token);
        assert_eq!(inspect(&pasted).checksum_ok, Some(true));
    }

    #[test]
    fn current_format_is_recognised() {
        let token = sample_current();
        assert_eq!(token.len(), 84);
        assert_eq!(&token[76..80], "AZDO");
        let report = inspect(&token);
        assert_eq!(report.format, TokenFormat::Current);
        assert_eq!(report.warning, None);
        assert_eq!(report.checksum_ok, None);
    }

    #[test]
    fn current_format_with_88_character_tail_is_tolerated() {
        let token = format!("{}Qz==", sample_current());
        assert_eq!(inspect(&token).format, TokenFormat::Current);
        let bad_tail = format!("{}Qzab", sample_current());
        assert_eq!(inspect(&bad_tail).format, TokenFormat::Unrecognised);
    }

    #[test]
    fn current_format_rejects_wrong_marker_letters() {
        let token = sample_current();
        // Position 59 must be A–L.
        let wrong = format!("{}M{}", &token[..59], &token[60..]);
        assert_eq!(inspect(&wrong).format, TokenFormat::Unrecognised);
        let no_azdo = token.replace("AAAAAZDO", "AAAAAZDX");
        assert_eq!(inspect(&no_azdo).format, TokenFormat::Unrecognised);
    }

    #[test]
    fn garbage_is_unrecognised_but_still_tried() {
        let report = inspect("hunter2");
        assert_eq!(report.format, TokenFormat::Unrecognised);
        assert_eq!(report.mistake, None);
        assert_eq!(
            report.warning.as_deref(),
            Some(
                "this does not look like an Azure DevOps PAT (expected 52 or 84 letters and digits, got 7 characters); it will still be tried"
            )
        );
    }

    #[test]
    fn uppercase_legacy_token_is_not_legacy() {
        let token = sample_legacy().to_uppercase();
        assert_eq!(inspect(&token).format, TokenFormat::Unrecognised);
    }

    fn mistake_of(input: &str) -> (Option<Mistake>, String) {
        let report = inspect(input);
        assert_eq!(report.format, TokenFormat::Unrecognised, "{input}");
        (report.mistake, report.warning.unwrap_or_default())
    }

    #[test]
    fn urls_are_named_as_urls() {
        for input in [
            "https://dev.azure.com/fabrikam",
            "dev.azure.com/fabrikam/_usersSettings/tokens",
            "https://fabrikam.visualstudio.com/",
        ] {
            let (mistake, warning) = mistake_of(input);
            assert_eq!(mistake, Some(Mistake::Url), "{input}");
            assert!(
                warning.starts_with("this looks like a URL, not a token"),
                "{warning}"
            );
        }
    }

    #[test]
    fn guids_are_named_as_guids() {
        for input in [
            "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
            "{6CE954B1-CE1F-45D1-B94D-E6BF2464BA2C}",
        ] {
            let (mistake, warning) = mistake_of(input);
            assert_eq!(mistake, Some(Mistake::Guid));
            assert!(warning.starts_with("this looks like a GUID"), "{warning}");
        }
    }

    #[test]
    fn jwts_are_named_as_jwts() {
        let (mistake, warning) =
            mistake_of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl-_x");
        assert_eq!(mistake, Some(Mistake::Jwt));
        assert!(warning.starts_with("this looks like a JWT"), "{warning}");
    }

    #[test]
    fn inner_space_colon_and_header_values_are_named() {
        let token = sample_legacy();
        let (mistake, warning) = mistake_of(&format!("{} {}", &token[..20], &token[20..]));
        assert_eq!(mistake, Some(Mistake::InnerWhitespace));
        assert!(
            warning.contains("spaces or line breaks inside"),
            "{warning}"
        );

        let (mistake, warning) = mistake_of(&format!("gate:{token}"));
        assert_eq!(mistake, Some(Mistake::Colon));
        assert!(warning.contains("user:token"), "{warning}");

        let (mistake, _) = mistake_of(&format!("Basic {token}"));
        assert_eq!(mistake, Some(Mistake::AuthorizationHeader));

        let (mistake, warning) = mistake_of(" \n ");
        assert_eq!(mistake, Some(Mistake::Empty));
        assert!(warning.contains("empty"));
    }

    #[test]
    fn reports_never_contain_the_token() {
        let token = sample_legacy();
        let mut broken = token.clone().into_bytes();
        broken[0] = if broken[0] == b'a' { b'b' } else { b'a' };
        let broken = String::from_utf8(broken).unwrap();
        for input in [
            token.clone(),
            broken,
            format!("x:{token}"),
            token[..40].to_owned(),
        ] {
            let report = inspect(&input);
            let json = serde_json::to_string(&report).unwrap();
            assert!(!json.contains(&token[..20]), "{json}");
            assert!(!format!("{report:?}").contains(&token[..20]));
        }
    }

    #[test]
    fn report_serialises_with_snake_case_names() {
        let json = serde_json::to_value(inspect(&sample_legacy())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "format": "legacy",
                "warning": null,
                "checksum_ok": true,
                "mistake": null
            })
        );
        assert_eq!(TokenFormat::Unrecognised.as_str(), "unrecognised");
        assert_eq!(
            serde_json::to_value(Mistake::InnerWhitespace).unwrap(),
            "inner_whitespace"
        );
    }

    proptest! {
        #[test]
        fn every_generated_legacy_pat_validates(random in proptest::array::uniform25(any::<u8>())) {
            let token = legacy_pat_from_bytes(random);
            prop_assert_eq!(token.len(), 52);
            let report = inspect(&token);
            prop_assert_eq!(report.format, TokenFormat::Legacy);
            prop_assert_eq!(report.checksum_ok, Some(true));
            prop_assert_eq!(report.warning, None);
        }

        #[test]
        fn any_single_character_change_is_caught(
            random in proptest::array::uniform25(any::<u8>()),
            position in 0usize..51,
            replacement in 0u8..32,
        ) {
            // The 52nd character carries padding bits, so a change there may be invisible.
            let token = legacy_pat_from_bytes(random);
            let mut bytes = token.clone().into_bytes();
            let new = b"abcdefghijklmnopqrstuvwxyz234567"[usize::from(replacement)];
            prop_assume!(bytes[position] != new);
            bytes[position] = new;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(inspect(&changed).checksum_ok, Some(false));
        }
    }
}
