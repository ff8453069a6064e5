//! The calendar reminder to rotate the token: an iCalendar (RFC 5545) file with one all-day event
//! 30 days before the token expires, and an alarm that morning. Pure text, so it is tested without
//! touching a disk; the runner writes it.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::org::OrgUrl;

/// How long before expiry the reminder falls.
pub const REMIND_DAYS: i64 = 30;

/// The reminder's date: 30 days before expiry, but never in the past.
pub fn reminder_date(expires_on: Date, today: Date) -> Date {
    let wanted = expires_on
        .checked_sub(REMIND_DAYS.days())
        .unwrap_or(expires_on);
    wanted.max(today)
}

/// A file name that says what it is and for which organization.
pub fn file_name(org: &OrgUrl) -> String {
    let name: String = org
        .name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("azdo-gate-{name}-token-reminder.ics")
}

/// The iCalendar text, CRLF line endings, long lines folded. `today` stamps it (a calendar needs a
/// DTSTAMP; the date is enough to make re-imports recognisable).
pub fn reminder(org: &OrgUrl, expires_on: Date, today: Date) -> String {
    let start = reminder_date(expires_on, today);
    let end = start.tomorrow().unwrap_or(start);
    let compact = |d: Date| d.strftime("%Y%m%d").to_string();
    let summary = format!("Rotate the azdo-gate token for {}", org.name());
    let description = format!(
        "The azdo-gate token for {} expires on {expires_on}. Run azdo-gate and choose \"rotate\" on the home screen: the new token is verified and stored before the old one is revoked, so the gate keeps working. Tokens page: {}",
        org.base(),
        org.tokens_page()
    );
    let uid = format!(
        "azdo-gate-{}-{}@azdo-gate",
        org.key()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
        compact(expires_on)
    );
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//azdo-gate//token reminder//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{uid}"),
        format!("DTSTAMP:{}T000000Z", compact(today)),
        format!("DTSTART;VALUE=DATE:{}", compact(start)),
        format!("DTEND;VALUE=DATE:{}", compact(end)),
        format!("SUMMARY:{}", escape(&summary)),
        format!("DESCRIPTION:{}", escape(&description)),
        "BEGIN:VALARM".to_owned(),
        "ACTION:DISPLAY".to_owned(),
        "TRIGGER:PT9H".to_owned(),
        format!("DESCRIPTION:{}", escape(&summary)),
        "END:VALARM".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l) + "\r\n").collect()
}

/// TEXT escaping: backslash, semicolon, comma and newline.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (continuations start with a space), never inside a UTF-8
/// character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 74 * 3);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn org() -> OrgUrl {
        OrgUrl::parse("fabrikam").unwrap()
    }

    #[test]
    fn the_event_falls_thirty_days_before_expiry_with_an_alarm() {
        let text = reminder(&org(), date(2027, 11, 28), date(2026, 11, 28));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("\r\nDTSTART;VALUE=DATE:20271029\r\n"));
        assert!(text.contains("\r\nDTEND;VALUE=DATE:20271030\r\n"));
        assert!(text.contains("\r\nSUMMARY:Rotate the azdo-gate token for fabrikam\r\n"));
        assert!(text.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:PT9H\r\n"));
        assert!(text.contains("BEGIN:VEVENT") && text.contains("END:VEVENT"));
    }

    #[test]
    fn lines_are_folded_and_text_escaped() {
        let text = reminder(&org(), date(2027, 11, 28), date(2026, 11, 28));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("expires on 2027-11-28. Run azdo-gate"));
        assert_eq!(escape("a,b;c\\"), "a\\,b\\;c\\\\");
    }

    #[test]
    fn a_reminder_is_never_in_the_past() {
        assert_eq!(
            reminder_date(date(2026, 12, 10), date(2026, 11, 28)),
            date(2026, 11, 28)
        );
        assert_eq!(
            file_name(&OrgUrl::parse("https://tfs.example.com/tfs/DefaultCollection").unwrap()),
            "azdo-gate-DefaultCollection-token-reminder.ics"
        );
    }
}
