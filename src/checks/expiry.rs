//! Expiry: a PAT cannot read its own expiry, so the date comes from the admin (flag or wizard) or
//! from what was recorded when the token was stored.

use jiff::civil::Date;

use super::findings;
use super::report::{ExpiryInfo, ExpirySource, Finding};
use crate::org::OrgUrl;

/// Fewer days than this on a freshly entered token suggests a policy capped its lifetime
/// (Azure DevOps allows up to a year; a month of slack for admins who pick a round date).
pub const SHORT_LIFETIME_DAYS: i64 = 335;

#[derive(Debug, Clone, Copy)]
pub struct ExpiryInput {
    pub date: Option<Date>,
    pub source: ExpirySource,
    /// The token was just created and entered, so its lifetime says something about policy.
    pub freshly_entered: bool,
}

impl ExpiryInput {
    /// Picks the first known date: the flag, then the stored one.
    pub fn resolve(flag: Option<Date>, stored: Option<Date>) -> Self {
        let (date, source) = match (flag, stored) {
            (Some(d), _) => (Some(d), ExpirySource::Flag),
            (None, Some(d)) => (Some(d), ExpirySource::Stored),
            (None, None) => (None, ExpirySource::Unknown),
        };
        Self {
            date,
            source,
            freshly_entered: false,
        }
    }
}

pub(super) fn assess_expiry(
    input: &ExpiryInput,
    today: Date,
    warn_days: u32,
    org: &OrgUrl,
) -> (ExpiryInfo, Vec<Finding>) {
    let Some(expires_on) = input.date else {
        return (
            ExpiryInfo {
                expires_on: None,
                source: ExpirySource::Unknown,
                days_left: None,
            },
            vec![findings::expiry_unknown(org)],
        );
    };
    let days_left = days_between(today, expires_on);
    let mut found = Vec::new();
    if days_left < 0 {
        found.push(findings::token_expired_by_date(expires_on, org));
    } else if days_left <= i64::from(warn_days) {
        found.push(findings::expiry_soon(expires_on, days_left, org));
    } else if input.freshly_entered && days_left < SHORT_LIFETIME_DAYS {
        found.push(findings::expiry_short(expires_on, days_left));
    }
    (
        ExpiryInfo {
            expires_on: Some(expires_on),
            source: input.source,
            days_left: Some(days_left),
        },
        found,
    )
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    // Civil dates span far less than i32 days; `until` with a day unit cannot fail for them.
    from.until((jiff::Unit::Day, to))
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::report::{FindingCode, Severity};
    use jiff::civil::date;

    fn org() -> OrgUrl {
        OrgUrl::parse("fabrikam").unwrap()
    }

    fn input(d: Option<Date>, fresh: bool) -> ExpiryInput {
        ExpiryInput {
            date: d,
            source: if d.is_some() {
                ExpirySource::Flag
            } else {
                ExpirySource::Unknown
            },
            freshly_entered: fresh,
        }
    }

    #[test]
    fn classifies_unknown_expired_soon_short_and_healthy() {
        let today = date(2026, 11, 28);
        let codes = |d, fresh| {
            let (info, f) = assess_expiry(&input(d, fresh), today, 30, &org());
            (
                info.days_left,
                f.iter().map(|f| (f.code, f.severity)).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            codes(None, false),
            (None, vec![(FindingCode::ExpiryUnknown, Severity::Warning)])
        );
        assert_eq!(
            codes(Some(date(2026, 11, 27)), false),
            (Some(-1), vec![(FindingCode::TokenExpired, Severity::Error)])
        );
        assert_eq!(
            codes(Some(date(2026, 12, 28)), false),
            (Some(30), vec![(FindingCode::ExpirySoon, Severity::Error)])
        );
        assert_eq!(codes(Some(date(2026, 12, 29)), false), (Some(31), vec![]));
        assert_eq!(
            codes(Some(date(2027, 6, 1)), true),
            (
                Some(185),
                vec![(FindingCode::ExpiryShort, Severity::Warning)]
            )
        );
        assert_eq!(codes(Some(date(2027, 11, 28)), true), (Some(365), vec![]));
    }

    #[test]
    fn the_flag_wins_over_the_stored_date() {
        let r = ExpiryInput::resolve(Some(date(2027, 1, 1)), Some(date(2028, 1, 1)));
        assert_eq!(
            (r.date, r.source),
            (Some(date(2027, 1, 1)), ExpirySource::Flag)
        );
        let r = ExpiryInput::resolve(None, Some(date(2028, 1, 1)));
        assert_eq!(r.source, ExpirySource::Stored);
    }
}
