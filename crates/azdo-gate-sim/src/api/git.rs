//! `GET [{project}/]_apis/git/repositories` (`azure-devops-api.md` §4): every repository in one
//! answer, no paging. Stakeholders cannot read code, so they get an empty list.

use crate::auth::UserRef;
use crate::respond::Reply;
use crate::scenario::AccessLevel;
use crate::state::OrgState;
use crate::views::{self, List};

pub(super) fn list_repositories(state: &OrgState, user: &UserRef, project: Option<usize>) -> Reply {
    if user.access_level == AccessLevel::Stakeholder {
        return Reply::json(&List::<()>::of(Vec::new()));
    }
    let view = |r: &usize| views::repo(state, &state.repos[*r]);
    let value: Vec<_> = match project {
        None => state.repos_sorted.iter().map(view).collect(),
        Some(p) => {
            let mut own = state.projects[p].repos.clone();
            own.sort_by_key(|r| state.repos[*r].name.to_ascii_lowercase());
            own.iter().map(view).collect()
        }
    };
    Reply::json(&List::of(value))
}
