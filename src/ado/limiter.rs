//! Adaptive concurrency: how many requests may be in flight, grown while Azure DevOps answers
//! freely and halved as soon as it signals pressure (AIMD, as TCP does), within `[min, max]`.
//!
//! Pressure is a 429, a 5xx, an `X-RateLimit-Delay` (the request was held) or an
//! `X-RateLimit-Remaining` near zero (`azure-devops-api.md` §9). A decrease happens at most once per
//! [`COOLDOWN`], so one burst of throttled answers halves the limit once, not once per answer.
//! `Retry-After` on any answer pauses every request until it has passed.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// The least time between two decreases.
const COOLDOWN: Duration = Duration::from_millis(500);

/// What one answer says about the server's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Answered without any sign of pressure.
    Free,
    /// Throttled, delayed, nearly out of budget, or a server error: slow down.
    Pressure,
    /// Says nothing about load (a client error, a network failure).
    Neutral,
}

struct State {
    /// The current limit, fractional so it grows by 1 per limit's worth of free answers.
    limit: f64,
    /// Permits still to retire after a decrease (they were in use when it happened).
    debt: usize,
    last_decrease: Option<Instant>,
    /// No request starts before this (a `Retry-After`).
    paused_until: Option<Instant>,
}

pub(crate) struct Limiter {
    semaphore: Semaphore,
    state: Mutex<State>,
    min: usize,
    max: usize,
    adaptive: bool,
}

/// A slot for one request; returning it may retire it instead (after a decrease).
pub(crate) struct Slot<'l> {
    permit: Option<SemaphorePermit<'l>>,
    limiter: &'l Limiter,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        let mut state = self.limiter.lock();
        if state.debt > 0 {
            state.debt -= 1;
            permit.forget();
        }
    }
}

impl Limiter {
    /// Starts at `initial`, between `min` and `max`; `adaptive: false` keeps `initial` fixed.
    pub(crate) fn new(initial: usize, min: usize, max: usize, adaptive: bool) -> Self {
        let max = max.max(1);
        let min = min.clamp(1, max);
        let initial = initial.clamp(min, max);
        Self {
            semaphore: Semaphore::new(initial),
            state: Mutex::new(State {
                limit: initial as f64,
                debt: 0,
                last_decrease: None,
                paused_until: None,
            }),
            min,
            max,
            adaptive,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock still holds consistent numbers: every update is a few assignments.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most requests that may ever be in flight.
    pub(crate) fn max(&self) -> usize {
        if self.adaptive {
            self.max
        } else {
            self.current()
        }
    }

    /// The current limit.
    pub(crate) fn current(&self) -> usize {
        self.lock().limit as usize
    }

    /// Waits for a slot, and for any pause to end.
    pub(crate) async fn acquire(&self) -> Option<Slot<'_>> {
        loop {
            let paused = self.lock().paused_until;
            match paused {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => break,
            }
        }
        let permit = self.semaphore.acquire().await.ok()?;
        Some(Slot {
            permit: Some(permit),
            limiter: self,
        })
    }

    /// Pauses every request until `wait` has passed (a `Retry-After`).
    pub(crate) fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.lock();
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
        }
    }

    /// Adjusts the limit after an answer.
    pub(crate) fn record(&self, signal: Signal) {
        if !self.adaptive {
            return;
        }
        let mut state = self.lock();
        let before = state.limit as usize;
        match signal {
            Signal::Neutral => return,
            Signal::Free => {
                state.limit = (state.limit + 1.0 / state.limit).min(self.max as f64);
            }
            Signal::Pressure => {
                let now = Instant::now();
                if state.last_decrease.is_some_and(|at| now - at < COOLDOWN) {
                    return;
                }
                state.last_decrease = Some(now);
                state.limit = (state.limit / 2.0).max(self.min as f64);
            }
        }
        let after = state.limit as usize;
        if after > before {
            let mut grow = after - before;
            let repaid = grow.min(state.debt);
            state.debt -= repaid;
            grow -= repaid;
            self.semaphore.add_permits(grow);
        } else if after < before {
            let mut shrink = before - after;
            while shrink > 0 {
                match self.semaphore.try_acquire() {
                    Ok(permit) => permit.forget(),
                    Err(_) => break,
                }
                shrink -= 1;
            }
            state.debt += shrink;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn grows_by_one_per_window_halves_under_pressure_and_stays_in_bounds() {
        let limiter = Limiter::new(8, 4, 32, true);
        for _ in 0..7 {
            limiter.record(Signal::Free);
        }
        assert_eq!(limiter.current(), 8);
        for _ in 0..2 {
            limiter.record(Signal::Free);
        }
        assert_eq!(
            limiter.current(),
            9,
            "one more after about a window of free answers"
        );
        assert_eq!(limiter.semaphore.available_permits(), 9);
        for _ in 0..10_000 {
            limiter.record(Signal::Free);
        }
        assert_eq!(limiter.current(), 32);
        assert_eq!(limiter.semaphore.available_permits(), 32);

        // Half of the slots are in use when the pressure comes: they retire as they return.
        let held: Vec<_> = futures::future::join_all((0..20).map(|_| limiter.acquire())).await;
        limiter.record(Signal::Pressure);
        assert_eq!(limiter.current(), 16);
        limiter.record(Signal::Pressure);
        assert_eq!(limiter.current(), 16, "one decrease per cooldown");
        drop(held);
        assert_eq!(limiter.semaphore.available_permits(), 16);

        for _ in 0..10 {
            limiter.lock().last_decrease = None;
            limiter.record(Signal::Pressure);
        }
        assert_eq!(limiter.current(), 4, "never below the minimum");
        assert_eq!(limiter.semaphore.available_permits(), 4);

        let fixed = Limiter::new(8, 4, 32, false);
        fixed.record(Signal::Free);
        fixed.record(Signal::Pressure);
        assert_eq!((fixed.current(), fixed.max()), (8, 8));
    }
}
