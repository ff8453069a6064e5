//! Answers: JSON bodies, the "wrapped exception" error shape Azure DevOps uses for every failure
//! (`azure-devops-api.md` §0), the 401/203 authentication answers and the fault answers.

use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};
use serde::Serialize;

use super::ids::url_encode_dotnet;

/// A response before the common headers (`ActivityId`, ...) are added.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

pub(crate) const JSON: &str = "application/json; charset=utf-8";
pub(crate) const HTML: &str = "text/html; charset=utf-8";

impl Reply {
    /// 200 with `value` as JSON.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Reply {
        Self::json_status(StatusCode::OK, value)
    }

    pub fn json_status<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status,
                content_type: JSON,
                body,
                headers: Vec::new(),
            },
            Err(e) => Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &INTERNAL,
                &format!("The simulator could not encode its answer: {e}"),
            ),
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            content_type: JSON,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A failure in the wrapped-exception shape, with `X-TFS-ServiceError` mirroring the message.
    pub fn error(status: StatusCode, exception: &Exception, message: &str) -> Reply {
        let body = WrappedException {
            id: "1",
            inner_exception: None,
            message,
            type_name: exception.type_name,
            type_key: exception.type_key,
            error_code: 0,
            event_id: 3000,
        };
        let mut reply = Reply {
            status,
            content_type: JSON,
            // Serialising a struct of strings and integers cannot fail.
            body: serde_json::to_vec(&body).unwrap_or_default(),
            headers: Vec::new(),
        };
        reply.header("x-tfs-serviceerror", &url_encode_dotnet(message));
        reply
    }

    /// Adds a header. `name` must be a lower-case literal (`HeaderName::from_static` requires it;
    /// every call site passes one). Values that are not valid header text (non-ASCII user names)
    /// are skipped.
    pub fn header(&mut self, name: &'static str, value: &str) -> &mut Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), v));
        }
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WrappedException<'a> {
    #[serde(rename = "$id")]
    id: &'a str,
    inner_exception: Option<()>,
    message: &'a str,
    type_name: &'a str,
    type_key: &'a str,
    error_code: i32,
    event_id: i32,
}

/// The .NET exception an error body names. Names marked UNVERIFIED were not seen in a captured
/// answer; they follow Azure DevOps' naming so a client never has to depend on them.
pub(crate) struct Exception {
    pub type_key: &'static str,
    pub type_name: &'static str,
}

macro_rules! exception {
    ($name:ident, $key:literal, $full:literal) => {
        pub(crate) const $name: Exception = Exception {
            type_key: $key,
            type_name: $full,
        };
    };
}

exception!(
    UNAUTHORIZED,
    "UnauthorizedRequestException",
    "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server"
);
exception!(
    ACCESS_CHECK,
    "AccessCheckException",
    "Microsoft.TeamFoundation.Framework.Server.AccessCheckException, Microsoft.TeamFoundation.Framework.Server"
);
exception!(
    VERSION_NOT_SPECIFIED,
    "VssVersionNotSpecifiedException",
    "Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi"
);
exception!(
    PREVIEW_REQUIRED,
    "VssInvalidPreviewVersionException",
    "Microsoft.VisualStudio.Services.WebApi.VssInvalidPreviewVersionException, Microsoft.VisualStudio.Services.WebApi"
);
exception!(
    VERSION_OUT_OF_RANGE,
    "VssVersionOutOfRangeException",
    "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi"
);
// UNVERIFIED.
exception!(
    INVALID_VERSION,
    "VssInvalidApiVersionException",
    "Microsoft.VisualStudio.Services.WebApi.VssInvalidApiVersionException, Microsoft.VisualStudio.Services.WebApi"
);
exception!(
    PROJECT_NOT_FOUND,
    "ProjectDoesNotExistException",
    "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistException, Microsoft.TeamFoundation.Core.WebApi"
);
exception!(
    PROJECT_NAME_NOT_FOUND,
    "ProjectDoesNotExistWithNameException",
    "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi"
);
// UNVERIFIED.
exception!(
    HOST_NOT_FOUND,
    "HostDoesNotExistException",
    "Microsoft.TeamFoundation.Framework.Server.HostDoesNotExistException, Microsoft.TeamFoundation.Framework.Server"
);
// UNVERIFIED: the ASP.NET answer for an unknown controller.
exception!(
    NOT_FOUND,
    "HttpException",
    "System.Web.HttpException, System.Web"
);
// UNVERIFIED.
exception!(
    THROTTLED,
    "RequestBlockedException",
    "Microsoft.TeamFoundation.Framework.Server.RequestBlockedException, Microsoft.TeamFoundation.Framework.Server"
);
exception!(
    INTERNAL,
    "VssServiceException",
    "Microsoft.VisualStudio.Services.Common.VssServiceException, Microsoft.VisualStudio.Services.Common"
);
exception!(
    ARGUMENT,
    "ArgumentException",
    "System.ArgumentException, mscorlib"
);
exception!(
    ARGUMENT_NULL,
    "ArgumentNullException",
    "System.ArgumentNullException, mscorlib"
);
exception!(
    CONTENT_TYPE,
    "VssRequestContentTypeNotSupportedException",
    "Microsoft.VisualStudio.Services.WebApi.VssRequestContentTypeNotSupportedException, Microsoft.VisualStudio.Services.WebApi"
);
exception!(
    GIT_PERMISSION,
    "GitNeedsPermissionException",
    "Microsoft.TeamFoundation.Git.Server.GitNeedsPermissionException, Microsoft.TeamFoundation.Git.Server"
);
exception!(
    WORK_ITEM_NOT_FOUND,
    "WorkItemUnauthorizedAccessException",
    "Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemUnauthorizedAccessException, Microsoft.TeamFoundation.WorkItemTracking.Server"
);
// UNVERIFIED (service hooks exception names).
exception!(
    SUBSCRIPTION_NOT_FOUND,
    "SubscriptionNotFoundException",
    "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.SubscriptionNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi"
);
exception!(
    SUBSCRIPTION_INVALID,
    "SubscriptionInputException",
    "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.SubscriptionInputException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi"
);

/// 401 TF400813 for `user_id` (empty for an unrecognised credential), with the headers seen on real
/// 401s (`azure-devops-api.md` §0).
pub(crate) fn unauthorized(user_id: &str) -> Reply {
    let message =
        format!("TF400813: The user '{user_id}' is not authorized to access this resource.");
    let mut reply = Reply::error(StatusCode::UNAUTHORIZED, &UNAUTHORIZED, &message);
    auth_headers(&mut reply);
    reply
}

/// 401 for an expired PAT.
pub(crate) fn expired() -> Reply {
    let mut reply = Reply::error(
        StatusCode::UNAUTHORIZED,
        &ACCESS_CHECK,
        "Access Denied: The Personal Access Token used has expired.",
    );
    auth_headers(&mut reply);
    reply
}

fn auth_headers(reply: &mut Reply) {
    reply
        .header(
            "www-authenticate",
            "Basic realm=\"https://tfs.app.visualstudio.com/\", Bearer, TFS-Federated",
        )
        .header("x-tfs-fedauthrealm", "https://tfs.app.visualstudio.com/")
        .header(
            "x-vss-resourcetenant",
            "00000000-0000-0000-0000-000000000000",
        );
}

/// 203 + HTML sign-in page: what a browser-oriented endpoint answers a rejected credential when the
/// client did not send `X-TFS-FedAuthRedirect: Suppress`.
pub(crate) fn sign_in_page() -> Reply {
    let body = "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Azure DevOps Services | Sign In</title>\n</head>\n<body>\n\
<p>Sign in to continue to Azure DevOps.</p>\n</body>\n</html>\n";
    Reply {
        status: StatusCode::NON_AUTHORITATIVE_INFORMATION,
        content_type: HTML,
        body: body.as_bytes().to_vec(),
        headers: Vec::new(),
    }
}

/// 429 with `Retry-After` and the rate-limit headers (`azure-devops-api.md` §9).
pub(crate) fn throttled(retry_after_secs: u32) -> Reply {
    let mut reply = Reply::error(
        StatusCode::TOO_MANY_REQUESTS,
        &THROTTLED,
        "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Concurrency' in namespace 'User'.",
    );
    let reset = jiff::Timestamp::now().as_second() + i64::from(retry_after_secs);
    reply
        .header("retry-after", &retry_after_secs.to_string())
        .header("x-ratelimit-resource", "Concurrency")
        .header("x-ratelimit-delay", "0.000")
        .header("x-ratelimit-limit", "200")
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset", &reset.to_string());
    reply
}

/// A server error with a wrapped exception.
pub(crate) fn server_error(status: u16, activity_id: &str) -> Reply {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Reply::error(
        status,
        &INTERNAL,
        &format!("TF400898: An Internal Error Occurred. Activity Id: {activity_id}."),
    )
}

/// 200 `application/json` whose body stops mid-object.
pub(crate) fn truncated_json() -> Reply {
    Reply {
        status: StatusCode::OK,
        content_type: JSON,
        body: br#"{"count":2,"value":[{"id":"5febef5a-833d-4e14-b9c0-14cb638f91e6","name":"Anoth"#
            .to_vec(),
        headers: Vec::new(),
    }
}

/// A redirect to `location` with no body; a status outside 3xx is answered as 307.
pub(crate) fn redirect(status: u16, location: &str) -> Reply {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_redirection)
        .unwrap_or(StatusCode::TEMPORARY_REDIRECT);
    let mut reply = Reply {
        status,
        content_type: JSON,
        body: Vec::new(),
        headers: Vec::new(),
    };
    reply.header("location", location);
    reply
}

// Type name UNVERIFIED (follows Azure DevOps' naming for policy errors).
exception!(
    POLICY_NOT_FOUND,
    "PolicyConfigurationNotFoundException",
    "Microsoft.TeamFoundation.Policy.Server.PolicyConfigurationNotFoundException, Microsoft.TeamFoundation.Policy.Server"
);
