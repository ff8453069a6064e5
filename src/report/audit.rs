//! Output of `azdo-gate audit`: JSON (the documented schema), CSV (one row per repository, for
//! spreadsheets) and text (for a terminal, 100 columns).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::clean::{escape_controls, neutralize_formula};
use super::style::marks;
use super::to_json;
use crate::ado::models::{
    GIT_EDIT_POLICIES, GIT_NAMESPACE_ID, GIT_PULL_REQUEST_CONTRIBUTE, ItemKind,
    SERVICE_HOOKS_NAMESPACE_ID,
};
use crate::audit::{
    AuditReport, Coverage, EventStatus, PolicyPresence, ProjectAudit, ProjectsSource,
    RepositoryAudit,
};
use crate::columns;
use crate::follow_up::FollowUp;
use crate::org::OrgUrl;
use crate::words::count;

/// The text report fits this many display columns (long names are shortened, notes wrapped).
pub(super) const WIDTH: usize = 100;

/// `azdo-gate audit --json`.
pub fn audit_json(report: &AuditReport) -> Result<String, serde_json::Error> {
    to_json(report)
}

/// `azdo-gate audit --csv`: a header, then one row per repository in report order. The event
/// columns are the event types the report covers (the profile's events, in profile order), each
/// holding that event's status. Fields are quoted when they contain a comma, a quote, a line break
/// or surrounding spaces; lines end with `\n`.
pub fn audit_csv(report: &AuditReport) -> String {
    let mut events: Vec<&str> = Vec::new();
    for repo in &report.repositories {
        for e in &repo.events {
            if !events.contains(&e.event_type.as_str()) {
                events.push(&e.event_type);
            }
        }
    }
    let mut out = String::new();
    let header = [
        "project",
        "repository",
        "repository_id",
        "coverage",
        "new",
        "disabled",
        "default_branch",
        "status_policy",
    ];
    // The duplicate columns come last, so scripts reading the earlier columns by position keep
    // working.
    let duplicates = ["duplicate_subscription_ids", "duplicate_status_policy_ids"];
    csv_row(
        &mut out,
        header
            .iter()
            .copied()
            .chain(events.iter().copied())
            .chain(duplicates),
    );
    for repo in &report.repositories {
        let statuses: Vec<String> = events
            .iter()
            .map(|event| {
                repo.events
                    .iter()
                    .find(|e| e.event_type == *event)
                    .map_or_else(String::new, |e| e.status.label())
            })
            .collect();
        // Ids joined by spaces, so the cell stays one CSV field.
        let duplicate_subscriptions = repo
            .events
            .iter()
            .flat_map(|e| &e.duplicate_subscription_ids)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let duplicate_policies = repo.duplicate_status_policy_ids.join(" ");
        let fixed = [
            repo.project.as_str(),
            repo.name.as_str(),
            repo.id.as_str(),
            repo.coverage.as_str(),
            bool_str(repo.new),
            bool_str(repo.disabled),
            repo.default_branch.as_deref().unwrap_or(""),
            repo.status_policy.as_str(),
        ];
        csv_row(
            &mut out,
            fixed
                .into_iter()
                .chain(statuses.iter().map(String::as_str))
                .chain([
                    duplicate_subscriptions.as_str(),
                    duplicate_policies.as_str(),
                ]),
        );
    }
    out
}

fn csv_row<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(field));
    }
    out.push('\n');
}

fn csv_field(field: &str) -> String {
    let field = neutralize_formula(field);
    let needs_quotes =
        field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.into_owned()
    }
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// `azdo-gate audit` for a terminal: projects (permission problems first, each with its fix), then
/// repositories grouped by project, worst first, then a summary line.
/// `next` is how this run reached the organization: the commands it suggests repeat it.
pub fn audit_text(report: &AuditReport, next: &FollowUp<'_>) -> String {
    let org = next.org;
    let mut out = String::new();
    let source = match report.projects_source {
        ProjectsSource::ProjectsApi => "projects API",
        ProjectsSource::Repositories => {
            "derived from the repositories: this token may not list projects"
        }
    };
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{} ({})",
        report.organization.name, report.organization.url
    );
    let _ = writeln!(out);
    projects_section(&mut out, report, org, source);
    repositories_section(&mut out, report);
    out.push_str(&super::deliveries::deliveries_section(report));
    unknown_items_section(&mut out, report);
    summary_line(&mut out, report, next);
    out
}

/// What Azure DevOps returned that the tool could not understand; the audit went on without it.
fn unknown_items_section(out: &mut String, report: &AuditReport) {
    if report.unknown_items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Not understood: {} (left out of the audit)",
        report.unknown_items.len()
    );
    for item in &report.unknown_items {
        let kind = match item.kind {
            ItemKind::Subscription => "subscription",
            ItemKind::Policy => "policy",
            ItemKind::Repository => "repository",
        };
        let id = escape_controls(item.id.as_deref().unwrap_or("(no id)"));
        let _ = writeln!(out, "{} {kind} {id}", marks().warn);
        wrap_into(out, &escape_controls(&item.reason), 4);
    }
    let _ = writeln!(out);
}

/// Per project: (covered, applicable) repositories.
fn coverage_counts(report: &AuditReport) -> BTreeMap<String, (usize, usize)> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for repo in &report.repositories {
        let entry = counts
            .entry(repo.project_id.to_ascii_lowercase())
            .or_default();
        if repo.coverage != Coverage::NotApplicable {
            entry.1 += 1;
        }
        if repo.coverage == Coverage::Covered {
            entry.0 += 1;
        }
    }
    counts
}

fn projects_section(out: &mut String, report: &AuditReport, org: &OrgUrl, source: &str) {
    let _ = writeln!(out, "Projects: {} ({source})", report.projects.len());
    if report.projects.is_empty() {
        let _ = writeln!(out);
        return;
    }
    let _ = writeln!(
        out,
        "  {:<40} {:<11} {:<11} {:<14} COVERED",
        "PROJECT", "VIEW HOOKS", "EDIT HOOKS", "EDIT POLICIES"
    );
    let counts = coverage_counts(report);
    for project in &report.projects {
        let mark = if project.lacks_permissions() {
            marks().fail
        } else if project.permissions_unknown() {
            marks().warn
        } else {
            marks().ok
        };
        let (covered, applicable) = counts
            .get(&project.id.to_ascii_lowercase())
            .copied()
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{mark} {} {:<11} {:<11} {:<14} {covered}/{applicable}",
            columns::pad(&shorten(&project.name, 40), 40),
            yes_no(project.service_hooks.view),
            yes_no(project.service_hooks.edit),
            yes_no(project.edit_policies),
        );
    }
    let problems: Vec<&ProjectAudit> = report
        .projects
        .iter()
        .filter(|p| p.lacks_permissions() || p.permissions_unknown())
        .collect();
    for project in problems {
        let _ = writeln!(out);
        permission_fix(out, report, project, org);
    }
    let _ = writeln!(out);
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// The fix for one project: Project Administrators (link), or the exact `az` grant.
fn permission_fix(out: &mut String, report: &AuditReport, project: &ProjectAudit, org: &OrgUrl) {
    let page = org.project_permissions_page(&project.name);
    let user_name = report.user_name();
    let user = escape_controls(&user_name);
    if project.lacks_permissions() {
        let _ = writeln!(
            out,
            "{} {}: {user} cannot manage {}.",
            marks().fail,
            escape_controls(&project.name),
            missing_what(project)
        );
        let _ = writeln!(
            out,
            "  Fix: add {user} to this project's Project Administrators group:"
        );
        let _ = writeln!(out, "    {page}");
        let hook_bits = u32::from(project.service_hooks.view == Some(false))
            | (u32::from(project.service_hooks.edit == Some(false)) << 1);
        let grants = [
            (SERVICE_HOOKS_NAMESPACE_ID, "PublisherSecurity", hook_bits),
            (
                GIT_NAMESPACE_ID,
                "repoV2",
                (if project.edit_policies == Some(false) {
                    GIT_EDIT_POLICIES
                } else {
                    0
                }) | (if project.contribute_pull_requests == Some(false) {
                    GIT_PULL_REQUEST_CONTRIBUTE
                } else {
                    0
                }),
            ),
        ];
        // The account's sign-in name when Azure DevOps gave it, else a placeholder explained here.
        let subject = match report.user.as_ref().and_then(|u| u.sign_in_name()) {
            Some(sign_in) => {
                let _ = writeln!(out, "  or grant it:");
                shell_word(&escape_controls(sign_in))
            }
            None => {
                let _ = writeln!(
                    out,
                    "  or grant it (<user> = the integration user's sign-in name):"
                );
                "<user>".to_owned()
            }
        };
        for (namespace, root, bits) in grants.into_iter().filter(|g| g.2 != 0) {
            let _ = writeln!(
                out,
                "    az devops security permission update --org {} \\",
                org.base()
            );
            let _ = writeln!(out, "      --id {namespace} --subject {subject} \\");
            let _ = writeln!(
                out,
                "      --token {root}/{} --allow-bit {bits}",
                project.id
            );
        }
    } else {
        let _ = writeln!(
            out,
            "{} {}: permissions unknown.",
            marks().warn,
            escape_controls(&project.name)
        );
        if let Some(note) = &project.permissions_note {
            wrap_into(out, note, 2);
        }
        let _ = writeln!(out, "  Check them at {page}");
    }
}

/// `word` as one shell argument: as it is when plain, else single-quoted (a Server account such
/// as `FABRIKAM\gate` would lose its backslash).
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+'));
    if plain && !word.is_empty() {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn missing_what(project: &ProjectAudit) -> String {
    let missing: Vec<&str> = [
        (
            project.service_hooks.view == Some(false) || project.service_hooks.edit == Some(false),
            "service hooks",
        ),
        (project.edit_policies == Some(false), "branch policies"),
        (
            project.contribute_pull_requests == Some(false),
            "pull-request statuses (Contribute to pull requests)",
        ),
    ]
    .into_iter()
    .filter_map(|(lacking, what)| lacking.then_some(what))
    .collect();
    missing.join(" or ")
}

fn repositories_section(out: &mut String, report: &AuditReport) {
    let _ = writeln!(out, "Repositories: {}", report.repositories.len());
    let counts = coverage_counts(report);
    let mut current: Option<&str> = None;
    for repo in &report.repositories {
        if current != Some(repo.project_id.as_str()) {
            current = Some(&repo.project_id);
            let (covered, applicable) = counts
                .get(&repo.project_id.to_ascii_lowercase())
                .copied()
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} ({covered} of {applicable} covered)",
                shorten(&repo.project, 70)
            );
        }
        repository_lines(out, repo);
    }
    let _ = writeln!(out);
}

fn coverage_mark(c: Coverage) -> &'static str {
    match c {
        Coverage::Covered => marks().ok,
        Coverage::Missing | Coverage::Partial => marks().fail,
        Coverage::Unhealthy => marks().warn,
        Coverage::NotApplicable => "-",
    }
}

fn coverage_word(c: Coverage) -> &'static str {
    match c {
        Coverage::Covered => "covered",
        Coverage::Partial => "partial",
        Coverage::Unhealthy => "unhealthy",
        Coverage::Missing => "missing",
        Coverage::NotApplicable => "not applicable",
    }
}

fn repository_lines(out: &mut String, repo: &RepositoryAudit) {
    let new = if repo.new { "  NEW" } else { "" };
    let why = if repo.disabled {
        "  (disabled)"
    } else if repo.default_branch.is_none() {
        "  (empty)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "    {} {:<15} {}{why}{new}",
        coverage_mark(repo.coverage),
        coverage_word(repo.coverage),
        shorten(&repo.name, 60)
    );
    for event in &repo.events {
        if !event.duplicate_subscription_ids.is_empty() {
            let _ = writeln!(
                out,
                "        duplicate subscriptions for {}: {} (the gate receives each event more than once)",
                event.event_type,
                event.duplicate_subscription_ids.join(", ")
            );
        }
    }
    if !repo.duplicate_status_policy_ids.is_empty() {
        let _ = writeln!(
            out,
            "        duplicate Status policies: {}",
            repo.duplicate_status_policy_ids.join(", ")
        );
    }
    if matches!(repo.coverage, Coverage::Covered | Coverage::NotApplicable) {
        return;
    }
    let mut parts: Vec<String> = repo
        .events
        .iter()
        .map(|e| {
            let filtered = if e.restricted { " (filtered)" } else { "" };
            format!(
                "{} {}{filtered}",
                short_event(&e.event_type),
                e.status.label()
            )
        })
        .collect();
    if repo.status_policy != PolicyPresence::NotRequired {
        parts.push(format!("status policy {}", repo.status_policy.as_str()));
    }
    wrap_into(out, &parts.join(", "), 8);
    for e in &repo.events {
        let Some(id) = &e.subscription_id else {
            continue;
        };
        if !matches!(e.status, EventStatus::Enabled | EventStatus::Absent) {
            let _ = writeln!(
                out,
                "        {} subscription {id} is {}",
                short_event(&e.event_type),
                e.status.label()
            );
        } else if let Some(filters) = e.filters.as_ref().filter(|_| e.restricted) {
            let list: Vec<String> = filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "        {} subscription {id} delivers only pull requests matching {}",
                short_event(&e.event_type),
                list.join(", ")
            );
        }
    }
}

/// `git.pullrequest.created` → `created`; the comment event → `commented`.
fn short_event(event: &str) -> &str {
    match event {
        "ms.vss-code.git-pullrequest-comment-event" => "commented",
        other => other.strip_prefix("git.pullrequest.").unwrap_or(other),
    }
}

fn summary_line(out: &mut String, report: &AuditReport, next: &FollowUp<'_>) {
    let s = &report.summary;
    let c = &s.coverage;
    let unknown = report
        .projects
        .iter()
        .filter(|p| !p.lacks_permissions() && p.permissions_unknown())
        .count();
    let _ = writeln!(
        out,
        "Repositories: {} ({} covered, {} partial, {} unhealthy, {} missing, {} not applicable), \
         {} new.",
        s.repositories, c.covered, c.partial, c.unhealthy, c.missing, c.not_applicable, s.new
    );
    let _ = writeln!(
        out,
        "Projects: {} ({} missing permissions, {unknown} unknown). Requests: {}.",
        s.projects, s.projects_missing_permissions, report.requests
    );
    if s.duplicate_subscriptions + s.duplicate_status_policies > 0 {
        let _ = writeln!(
            out,
            "Duplicates: {} subscriptions and {} Status policies to delete (`configure --apply` removes them).",
            s.duplicate_subscriptions, s.duplicate_status_policies
        );
    }
    if s.failing_deliveries > 0 {
        let _ = writeln!(
            out,
            "Deliveries: the last delivery of {} failed (see above).",
            count(
                s.failing_deliveries,
                "gate subscription",
                "gate subscriptions"
            )
        );
    }
    if report.healthy() {
        let _ = writeln!(out, "Every applicable repository is gated.");
    } else {
        let _ = writeln!(
            out,
            "Not every applicable repository is gated, or permissions are missing."
        );
        // On a line of its own, to copy whole however long the address.
        let _ = writeln!(out, "To see what would close the gaps, run:");
        let _ = writeln!(out, "  {}", next.command("configure", "--plan"));
    }
}

/// A server-supplied name for the text report: control characters escaped, then cut to `max`
/// display columns.
fn shorten(s: &str, max: usize) -> String {
    columns::truncate(&escape_controls(s), max).into_owned()
}

/// Word-wraps `text` to [`WIDTH`] display columns, every line indented by `indent` spaces; blank
/// text writes nothing.
pub(super) fn wrap_into(out: &mut String, text: &str, indent: usize) {
    let lead = " ".repeat(indent);
    let room = WIDTH.saturating_sub(indent);
    for row in columns::wrap(text, room, room) {
        if !row.is_empty() {
            let _ = writeln!(out, "{lead}{row}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_names_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(shell_word("gate@fabrikam.com"), "gate@fabrikam.com");
        assert_eq!(shell_word(r"FABRIKAM\gate"), r"'FABRIKAM\gate'");
        assert_eq!(shell_word("o'neil"), r"'o'\''neil'");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width() {
        let mut out = String::new();
        let text = "word ".repeat(60);
        wrap_into(&mut out, &text, 4);
        assert!(
            out.lines()
                .all(|l| columns::width(l) <= WIDTH && l.starts_with("    word"))
        );
        assert_eq!(out.split_whitespace().count(), 60);
    }
}
