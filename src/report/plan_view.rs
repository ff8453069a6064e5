//! The plan as an admin reviews it, laid out once for both faces: `configure --plan` prints these
//! lines and the wizard's plan review draws them, so the two can never disagree.
//!
//! Like terraform's plan: the changes first (grouped by project, in the plan's own order, which is
//! also the order they are applied in), each with a symbol — `+` create, `-/+` replace, `~`
//! update, `-` delete — then the skipped items, grouped per project and per fix so one fix is
//! said once, and a summary line with the counts per kind.

use serde::Serialize;

use super::clean::escape_controls;
use super::style::PLAIN as MARKS;
use crate::plan::{Action, ActionKind, ActionResult, Outcome, Plan};
use crate::words::count;

/// What a change does to Azure DevOps, as the summary counts it and the symbol shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    /// A new object replaces the old one, which is deleted once the new one works.
    Replace,
    Update,
    Delete,
}

impl ChangeKind {
    /// `None` for a skip, which changes nothing.
    pub fn of(kind: ActionKind) -> Option<Self> {
        match kind {
            ActionKind::CreateSubscription | ActionKind::CreateStatusPolicy => Some(Self::Create),
            ActionKind::RecreateSubscription => Some(Self::Replace),
            ActionKind::EnableSubscription | ActionKind::UpdateStatusPolicy => Some(Self::Update),
            ActionKind::DeleteDuplicateSubscription | ActionKind::DeleteDuplicateStatusPolicy => {
                Some(Self::Delete)
            }
            ActionKind::Skip => None,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Self::Create => "+",
            Self::Replace => "-/+",
            Self::Update => "~",
            Self::Delete => "-",
        }
    }
}

/// How many actions of each kind a plan holds (`configure --json`'s `changes`, and the summary
/// line both faces show).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    pub create: usize,
    pub replace: usize,
    pub update: usize,
    pub delete: usize,
    pub skipped: usize,
}

impl PlanCounts {
    pub fn of(plan: &Plan) -> Self {
        let mut counts = Self::default();
        for action in &plan.actions {
            let slot = match ChangeKind::of(action.kind) {
                Some(ChangeKind::Create) => &mut counts.create,
                Some(ChangeKind::Replace) => &mut counts.replace,
                Some(ChangeKind::Update) => &mut counts.update,
                Some(ChangeKind::Delete) => &mut counts.delete,
                None => &mut counts.skipped,
            };
            *slot += 1;
        }
        counts
    }

    /// `3 to create, 2 to replace, 1 to update, 1 to delete, 4 skipped`: every kind, zeros too,
    /// so "0 to delete" can be read as plainly as a number that is not zero.
    pub fn sentence(&self) -> String {
        format!(
            "{} to create, {} to replace, {} to update, {} to delete, {} skipped",
            self.create, self.replace, self.update, self.delete, self.skipped
        )
    }
}

/// What a line is, so each face can style it (the text face ignores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Project,
    /// A change not carried out yet.
    Change(ChangeKind),
    /// A change after applying: its outcome's mark leads the line.
    Result(Outcome),
    /// Why the change (or skip) is needed.
    Reason,
    /// What a replacement deletes, and when.
    Note,
    Error,
    /// The heading of a project's skipped items.
    SkippedProject,
    Skip,
    Fix,
    Blank,
}

/// One logical line: `lead` (a mark or an indent) then `text`, which each face wraps to its width
/// with continuation rows indented as wide as `lead`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewLine {
    pub lead: String,
    pub text: String,
    pub role: Role,
}

impl ViewLine {
    fn new(lead: impl Into<String>, text: impl Into<String>, role: Role) -> Self {
        Self {
            lead: lead.into(),
            text: text.into(),
            role,
        }
    }

    fn blank() -> Self {
        Self::new("", "", Role::Blank)
    }
}

/// Details sit under the change's words, past the three-column symbol.
const DETAIL: &str = "      ";

/// What a replacement does to the webhook it replaces.
const REPLACE_NOTE: &str = "deletes the old webhook after the new one works";

/// The plan's lines: the changes by project, then the skipped items by project and fix. With
/// `results` (after applying), each change is led by its outcome's mark and carries its error.
pub fn plan_lines(plan: &Plan, results: Option<&[ActionResult]>) -> Vec<ViewLine> {
    let mut lines = Vec::new();
    for (project, indexes) in by_project(plan, |a| a.kind.is_work()) {
        if !lines.is_empty() {
            lines.push(ViewLine::blank());
        }
        lines.push(ViewLine::new(
            "",
            format!("Project {}", escape_controls(project)),
            Role::Project,
        ));
        for index in indexes {
            change_lines(&mut lines, &plan.actions[index], index, results);
        }
    }
    for (project, indexes) in by_project(plan, |a| !a.kind.is_work()) {
        if !lines.is_empty() {
            lines.push(ViewLine::blank());
        }
        lines.push(ViewLine::new(
            "",
            format!(
                "Skipped in project {}: nothing is written for {}",
                escape_controls(project),
                if indexes.len() == 1 { "it" } else { "these" }
            ),
            Role::SkippedProject,
        ));
        skip_lines(&mut lines, plan, &indexes);
    }
    lines
}

/// The indexes of the actions `wanted` picks, grouped by project in the plan's order.
fn by_project(plan: &Plan, wanted: impl Fn(&Action) -> bool) -> Vec<(&str, Vec<usize>)> {
    let mut groups: Vec<(&str, &str, Vec<usize>)> = Vec::new();
    for (index, action) in plan.actions.iter().enumerate() {
        if !wanted(action) {
            continue;
        }
        match groups.iter_mut().find(|(id, ..)| *id == action.project_id) {
            Some((.., indexes)) => indexes.push(index),
            None => groups.push((&action.project_id, &action.project, vec![index])),
        }
    }
    groups
        .into_iter()
        .map(|(_, name, indexes)| (name, indexes))
        .collect()
}

fn change_lines(
    lines: &mut Vec<ViewLine>,
    action: &Action,
    index: usize,
    results: Option<&[ActionResult]>,
) {
    let Some(kind) = ChangeKind::of(action.kind) else {
        return;
    };
    let result = results.map(|r| r.iter().find(|r| r.index == index));
    let (mark, role) = match result {
        None => (kind.symbol(), Role::Change(kind)),
        Some(result) => {
            let outcome = result.map_or(Outcome::NotStarted, |r| r.outcome);
            let mark = match outcome {
                Outcome::Done => MARKS.ok,
                Outcome::Failed => MARKS.fail,
                Outcome::Planned | Outcome::NotStarted | Outcome::Skipped => MARKS.warn,
            };
            (mark, Role::Result(outcome))
        }
    };
    lines.push(ViewLine::new(format!("{mark:>3} "), title(action), role));
    if results.is_none() {
        match action.kind {
            ActionKind::RecreateSubscription => {
                lines.push(ViewLine::new(DETAIL, REPLACE_NOTE, Role::Note));
            }
            ActionKind::EnableSubscription => lines.push(ViewLine::new(
                DETAIL,
                format!("if it stays disabled, a new one replaces it: {REPLACE_NOTE}"),
                Role::Note,
            )),
            _ => {}
        }
    }
    lines.push(ViewLine::new(
        DETAIL,
        escape_controls(&action.reason),
        Role::Reason,
    ));
    if let Some(error) = result.flatten().and_then(|r| r.error.as_deref()) {
        lines.push(ViewLine::new(
            format!("{DETAIL}Error: "),
            escape_controls(error),
            Role::Error,
        ));
    }
}

/// One project's skips: each item on a line, and each fix once, after the items it fixes.
fn skip_lines(lines: &mut Vec<ViewLine>, plan: &Plan, indexes: &[usize]) {
    let mut fixes: Vec<Option<&str>> = Vec::new();
    for &index in indexes {
        let fix = plan.actions[index].fix.as_deref();
        if !fixes.contains(&fix) {
            fixes.push(fix);
        }
    }
    // What the admin can act on first; `already covered` and the like last.
    fixes.sort_by_key(Option::is_none);
    for fix in fixes {
        let mut items = 0;
        for &index in indexes {
            let action = &plan.actions[index];
            if action.fix.as_deref() == fix {
                items += 1;
                lines.push(ViewLine::new(
                    "  · ",
                    format!(
                        "{}: {}",
                        skip_target(action),
                        escape_controls(&action.reason)
                    ),
                    Role::Skip,
                ));
            }
        }
        if let Some(fix) = fix {
            // Level with the items' marks: it belongs to the group, not to the last item.
            let lead = match items {
                1 => "  Fix: ".to_owned(),
                n => format!("  Fix for these {n}: "),
            };
            lines.push(ViewLine::new(lead, escape_controls(fix), Role::Fix));
        }
    }
}

/// What a skip leaves alone: `repository api`, `repository api, git.pullrequest.updated`, `the
/// project, git.repo.created`.
fn skip_target(action: &Action) -> String {
    let target = target(action);
    match &action.event_type {
        Some(event) => format!("{target}, {event}"),
        None => target,
    }
}

/// The repository an action is for, or the project when it is project-wide.
fn target(action: &Action) -> String {
    let event = action.event_type.as_deref().unwrap_or_default();
    match (&action.repository, &action.repository_id) {
        (Some(name), _) => format!("repository {}", escape_controls(name)),
        (None, Some(id)) => format!("repository {id}"),
        (None, None) if event == crate::profile::REPO_CREATED_EVENT => "the project".to_owned(),
        (None, None) if action.kind == ActionKind::Skip => "the project".to_owned(),
        (None, None) => "every repository of the project".to_owned(),
    }
}

/// One line saying what the change does and to what.
pub fn title(action: &Action) -> String {
    let event = action.event_type.as_deref().unwrap_or_default();
    let target = target(action);
    let existing = action
        .subscription_id
        .as_deref()
        .map(|id| format!(" {id}"))
        .unwrap_or_default();
    let words = action.kind.words();
    match action.kind {
        ActionKind::CreateSubscription => format!("{words} {event} for {target}"),
        ActionKind::RecreateSubscription
        | ActionKind::EnableSubscription
        | ActionKind::DeleteDuplicateSubscription => {
            format!("{words}{existing} ({event}) for {target}")
        }
        ActionKind::CreateStatusPolicy => match &action.ref_name {
            Some(branch) => format!("{words} on {branch} of {target}"),
            None => format!("{words} on the default branch of every repository"),
        },
        ActionKind::DeleteDuplicateStatusPolicy => {
            let policy = action.policy_id.as_deref().unwrap_or_default();
            format!("{words} {policy} of {target}")
        }
        ActionKind::UpdateStatusPolicy => match action.policy_id.as_deref() {
            Some(id) => format!("{words} {id} of {target}"),
            None => format!("{words} of {target}"),
        },
        ActionKind::Skip => format!("{words} {}", skip_target(action)),
    }
}

/// The question before applying: `Apply 9 changes to fabrikam?`.
pub fn apply_question(plan: &Plan, org: &str) -> String {
    format!(
        "Apply {} to {org}?",
        count(plan.work_count(), "change", "changes")
    )
}

/// What applying the plan deletes from Azure DevOps, one short line each, by name (the plan's
/// lines carry the ids): the old webhooks a replacement removes and the duplicates. The
/// confirmation lists them, so nothing is deleted that the admin was not told about at the
/// moment of saying yes.
pub fn deletions(plan: &Plan) -> Vec<String> {
    by_project(plan, |a| a.kind.is_work())
        .into_iter()
        .flat_map(|(_, indexes)| indexes)
        .filter_map(|index| {
            let action = &plan.actions[index];
            let place = match &action.repository {
                Some(repo) => escape_controls(repo).into_owned(),
                None => format!("project {}", escape_controls(&action.project)),
            };
            let place = match &action.event_type {
                Some(event) => format!("{place} ({event})"),
                None => place,
            };
            match action.kind {
                ActionKind::RecreateSubscription => {
                    Some(format!("old webhook of {place}, once the new one works"))
                }
                ActionKind::EnableSubscription => Some(format!(
                    "webhook of {place}, only if it stays disabled and is replaced"
                )),
                ActionKind::DeleteDuplicateSubscription => {
                    Some(format!("duplicate webhook of {place}"))
                }
                ActionKind::DeleteDuplicateStatusPolicy => {
                    Some(format!("duplicate Status policy of {place}"))
                }
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: ActionKind, project: &str, repository: Option<&str>) -> Action {
        Action {
            kind,
            project_id: format!("id-{project}"),
            project: project.to_owned(),
            repository_id: repository.map(|r| format!("id-{r}")),
            repository: repository.map(str::to_owned),
            event_type: Some("git.pullrequest.created".into()),
            reason: format!("why {}", kind.as_str()),
            subscription_id: Some("sub-1".into()),
            policy_id: Some("42".into()),
            ref_name: None,
            fix: None,
        }
    }

    fn skip(project: &str, repository: &str, fix: Option<&str>) -> Action {
        Action {
            fix: fix.map(str::to_owned),
            ..action(ActionKind::Skip, project, Some(repository))
        }
    }

    /// A plan as the planner may order it: skips before changes, projects interleaved.
    fn mixed() -> Plan {
        Plan {
            actions: vec![
                skip("Pay", "ledger", None),
                skip("Pay", "core", Some("grant it")),
                skip("Pay", "core", Some("grant it")),
                action(ActionKind::CreateSubscription, "Shop", Some("web")),
                action(ActionKind::RecreateSubscription, "Shop", Some("web")),
                skip("Pay", "books", Some("grant it")),
                action(ActionKind::EnableSubscription, "Pay", Some("ledger")),
                action(
                    ActionKind::DeleteDuplicateStatusPolicy,
                    "Pay",
                    Some("ledger"),
                ),
                skip("Pay", "cards", Some("grant it")),
                action(ActionKind::UpdateStatusPolicy, "Shop", None),
                action(ActionKind::CreateStatusPolicy, "Shop", Some("web")),
            ],
        }
    }

    fn shown(lines: &[ViewLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| format!("{}{}", l.lead, l.text))
            .collect()
    }

    #[test]
    fn changes_come_first_by_project_in_plan_order_then_skips_with_each_fix_once() {
        let lines = shown(&plan_lines(&mixed(), None));
        let expected = [
            "Project Shop",
            "  + create subscription git.pullrequest.created for repository web",
            "      why create_subscription",
            "-/+ recreate subscription sub-1 (git.pullrequest.created) for repository web",
            "      deletes the old webhook after the new one works",
            "      why recreate_subscription",
            "  ~ update Status policy 42 of every repository of the project",
            "      why update_status_policy",
            "  + create Status policy on the default branch of every repository",
            "      why create_status_policy",
            "",
            "Project Pay",
            "  ~ enable subscription sub-1 (git.pullrequest.created) for repository ledger",
            "      if it stays disabled, a new one replaces it: deletes the old webhook after the new one works",
            "      why enable_subscription",
            "  - delete duplicate Status policy 42 of repository ledger",
            "      why delete_duplicate_status_policy",
            "",
            "Skipped in project Pay: nothing is written for these",
            "  · repository core, git.pullrequest.created: why skip",
            "  · repository core, git.pullrequest.created: why skip",
            "  · repository books, git.pullrequest.created: why skip",
            "  · repository cards, git.pullrequest.created: why skip",
            "  Fix for these 4: grant it",
            "  · repository ledger, git.pullrequest.created: why skip",
        ];
        assert_eq!(lines, expected);
        assert_eq!(
            lines.iter().filter(|l| l.contains("Fix")).count(),
            1,
            "one fix for the four skips it fixes"
        );
    }

    #[test]
    fn the_summary_counts_each_kind() {
        let counts = PlanCounts::of(&mixed());
        assert_eq!(
            counts.sentence(),
            "2 to create, 1 to replace, 2 to update, 1 to delete, 5 skipped"
        );
        assert_eq!(PlanCounts::of(&Plan::default()), PlanCounts::default());
    }

    #[test]
    fn every_kind_has_its_symbol() {
        let symbol = |kind| ChangeKind::of(kind).map(ChangeKind::symbol);
        assert_eq!(symbol(ActionKind::CreateSubscription), Some("+"));
        assert_eq!(symbol(ActionKind::CreateStatusPolicy), Some("+"));
        assert_eq!(symbol(ActionKind::RecreateSubscription), Some("-/+"));
        assert_eq!(symbol(ActionKind::EnableSubscription), Some("~"));
        assert_eq!(symbol(ActionKind::UpdateStatusPolicy), Some("~"));
        assert_eq!(symbol(ActionKind::DeleteDuplicateSubscription), Some("-"));
        assert_eq!(symbol(ActionKind::DeleteDuplicateStatusPolicy), Some("-"));
        assert_eq!(symbol(ActionKind::Skip), None);
    }

    #[test]
    fn after_applying_each_change_shows_its_outcome_and_error() {
        let plan = Plan {
            actions: vec![
                action(ActionKind::RecreateSubscription, "Shop", Some("web")),
                action(ActionKind::CreateSubscription, "Shop", Some("api")),
                action(ActionKind::CreateStatusPolicy, "Shop", Some("app")),
            ],
        };
        let results = [ActionResult {
            index: 0,
            outcome: Outcome::Failed,
            error: Some("boom".into()),
        }];
        let lines = shown(&plan_lines(&plan, Some(&results)));
        assert_eq!(
            lines[1],
            "  ✗ recreate subscription sub-1 (git.pullrequest.created) for repository web"
        );
        assert_eq!(lines[3], "      Error: boom", "{lines:#?}");
        assert!(
            lines[4].starts_with("  ! create subscription"),
            "not started: {lines:#?}"
        );
        assert!(
            !lines.iter().any(|l| l.contains(REPLACE_NOTE)),
            "the note is for plans"
        );
    }

    #[test]
    fn deletions_name_old_webhooks_and_duplicates_only() {
        assert_eq!(
            deletions(&mixed()),
            [
                "old webhook of web (git.pullrequest.created), once the new one works",
                "webhook of ledger (git.pullrequest.created), only if it stays disabled and is replaced",
                "duplicate Status policy of ledger (git.pullrequest.created)",
            ]
        );
    }
}
