//! Azure DevOps' global rate limiter, modelled (`azure-devops-api.md` §9): every request spends one
//! unit of a budget that refills over a sliding window. Past three quarters of the budget a
//! request is held (delayed) and says so in `X-RateLimit-*` headers; with the budget spent it is
//! blocked with 429 and `Retry-After` (seconds until the oldest unit in the window expires).
//! Real budgets are TSTUs over five minutes; the simulator counts requests over a shorter window
//! so tests and benchmarks see the behaviour quickly.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limiter's settings (`SimOptions::rate_limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub budget: u32,
    pub window: Duration,
    /// How long a request past three quarters of the budget is held.
    pub delay: Duration,
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Free,
    /// Serve it after holding it this long; `remaining` units are left.
    Delayed {
        delay: Duration,
        remaining: u32,
    },
    /// Refuse it with 429; retry after this many seconds.
    Blocked {
        retry_after_secs: u32,
    },
}

pub(crate) struct Limiter {
    config: RateLimit,
    spent: Mutex<VecDeque<Instant>>,
}

impl Limiter {
    pub(crate) fn new(config: RateLimit) -> Self {
        Self {
            config,
            spent: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn budget(&self) -> u32 {
        self.config.budget
    }

    /// Spends one unit for a request arriving now (a blocked request spends nothing).
    pub(crate) fn admit(&self) -> Verdict {
        let now = Instant::now();
        let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        while spent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.config.window)
        {
            spent.pop_front();
        }
        let used = u32::try_from(spent.len()).unwrap_or(u32::MAX);
        if used >= self.config.budget {
            let oldest = spent.front().copied().unwrap_or(now);
            let wait = self
                .config
                .window
                .saturating_sub(now.duration_since(oldest));
            let secs = u32::try_from(wait.as_secs()).unwrap_or(u32::MAX);
            return Verdict::Blocked {
                retry_after_secs: (secs + u32::from(wait.subsec_nanos() > 0)).max(1),
            };
        }
        spent.push_back(now);
        if used * 4 >= self.config.budget * 3 {
            Verdict::Delayed {
                delay: self.config.delay,
                remaining: self.config.budget - used - 1,
            }
        } else {
            Verdict::Free
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_then_delayed_then_blocked_within_a_window() {
        let limiter = Limiter::new(RateLimit {
            budget: 8,
            window: Duration::from_secs(60),
            delay: Duration::from_millis(5),
        });
        let verdicts: Vec<Verdict> = (0..9).map(|_| limiter.admit()).collect();
        assert!(verdicts[..6].iter().all(|v| *v == Verdict::Free));
        assert_eq!(
            verdicts[6],
            Verdict::Delayed {
                delay: Duration::from_millis(5),
                remaining: 1
            }
        );
        assert_eq!(
            verdicts[8],
            Verdict::Blocked {
                retry_after_secs: 60
            }
        );
    }
}
