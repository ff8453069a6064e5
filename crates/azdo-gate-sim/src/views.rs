//! The JSON shapes of answers, after the official examples in `ado-examples/` plus the 7.1 fields the
//! spec adds. Serialised straight from borrowed state, so big lists cost one pass and no clones.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use super::scenario::policy_type_name;
use super::state::{OrgState, PolicyState, RepoState, SubState};

/// `{ "count": n, "value": [...] }`.
#[derive(Serialize)]
pub(crate) struct List<T: Serialize> {
    pub count: usize,
    pub value: Vec<T>,
}

impl<T: Serialize> List<T> {
    pub fn of(value: Vec<T>) -> Self {
        Self {
            count: value.len(),
            value,
        }
    }
}

/// A project as `GET _apis/projects` lists it (`core/projects-list.json` + 7.1 fields).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProjectView<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    url: String,
    state: &'static str,
    revision: u64,
    visibility: &'static str,
    last_update_time: &'static str,
}

const PROJECT_UPDATED: &str = "2026-01-05T10:00:00.000Z";

pub(crate) fn project(state: &OrgState, index: usize) -> ProjectView<'_> {
    let p = &state.projects[index];
    ProjectView {
        id: &p.id,
        name: &p.name,
        description: p.description.as_deref(),
        url: state.project_url(index),
        state: "wellFormed",
        revision: p.revision,
        visibility: p.visibility.as_str(),
        last_update_time: PROJECT_UPDATED,
    }
}

/// A repository as `GET _apis/git/repositories` lists it
/// (`git/repositories-list-org-level.json` + 7.1 fields).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RepoView<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    project: ProjectView<'a>,
    /// Absent for an empty repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    default_branch: Option<&'a str>,
    size: u64,
    remote_url: String,
    ssh_url: String,
    web_url: String,
    is_disabled: bool,
    is_in_maintenance: bool,
    is_fork: bool,
}

pub(crate) fn repo<'a>(state: &'a OrgState, repo: &'a RepoState) -> RepoView<'a> {
    let remote = state.repo_remote_url(repo);
    RepoView {
        id: &repo.id,
        name: &repo.name,
        url: state.api_url(&format!("git/repositories/{}", repo.id)),
        project: project(state, repo.project),
        default_branch: repo.default_branch.as_deref(),
        size: repo.size,
        ssh_url: format!(
            "git@ssh.dev.azure.com:v3/{}/{}/{}",
            state.org,
            super::ids::encode_path_segment(&state.projects[repo.project].name),
            super::ids::encode_path_segment(&repo.name)
        ),
        web_url: remote.clone(),
        remote_url: remote,
        is_disabled: repo.disabled,
        is_in_maintenance: false,
        is_fork: repo.fork,
    }
}

/// Consumer inputs the hooks API never returns in clear (`hooks/subscriptions-list.json` shows
/// `password`, `userToken`, `apiToken` masked; `basicAuthPassword` per the webHooks consumer).
const CONFIDENTIAL_INPUTS: &[&str] = &["basicAuthPassword", "password", "userToken", "apiToken"];
const MASK: &str = "********";

pub(crate) struct Inputs<'a> {
    map: &'a BTreeMap<String, String>,
    mask: bool,
}

impl Serialize for Inputs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.map.len()))?;
        for (key, value) in self.map {
            let hidden =
                self.mask && !value.is_empty() && CONFIDENTIAL_INPUTS.contains(&key.as_str());
            out.serialize_entry(key, if hidden { MASK } else { value })?;
        }
        out.end()
    }
}

/// Consumer inputs with their secrets masked, as every hooks answer shows them.
pub(crate) fn masked_inputs(map: &BTreeMap<String, String>) -> Inputs<'_> {
    Inputs { map, mask: true }
}

#[derive(Serialize)]
struct IdOnly<'a> {
    id: &'a str,
}

/// A subscription as the hooks API returns it (`hooks/subscription-get.json`), masked unless the
/// caller is the test-facing `SimHandle::subscriptions`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubscriptionView<'a> {
    id: &'a str,
    url: String,
    status: &'static str,
    publisher_id: &'a str,
    event_type: &'a str,
    resource_version: Option<&'a str>,
    event_description: &'a str,
    consumer_id: &'a str,
    consumer_action_id: &'a str,
    action_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    probation_retries: Option<u32>,
    created_by: IdOnly<'a>,
    created_date: &'a str,
    modified_by: IdOnly<'a>,
    modified_date: &'a str,
    publisher_inputs: Inputs<'a>,
    consumer_inputs: Inputs<'a>,
}

/// A subscription's answer: the typed view, or (when the scenario overrides fields with `raw`) the
/// view with those fields replaced.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum SubscriptionAnswer<'a> {
    Typed(Box<SubscriptionView<'a>>),
    Raw(Value),
}

pub(crate) fn subscription<'a>(
    state: &OrgState,
    sub: &'a SubState,
    mask: bool,
) -> SubscriptionAnswer<'a> {
    let view = typed_subscription(state, sub, mask);
    if sub.raw.is_empty() {
        return SubscriptionAnswer::Typed(Box::new(view));
    }
    let mut value = serde_json::to_value(&view).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        for (key, raw) in &sub.raw {
            match (object.get_mut(key).and_then(Value::as_object_mut), raw) {
                (Some(inner), Value::Object(fields)) => {
                    inner.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                _ => {
                    object.insert(key.clone(), raw.clone());
                }
            }
        }
    }
    SubscriptionAnswer::Raw(value)
}

fn typed_subscription<'a>(state: &OrgState, sub: &'a SubState, mask: bool) -> SubscriptionView<'a> {
    SubscriptionView {
        id: &sub.id,
        url: state.api_url(&format!("hooks/subscriptions/{}", sub.id)),
        status: sub.status.as_str(),
        publisher_id: &sub.publisher_id,
        event_type: &sub.event_type,
        resource_version: sub.resource_version.as_deref(),
        event_description: &sub.event_description,
        consumer_id: &sub.consumer_id,
        consumer_action_id: &sub.consumer_action_id,
        action_description: &sub.action_description,
        probation_retries: sub.probation_retries,
        created_by: IdOnly {
            id: &sub.created_by,
        },
        created_date: &sub.created_date,
        modified_by: IdOnly {
            id: &sub.modified_by,
        },
        modified_date: &sub.modified_date,
        publisher_inputs: Inputs {
            map: &sub.publisher_inputs,
            mask: false,
        },
        consumer_inputs: Inputs {
            map: &sub.consumer_inputs,
            mask,
        },
    }
}

/// An identity reference as policies carry it (`createdBy` in `policy/configurations-list.json`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentityRefView<'a> {
    id: &'a str,
    display_name: &'a str,
    unique_name: &'a str,
    url: String,
    image_url: String,
}

#[derive(Serialize)]
struct Href {
    href: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyLinks {
    #[serde(rename = "self")]
    this: Href,
    #[serde(rename = "type")]
    policy_type: Href,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyTypeView<'a> {
    id: &'a str,
    url: String,
    display_name: &'static str,
}

/// A policy configuration (`policy/configurations-list.json`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PolicyView<'a> {
    created_by: IdentityRefView<'a>,
    created_date: &'a str,
    is_enabled: bool,
    is_blocking: bool,
    is_deleted: bool,
    settings: &'a Value,
    #[serde(rename = "_links")]
    links: PolicyLinks,
    revision: i64,
    id: i64,
    url: String,
    #[serde(rename = "type")]
    policy_type: PolicyTypeView<'a>,
}

pub(crate) fn policy<'a>(
    state: &'a OrgState,
    project: usize,
    p: &'a PolicyState,
) -> PolicyView<'a> {
    let project_id = &state.projects[project].id;
    let type_url = format!(
        "{}/{project_id}/_apis/policy/types/{}",
        state.org_url(),
        p.type_id
    );
    let self_url = state.api_url(&format!("policy/configurations/{}", p.id));
    let (display_name, unique_name) = state
        .user(&p.created_by)
        .map(|u| (u.display_name.as_str(), u.unique_name.as_str()))
        .unwrap_or(("", ""));
    PolicyView {
        created_by: IdentityRefView {
            id: &p.created_by,
            display_name,
            unique_name,
            url: format!("{}/_apis/Identities/{}", state.org_url(), p.created_by),
            image_url: format!(
                "{}/_api/_common/identityImage?id={}",
                state.org_url(),
                p.created_by
            ),
        },
        created_date: &p.created_date,
        is_enabled: p.is_enabled,
        is_blocking: p.is_blocking,
        is_deleted: false,
        settings: &p.settings,
        links: PolicyLinks {
            this: Href {
                href: self_url.clone(),
            },
            policy_type: Href {
                href: type_url.clone(),
            },
        },
        revision: p.revision,
        id: p.id,
        url: self_url,
        policy_type: PolicyTypeView {
            id: &p.type_id,
            url: type_url,
            display_name: policy_type_name(&p.type_id).unwrap_or("Unknown"),
        },
    }
}
