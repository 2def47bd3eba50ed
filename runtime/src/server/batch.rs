//! Micro-batching: a bounded queue of requests and worker threads that take them off it in
//! batches.
//!
//! A handler turns a request into a [`Job`] and offers it to the [`Queue`] without waiting: a
//! full queue is an immediate 503. Each worker is an OS thread that owns its [`Backend`] (for the
//! real pipeline: one ONNX Runtime session per served K), made in that thread by the
//! [`BackendFactory`]. Workers take turns at the queue: the one whose turn it is waits for a first
//! job, then gathers more until the batch holds `max_batch` texts or `max_wait` has passed since
//! the first job was queued, and leaves the queue to the next idle worker while it runs the batch.
//! A job that would overflow the batch waits for the next one; a job bigger than `max_batch` runs
//! alone. So does a job much longer or much shorter than the batch's first ([`COST_RATIO`]): the
//! model's cost grows with the square of a text's length, and a short request batched with a long
//! one would wait for it. Deferred jobs keep their order and lead the next batches. Jobs whose
//! client has gone (timed out or disconnected) are dropped unrun.
//!
//! Closing the queue ([`Queue::close`]) lets the workers finish what is queued, then stop.

use std::collections::{BTreeMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, watch};

use crate::extraction::Extraction;
use crate::pipeline::{DecodeOptions, Extractor, PipelineConfig};
use crate::Model;

use super::metrics::Metrics;

/// One request's texts and settings, as a worker's [`Backend`] sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The texts, in order.
    pub texts: Vec<String>,
    /// The K to run.
    pub k: usize,
    /// Threshold and match mode.
    pub decode: DecodeOptions,
}

impl Request {
    /// Number of texts.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether the request has no texts.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

/// Why a request of a batch got no results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The request's input cannot be processed (a text too long with `--long refuse`, a tokenizer
    /// or tagger that fails on it): the client's problem, answered with 422.
    Input(String),
    /// The model or the server failed: answered with 500 and logged.
    Internal(String),
}

impl From<crate::Error> for RunError {
    fn from(e: crate::Error) -> Self {
        let text = crate::error::error_chain(&e);
        if e.is_input_error() {
            RunError::Input(text)
        } else {
            RunError::Internal(text)
        }
    }
}

/// What answers a micro-batch: the pipeline, or a fake in tests. One per worker, used only by
/// its worker's thread.
pub trait Backend {
    /// Runs `requests` (one micro-batch) and returns one result per request, in order.
    fn run(&mut self, requests: Vec<Request>) -> Vec<Result<Vec<Extraction>, RunError>>;

    /// [`Backend::run`], for a batch whose clients may all leave while it runs: `cancelled` turns
    /// true once nobody waits for any of its requests (timed out or disconnected), and a backend
    /// that can stops early. The default runs to the end.
    fn run_cancellable(
        &mut self,
        requests: Vec<Request>,
        cancelled: &dyn Fn() -> bool,
    ) -> Vec<Result<Vec<Extraction>, RunError>> {
        let _ = cancelled;
        self.run(requests)
    }
}

/// Makes worker `i`'s backend, in that worker's thread (model loading happens there).
pub type BackendFactory =
    Arc<dyn Fn(usize) -> Result<Box<dyn Backend>, String> + Send + Sync + 'static>;

/// A queued request and where its answer goes.
#[derive(Debug)]
pub struct Job {
    /// The request.
    pub request: Request,
    /// When it was queued.
    pub queued: Instant,
    /// The answer.
    pub reply: oneshot::Sender<Result<Vec<Extraction>, RunError>>,
}

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// The queue is full.
    Full,
    /// The server is shutting down.
    Closed,
}

/// The sending side of the bounded queue, shared by the handlers.
#[derive(Debug)]
pub struct Queue {
    sender: RwLock<Option<SyncSender<Job>>>,
    metrics: Arc<Metrics>,
}

impl Queue {
    /// Offers `job` without waiting.
    pub fn offer(&self, job: Job) -> Result<(), Rejected> {
        let sender = self.sender.read().unwrap_or_else(|e| e.into_inner());
        let Some(sender) = sender.as_ref() else {
            return Err(Rejected::Closed);
        };
        // Count first: a worker may take the job before `try_send` returns.
        self.metrics.enqueued();
        match sender.try_send(job) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.metrics.dequeued();
                Err(match e {
                    TrySendError::Full(_) => Rejected::Full,
                    TrySendError::Disconnected(_) => Rejected::Closed,
                })
            }
        }
    }

    /// Stops taking jobs; the workers finish the queued ones and stop.
    pub fn close(&self) {
        self.sender
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }
}

/// Micro-batching settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchConfig {
    /// Worker threads (each with its own backend).
    pub workers: usize,
    /// Texts per batch at most (a single larger request still runs, alone).
    pub max_batch: usize,
    /// How long a batch waits for more requests after its first was queued.
    pub max_wait: Duration,
    /// Requests the queue holds; more are refused with 503.
    pub queue_capacity: usize,
}

/// Loading progress of the workers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadState {
    /// Workers whose backend is ready.
    pub ready: usize,
    /// The first loading error, if any.
    pub failed: Option<String>,
}

/// The worker threads.
#[derive(Debug)]
pub struct Workers {
    handles: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Waits for every worker to finish (after [`Queue::close`]).
    pub fn join(self) {
        for handle in self.handles {
            if handle.join().is_err() {
                tracing::error!("a worker thread panicked outside a batch");
            }
        }
    }
}

/// The receiving side, shared by the workers: whoever holds the lock is gathering a batch.
struct Intake {
    receiver: Receiver<Job>,
    /// Jobs taken off the queue that did not fit into an earlier batch, in queue order.
    held: VecDeque<Job>,
}

/// Jobs whose longest texts differ by more than this factor (in characters) run in different
/// batches.
pub const COST_RATIO: usize = 4;

/// A job's cost in a batch: its longest text, in bytes (at least 1).
fn cost(job: &Job) -> usize {
    job.request
        .texts
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(1)
}

/// Whether `a` and `b` are close enough in cost to share a batch.
fn similar(a: usize, b: usize) -> bool {
    a.max(b) <= a.min(b).saturating_mul(COST_RATIO)
}

/// Starts the queue and `config.workers` worker threads.
pub fn start(
    config: BatchConfig,
    factory: BackendFactory,
    metrics: Arc<Metrics>,
) -> (Queue, Workers, watch::Receiver<LoadState>) {
    let (sender, receiver) = mpsc::sync_channel(config.queue_capacity.max(1));
    let intake = Arc::new(Mutex::new(Intake {
        receiver,
        held: VecDeque::new(),
    }));
    let (load_tx, load_rx) = watch::channel(LoadState::default());
    let load_tx = Arc::new(load_tx);
    let handles = (0..config.workers.max(1))
        .map(|id| {
            let intake = intake.clone();
            let factory = factory.clone();
            let metrics = metrics.clone();
            let load_tx = load_tx.clone();
            std::thread::Builder::new()
                .name(format!("rin-worker-{id}"))
                .spawn(move || worker(id, config, &factory, &intake, &metrics, &load_tx))
                .expect("invariant: the OS can start a handful of threads")
        })
        .collect();
    let queue = Queue {
        sender: RwLock::new(Some(sender)),
        metrics,
    };
    (queue, Workers { handles }, load_rx)
}

fn worker(
    id: usize,
    config: BatchConfig,
    factory: &BackendFactory,
    intake: &Mutex<Intake>,
    metrics: &Metrics,
    load: &watch::Sender<LoadState>,
) {
    let started = Instant::now();
    let loaded = std::panic::catch_unwind(AssertUnwindSafe(|| factory(id)))
        .unwrap_or_else(|_| Err("the backend panicked while loading".to_owned()));
    let mut backend = match loaded {
        Ok(backend) => backend,
        Err(message) => {
            tracing::error!(worker = id, "cannot load the model: {message}");
            load.send_modify(|s| {
                s.failed.get_or_insert(message);
            });
            // Answer whatever gets queued until the server stops, so that nobody waits forever.
            while let Some(jobs) = next_batch(intake, config, metrics) {
                for job in jobs {
                    let _ = job
                        .reply
                        .send(Err(RunError::Internal("the model failed to load".into())));
                }
            }
            return;
        }
    };
    tracing::debug!(worker = id, elapsed = ?started.elapsed(), "worker ready");
    metrics.worker_ready();
    load.send_modify(|s| s.ready += 1);
    while let Some(jobs) = next_batch(intake, config, metrics) {
        run_batch(id, backend.as_mut(), jobs, metrics);
    }
    tracing::debug!(worker = id, "worker stopped");
}

/// Gathers the next batch; `None` once the queue is closed and empty.
fn next_batch(intake: &Mutex<Intake>, config: BatchConfig, metrics: &Metrics) -> Option<Vec<Job>> {
    let mut intake = intake.lock().unwrap_or_else(|e| e.into_inner());
    let first = match intake.held.pop_front() {
        Some(job) => job,
        None => {
            let job = intake.receiver.recv().ok()?;
            metrics.dequeued();
            job
        }
    };
    let deadline = first.queued + config.max_wait;
    let first_cost = cost(&first);
    let mut texts = first.request.len();
    let mut jobs = vec![first];
    let mut deferred: VecDeque<Job> = VecDeque::new();
    // Jobs held from earlier batches come first, then the queue until the deadline.
    let mut earlier = std::mem::take(&mut intake.held);
    while texts < config.max_batch {
        let job = match earlier.pop_front() {
            Some(job) => job,
            // Deferred jobs are held outside the bounded queue: holding no more than it could
            // keeps --queue the bound on waiting work.
            None if deferred.len() >= config.queue_capacity.max(1) => break,
            None => {
                let next = match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => intake.receiver.recv_timeout(left),
                    // Past the deadline: still take what is already queued.
                    _ => intake.receiver.try_recv().map_err(|e| match e {
                        mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                        mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                    }),
                };
                let Ok(job) = next else { break };
                metrics.dequeued();
                job
            }
        };
        if texts + job.request.len() > config.max_batch {
            deferred.push_back(job);
            break;
        }
        if !similar(first_cost, cost(&job)) {
            deferred.push_back(job);
            continue;
        }
        texts += job.request.len();
        jobs.push(job);
    }
    deferred.extend(earlier);
    intake.held = deferred;
    Some(jobs)
}

fn run_batch(worker: usize, backend: &mut dyn Backend, jobs: Vec<Job>, metrics: &Metrics) {
    // Drop the jobs nobody waits for any more.
    let (jobs, gone): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| !j.reply.is_closed());
    for _ in gone {
        metrics.abandoned();
    }
    if jobs.is_empty() {
        return;
    }
    let started = Instant::now();
    let texts: usize = jobs.iter().map(|j| j.request.len()).sum();
    let (requests, replies): (Vec<Request>, Vec<_>) =
        jobs.into_iter().map(|j| (j.request, j.reply)).unzip();
    let count = requests.len();
    let abandoned = || replies.iter().all(|r: &oneshot::Sender<_>| r.is_closed());
    let results = std::panic::catch_unwind(AssertUnwindSafe(|| {
        backend.run_cancellable(requests, &abandoned)
    }));
    let results = match results {
        Ok(results) if results.len() == count => results,
        Ok(results) => {
            let message = format!(
                "the backend gave {} results for {count} requests",
                results.len()
            );
            vec![Err(RunError::Internal(message)); count]
        }
        Err(_) => vec![
            Err(RunError::Internal(
                "the worker panicked on this batch".into()
            ));
            count
        ],
    };
    metrics.batch(count, texts, started.elapsed());
    tracing::trace!(worker, requests = count, texts, elapsed = ?started.elapsed(), "batch done");
    for (reply, result) in replies.into_iter().zip(results) {
        // The client may have gone meanwhile; its answer is dropped.
        let _ = reply.send(result);
    }
}

/// The real backend: one [`Extractor`] (so one ONNX Runtime session) per served K.
#[derive(Debug)]
pub struct PipelineBackend {
    extractors: BTreeMap<usize, Extractor>,
}

impl PipelineBackend {
    /// Loads `model` once per K in `ks` with `config` (its `k` is replaced).
    pub fn load(model: &Model, config: &PipelineConfig, ks: &[usize]) -> crate::Result<Self> {
        let mut extractors = BTreeMap::new();
        for &k in ks {
            let config = PipelineConfig {
                k: Some(k),
                ..config.clone()
            };
            extractors.insert(k, Extractor::load(model.clone(), &config)?);
        }
        Ok(PipelineBackend { extractors })
    }

    /// The extractor for `k`.
    pub fn extractor(&self, k: usize) -> Option<&Extractor> {
        self.extractors.get(&k)
    }
}

impl Backend for PipelineBackend {
    fn run(&mut self, requests: Vec<Request>) -> Vec<Result<Vec<Extraction>, RunError>> {
        self.run_cancellable(requests, &|| false)
    }

    fn run_cancellable(
        &mut self,
        requests: Vec<Request>,
        cancelled: &dyn Fn() -> bool,
    ) -> Vec<Result<Vec<Extraction>, RunError>> {
        let mut results: Vec<Option<Result<Vec<Extraction>, RunError>>> =
            (0..requests.len()).map(|_| None).collect();
        let mut by_k: BTreeMap<usize, Vec<(usize, Request)>> = BTreeMap::new();
        for (i, request) in requests.into_iter().enumerate() {
            by_k.entry(request.k).or_default().push((i, request));
        }
        for (k, group) in by_k {
            let Some(extractor) = self.extractors.get(&k) else {
                for (i, _) in group {
                    results[i] = Some(Err(RunError::Internal(format!("K = {k} is not loaded"))));
                }
                continue;
            };
            // Tokenize and tag each request's texts; a failure is that request's alone.
            let mut prepared = Vec::new();
            let mut options = Vec::new();
            let mut owners = Vec::new();
            for (i, request) in group {
                let texts = request
                    .texts
                    .into_iter()
                    .enumerate()
                    .map(|(t, text)| extractor.prepare(text, &format!("text {}", t + 1)))
                    .collect::<crate::Result<Vec<_>>>();
                match texts {
                    Ok(texts) => {
                        options.extend(std::iter::repeat_n(request.decode, texts.len()));
                        owners.push((i, texts.len()));
                        prepared.extend(texts);
                    }
                    Err(e) => results[i] = Some(Err(e.into())),
                }
            }
            if owners.is_empty() {
                continue;
            }
            // The texts of every request of this K, run in groups of similar lengths.
            match run_grouped(extractor, prepared, &options, cancelled) {
                Ok(extractions) => {
                    let mut extractions = extractions.into_iter();
                    for (i, count) in owners {
                        results[i] = Some(Ok(extractions.by_ref().take(count).collect()));
                    }
                }
                Err(e) => {
                    let error = RunError::from(e);
                    for (i, _) in owners {
                        results[i] = Some(Err(error.clone()));
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(RunError::Internal("no result".into()))))
            .collect()
    }
}

/// How much more work than its texts alone a padded group may cost (see [`padding_groups`]).
pub const PADDING_SLACK: f64 = 1.25;

/// Runs `prepared` through `extractor` in [`padding_groups`], returning results in input order.
fn run_grouped(
    extractor: &Extractor,
    prepared: Vec<crate::pipeline::PreparedText>,
    options: &[DecodeOptions],
    cancelled: &dyn Fn() -> bool,
) -> crate::Result<Vec<Extraction>> {
    let lengths: Vec<usize> = prepared.iter().map(|p| p.len()).collect();
    let groups = padding_groups(&lengths, PADDING_SLACK);
    if groups.len() == 1 {
        return extractor.run_cancellable(prepared, options, cancelled);
    }
    let mut slots: Vec<Option<crate::pipeline::PreparedText>> =
        prepared.into_iter().map(Some).collect();
    let mut out: Vec<Option<Extraction>> = (0..slots.len()).map(|_| None).collect();
    for group in groups {
        let texts = group.iter().filter_map(|&i| slots[i].take()).collect();
        let group_options: Vec<DecodeOptions> = group
            .iter()
            .filter_map(|&i| options.get(i).copied())
            .collect();
        for (&i, extraction) in
            group
                .iter()
                .zip(extractor.run_cancellable(texts, &group_options, cancelled)?)
        {
            out[i] = Some(extraction);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// Splits texts of `lengths` tokens into groups to run together, so that padding costs little:
/// the relation tensor is `n x n` per text, so a group padded to its longest text costs
/// `count x cost(longest)` against `sum(cost(n))` unpadded, with `cost(n) = (n + 8)^2` (the
/// constant stands for the per-text work that does not grow with n). Texts sorted by length are
/// added to a group while its padded cost stays within `slack` times its unpadded cost. Every
/// index appears once; empty input gives no group.
pub fn padding_groups(lengths: &[usize], slack: f64) -> Vec<Vec<usize>> {
    let cost = |n: usize| ((n + 8) * (n + 8)) as f64;
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut unpadded = 0.0;
    for i in order {
        let n = lengths[i];
        let padded = (current.len() + 1) as f64 * cost(n);
        if !current.is_empty() && padded > slack * (unpadded + cost(n)) {
            groups.push(std::mem::take(&mut current));
            unpadded = 0.0;
        }
        current.push(i);
        unpadded += cost(n);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_groups_keep_similar_lengths_together() {
        let lengths = [40, 5, 12, 41, 6, 11, 39, 5];
        let groups = padding_groups(&lengths, PADDING_SLACK);
        let mut all: Vec<usize> = groups.concat();
        all.sort_unstable();
        assert_eq!(all, (0..lengths.len()).collect::<Vec<_>>());
        for group in &groups {
            let cost = |n: usize| ((n + 8) * (n + 8)) as f64;
            let longest = group.iter().map(|&i| lengths[i]).max().unwrap();
            let unpadded: f64 = group.iter().map(|&i| cost(lengths[i])).sum();
            assert!(group.len() as f64 * cost(longest) <= PADDING_SLACK * unpadded);
        }
        assert_eq!(groups.len(), 3, "{groups:?}");
        assert_eq!(padding_groups(&[20; 5], PADDING_SLACK), [[0, 1, 2, 3, 4]]);
        assert!(padding_groups(&[], PADDING_SLACK).is_empty());
    }

    struct Echo;

    impl Backend for Echo {
        fn run(&mut self, requests: Vec<Request>) -> Vec<Result<Vec<Extraction>, RunError>> {
            requests
                .into_iter()
                .map(|r| Ok(r.texts.into_iter().map(Extraction::empty).collect()))
                .collect()
        }
    }

    fn job(texts: usize) -> (Job, oneshot::Receiver<Result<Vec<Extraction>, RunError>>) {
        let (reply, rx) = oneshot::channel();
        let request = Request {
            texts: (0..texts).map(|i| i.to_string()).collect(),
            k: 0,
            decode: DecodeOptions {
                threshold: 0.5,
                match_mode: rin_core::MatchMode::Exact,
            },
        };
        (
            Job {
                request,
                queued: Instant::now(),
                reply,
            },
            rx,
        )
    }

    #[test]
    fn queued_jobs_are_batched_up_to_max_batch_and_answered_in_order() {
        let metrics = Arc::new(Metrics::new(16));
        let config = BatchConfig {
            workers: 1,
            max_batch: 4,
            max_wait: Duration::from_millis(50),
            queue_capacity: 16,
        };
        let factory: BackendFactory = Arc::new(|_| Ok(Box::new(Echo) as Box<dyn Backend>));
        let (queue, workers, _) = start(config, factory, metrics.clone());
        let mut answers = Vec::new();
        for n in [1, 2, 1, 3, 1] {
            let (job, rx) = job(n);
            queue.offer(job).unwrap();
            answers.push((n, rx));
        }
        queue.close();
        workers.join();
        for (n, rx) in answers {
            let result = rx.blocking_recv().unwrap().unwrap();
            assert_eq!(result.len(), n);
        }
        let text = metrics.render();
        // 1+2+1 = 4 texts, then 3+1: two batches.
        assert!(text.contains("rin_batch_requests_count 2"), "{text}");
        assert!(text.contains("rin_batch_texts_sum 8"), "{text}");
        assert!(text.contains("rin_queue_depth 0"), "{text}");
    }

    #[test]
    fn a_full_queue_refuses_and_a_closed_one_too() {
        let metrics = Arc::new(Metrics::new(1));
        let config = BatchConfig {
            workers: 1,
            max_batch: 1,
            max_wait: Duration::ZERO,
            queue_capacity: 1,
        };
        // A backend that never loads: the worker answers queued jobs with an error.
        let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
        let gate = Mutex::new(gate_rx);
        let factory: BackendFactory = Arc::new(move |_| {
            let _ = gate.lock().unwrap().recv();
            Err("no model".into())
        });
        let (queue, workers, load) = start(config, factory, metrics.clone());
        let (a, rx_a) = job(1);
        queue.offer(a).unwrap();
        let (b, _rx_b) = job(1);
        assert_eq!(queue.offer(b).unwrap_err(), Rejected::Full);
        assert_eq!(metrics.queue_depth(), 1);
        gate_tx.send(()).unwrap();
        assert!(matches!(
            rx_a.blocking_recv().unwrap(),
            Err(RunError::Internal(_))
        ));
        assert_eq!(load.borrow().failed.as_deref(), Some("no model"));
        queue.close();
        let (c, _rx_c) = job(1);
        assert_eq!(queue.offer(c).unwrap_err(), Rejected::Closed);
        workers.join();
    }
}
