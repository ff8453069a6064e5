//! Every `as_str()` spells its value as serde does, so text, CSV and JSON reports agree. Listing
//! the variants here is exhaustive by construction: a new variant fails to compile until it is
//! added, and then must match its serde name.

use serde_json::Value;

use crate::ado::models::SubscriptionStatus;
use crate::audit::{Coverage, EventStatus, PolicyPresence};
use crate::checks::format::TokenFormat;
use crate::plan::{ActionKind, Mode, Outcome};
use crate::profile::{Applicability, SubscriptionScope};

macro_rules! pinned {
    ($($ty:ident { $($variant:ident),+ $(,)? })+) => {$(
        let _exhaustive = |value: $ty| match value {
            $($ty::$variant)|+ => {}
        };
        for value in [$($ty::$variant),+] {
            assert_eq!(
                serde_json::to_value(value).ok(),
                Some(Value::from(value.as_str())),
                "{}::{value:?}",
                stringify!($ty),
            );
        }
    )+};
}

#[test]
fn every_as_str_is_its_serde_name() {
    pinned! {
        Coverage { Missing, Unhealthy, Partial, Covered, NotApplicable }
        PolicyPresence { Present, Absent, NotRequired, NotBlocking, Disabled, OtherAuthor, Unknown }
        TokenFormat { Legacy, Current, Unrecognised }
        ActionKind {
            CreateSubscription,
            RecreateSubscription,
            EnableSubscription,
            CreateStatusPolicy,
            DeleteDuplicateSubscription,
            DeleteDuplicateStatusPolicy,
            UpdateStatusPolicy,
            Skip,
        }
        Mode { Plan, Apply }
        Outcome { Planned, Done, Failed, Skipped, NotStarted }
        SubscriptionScope { Repository, Project }
        Applicability { Default, Conditional }
    }
}

/// The two statuses that keep values this tool does not know: their text spelling is still the
/// serde one, unknown values included.
#[test]
fn statuses_spell_unknown_values_as_serde_does() {
    let other = || "jailedByNotificationVolume".to_owned();
    let subscription = |s: SubscriptionStatus| match s {
        SubscriptionStatus::Enabled
        | SubscriptionStatus::OnProbation
        | SubscriptionStatus::DisabledByUser
        | SubscriptionStatus::DisabledBySystem
        | SubscriptionStatus::DisabledByInactiveIdentity
        | SubscriptionStatus::Other(_) => s,
    };
    for status in [
        SubscriptionStatus::Enabled,
        SubscriptionStatus::OnProbation,
        SubscriptionStatus::DisabledByUser,
        SubscriptionStatus::DisabledBySystem,
        SubscriptionStatus::DisabledByInactiveIdentity,
        SubscriptionStatus::Other(other()),
    ]
    .map(subscription)
    {
        assert_eq!(
            serde_json::to_value(&status).ok(),
            Some(Value::from(status.as_str())),
            "{status:?}"
        );
    }
    let event = |s: EventStatus| match s {
        EventStatus::Enabled
        | EventStatus::OnProbation
        | EventStatus::DisabledBySystem
        | EventStatus::DisabledByUser
        | EventStatus::DisabledByInactiveIdentity
        | EventStatus::Other(_)
        | EventStatus::Absent => s,
    };
    for status in [
        EventStatus::Enabled,
        EventStatus::OnProbation,
        EventStatus::DisabledBySystem,
        EventStatus::DisabledByUser,
        EventStatus::DisabledByInactiveIdentity,
        EventStatus::Other(other()),
        EventStatus::Absent,
    ]
    .map(event)
    {
        assert_eq!(
            serde_json::to_value(&status).ok(),
            Some(Value::from(status.label())),
            "{status:?}"
        );
    }
}
