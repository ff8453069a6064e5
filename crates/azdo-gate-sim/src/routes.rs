//! Which Azure DevOps operation a request addresses, and the label it is counted under. The labels
//! are the client's own (`src/ado/client.rs`), so request budgets compare like with like.

use hyper::Method;

use super::ids::percent_decode;

/// Every operation the simulator implements, plus [`Route::Other`] for anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    ConnectionData,
    Projects,
    Repositories,
    PermissionBatch,
    ListSubscriptions,
    GetSubscription,
    CreateSubscription,
    ReplaceSubscription,
    DeleteSubscription,
    ListPolicies,
    CreatePolicy,
    DeletePolicy,
    GetPolicy,
    ReplacePolicy,
    WitFields,
    PatchWorkItem,
    BuildDefinitions,
    AgentPools,
    QueryNotifications,
    ListNotifications,
    GetNotification,
    CreateTestNotification,
    GetTestNotification,
    Other,
}

/// Whether the operation lives under `/{org}/_apis`, `/{org}/{project}/_apis`, or both.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProjectSegment {
    Forbidden,
    Optional,
    Required,
}

impl Route {
    pub(crate) const ALL: [Route; 24] = [
        Route::ConnectionData,
        Route::Projects,
        Route::Repositories,
        Route::PermissionBatch,
        Route::ListSubscriptions,
        Route::GetSubscription,
        Route::CreateSubscription,
        Route::ReplaceSubscription,
        Route::DeleteSubscription,
        Route::ListPolicies,
        Route::CreatePolicy,
        Route::DeletePolicy,
        Route::GetPolicy,
        Route::ReplacePolicy,
        Route::WitFields,
        Route::PatchWorkItem,
        Route::BuildDefinitions,
        Route::AgentPools,
        Route::QueryNotifications,
        Route::ListNotifications,
        Route::GetNotification,
        Route::CreateTestNotification,
        Route::GetTestNotification,
        Route::Other,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::ConnectionData => "GET connectionData",
            Self::Projects => "GET projects",
            Self::Repositories => "GET git/repositories",
            Self::PermissionBatch => "POST security/permissionevaluationbatch",
            Self::ListSubscriptions => "GET hooks/subscriptions",
            Self::GetSubscription => "GET hooks/subscriptions/{id}",
            Self::CreateSubscription => "POST hooks/subscriptions",
            Self::ReplaceSubscription => "PUT hooks/subscriptions/{id}",
            Self::DeleteSubscription => "DELETE hooks/subscriptions/{id}",
            Self::ListPolicies => "GET policy/configurations",
            Self::CreatePolicy => "POST policy/configurations",
            Self::DeletePolicy => "DELETE policy/configurations/{id}",
            Self::GetPolicy => "GET policy/configurations/{id}",
            Self::ReplacePolicy => "PUT policy/configurations/{id}",
            Self::WitFields => "GET wit/fields",
            Self::PatchWorkItem => "PATCH wit/workitems/{id}",
            Self::BuildDefinitions => "GET build/definitions",
            Self::AgentPools => "GET distributedtask/pools",
            Self::QueryNotifications => "POST hooks/notificationsquery",
            Self::ListNotifications => "GET hooks/subscriptions/{id}/notifications",
            Self::GetNotification => "GET hooks/subscriptions/{id}/notifications/{nid}",
            Self::CreateTestNotification => "POST hooks/testnotifications",
            Self::GetTestNotification => "GET hooks/testnotifications/{id}",
            Self::Other => "OTHER",
        }
    }

    pub(crate) fn from_label(label: &str) -> Option<Route> {
        Self::ALL.into_iter().find(|r| r.label() == label)
    }

    pub(crate) fn index(self) -> usize {
        // `ALL` lists every variant once, in declaration order.
        self as usize
    }

    fn project_segment(self) -> ProjectSegment {
        match self {
            Self::Repositories | Self::WitFields | Self::PatchWorkItem => ProjectSegment::Optional,
            Self::ListPolicies
            | Self::CreatePolicy
            | Self::DeletePolicy
            | Self::GetPolicy
            | Self::ReplacePolicy
            | Self::BuildDefinitions => ProjectSegment::Required,
            _ => ProjectSegment::Forbidden,
        }
    }
}

/// A request path taken apart: `/{org}[/{project}]/_apis/{area}/{resource}[/{id}]`.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub route: Route,
    /// First path segment, decoded (may not be the scenario's organization).
    pub org: String,
    /// Project name or id, decoded.
    pub project: Option<String>,
    /// The `{id}` of item routes.
    pub item: Option<String>,
    /// The second id of nested item routes (`notifications/{nid}`).
    pub sub_item: Option<String>,
}

/// Classifies a request. Anything that is not exactly one of the implemented operations (wrong
/// method, missing or extra project segment, unknown resource) is [`Route::Other`].
pub(crate) fn classify(method: &Method, path: &str) -> Target {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let org = segments.first().cloned().unwrap_or_default();
    let other = Target {
        route: Route::Other,
        org: org.clone(),
        project: None,
        item: None,
        sub_item: None,
    };
    let Some(apis) = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("_apis"))
    else {
        return other;
    };
    let project = match apis {
        1 => None,
        2 => Some(segments[1].clone()),
        _ => return other,
    };
    let rest: Vec<String> = segments[apis + 1..]
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let item_at = |i: usize| segments.get(apis + 1 + i).cloned();
    let (route, item) = match (method, rest.as_slice()) {
        (&Method::GET, ["connectiondata"]) => (Route::ConnectionData, None),
        (&Method::GET, ["projects"]) => (Route::Projects, None),
        (&Method::GET, ["git", "repositories"]) => (Route::Repositories, None),
        (&Method::POST, ["security", "permissionevaluationbatch"]) => {
            (Route::PermissionBatch, None)
        }
        (&Method::GET, ["hooks", "subscriptions"]) => (Route::ListSubscriptions, None),
        (&Method::POST, ["hooks", "subscriptions"]) => (Route::CreateSubscription, None),
        (&Method::GET, ["hooks", "subscriptions", _]) => (Route::GetSubscription, item_at(2)),
        (&Method::PUT, ["hooks", "subscriptions", _]) => (Route::ReplaceSubscription, item_at(2)),
        (&Method::DELETE, ["hooks", "subscriptions", _]) => (Route::DeleteSubscription, item_at(2)),
        (&Method::GET, ["policy", "configurations"]) => (Route::ListPolicies, None),
        (&Method::POST, ["policy", "configurations"]) => (Route::CreatePolicy, None),
        (&Method::DELETE, ["policy", "configurations", _]) => (Route::DeletePolicy, item_at(2)),
        (&Method::GET, ["policy", "configurations", _]) => (Route::GetPolicy, item_at(2)),
        (&Method::PUT, ["policy", "configurations", _]) => (Route::ReplacePolicy, item_at(2)),
        (&Method::GET, ["wit", "fields"]) => (Route::WitFields, None),
        (&Method::PATCH, ["wit", "workitems", _]) => (Route::PatchWorkItem, item_at(2)),
        (&Method::GET, ["build", "definitions"]) => (Route::BuildDefinitions, None),
        (&Method::GET, ["distributedtask", "pools"]) => (Route::AgentPools, None),
        (&Method::POST, ["hooks", "notificationsquery"]) => (Route::QueryNotifications, None),
        (&Method::GET, ["hooks", "subscriptions", _, "notifications"]) => {
            (Route::ListNotifications, item_at(2))
        }
        (&Method::GET, ["hooks", "subscriptions", _, "notifications", _]) => {
            (Route::GetNotification, item_at(2))
        }
        (&Method::POST, ["hooks", "testnotifications"]) => (Route::CreateTestNotification, None),
        (&Method::GET, ["hooks", "testnotifications", _]) => {
            (Route::GetTestNotification, item_at(2))
        }
        _ => return other,
    };
    let allowed = match route.project_segment() {
        ProjectSegment::Forbidden => project.is_none(),
        ProjectSegment::Optional => true,
        ProjectSegment::Required => project.is_some(),
    };
    if !allowed {
        return other;
    }
    let sub_item = (route == Route::GetNotification)
        .then(|| item_at(4))
        .flatten();
    Target {
        route,
        org,
        project,
        item,
        sub_item,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_and_round_trip() {
        for (i, route) in Route::ALL.into_iter().enumerate() {
            assert_eq!(route.index(), i);
            assert_eq!(Route::from_label(route.label()), Some(route));
        }
    }

    #[test]
    fn paths_map_to_routes_with_decoded_project_and_item() {
        let t = classify(
            &Method::GET,
            "/fabrikam/My%20Project/_apis/git/repositories/",
        );
        assert_eq!(t.route, Route::Repositories);
        assert_eq!(t.org, "fabrikam");
        assert_eq!(t.project.as_deref(), Some("My Project"));

        let t = classify(&Method::PUT, "/fabrikam/_apis/hooks/subscriptions/ABC");
        assert_eq!(t.route, Route::ReplaceSubscription);
        assert_eq!(t.item.as_deref(), Some("ABC"));

        // Wrong method, missing required project, forbidden project, unknown area.
        assert_eq!(
            classify(&Method::POST, "/o/_apis/projects").route,
            Route::Other
        );
        assert_eq!(
            classify(&Method::GET, "/o/_apis/policy/configurations").route,
            Route::Other
        );
        assert_eq!(
            classify(&Method::GET, "/o/p/_apis/projects").route,
            Route::Other
        );
        assert_eq!(
            classify(&Method::GET, "/o/_apis/nothing").route,
            Route::Other
        );
        assert_eq!(classify(&Method::GET, "/").org, "");
    }
}
