//! Work item tracking: `GET _apis/wit/fields` (a fixed small list) and
//! `PATCH _apis/wit/workitems/{id}` (the Work Items write probe of §2b). The simulated organization
//! has no work items, so a well-formed patch always ends in TF401232 and nothing is ever saved,
//! `validateOnly` or not.

use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

use super::null_body;
use crate::respond::{self, Reply};
use crate::state::OrgState;
use crate::views::List;

const FIELDS: &[(&str, &str, &str, bool)] = &[
    ("ID", "System.Id", "integer", true),
    ("Title", "System.Title", "string", false),
    ("State", "System.State", "string", false),
    ("Work Item Type", "System.WorkItemType", "string", false),
    ("Area Path", "System.AreaPath", "treePath", false),
    ("Assigned To", "System.AssignedTo", "string", false),
];

pub(super) fn fields(state: &OrgState) -> Reply {
    let value: Vec<Value> = FIELDS
        .iter()
        .map(|(name, reference, kind, read_only)| {
            json!({
                "name": name,
                "referenceName": reference,
                "description": "",
                "type": kind,
                "usage": "workItem",
                "readOnly": read_only,
                "canSortBy": true,
                "isQueryable": true,
                "isIdentity": *reference == "System.AssignedTo",
                "isPicklist": false,
                "isPicklistSuggested": false,
                "url": state.api_url(&format!("wit/fields/{reference}")),
            })
        })
        .collect();
    Reply::json(&List::of(value))
}

pub(super) fn patch(headers: &HeaderMap, id: &str, body: &[u8]) -> Reply {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/json-patch+json") {
        return Reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &respond::CONTENT_TYPE,
            &format!(
                "The request indicated a Content-Type of \"{media}\" for method type \"PATCH\" which is not supported. Valid content types for this method are: application/json-patch+json."
            ),
        );
    }
    if !matches!(serde_json::from_slice(body), Ok(Value::Array(_))) {
        return null_body("document");
    }
    if id.parse::<i32>().is_err() {
        return super::bad_request(&format!("The work item id '{id}' is not valid."));
    }
    Reply::error(
        StatusCode::NOT_FOUND,
        &respond::WORK_ITEM_NOT_FOUND,
        &format!(
            "TF401232: Work item {id} does not exist, or you do not have permissions to read it."
        ),
    )
}
