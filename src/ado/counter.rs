//! Counts HTTP requests, in total and per route, so engines can report their cost and tests and
//! benchmarks can hold them to a request budget.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct RequestCounter {
    total: AtomicU64,
    routes: Mutex<BTreeMap<&'static str, u64>>,
}

impl RequestCounter {
    pub(crate) fn record(&self, route: &'static str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        // A poisoned map only means another thread panicked mid-increment; the counts stay usable.
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        *routes.entry(route).or_default() += 1;
    }

    /// Every request sent, retries included.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Requests per route label (`"GET git/repositories"`, ...).
    pub fn by_route(&self) -> BTreeMap<&'static str, u64> {
        self.routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
