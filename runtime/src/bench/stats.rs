//! Latency summaries: nearest-rank percentiles over the timed iterations.

use serde::{Deserialize, Serialize};

/// Fewer iterations than this and the 99th percentile is not reported (it would be one of the
/// slowest handful of samples, not a percentile).
pub const MIN_ITERATIONS_FOR_P99: usize = 1000;

/// The summary of one configuration's timed iterations, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Timed iterations (after warm-up).
    pub n: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    /// `None` with fewer than [`MIN_ITERATIONS_FOR_P99`] iterations.
    pub p99_ms: Option<f64>,
    pub min_ms: f64,
    pub max_ms: f64,
    /// Sentences per second at the mean latency.
    pub items_per_s: f64,
}

impl Summary {
    /// Summarises per-iteration latencies (nanoseconds) of batches of `items` sentences.
    /// `None` for no samples.
    pub fn from_nanos(latencies_ns: &[u64], items: usize) -> Option<Summary> {
        if latencies_ns.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = latencies_ns.iter().map(|&ns| ns as f64 / 1e6).collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let mean_ms = sorted.iter().sum::<f64>() / n as f64;
        Some(Summary {
            n,
            mean_ms,
            p50_ms: percentile(&sorted, 50.0),
            p90_ms: percentile(&sorted, 90.0),
            p99_ms: (n >= MIN_ITERATIONS_FOR_P99).then(|| percentile(&sorted, 99.0)),
            min_ms: sorted[0],
            max_ms: sorted[n - 1],
            items_per_s: items as f64 * 1e3 / mean_ms,
        })
    }

    /// The top of the p90–p99 band a plot draws: p99 when measured, else p90.
    pub fn band_top_ms(&self) -> f64 {
        self.p99_ms.unwrap_or(self.p90_ms)
    }
}

/// The nearest-rank percentile of sorted, non-empty values: the smallest value with at least
/// `p` percent of the values at or below it.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 90.0), 90.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&values, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 50.0), 2.0);
    }

    #[test]
    fn summary_in_milliseconds_and_p99_only_with_enough_samples() {
        let ns: Vec<u64> = (1..=10).rev().map(|i| i * 1_000_000).collect();
        let s = Summary::from_nanos(&ns, 4).unwrap();
        assert_eq!(
            (s.n, s.p50_ms, s.p90_ms, s.min_ms, s.max_ms),
            (10, 5.0, 9.0, 1.0, 10.0)
        );
        assert_eq!(s.mean_ms, 5.5);
        assert!((s.items_per_s - 4.0 * 1000.0 / 5.5).abs() < 1e-9);
        assert_eq!(s.p99_ms, None);
        assert_eq!(s.band_top_ms(), 9.0);
        let many: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        let s = Summary::from_nanos(&many, 1).unwrap();
        assert_eq!(s.p99_ms, Some(0.99));
        assert!(Summary::from_nanos(&[], 1).is_none());
    }
}
