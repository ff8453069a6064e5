//! Which repositories `configure` works on: `--repos missing|new|all|<id>,<id>...`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::audit::{AuditReport, Coverage, RepositoryAudit};

/// The repositories a plan considers. Project-level items (the `git.repo.created` subscription)
/// follow the projects of the selection, or every project for `missing` and `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every repository that is not covered (partial, unhealthy or missing) or has duplicates.
    Missing,
    /// Only repositories that were not in the previous run's snapshot.
    New,
    /// Every repository; covered and not-applicable ones appear as skips.
    All,
    /// These repository ids (lowercase GUIDs).
    Ids(BTreeSet<String>),
}

/// Why a `--repos` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error(
        "no repositories selected: give missing, new, all or a comma-separated list of repository ids"
    )]
    Empty,
}

impl FromStr for Selection {
    type Err = SelectionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "missing" => Ok(Self::Missing),
            "new" => Ok(Self::New),
            "all" => Ok(Self::All),
            list => {
                let ids: BTreeSet<String> = list
                    .split(',')
                    .map(|id| id.trim().to_ascii_lowercase())
                    .filter(|id| !id.is_empty())
                    .collect();
                if ids.is_empty() {
                    Err(SelectionError::Empty)
                } else {
                    Ok(Self::Ids(ids))
                }
            }
        }
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("missing"),
            Self::New => f.write_str("new"),
            Self::All => f.write_str("all"),
            Self::Ids(ids) => {
                let list: Vec<&str> = ids.iter().map(String::as_str).collect();
                f.write_str(&list.join(","))
            }
        }
    }
}

impl Selection {
    /// Whether the selection considers this repository.
    pub fn includes(&self, repository: &RepositoryAudit) -> bool {
        match self {
            Self::Missing => {
                matches!(
                    repository.coverage,
                    Coverage::Missing | Coverage::Partial | Coverage::Unhealthy
                ) || repository.has_duplicates()
            }
            Self::New => repository.new,
            Self::All => true,
            Self::Ids(ids) => ids.contains(&repository.id.to_ascii_lowercase()),
        }
    }

    /// Whether project-level items apply to every project rather than only the projects of the
    /// selected repositories.
    pub(crate) fn covers_every_project(&self) -> bool {
        matches!(self, Self::Missing | Self::All)
    }

    /// Explicit ids that name no repository of the report, so the caller can refuse a typo
    /// instead of silently planning nothing.
    pub fn unknown_ids(&self, report: &AuditReport) -> Vec<String> {
        let Self::Ids(ids) = self else {
            return Vec::new();
        };
        let known: BTreeSet<String> = report
            .repositories
            .iter()
            .map(|r| r.id.to_ascii_lowercase())
            .collect();
        ids.iter()
            .filter(|id| !known.contains(*id))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_id_lists_parse() {
        assert_eq!("missing".parse(), Ok(Selection::Missing));
        assert_eq!(" new ".parse(), Ok(Selection::New));
        assert_eq!("all".parse(), Ok(Selection::All));
        assert_eq!(
            "AAA, bbb,,".parse(),
            Ok(Selection::Ids(BTreeSet::from(["aaa".into(), "bbb".into()])))
        );
    }

    #[test]
    fn an_empty_list_is_refused_with_the_accepted_forms() {
        for input in ["", " ", ",", " , ,"] {
            let err = input.parse::<Selection>().unwrap_err();
            assert_eq!(
                err.to_string(),
                "no repositories selected: give missing, new, all or a comma-separated list of repository ids"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for input in ["missing", "new", "all", "a,b"] {
            assert_eq!(input.parse::<Selection>().unwrap().to_string(), input);
        }
    }
}
