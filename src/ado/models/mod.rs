//! Typed request and response bodies, shaped after the official examples in `shared/ado-examples/`.
//!
//! Every response field that Azure DevOps may omit is an `Option` or defaults, so an older server or a
//! trimmed answer still deserialises; unknown fields are ignored. Fields other tools may have stored
//! as `null` read like absent ones, unknown enum values are kept (`Other`), and the lists the audit
//! depends on are read item by item ([`Listed`]).

mod build;
mod connection;
mod git;
mod hooks;
mod lenient;
mod list;
mod notifications;
mod policy;
mod project;
mod security;
mod work;

pub use build::{AgentPool, BuildDefinitionRef};
pub use connection::{ANONYMOUS_USER_ID, ConnectionData, Identity};
pub use git::{Repository, RepositoryProject};
pub use hooks::{
    IdentityRef, NewSubscription, Subscription, SubscriptionFilter, SubscriptionStatus,
};
pub use list::{Item, ItemKind, ListResponse, Listed, UnknownItem};
pub use notifications::{
    Notification, NotificationDetails, NotificationResult, NotificationStatus, NotificationSummary,
    NotificationsQuery, NotificationsQueryAnswer,
};
pub use policy::{
    NewPolicyConfiguration, PolicyConfiguration, PolicyScope, PolicyType, PolicyTypeRef,
    STATUS_POLICY_TYPE_ID, StatusPolicySettings,
};
pub use project::Project;
pub use security::{
    GIT_EDIT_POLICIES, GIT_NAMESPACE_ID, GIT_PULL_REQUEST_CONTRIBUTE, PermissionEvaluation,
    PermissionEvaluationBatch, SERVICE_HOOKS_EDIT, SERVICE_HOOKS_NAMESPACE_ID, SERVICE_HOOKS_VIEW,
};
pub use work::WorkItemField;
