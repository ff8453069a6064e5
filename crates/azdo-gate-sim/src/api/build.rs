//! Build and agents: `GET {project}/_apis/build/definitions` (two fixed definitions per project,
//! `$top` honoured) and `GET _apis/distributedtask/pools` (two fixed pools).

use serde_json::{Value, json};

use super::Query;
use crate::respond::Reply;
use crate::state::OrgState;
use crate::views::{self, List};

pub(super) fn definitions(state: &OrgState, project: usize, query: &Query) -> Reply {
    let top = match query.number("$top") {
        Ok(top) => top,
        Err(reply) => return reply,
    };
    let p = &state.projects[project];
    let value: Vec<Value> = ["CI", "Release"]
        .iter()
        .enumerate()
        .take(top.unwrap_or(usize::MAX))
        .map(|(i, suffix)| {
            let id = project * 2 + i + 1;
            json!({
                "id": id,
                "name": format!("{} {suffix}", p.name),
                "url": format!("{}/{}/_apis/build/Definitions/{id}?revision=1", state.org_url(), p.id),
                "uri": format!("vstfs:///Build/Definition/{id}"),
                "path": "\\",
                "type": "build",
                "queueStatus": "enabled",
                "revision": 1,
                "createdDate": "2026-01-05T10:00:00.000Z",
                "project": views::project(state, project),
            })
        })
        .collect();
    Reply::json(&List::of(value))
}

pub(super) fn pools() -> Reply {
    let value = vec![
        json!({
            "id": 1, "name": "Default", "isHosted": false, "poolType": "automation",
            "size": 1, "isLegacy": false, "createdOn": "2026-01-05T10:00:00.000Z"
        }),
        json!({
            "id": 9, "name": "Azure Pipelines", "isHosted": true, "poolType": "automation",
            "size": 10, "isLegacy": false, "createdOn": "2026-01-05T10:00:00.000Z"
        }),
    ];
    Reply::json(&List::of(value))
}
