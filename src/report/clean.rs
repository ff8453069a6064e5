//! Server-supplied text made safe to show. Names come from whoever created the project or
//! repository: a control character in one (ESC starting a terminal sequence, CR rewriting the
//! line) must not reach the terminal, and a CSV cell must not become a spreadsheet formula.

use std::borrow::Cow;

use crate::audit::AuditReport;

/// Control characters shown as `\u{1b}`-style escapes, so text cannot move the cursor, recolour
/// the screen or hide what follows. Text without any is returned as it is.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CSV cell a spreadsheet will not evaluate: one starting with `=`, `+`, `-`, `@` (or a tab or
/// carriage return, which some spreadsheets skip before looking) gets a leading apostrophe, as
/// OWASP's CSV-injection advice says.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The report with every server-supplied name escaped ([`escape_controls`]), for screens that
/// draw names in many places (the wizard); ids are kept, so nothing acted upon changes.
pub fn escape_report_names(mut report: AuditReport) -> AuditReport {
    let clean = |s: &mut String| {
        if let Cow::Owned(escaped) = escape_controls(s) {
            *s = escaped;
        }
    };
    for project in &mut report.projects {
        clean(&mut project.name);
    }
    for repository in &mut report.repositories {
        clean(&mut repository.name);
        clean(&mut repository.project);
    }
    for item in &mut report.unknown_items {
        clean(&mut item.reason);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_untouched() {
        assert_eq!(
            escape_controls("web\u{1b}[2J\rapi\u{7}"),
            "web\\u{1b}[2J\\u{d}api\\u{7}"
        );
        assert!(matches!(
            escape_controls("storefront-web ✓"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn formulas_are_neutralised_and_other_cells_kept() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tcmd",
        ] {
            assert_eq!(neutralize_formula(formula), format!("'{formula}"));
        }
        assert_eq!(neutralize_formula("storefront=web"), "storefront=web");
    }
}
