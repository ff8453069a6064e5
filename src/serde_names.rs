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
        SubscriptionStatus {
            Enabled,
            OnProbation,
            DisabledByUser,
            DisabledBySystem,
            DisabledByInactiveIdentity,
        }
        Coverage { Missing, Unhealthy, Partial, Covered, NotApplicable }
        EventStatus {
            Enabled,
            OnProbation,
            DisabledBySystem,
            DisabledByUser,
            DisabledByInactiveIdentity,
            Absent,
        }
        PolicyPresence { Present, Absent, NotRequired }
        TokenFormat { Legacy, Current, Unrecognised }
        ActionKind {
            CreateSubscription,
            RecreateSubscription,
            EnableSubscription,
            CreateStatusPolicy,
            DeleteDuplicateSubscription,
            DeleteDuplicateStatusPolicy,
            Skip,
        }
        Mode { Plan, Apply }
        Outcome { Planned, Done, Failed, Skipped, NotStarted }
        SubscriptionScope { Repository, Project }
        Applicability { Default, Conditional }
    }
}
