//! Programmable failures: throttling, server errors, dropped connections, malformed bodies, a
//! write that takes effect but whose answer never arrives, a write that takes effect only after a
//! delay, and redirects to another host. Tests arm them at runtime; the CLI arms
//! them from the scenario's `[[faults]]`.

use std::sync::Mutex;
use std::time::Duration;

use super::routes::Route;
use super::scenario::FaultSpec;

/// What an armed fault does to the request it catches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FaultAction {
    Throttle {
        retry_after_secs: u32,
    },
    Fail {
        status: u16,
    },
    Drop,
    Malformed,
    CommitThenDrop,
    /// Carried out only after `delay`, whether or not the client still waits for the answer.
    LateCommit {
        delay: Duration,
    },
    /// Answered with `status` (307, 308, ...) and `Location: {location}{path}`; not carried out.
    Redirect {
        status: u16,
        location: String,
    },
}

#[derive(Debug)]
struct Armed {
    route: Option<String>,
    remaining: u32,
    action: FaultAction,
}

/// Armed faults, consumed in the order requests arrive: each request takes one shot from the first
/// armed fault whose route matches it (`None` matches every route). Thread-safe.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<Vec<Armed>>,
}

impl Faults {
    pub(crate) fn from_specs(specs: &[FaultSpec]) -> Self {
        let faults = Self::default();
        for spec in specs {
            let (route, count, action) = match spec {
                FaultSpec::Throttle {
                    route,
                    count,
                    retry_after_secs,
                } => (
                    route,
                    count,
                    FaultAction::Throttle {
                        retry_after_secs: *retry_after_secs,
                    },
                ),
                FaultSpec::Fail {
                    route,
                    count,
                    status,
                } => (route, count, FaultAction::Fail { status: *status }),
                FaultSpec::DropConnection { route, count } => (route, count, FaultAction::Drop),
                FaultSpec::Malformed { route, count } => (route, count, FaultAction::Malformed),
                FaultSpec::CommitThenDrop { route, count } => {
                    (route, count, FaultAction::CommitThenDrop)
                }
                FaultSpec::LateCommit {
                    route,
                    count,
                    delay_ms,
                } => (
                    route,
                    count,
                    FaultAction::LateCommit {
                        delay: Duration::from_millis(*delay_ms),
                    },
                ),
                FaultSpec::Redirect {
                    route,
                    count,
                    status,
                    location,
                } => (
                    route,
                    count,
                    FaultAction::Redirect {
                        status: *status,
                        location: location.clone(),
                    },
                ),
            };
            faults.arm(route.as_deref(), *count, action);
        }
        faults
    }

    /// The next `count` matching requests get 429 with `Retry-After: retry_after_secs` and the
    /// `X-RateLimit-*` headers.
    pub fn throttle(&self, route: Option<&str>, count: u32, retry_after_secs: u32) {
        self.arm(route, count, FaultAction::Throttle { retry_after_secs });
    }

    /// The next `count` matching requests get `status` (a 5xx, typically) with a wrapped-exception
    /// body. A status that is not an HTTP error code is answered as 500.
    pub fn fail(&self, route: Option<&str>, count: u32, status: u16) {
        self.arm(route, count, FaultAction::Fail { status });
    }

    /// The next `count` matching requests see their connection closed without any answer.
    pub fn drop_connection(&self, route: Option<&str>, count: u32) {
        self.arm(route, count, FaultAction::Drop);
    }

    /// The next `count` matching requests get 200 `application/json` with truncated JSON.
    pub fn malformed(&self, route: Option<&str>, count: u32) {
        self.arm(route, count, FaultAction::Malformed);
    }

    /// The next `count` matching requests are carried out (a subscription is created, ...) and then
    /// the connection is closed without an answer, as when a client times out after the server acted.
    pub fn commit_then_drop(&self, route: Option<&str>, count: u32) {
        self.arm(route, count, FaultAction::CommitThenDrop);
    }

    /// The next `count` matching requests are carried out only after `delay`, and answered then:
    /// a client whose timeout is shorter gives up first and cannot tell that the write happens.
    pub fn late_commit(&self, route: Option<&str>, count: u32, delay: Duration) {
        self.arm(route, count, FaultAction::LateCommit { delay });
    }

    /// The next `count` matching requests are answered `status` (307, 308, 301, ...) with
    /// `Location: {location}{path and query of the request}`, and not carried out.
    pub fn redirect(&self, route: Option<&str>, count: u32, status: u16, location: &str) {
        self.arm(
            route,
            count,
            FaultAction::Redirect {
                status,
                location: location.trim_end_matches('/').to_owned(),
            },
        );
    }

    /// Disarms everything.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Shots still armed, over all faults.
    pub fn remaining(&self) -> u32 {
        self.lock().iter().map(|a| a.remaining).sum()
    }

    fn arm(&self, route: Option<&str>, count: u32, action: FaultAction) {
        if count == 0 {
            return;
        }
        if let Some(label) = route
            && Route::from_label(label).is_none()
        {
            tracing::warn!(
                route = label,
                "fault armed for an unknown route label; it will never fire"
            );
        }
        self.lock().push(Armed {
            route: route.map(str::to_owned),
            remaining: count,
            action,
        });
    }

    /// Takes one shot for a request counted under `label`, if any fault matches.
    pub(crate) fn take(&self, label: &str) -> Option<FaultAction> {
        let mut armed = self.lock();
        let i = armed
            .iter()
            .position(|a| a.route.as_deref().is_none_or(|r| r == label))?;
        let action = armed[i].action.clone();
        armed[i].remaining -= 1;
        if armed[i].remaining == 0 {
            armed.remove(i);
        }
        Some(action)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        // A poisoned lock only means a panic elsewhere mid-update; the list itself stays consistent.
        self.armed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fire_in_arrival_order_and_only_on_their_route() {
        let faults = Faults::default();
        faults.throttle(Some("GET projects"), 1, 3);
        faults.fail(None, 2, 503);
        assert_eq!(
            faults.take("GET git/repositories"),
            Some(FaultAction::Fail { status: 503 })
        );
        assert_eq!(
            faults.take("GET projects"),
            Some(FaultAction::Throttle {
                retry_after_secs: 3
            })
        );
        assert_eq!(faults.remaining(), 1);
        assert_eq!(
            faults.take("GET projects"),
            Some(FaultAction::Fail { status: 503 })
        );
        assert_eq!(faults.take("GET projects"), None);
    }
}
