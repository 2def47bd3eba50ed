//! The timing loop every in-process backend shares: warm-up, then timed iterations until enough
//! samples or the time budget is spent.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How long to time one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Untimed runs first (allocator, thread pools, caches).
    pub warmup: usize,
    /// Stop once this many iterations are timed ...
    pub target_iterations: usize,
    /// ... or once this much time has gone, provided `min_iterations` are done.
    pub max_seconds: f64,
    /// Never fewer than this.
    pub min_iterations: usize,
}

impl Budget {
    /// The full sweep: 1000 iterations (enough for p99) unless that takes more than 5 s.
    pub const FULL: Budget = Budget {
        warmup: 10,
        target_iterations: 1000,
        max_seconds: 5.0,
        min_iterations: 20,
    };
    /// CI's quick mode: enough to exercise every code path, nothing more.
    pub const QUICK: Budget = Budget {
        warmup: 1,
        target_iterations: 5,
        max_seconds: 0.5,
        min_iterations: 3,
    };

    /// Whether a loop that has timed `done` iterations over `elapsed` should stop.
    pub fn done(&self, done: usize, elapsed: Duration) -> bool {
        done >= self.target_iterations
            || (done >= self.min_iterations && elapsed.as_secs_f64() >= self.max_seconds)
    }
}

/// Runs `step` per the budget and returns the timed latencies in nanoseconds. The first error
/// stops the loop.
pub fn measure<E>(budget: &Budget, mut step: impl FnMut() -> Result<(), E>) -> Result<Vec<u64>, E> {
    for _ in 0..budget.warmup {
        step()?;
    }
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(budget.target_iterations);
    while !budget.done(latencies.len(), start.elapsed()) {
        let t = Instant::now();
        step()?;
        latencies.push(t.elapsed().as_nanos() as u64);
    }
    Ok(latencies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_the_target_or_at_the_time_limit_after_the_minimum() {
        let b = Budget {
            warmup: 2,
            target_iterations: 10,
            max_seconds: 1.0,
            min_iterations: 3,
        };
        assert!(!b.done(9, Duration::from_millis(10)));
        assert!(b.done(10, Duration::from_millis(10)));
        assert!(!b.done(2, Duration::from_secs(5)));
        assert!(b.done(3, Duration::from_secs(5)));
        let mut calls = 0;
        let latencies = measure::<()>(&b, || {
            calls += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((latencies.len(), calls), (10, 12));
    }
}
