//! `GET _apis/connectionData` (`azure-devops-api.md` §1a): who the token belongs to.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::auth::{ANONYMOUS_ID, Caller, UserRef};
use crate::respond::Reply;
use crate::state::OrgState;

/// Any tenant id would do; Microsoft-account-backed organizations report this all-zero one.
const TENANT: &str = "00000000-0000-0000-0000-000000000000";

pub(super) fn connection_data(state: &OrgState, caller: &Caller) -> Reply {
    let identity = match caller {
        Caller::User(user) => user_identity(user),
        Caller::Anonymous => anonymous_identity(),
    };
    Reply::json(&json!({
        "authenticatedUser": identity,
        "authorizedUser": identity,
        "instanceId": state.instance_id,
        "deploymentId": state.deployment_id,
        "deploymentType": "hosted",
        "locationServiceData": {
            "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
            "defaultAccessMappingMoniker": "PublicAccessMapping",
            "lastChangeId": 1,
            "lastChangeId64": 1
        }
    }))
}

fn user_identity(user: &UserRef) -> Value {
    let subject = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(user.id.as_bytes());
    let mut identity = json!({
        "id": user.id,
        "descriptor": format!("Microsoft.IdentityModel.Claims.ClaimsIdentity;{TENANT}\\{}", user.unique_name),
        "subjectDescriptor": format!("aad.{subject}"),
        "providerDisplayName": user.display_name,
        "isActive": true,
        "properties": {
            "Account": { "$type": "System.String", "$value": user.unique_name }
        },
        "resourceVersion": 2,
        "metaTypeId": 0
    });
    if let (Some(custom), Some(object)) = (&user.custom_display_name, identity.as_object_mut()) {
        object.insert("customDisplayName".into(), Value::String(custom.clone()));
    }
    identity
}

fn anonymous_identity() -> Value {
    json!({
        "id": ANONYMOUS_ID,
        "descriptor": format!("System:PublicAccess;{ANONYMOUS_ID}"),
        "subjectDescriptor": format!("s2s.{ANONYMOUS_ID}"),
        "providerDisplayName": "Anonymous",
        "isActive": true,
        "properties": {},
        "resourceVersion": 2,
        "metaTypeId": 0
    })
}
