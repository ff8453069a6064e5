//! `GET _apis/projects` (`azure-devops-api.md` §4): `$top`, `$skip` and an integer
//! `continuationToken`; a page of 100 by default, more announced by `x-ms-continuationtoken`.

use super::Query;
use crate::respond::Reply;
use crate::state::OrgState;
use crate::views::{self, List};

pub(super) fn list_projects(state: &OrgState, query: &Query, page_size: usize) -> Reply {
    let numbers = (
        query.number("$top"),
        query.number("$skip"),
        query.number("continuationToken"),
    );
    let (top, skip, token) = match numbers {
        (Ok(top), Ok(skip), Ok(token)) => (top, skip, token),
        (Err(reply), _, _) | (_, Err(reply), _) | (_, _, Err(reply)) => return reply,
    };
    let total = state.projects.len();
    let start = token.or(skip).unwrap_or(0).min(total);
    let size = top.filter(|t| *t > 0).unwrap_or(page_size.max(1));
    let end = start.saturating_add(size).min(total);
    let page: Vec<_> = (start..end).map(|i| views::project(state, i)).collect();
    let mut reply = Reply::json(&List::of(page));
    if end < total {
        reply.header("x-ms-continuationtoken", &end.to_string());
    }
    reply
}
