//! English for counts, one way everywhere: every message (engines, reports, the wizard) says "1
//! repository" and "2 repositories" through these.

use std::fmt::Display;

/// `one` when `n` is 1, else `many`.
pub fn plural<'s, N: PartialEq + From<u8>>(n: N, one: &'s str, many: &'s str) -> &'s str {
    if n == N::from(1) { one } else { many }
}

/// `n` followed by the noun that fits it: `1 change`, `3 changes`.
pub fn count<N: PartialEq + From<u8> + Display + Copy>(n: N, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

/// `text` with its first letter upper-case, to start a sentence with a name such as "the
/// integration user".
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_starts_upper_case() {
        assert_eq!(capitalized("the integration user"), "The integration user");
        assert_eq!(capitalized("Gate Bot"), "Gate Bot");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1_usize, "change", "changes"), "1 change");
        assert_eq!(count(0_usize, "change", "changes"), "0 changes");
        assert_eq!(plural(-1_i64, "day", "days"), "days");
        assert_eq!(plural(1_i64, "day", "days"), "day");
    }
}
