//! Identifiers and encodings: deterministic GUIDs (so runs and snapshots are reproducible), random
//! GUIDs for per-response support ids, and the percent-encodings Azure DevOps uses.

/// A GUID derived from `namespace` and `n`: the same inputs always give the same id, and different
/// inputs give ids that look as random as the ones Azure DevOps hands out.
pub(crate) fn stable_guid(namespace: &str, n: u64) -> String {
    let hi = stable_u64(namespace, n);
    let lo = splitmix(hi ^ fnv1a(namespace.as_bytes()).rotate_left(17) ^ n);
    format_guid(hi, lo)
}

/// 64 pseudo-random bits derived from `namespace` and `n`.
pub(crate) fn stable_u64(namespace: &str, n: u64) -> u64 {
    splitmix(fnv1a(namespace.as_bytes()) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A fresh random GUID (`ActivityId`, `X-VSS-E2EID`).
pub(crate) fn random_guid() -> String {
    format_guid(fastrand::u64(..), fastrand::u64(..))
}

/// Formats 128 bits as a version-4 GUID.
fn format_guid(hi: u64, lo: u64) -> String {
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits of either case.
pub(crate) fn is_guid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Decodes `%XX` escapes in a URL path segment (`+` stays a plus, unlike in a query string).
pub(crate) fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a URL path segment (project and repository names in returned URLs).
pub(crate) fn encode_path_segment(s: &str) -> String {
    encode(s, b"-_.~", false)
}

/// Encodes like .NET's `HttpUtility.UrlEncode` (spaces as `+`, lower-case hex), which is how
/// `X-TFS-ServiceError` carries the error message.
pub(crate) fn url_encode_dotnet(s: &str) -> String {
    encode(s, b"-_.!*()", true)
}

fn encode(s: &str, keep: &[u8], plus_for_space: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else if b == b' ' && plus_for_space {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_guids_are_deterministic_distinct_and_well_formed() {
        let a = stable_guid("subscription", 1);
        assert_eq!(a, stable_guid("subscription", 1));
        assert_ne!(a, stable_guid("subscription", 2));
        assert_ne!(a, stable_guid("repository", 1));
        assert!(is_guid(&a), "{a}");
        assert!(is_guid(&random_guid()));
    }

    #[test]
    fn encodings_round_trip_the_way_azure_devops_spells_them() {
        assert_eq!(percent_decode("Fabrikam%20Fiber+Git"), "Fabrikam Fiber+Git");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(encode_path_segment("My Project"), "My%20Project");
        assert_eq!(
            url_encode_dotnet("TF400813: The user '' is"),
            "TF400813%3a+The+user+%27%27+is"
        );
    }
}
