//! Capped exponential backoff with jitter, and `Retry-After` honoured when the server sends it.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    /// Delay before the first retry; doubles each attempt.
    pub base: Duration,
    /// Ceiling for the computed delay.
    pub max: Duration,
    /// Ceiling for a server-requested `Retry-After`, so a bad header cannot stall a run for hours.
    pub max_retry_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            max: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait before attempt `attempt + 1`. With `Retry-After`, wait that long plus up to 10 %
    /// jitter (so throttled clients do not return in lockstep); otherwise "equal jitter": half the
    /// exponential delay fixed, half random.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            let after = after.min(self.max_retry_after);
            return after + after.mul_f64(fastrand::f64() * 0.1);
        }
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_capped_and_honour_retry_after() {
        let b = Backoff::default();
        for attempt in 1..20 {
            let d = b.delay(attempt, None);
            assert!(d <= b.max, "attempt {attempt}: {d:?}");
            let expected = (b.base * (1u32 << (attempt - 1).min(16))).min(b.max);
            assert!(d >= expected / 2, "attempt {attempt}: {d:?}");
        }
        let d = b.delay(1, Some(Duration::from_secs(2)));
        assert!(d >= Duration::from_secs(2) && d <= Duration::from_millis(2200));
        let capped = b.delay(1, Some(Duration::from_secs(3600)));
        assert!(capped <= b.max_retry_after.mul_f64(1.1));
    }
}
