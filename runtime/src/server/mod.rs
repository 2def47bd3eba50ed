//! `rin serve`: the pipeline behind an HTTP API (axum on tokio), with micro-batching.
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/extract` | `{"text": "..."}` or `{"texts": [...]}`, optional `k`, `match`, `threshold`; answers [`ExtractResponse`] |
//! | `GET /healthz` | 200 while the process is up |
//! | `GET /readyz` | 200 once every worker has loaded the model; 503 while loading or shutting down |
//! | `GET /v1/model` | the manifest, plus `serving` (Ks, defaults, limits) |
//! | `GET /metrics` | Prometheus text ([`metrics`]) |
//!
//! Requests are queued (bounded: a full queue answers 503) and run together by worker threads,
//! each with its own sessions ([`batch`]). Errors are `{"error": {"code", "message"}}`
//! ([`ApiError`]). Limits: request body bytes, texts per request, a timeout per request. On
//! shutdown the server stops accepting, answers what is in flight, then stops the workers.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rin_runtime::server::ServeError> {
//! use rin_runtime::server::{pipeline_server, ServerConfig};
//! use rin_runtime::{Model, PipelineConfig};
//!
//! let model = Model::open("models/webnlg".as_ref())?;
//! let server = pipeline_server(model, PipelineConfig::default(), None, &ServerConfig::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! server.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```
//!
//! Tests drive [`router`] with `tower::ServiceExt::oneshot`, on the real pipeline or on a fake
//! [`Backend`].

mod api;
pub mod batch;
mod idle;
pub mod metrics;

use std::future::{Future, IntoFuture};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request as HttpRequest, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rin_core::MatchMode;
use tokio::sync::watch;

use crate::model::Model;
use crate::pipeline::PipelineConfig;
use crate::plugin;

pub use api::{parse_extract, ApiError, ErrorCode, ExtractRequest, ExtractResponse};
pub use batch::{
    Backend, BackendFactory, BatchConfig, LoadState, PipelineBackend, Request, RunError,
};
pub use metrics::Metrics;

/// The default listening address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The server's limits and micro-batching settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConfig {
    /// Workers, batch size, batch wait, queue bound.
    pub batch: BatchConfig,
    /// Request bodies larger than this are refused with 413.
    pub max_body_bytes: usize,
    /// Texts per request at most.
    pub max_texts: usize,
    /// A request taking longer is answered 504.
    pub request_timeout: Duration,
    /// On shutdown, how long in-flight requests may take before the server stops anyway.
    pub shutdown_timeout: Duration,
    /// A connection on which the client sends nothing for this long is closed (idle keep-alive,
    /// slow or missing headers). Longer than `request_timeout`: the read side waits while a
    /// request runs.
    pub idle_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            batch: BatchConfig {
                workers: 1,
                max_batch: 32,
                max_wait: Duration::from_millis(2),
                queue_capacity: 256,
            },
            max_body_bytes: 1 << 20,
            max_texts: 64,
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// What is served: the Ks, the defaults of a request, and the manifest for `GET /v1/model`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// The manifest as JSON (`GET /v1/model`).
    pub manifest: serde_json::Value,
    /// The Ks a request may ask for, ascending.
    pub ks: Vec<usize>,
    /// The K of a request without `k`.
    pub default_k: usize,
    /// The threshold of a request without `threshold`.
    pub threshold: f32,
    /// The match mode of a request without `match`.
    pub match_mode: MatchMode,
    /// More facts for `serving` in `GET /v1/model` (tokenizer, tagger, ...).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Opening the model or checking the settings failed.
    #[error(transparent)]
    Model(#[from] crate::Error),
    /// A worker could not load the model.
    #[error("the model failed to load: {0}")]
    Load(String),
    /// Listening or serving failed.
    #[error("serving failed")]
    Io(#[from] std::io::Error),
}

/// The state the handlers share: cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    info: ModelInfo,
    limits: ServerConfig,
    queue: batch::Queue,
    metrics: Arc<Metrics>,
    load: watch::Receiver<LoadState>,
    draining: AtomicBool,
    model_json: Bytes,
}

impl AppState {
    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// What is served.
    pub fn info(&self) -> &ModelInfo {
        &self.inner.info
    }

    /// Workers' loading progress.
    pub fn load_state(&self) -> LoadState {
        self.inner.load.borrow().clone()
    }

    /// Whether every worker has loaded its model.
    pub fn is_loaded(&self) -> bool {
        self.inner.load.borrow().ready >= self.inner.limits.batch.workers.max(1)
    }

    /// Whether shutdown has begun.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Relaxed)
    }

    /// Starts shutting down: `/readyz` and new extract requests answer 503.
    pub fn begin_drain(&self) {
        self.inner.draining.store(true, Ordering::Relaxed);
    }
}

/// The router: every route, the body limit, the request timeout and the metrics middleware.
pub fn router(state: AppState) -> Router {
    let limits = state.inner.limits;
    Router::new()
        .route("/v1/extract", post(api::extract))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/v1/model", get(api::model))
        .route("/metrics", get(api::metrics))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Answers 504 when the rest of the stack takes longer than the request timeout. Dropping the
/// handler drops its place in the queue: a worker skips a job nobody waits for.
async fn timeout(State(state): State<AppState>, request: HttpRequest, next: Next) -> Response {
    match tokio::time::timeout(state.inner.limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

/// Counts requests, errors and latency per route, and logs each request at debug level.
async fn observe(State(state): State<AppState>, request: HttpRequest, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = request.method().clone();
    let guard = InFlight::new(state.inner.metrics.clone(), route.clone());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let error = response.extensions().get::<ErrorCode>().map(|c| c.0);
    let elapsed = guard.finish(status, error);
    tracing::debug!(%method, route, status, ?elapsed, "request");
    response
}

/// Counts a request in flight; if the client goes before the answer, the drop records status
/// 499 (client closed request).
struct InFlight {
    metrics: Arc<Metrics>,
    route: String,
    started: Instant,
    done: bool,
}

impl InFlight {
    fn new(metrics: Arc<Metrics>, route: String) -> Self {
        metrics.request_started();
        InFlight {
            metrics,
            route,
            started: Instant::now(),
            done: false,
        }
    }

    fn finish(mut self, status: u16, error: Option<&'static str>) -> Duration {
        self.done = true;
        let elapsed = self.started.elapsed();
        self.metrics
            .request_finished(&self.route, status, elapsed, error);
        elapsed
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.done {
            self.metrics.request_finished(
                &self.route,
                499,
                self.started.elapsed(),
                Some("client_closed"),
            );
        }
    }
}

/// A started server: its state, queue and workers (loading in the background).
#[derive(Debug)]
pub struct Server {
    state: AppState,
    workers: batch::Workers,
}

impl Server {
    /// Starts the workers (each calls `factory` in its own thread) and builds the state.
    pub fn start(info: ModelInfo, config: &ServerConfig, factory: BackendFactory) -> Server {
        let metrics = Arc::new(Metrics::new(config.batch.queue_capacity));
        let (queue, workers, load) = batch::start(config.batch, factory, metrics.clone());
        let model_json = model_json(&info, config);
        let state = AppState {
            inner: Arc::new(Inner {
                info,
                limits: *config,
                queue,
                metrics,
                load,
                draining: AtomicBool::new(false),
                model_json,
            }),
        };
        Server { state, workers }
    }

    /// The shared state.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The router over this server's state.
    pub fn router(&self) -> Router {
        router(self.state())
    }

    /// Waits until every worker has loaded its model, or one failed.
    pub async fn ready(&self) -> Result<(), ServeError> {
        let workers = self.state.inner.limits.batch.workers.max(1);
        let mut load = self.state.inner.load.clone();
        let state = load
            .wait_for(|s| s.ready >= workers || s.failed.is_some())
            .await
            .map_err(|_| ServeError::Load("the workers stopped".into()))?
            .clone();
        match state.failed {
            Some(message) => Err(ServeError::Load(message)),
            None => Ok(()),
        }
    }

    /// Stops taking requests and waits for the workers to finish the queued ones (blocking).
    pub fn stop(self) {
        self.state.inner.queue.close();
        self.workers.join();
    }

    /// Serves on `listener` until `shutdown` completes (or a worker fails to load the model),
    /// then drains: stops accepting, lets in-flight requests finish (at most
    /// `shutdown_timeout`), and stops the workers.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let Server { state, workers } = self;
        let failure: Arc<Mutex<Option<String>>> = Arc::default();
        let (fired_tx, mut fired_rx) = watch::channel(false);
        let signal = {
            let state = state.clone();
            let failure = failure.clone();
            let mut load = state.inner.load.clone();
            async move {
                let failed = async move {
                    let failed = load
                        .wait_for(|s| s.failed.is_some())
                        .await
                        .map(|s| s.failed.clone());
                    match failed {
                        Ok(failed) => failed,
                        Err(_) => std::future::pending().await,
                    }
                };
                tokio::select! {
                    () = shutdown => tracing::info!("shutting down: finishing in-flight requests"),
                    Some(message) = failed => {
                        tracing::error!("stopping: the model failed to load");
                        *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(message);
                    }
                }
                state.begin_drain();
                let _ = fired_tx.send(true);
            }
        };
        let drain_limit = state.inner.limits.shutdown_timeout;
        let listener = idle::IdleTimeoutListener::new(listener, state.inner.limits.idle_timeout);
        let server = axum::serve(listener, router(state.clone()))
            .with_graceful_shutdown(signal)
            .into_future();
        let result = tokio::select! {
            result = server => result,
            () = async {
                if fired_rx.wait_for(|fired| *fired).await.is_err() {
                    std::future::pending::<()>().await;
                }
                tokio::time::sleep(drain_limit).await;
            } => {
                tracing::warn!(
                    "requests still in flight {drain_limit:?} after the shutdown signal; stopping anyway"
                );
                Ok(())
            }
        };
        state.inner.queue.close();
        drop(state);
        // Workers stop at their next batch boundary once nobody waits (see `run_batch`); one
        // still inside a model run past the margin is left behind, so that --shutdown-timeout
        // bounds the exit (its thread ends with the process).
        match tokio::time::timeout(WORKER_JOIN_MARGIN, tokio::task::spawn_blocking(move || workers.join())).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => tracing::error!("joining the workers failed"),
            Err(_) => tracing::warn!(
                "a worker is still inside a model run {WORKER_JOIN_MARGIN:?} after the drain; exiting without it"
            ),
        }
        result?;
        let failure = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
        match failure {
            Some(message) => Err(ServeError::Load(message)),
            None => Ok(()),
        }
    }
}

/// How long `serve` waits for the workers after the drain, at most: `--shutdown-timeout` plus this
/// bounds the time from the signal to the exit.
pub const WORKER_JOIN_MARGIN: Duration = Duration::from_secs(2);

/// `GET /v1/model`'s body: the manifest and a `serving` object.
fn model_json(info: &ModelInfo, config: &ServerConfig) -> Bytes {
    let mut value = info.manifest.clone();
    let mut serving = serde_json::json!({
        "ks": info.ks,
        "default_k": info.default_k,
        "threshold": info.threshold,
        "match": info.match_mode,
        "workers": config.batch.workers,
        "max_batch": config.batch.max_batch,
        "max_wait_us": u64::try_from(config.batch.max_wait.as_micros()).unwrap_or(u64::MAX),
        "queue_capacity": config.batch.queue_capacity,
        "max_texts": config.max_texts,
        "max_body_bytes": config.max_body_bytes,
        "request_timeout_ms": u64::try_from(config.request_timeout.as_millis()).unwrap_or(u64::MAX),
    });
    if let Some(object) = serving.as_object_mut() {
        object.extend(info.extra.clone());
    }
    match value.as_object_mut() {
        Some(object) => {
            object.insert("serving".into(), serving);
        }
        None => value = serde_json::json!({"manifest": value, "serving": serving}),
    }
    Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
}

/// A server over the real pipeline: `model` loaded once per K in `ks` (default: every exported
/// K) by each worker, with `pipeline`'s settings (its `k` is the default K of requests).
pub fn pipeline_server(
    model: Model,
    pipeline: PipelineConfig,
    ks: Option<Vec<usize>>,
    config: &ServerConfig,
) -> Result<Server, ServeError> {
    let (default_k, precision, _) = model.graph_at(pipeline.k, pipeline.precision)?;
    let mut ks = ks.unwrap_or_else(|| model.ks_at(precision));
    for &k in &ks {
        if !model.ks_at(precision).contains(&k) {
            return Err(crate::Error::UnknownK {
                k,
                available: model.ks_at(precision),
            }
            .into());
        }
    }
    if !ks.contains(&default_k) {
        ks.push(default_k);
    }
    ks.sort_unstable();
    ks.dedup();
    let mut extra = serde_json::Map::new();
    extra.insert(
        "tokenizer".into(),
        plugin::tokenizer_name(&model, pipeline.tokenizer.as_deref()).into(),
    );
    extra.insert(
        "tagger".into(),
        plugin::tagger_name(&model, pipeline.tagger.as_deref()).into(),
    );
    // The manifest lists every precision of a folder; this is the one whose graphs answer.
    extra.insert("precision".into(), precision.to_string().into());
    let manifest = serde_json::to_value(model.manifest())
        .map_err(|e| ServeError::Load(format!("cannot serialise the manifest: {e}")))?;
    let info = ModelInfo {
        manifest,
        ks: ks.clone(),
        default_k,
        threshold: pipeline.threshold.unwrap_or(model.threshold()),
        match_mode: pipeline.match_mode.unwrap_or(model.match_mode()),
        extra,
    };
    let pipeline = PipelineConfig {
        k: Some(default_k),
        ..pipeline
    };
    let factory: BackendFactory = Arc::new(move |worker| {
        let backend = PipelineBackend::load(&model, &pipeline, &ks)
            .map_err(|e| crate::error::error_chain(&e))?;
        tracing::debug!(worker, "sessions loaded");
        Ok(Box::new(backend) as Box<dyn Backend>)
    });
    Ok(Server::start(info, config, factory))
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
