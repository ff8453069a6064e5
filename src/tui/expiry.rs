//! The token's expiration date: the suggestion the recipe gives and the field on the paste step
//! share these rules, so both always show the same date.

use jiff::ToSpan;
use jiff::civil::Date;

/// The date to pick in Azure DevOps: 365 days out, which never exceeds the one-year maximum even
/// across a 29 February.
pub fn suggested(today: Date) -> Date {
    today.checked_add(365.days()).unwrap_or(today)
}

/// The latest date Azure DevOps accepts: one calendar year from today.
pub fn latest(today: Date) -> Date {
    today.checked_add(1.year()).unwrap_or(today)
}

/// Why an expiration date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    #[error("write the date as YYYY-MM-DD, for example {example}")]
    Format { example: Date },
    #[error("{0} is not a date in the calendar")]
    NoSuchDate(String),
    #[error("{0} is not after today: the token would already have expired")]
    NotInFuture(Date),
    #[error("{date} is more than a year away: Azure DevOps allows at most {latest}")]
    TooFar { date: Date, latest: Date },
}

/// Parses a strict `YYYY-MM-DD` date within Azure DevOps' allowed range (after today, at most a
/// year out).
pub fn parse(text: &str, today: Date) -> Result<Date, ExpiryError> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(ExpiryError::Format {
            example: suggested(today),
        });
    }
    // The shape check above guarantees these are ASCII digits, so the parses cannot fail.
    let number = |range: std::ops::Range<usize>| text[range].parse::<i16>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let month = i8::try_from(month).unwrap_or(0);
    let day = i8::try_from(day).unwrap_or(0);
    let date = Date::new(year, month, day).map_err(|_| ExpiryError::NoSuchDate(text.to_owned()))?;
    if date <= today {
        return Err(ExpiryError::NotInFuture(date));
    }
    let latest = latest(today);
    if date > latest {
        return Err(ExpiryError::TooFar { date, latest });
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn suggestion_stays_within_a_year_across_a_leap_day() {
        assert_eq!(suggested(date(2026, 11, 28)), date(2027, 11, 28));
        assert_eq!(suggested(date(2027, 3, 1)), date(2028, 2, 29));
        assert_eq!(latest(date(2027, 3, 1)), date(2028, 3, 1));
    }

    #[test]
    fn only_strict_dates_in_the_allowed_window_are_accepted() {
        let today = date(2026, 11, 28);
        assert_eq!(parse("2027-11-28", today), Ok(date(2027, 11, 28)));
        assert_eq!(parse(" 2026-11-29 ", today), Ok(date(2026, 11, 29)));
        for bad in ["2027-1-28", "27-11-28", "2027/11/28", "", "2027-11-2x"] {
            assert!(
                matches!(parse(bad, today), Err(ExpiryError::Format { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            parse("2027-02-30", today),
            Err(ExpiryError::NoSuchDate(_))
        ));
        assert!(matches!(
            parse("2026-11-28", today),
            Err(ExpiryError::NotInFuture(_))
        ));
        assert!(matches!(
            parse("2027-11-29", today),
            Err(ExpiryError::TooFar { .. })
        ));
    }
}
