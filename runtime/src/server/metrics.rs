//! Prometheus metrics of `rin serve`, kept in plain atomics and mutexes and rendered in the text
//! exposition format (version 0.0.4) by [`Metrics::render`]: no metrics crate, no global registry.
//!
//! | metric | type | what |
//! |---|---|---|
//! | `rin_http_requests_total{route,status}` | counter | requests answered |
//! | `rin_http_errors_total{code}` | counter | error answers by `error.code` |
//! | `rin_http_request_duration_seconds{route}` | histogram | latency, request in to response out |
//! | `rin_http_requests_in_flight` | gauge | requests being handled |
//! | `rin_batch_texts` | histogram | texts per model run (a micro-batch, per K) |
//! | `rin_batch_requests` | histogram | requests per micro-batch |
//! | `rin_batch_duration_seconds` | histogram | tokenizing, tagging, running and decoding one micro-batch |
//! | `rin_queue_depth` | gauge | requests waiting for a worker |
//! | `rin_queue_capacity` | gauge | the bound on that (`--queue`) |
//! | `rin_jobs_abandoned_total` | counter | queued requests dropped because their client had gone |
//! | `rin_workers_ready` | gauge | workers with their model loaded |
//! | `process_resident_memory_bytes` | gauge | resident memory (Linux) |

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Latency buckets in seconds: 0.5 ms to 10 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0,
];
/// Batch size buckets (texts or requests).
const SIZE_BUCKETS: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// A cumulative histogram with fixed upper bounds.
#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    state: Mutex<HistogramState>,
}

#[derive(Debug, Default, Clone)]
struct HistogramState {
    /// Non-cumulative counts per bucket, plus one for `+Inf`.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            state: Mutex::new(HistogramState {
                counts: vec![0; bounds.len() + 1],
                ..Default::default()
            }),
        }
    }

    fn observe(&self, value: f64) {
        let bucket = self
            .bounds
            .iter()
            .position(|&b| value <= b)
            .unwrap_or(self.bounds.len());
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.counts[bucket] += 1;
        state.sum += value;
        state.count += 1;
    }

    fn snapshot(&self) -> HistogramState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Writes `name_bucket`, `name_sum` and `name_count` lines; `labels` is `""` or `k="v",`.
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let state = self.snapshot();
        let mut cumulative = 0;
        for (i, count) in state.counts.iter().enumerate() {
            cumulative += count;
            let le = self
                .bounds
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{le}\"}} {cumulative}");
        }
        let plain = labels.trim_end_matches(',');
        let braces = if plain.is_empty() {
            String::new()
        } else {
            format!("{{{plain}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", state.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", state.count);
    }
}

/// Every metric of one server.
#[derive(Debug)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    latency: Mutex<BTreeMap<String, std::sync::Arc<Histogram>>>,
    in_flight: AtomicI64,
    batch_texts: Histogram,
    batch_requests: Histogram,
    batch_seconds: Histogram,
    queue_depth: AtomicI64,
    queue_capacity: usize,
    abandoned: AtomicU64,
    workers_ready: AtomicI64,
}

impl Metrics {
    /// Empty metrics for a queue of `queue_capacity` requests.
    pub fn new(queue_capacity: usize) -> Self {
        Metrics {
            requests: Mutex::default(),
            errors: Mutex::default(),
            latency: Mutex::default(),
            in_flight: AtomicI64::new(0),
            batch_texts: Histogram::new(&SIZE_BUCKETS),
            batch_requests: Histogram::new(&SIZE_BUCKETS),
            batch_seconds: Histogram::new(&LATENCY_BUCKETS),
            queue_depth: AtomicI64::new(0),
            queue_capacity,
            abandoned: AtomicU64::new(0),
            workers_ready: AtomicI64::new(0),
        }
    }

    /// A request started.
    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// A request on `route` was answered with `status` after `elapsed`; `error` is the answer's
    /// `error.code`, if it is an error.
    pub fn request_finished(
        &self,
        route: &str,
        status: u16,
        elapsed: Duration,
        error: Option<&'static str>,
    ) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        *lock(&self.requests)
            .entry((route.to_owned(), status))
            .or_default() += 1;
        if let Some(code) = error {
            *lock(&self.errors).entry(code).or_default() += 1;
        }
        let histogram = lock(&self.latency)
            .entry(route.to_owned())
            .or_insert_with(|| std::sync::Arc::new(Histogram::new(&LATENCY_BUCKETS)))
            .clone();
        histogram.observe(elapsed.as_secs_f64());
    }

    /// A micro-batch of `requests` requests and `texts` texts ran in `elapsed`.
    pub fn batch(&self, requests: usize, texts: usize, elapsed: Duration) {
        self.batch_requests.observe(requests as f64);
        self.batch_texts.observe(texts as f64);
        self.batch_seconds.observe(elapsed.as_secs_f64());
    }

    /// A request entered the queue.
    pub fn enqueued(&self) {
        self.queue_depth.fetch_add(1, Ordering::Relaxed);
    }

    /// A worker took a request off the queue.
    pub fn dequeued(&self) {
        self.queue_depth.fetch_sub(1, Ordering::Relaxed);
    }

    /// Requests waiting now.
    pub fn queue_depth(&self) -> i64 {
        self.queue_depth.load(Ordering::Relaxed)
    }

    /// A queued request was dropped because nobody waits for its answer any more.
    pub fn abandoned(&self) {
        self.abandoned.fetch_add(1, Ordering::Relaxed);
    }

    /// A worker finished loading its model.
    pub fn worker_ready(&self) {
        self.workers_ready.fetch_add(1, Ordering::Relaxed);
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "rin_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status.",
        );
        for ((route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "rin_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        header(
            &mut out,
            "rin_http_errors_total",
            "counter",
            "Error answers, by error.code.",
        );
        for (code, n) in lock(&self.errors).iter() {
            let _ = writeln!(out, "rin_http_errors_total{{code=\"{code}\"}} {n}");
        }
        header(
            &mut out,
            "rin_http_request_duration_seconds",
            "histogram",
            "Time from request to response, by route.",
        );
        let latency: Vec<_> = lock(&self.latency)
            .iter()
            .map(|(route, h)| (route.clone(), h.clone()))
            .collect();
        for (route, histogram) in latency {
            let labels = format!("route=\"{}\",", escape(&route));
            histogram.render(&mut out, "rin_http_request_duration_seconds", &labels);
        }
        gauge(
            &mut out,
            "rin_http_requests_in_flight",
            "Requests being handled.",
            self.in_flight.load(Ordering::Relaxed),
        );
        header(
            &mut out,
            "rin_batch_texts",
            "histogram",
            "Texts per model run (one micro-batch, one K).",
        );
        self.batch_texts.render(&mut out, "rin_batch_texts", "");
        header(
            &mut out,
            "rin_batch_requests",
            "histogram",
            "Requests per micro-batch.",
        );
        self.batch_requests
            .render(&mut out, "rin_batch_requests", "");
        header(
            &mut out,
            "rin_batch_duration_seconds",
            "histogram",
            "Time to tokenize, tag, run and decode one micro-batch.",
        );
        self.batch_seconds
            .render(&mut out, "rin_batch_duration_seconds", "");
        gauge(
            &mut out,
            "rin_queue_depth",
            "Requests waiting for a worker.",
            self.queue_depth(),
        );
        gauge(
            &mut out,
            "rin_queue_capacity",
            "Requests the queue holds before answering 503.",
            i64::try_from(self.queue_capacity).unwrap_or(i64::MAX),
        );
        header(
            &mut out,
            "rin_jobs_abandoned_total",
            "counter",
            "Queued requests dropped because their client had gone (timeout or disconnect).",
        );
        let _ = writeln!(
            out,
            "rin_jobs_abandoned_total {}",
            self.abandoned.load(Ordering::Relaxed)
        );
        gauge(
            &mut out,
            "rin_workers_ready",
            "Workers with their model loaded.",
            self.workers_ready.load(Ordering::Relaxed),
        );
        if let Some(bytes) = resident_memory_bytes() {
            gauge(
                &mut out,
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                i64::try_from(bytes).unwrap_or(i64::MAX),
            );
        }
        out
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {value}");
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `VmRSS` of `/proc/self/status`, in bytes (Linux only).
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_rendered_with_sum_and_count() {
        let m = Metrics::new(8);
        m.request_started();
        m.request_finished("/v1/extract", 200, Duration::from_millis(3), None);
        m.request_started();
        m.request_finished(
            "/v1/extract",
            400,
            Duration::from_millis(20),
            Some("invalid_json"),
        );
        m.batch(2, 5, Duration::from_millis(1));
        let text = m.render();
        assert!(text.contains("rin_http_requests_total{route=\"/v1/extract\",status=\"200\"} 1"));
        assert!(text.contains("rin_http_errors_total{code=\"invalid_json\"} 1"));
        assert!(text.contains(
            "rin_http_request_duration_seconds_bucket{route=\"/v1/extract\",le=\"0.004\"} 1"
        ));
        assert!(text.contains(
            "rin_http_request_duration_seconds_bucket{route=\"/v1/extract\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("rin_http_request_duration_seconds_count{route=\"/v1/extract\"} 2"));
        assert!(text.contains("rin_batch_texts_bucket{le=\"4\"} 0"));
        assert!(text.contains("rin_batch_texts_bucket{le=\"8\"} 1"));
        assert!(text.contains("rin_batch_texts_sum 5"));
        assert!(text.contains("rin_http_requests_in_flight 0"));
        assert!(text.contains("rin_queue_capacity 8"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
