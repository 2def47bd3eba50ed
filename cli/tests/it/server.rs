//! `rin serve`: the router driven with `tower::ServiceExt::oneshot` on a fake backend (error
//! paths, limits, queueing, timeouts) and on the real pipeline with the fixture model, graceful
//! shutdown over a real socket, and the `rin serve` binary end to end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request as HttpRequest, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use rin_core::MatchMode;
use rin_runtime::server::{
    pipeline_server, Backend, BackendFactory, BatchConfig, ModelInfo, Request, RunError, Server,
    ServerConfig,
};
use rin_runtime::session::OrtConfig;
use rin_runtime::{Extraction, Extractor, Model, PipelineConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::util::*;

/// A backend that answers from the first text of each request: `input-error`, `internal-error`,
/// `panic` and `block` (waits for the gate) do what they say; anything else gives
/// empty results. It records the number of requests of every batch.
struct Fake {
    batches: Arc<Mutex<Vec<usize>>>,
    /// The first text of every request of every batch, in order.
    contents: Arc<Mutex<Vec<Vec<String>>>>,
    gate: Arc<Mutex<mpsc::Receiver<()>>>,
    started: mpsc::Sender<()>,
    cancelled: mpsc::Sender<()>,
}

impl Backend for Fake {
    /// `until-cancelled` runs until the batch is cancelled (nobody waits for it), then reports
    /// that on `cancelled`; everything else is [`Fake::run`].
    fn run_cancellable(
        &mut self,
        requests: Vec<Request>,
        cancelled: &dyn Fn() -> bool,
    ) -> Vec<Result<Vec<Extraction>, RunError>> {
        if !requests
            .iter()
            .any(|r| r.texts.first().is_some_and(|t| t == "until-cancelled"))
        {
            return self.run(requests);
        }
        self.batches.lock().unwrap().push(requests.len());
        let _ = self.started.send(());
        // A liveness guard only: the test fails long before this if cancelling does not work.
        let give_up = std::time::Instant::now() + Duration::from_secs(60);
        while !cancelled() && std::time::Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(2));
        }
        if cancelled() {
            let _ = self.cancelled.send(());
        }
        requests
            .iter()
            .map(|_| Err(RunError::Internal("cancelled".into())))
            .collect()
    }

    fn run(&mut self, requests: Vec<Request>) -> Vec<Result<Vec<Extraction>, RunError>> {
        self.batches.lock().unwrap().push(requests.len());
        self.contents.lock().unwrap().push(
            requests
                .iter()
                .map(|r| r.texts.first().cloned().unwrap_or_default())
                .collect(),
        );
        let _ = self.started.send(());
        requests
            .into_iter()
            .map(|r| {
                let first = r.texts.first().cloned().unwrap_or_default();
                match first.as_str() {
                    "input-error" => Err(RunError::Input("text 1: too long".into())),
                    "internal-error" => Err(RunError::Internal("secret detail".into())),
                    "panic" => panic!("the fake backend panics"),
                    "block" => {
                        let _ = self.gate.lock().unwrap().recv();
                        Ok(vec![Extraction::empty(first)])
                    }
                    _ => Ok(r.texts.into_iter().map(Extraction::empty).collect()),
                }
            })
            .collect()
    }
}

struct FakeServer {
    server: Server,
    batches: Arc<Mutex<Vec<usize>>>,
    contents: Arc<Mutex<Vec<Vec<String>>>>,
    open_gate: mpsc::Sender<()>,
    started: mpsc::Receiver<()>,
    cancelled: mpsc::Receiver<()>,
}

fn fake_info() -> ModelInfo {
    ModelInfo {
        manifest: json!({"format": "rin-onnx-export", "relations": ["born_in"]}),
        ks: vec![0, 2],
        default_k: 2,
        threshold: 0.5,
        match_mode: MatchMode::Exact,
        extra: Default::default(),
    }
}

fn small_config() -> ServerConfig {
    ServerConfig {
        batch: BatchConfig {
            workers: 1,
            max_batch: 8,
            max_wait: Duration::from_millis(2),
            queue_capacity: 16,
        },
        max_body_bytes: 4096,
        max_texts: 4,
        request_timeout: Duration::from_secs(10),
        shutdown_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(30),
    }
}

fn fake_server(config: &ServerConfig) -> FakeServer {
    let batches = Arc::new(Mutex::new(Vec::new()));
    let (open_gate, gate) = mpsc::channel();
    let gate = Arc::new(Mutex::new(gate));
    let (started_tx, started) = mpsc::channel();
    let (cancelled_tx, cancelled) = mpsc::channel();
    let contents: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let factory: BackendFactory = {
        let batches = batches.clone();
        let contents = contents.clone();
        Arc::new(move |_| {
            Ok(Box::new(Fake {
                batches: batches.clone(),
                contents: contents.clone(),
                gate: gate.clone(),
                started: started_tx.clone(),
                cancelled: cancelled_tx.clone(),
            }) as Box<dyn Backend>)
        })
    };
    FakeServer {
        server: Server::start(fake_info(), config, factory),
        batches,
        contents,
        open_gate,
        started,
        cancelled,
    }
}

/// Sends one request through the router; returns status, content type and body (JSON when it
/// parses, else a JSON string).
async fn call(
    router: &Router,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, String, Value) {
    let request = HttpRequest::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, content_type, value)
}

async fn post(router: &Router, body: &str) -> (StatusCode, Value) {
    let (status, _, value) = call(router, Method::POST, "/v1/extract", body).await;
    (status, value)
}

/// Asserts an error answer: status, JSON content type, `{error: {code, message}}`.
async fn assert_error(
    router: &Router,
    method: Method,
    path: &str,
    body: &str,
    status: u16,
    code: &str,
) -> String {
    let (got, content_type, value) = call(router, method, path, body).await;
    assert_eq!(got.as_u16(), status, "{body:?} -> {value}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(value["error"]["code"], code, "{body:?} -> {value}");
    let message = value["error"]["message"].as_str().expect("a message");
    assert!(!message.is_empty());
    assert_eq!(value.as_object().unwrap().len(), 1, "{value}");
    message.to_owned()
}

async fn ready(server: &Server) {
    tokio::time::timeout(Duration::from_secs(60), server.ready())
        .await
        .expect("the workers load in time")
        .expect("the workers load");
}

#[tokio::test]
async fn bad_requests_get_4xx_json_errors_and_the_server_stays_up() {
    let fake = fake_server(&small_config());
    ready(&fake.server).await;
    let router = fake.server.router();
    let cases: &[(&str, u16, &str)] = &[
        ("", 400, "empty"),
        ("  \n", 400, "empty"),
        ("{", 400, "invalid_json"),
        ("not json", 400, "invalid_json"),
        ("{\"text\": \"a\",}", 400, "invalid_json"),
        ("{}", 400, "empty"),
        ("{\"texts\": []}", 400, "empty"),
        ("{\"text\": 5}", 422, "invalid_request"),
        ("{\"texts\": \"a\"}", 422, "invalid_request"),
        ("{\"texts\": [\"a\", 1]}", 422, "invalid_request"),
        ("[\"a\"]", 422, "invalid_request"),
        ("null", 422, "invalid_request"),
        (
            "{\"text\": \"a\", \"texts\": [\"b\"]}",
            422,
            "invalid_request",
        ),
        ("{\"text\": \"a\", \"extra\": 1}", 422, "invalid_request"),
        ("{\"text\": \"a\", \"k\": -1}", 422, "invalid_request"),
        ("{\"text\": \"a\", \"k\": \"2\"}", 422, "invalid_request"),
        (
            "{\"text\": \"a\", \"match\": \"fuzzy\"}",
            422,
            "invalid_request",
        ),
        ("{\"text\": \"a\", \"k\": 1}", 400, "unknown_k"),
        (
            "{\"text\": \"a\", \"threshold\": 1.5}",
            400,
            "invalid_option",
        ),
        (
            "{\"text\": \"a\", \"threshold\": -0.1}",
            400,
            "invalid_option",
        ),
        (
            "{\"text\": \"a\", \"threshold\": 1e300}",
            400,
            "invalid_option",
        ),
        (
            "{\"texts\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}",
            400,
            "too_many_texts",
        ),
    ];
    for &(body, status, code) in cases {
        assert_error(&router, Method::POST, "/v1/extract", body, status, code).await;
    }
    let big = format!("{{\"text\": \"{}\"}}", "a".repeat(5000));
    let message = assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        &big,
        413,
        "body_too_large",
    )
    .await;
    assert!(message.contains("limit"), "{message}");
    let message = assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"a\", \"k\": 1}",
        400,
        "unknown_k",
    )
    .await;
    assert!(message.contains("[0, 2]"), "{message}");
    assert_error(
        &router,
        Method::GET,
        "/v1/extract",
        "",
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        &router,
        Method::POST,
        "/healthz",
        "",
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(&router, Method::GET, "/nope", "", 404, "not_found").await;

    // Still up, still answering.
    let (status, _, value) = call(&router, Method::GET, "/healthz", "").await;
    assert_eq!((status, value), (StatusCode::OK, json!({"status": "ok"})));
    let (status, value) = post(
        &router,
        "{\"texts\": [\"x\", \"\"], \"k\": 0, \"match\": \"partial\", \"threshold\": 0.9}",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{value}");
    assert_eq!(value["k"], 0);
    assert_eq!(value["match"], "partial");
    assert_eq!(value["threshold"].as_f64().unwrap() as f32, 0.9);
    assert_eq!(value["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        value["results"][1],
        json!({"text": "", "tokens": [], "entities": [], "triples": []})
    );
    let (status, value) = post(&router, "{\"text\": \"y\"}").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (value["k"].clone(), value["match"].clone()),
        (json!(2), json!("exact"))
    );

    // Every error was counted.
    let (_, content_type, metrics) = call(&router, Method::GET, "/metrics", "").await;
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let metrics = metrics.as_str().unwrap().to_owned();
    assert!(
        metrics.contains("rin_http_errors_total{code=\"invalid_json\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rin_http_requests_total{route=\"/v1/extract\",status=\"200\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rin_http_requests_total{route=\"unmatched\",status=\"404\"} 1"),
        "{metrics}"
    );
    fake.server.stop();
}

#[tokio::test]
async fn backend_errors_are_422_or_a_logged_500_and_a_panic_does_not_kill_the_worker() {
    let fake = fake_server(&small_config());
    ready(&fake.server).await;
    let router = fake.server.router();
    let message = assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"input-error\"}",
        422,
        "unprocessable",
    )
    .await;
    assert!(message.contains("too long"), "{message}");
    let message = assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"internal-error\"}",
        500,
        "internal",
    )
    .await;
    assert!(
        !message.contains("secret"),
        "details stay in the log: {message}"
    );
    assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"panic\"}",
        500,
        "internal",
    )
    .await;
    let (status, value) = post(&router, "{\"text\": \"fine\"}").await;
    assert_eq!(status, StatusCode::OK, "{value}");
    fake.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_and_the_queued_requests_still_complete() {
    let mut config = small_config();
    config.batch.queue_capacity = 1;
    config.batch.max_batch = 1;
    let fake = fake_server(&config);
    ready(&fake.server).await;
    let router = fake.server.router();
    // A: taken by the worker, which blocks on it.
    let a = tokio::spawn({
        let router = router.clone();
        async move { post(&router, "{\"text\": \"block\"}").await }
    });
    batch_started(fake.started).await;
    // B: waits in the queue, which is then full.
    let b = tokio::spawn({
        let router = router.clone();
        async move { post(&router, "{\"text\": \"b\"}").await }
    });
    let state = fake.server.state();
    for _ in 0..500 {
        if state.metrics().queue_depth() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(state.metrics().queue_depth(), 1);
    // C: refused.
    let (status, _, value) = call(&router, Method::POST, "/v1/extract", "{\"text\": \"c\"}").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{value}");
    assert_eq!(value["error"]["code"], "overloaded");
    let request = HttpRequest::post("/v1/extract")
        .body(Body::from("{\"text\": \"c\"}"))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    fake.open_gate.send(()).unwrap();
    assert_eq!(a.await.unwrap().0, StatusCode::OK);
    assert_eq!(b.await.unwrap().0, StatusCode::OK);
    let (_, _, metrics) = call(&router, Method::GET, "/metrics", "").await;
    assert!(metrics.as_str().unwrap().contains("rin_queue_depth 0"));
    fake.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_request_gets_504_stops_its_batch_and_frees_the_worker() {
    let mut config = small_config();
    config.request_timeout = Duration::from_millis(100);
    let fake = fake_server(&config);
    ready(&fake.server).await;
    let router = fake.server.router();
    assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"until-cancelled\"}",
        504,
        "timeout",
    )
    .await;
    // The backend is told that nobody waits any more (before: it ran on to the end).
    let cancelled = fake.cancelled;
    tokio::task::spawn_blocking(move || cancelled.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("the batch of the timed-out request is cancelled");
    // The one worker is free again.
    let (status, body) = post(&router, "{\"text\": \"fast\"}").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    fake.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_and_short_requests_run_in_separate_batches() {
    let fake = fake_server(&small_config());
    ready(&fake.server).await;
    let router = fake.server.router();
    let blocker = {
        let router = router.clone();
        tokio::spawn(async move { post(&router, "{\"text\": \"block\"}").await })
    };
    let started = batch_started(fake.started).await;
    // While the worker is busy, queue a long, two short and another long request, in this order.
    let (long_a, long_b) = ("a".repeat(400), "b".repeat(300));
    let mut tasks = Vec::new();
    for (i, text) in [long_a.as_str(), "s1", "s2", long_b.as_str()]
        .iter()
        .enumerate()
    {
        let body = serde_json::json!({ "text": text }).to_string();
        let client = router.clone();
        tasks.push(tokio::spawn(async move { post(&client, &body).await }));
        // Liveness only: wait until the request is queued, so the queue holds them in order.
        loop {
            let (_, _, metrics) = call(&router, Method::GET, "/metrics", "").await;
            if metrics
                .as_str()
                .unwrap()
                .contains(&format!("rin_queue_depth {}", i + 1))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    fake.open_gate.send(()).unwrap();
    assert_eq!(blocker.await.unwrap().0, StatusCode::OK);
    for task in tasks {
        assert_eq!(task.await.unwrap().0, StatusCode::OK);
    }
    drop(started);
    // The short requests do not wait in a batch with the long ones (before: one batch of four).
    let contents = fake.contents.lock().unwrap().clone();
    assert_eq!(
        contents,
        [
            vec!["block".to_owned()],
            vec![long_a.clone(), long_b.clone()],
            vec!["s1".to_owned(), "s2".to_owned()]
        ]
    );
    fake.server.stop();
}

#[tokio::test]
async fn readiness_waits_for_the_model_and_extract_answers_503_until_then() {
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let factory: BackendFactory = Arc::new(move |_| {
        let _ = gate.lock().unwrap().recv();
        Ok(Box::new(Fake {
            batches: Arc::default(),
            contents: Arc::default(),
            gate: Arc::new(Mutex::new(mpsc::channel().1)),
            started: mpsc::channel().0,
            cancelled: mpsc::channel().0,
        }) as Box<dyn Backend>)
    });
    let server = Server::start(fake_info(), &small_config(), factory);
    let router = server.router();
    assert_error(&router, Method::GET, "/readyz", "", 503, "not_ready").await;
    assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"a\"}",
        503,
        "not_ready",
    )
    .await;
    let (status, _, _) = call(&router, Method::GET, "/healthz", "").await;
    assert_eq!(status, StatusCode::OK, "alive while loading");
    release.send(()).unwrap();
    ready(&server).await;
    let (status, _, value) = call(&router, Method::GET, "/readyz", "").await;
    assert_eq!(
        (status, value),
        (StatusCode::OK, json!({"status": "ready"}))
    );
    server.stop();
}

#[tokio::test]
async fn a_model_that_fails_to_load_fails_readiness_and_serve() {
    let factory: BackendFactory = Arc::new(|_| Err("no such model".into()));
    let server = Server::start(fake_info(), &small_config(), factory);
    let err = server.ready().await.unwrap_err();
    assert!(err.to_string().contains("no such model"), "{err}");
    let router = server.router();
    assert_error(&router, Method::GET, "/readyz", "", 500, "internal").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        server.serve(listener, std::future::pending()),
    )
    .await
    .expect("serve stops by itself");
    assert!(result.unwrap_err().to_string().contains("no such model"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_are_micro_batched() {
    // Driven by the gate, not by the clock: the worker is held on a first request while seven
    // more queue up; released, it takes all seven as one batch.
    let config = small_config();
    let fake = fake_server(&config);
    ready(&fake.server).await;
    let router = fake.server.router();
    let first = tokio::spawn({
        let router = router.clone();
        async move { post(&router, "{\"text\": \"block\"}").await }
    });
    let started = batch_started(fake.started).await;
    let tasks: Vec<_> = (0..7)
        .map(|i| {
            let router = router.clone();
            tokio::spawn(async move { post(&router, &format!("{{\"text\": \"t{i}\"}}")).await })
        })
        .collect();
    let state = fake.server.state();
    // Waits for the queue to fill; the assertion below does not depend on how long it took.
    while state.metrics().queue_depth() < 7 {
        tokio::task::yield_now().await;
    }
    fake.open_gate.send(()).unwrap();
    assert_eq!(first.await.unwrap().0, StatusCode::OK);
    for (i, task) in tasks.into_iter().enumerate() {
        let (status, value) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            value["results"][0]["text"],
            format!("t{i}"),
            "answers go to their request"
        );
    }
    assert_eq!(*fake.batches.lock().unwrap(), [1, 7]);
    let mut second = fake.contents.lock().unwrap()[1].clone();
    second.sort();
    assert_eq!(second, (0..7).map(|i| format!("t{i}")).collect::<Vec<_>>());
    drop(started);
    fake.server.stop();
}

/// Waits, off the async threads, until the fake backend starts a batch; gives the receiver back.
async fn batch_started(started: mpsc::Receiver<()>) -> mpsc::Receiver<()> {
    tokio::task::spawn_blocking(move || {
        started.recv_timeout(Duration::from_secs(10)).unwrap();
        started
    })
    .await
    .unwrap()
}

/// One HTTP/1.1 request over a fresh connection; returns status and body.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests() {
    let fake = fake_server(&small_config());
    ready(&fake.server).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = fake.started;
    let serving = tokio::spawn(fake.server.serve(listener, async {
        let _ = stopped.await;
    }));
    let client = tokio::task::spawn_blocking(move || {
        http(addr, "POST", "/v1/extract", "{\"text\": \"block\"}")
    });
    // Shut down while the request is held by the gate: once the listener refuses connections,
    // shutdown has begun, and only then is the request let go.
    batch_started(started).await;
    stop.send(()).unwrap();
    tokio::task::spawn_blocking(move || {
        for _ in 0..100_000 {
            if http(addr, "GET", "/healthz", "").is_err() {
                return;
            }
            std::thread::yield_now();
        }
        panic!("the listener still accepts connections after the stop signal");
    })
    .await
    .unwrap();
    fake.open_gate.send(()).unwrap();
    let (status, body) = client.await.unwrap().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("block"), "{body}");
    tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("the server stops after the last request")
        .unwrap()
        .unwrap();
    assert!(
        tokio::task::spawn_blocking(move || http(addr, "GET", "/healthz", ""))
            .await
            .unwrap()
            .is_err(),
        "no longer listening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_while_a_batch_runs_on() {
    let mut config = small_config();
    config.shutdown_timeout = Duration::from_millis(300);
    let fake = fake_server(&config);
    ready(&fake.server).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (started, open_gate) = (fake.started, fake.open_gate);
    let serving = tokio::spawn(fake.server.serve(listener, async {
        let _ = stopped.await;
    }));
    let client = tokio::task::spawn_blocking(move || {
        http(addr, "POST", "/v1/extract", "{\"text\": \"block\"}")
    });
    batch_started(started).await;
    stop.send(()).unwrap();
    // The worker stays blocked until the gate opens, after this: serve must return without it
    // (before, it waited for the worker however long the batch ran). 20 s is a liveness guard;
    // the bound is --shutdown-timeout plus WORKER_JOIN_MARGIN.
    tokio::time::timeout(Duration::from_secs(20), serving)
        .await
        .expect("serve returns while the batch still runs")
        .unwrap()
        .unwrap();
    open_gate.send(()).unwrap();
    let _ = client.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed() {
    let mut config = small_config();
    config.idle_timeout = Duration::from_millis(300);
    let fake = fake_server(&config);
    ready(&fake.server).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(fake.server.serve(listener, async {
        let _ = stopped.await;
    }));
    let silent = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        // A liveness guard only: the server closes the connection long before this.
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut buf = [0u8; 64];
        stream.read(&mut buf)
    });
    // Before: the server kept the silent connection open forever (this read timed out).
    let read = silent.await.unwrap();
    assert!(
        matches!(read, Ok(0))
            || matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "the server should close a silent connection: {read:?}"
    );
    // A client that talks is served as before.
    let (status, body) = tokio::task::spawn_blocking(move || http(addr, "GET", "/healthz", ""))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status, 200, "{body}");
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(20), serving)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}

fn pipeline_config() -> PipelineConfig {
    PipelineConfig {
        ort: OrtConfig {
            library: Some(ort_dylib()),
            threads: Some(1),
            ..Default::default()
        },
        plugin_dir: Some(plugin_dir()),
        ..Default::default()
    }
}

fn webnlg_texts(n: usize) -> Vec<String> {
    webnlg_sentences(n).iter().map(|t| t.join(" ")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_answers_like_the_extractor_with_per_request_options() {
    let model = Model::open(&model(Fixture::Pos)).unwrap();
    let mut config = small_config();
    config.max_body_bytes = 1 << 20;
    config.max_texts = 64;
    config.batch.max_wait = Duration::from_millis(20);
    let server = pipeline_server(model.clone(), pipeline_config(), None, &config).unwrap();
    ready(&server).await;
    let router = server.router();
    let texts = webnlg_texts(12);

    // GET /v1/model: the manifest and the serving settings.
    let (status, _, info) = call(&router, Method::GET, "/v1/model", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["format"], "rin-onnx-export");
    assert_eq!(info["relations"].as_array().unwrap().len(), 171);
    assert_eq!(info["serving"]["ks"], json!([0, 1, 2]));
    assert_eq!(info["serving"]["default_k"], 2);
    assert_eq!(info["serving"]["tagger"], "perceptron");
    assert_eq!(info["serving"]["precision"], "fp32");
    assert_eq!(info["serving"]["max_batch"], 8);

    for (k, threshold, mode) in [
        (None, None, None),
        (Some(0), Some(0.6), Some(MatchMode::Partial)),
        (Some(1), Some(0.66), Some(MatchMode::Exact)),
    ] {
        let reference = Extractor::load(
            model.clone(),
            &PipelineConfig {
                k,
                threshold,
                match_mode: mode,
                ..pipeline_config()
            },
        )
        .unwrap();
        let want = reference.extract(&texts).unwrap();
        let mut body = json!({"texts": texts});
        if let Some(k) = k {
            body["k"] = k.into();
        }
        if let Some(t) = threshold {
            body["threshold"] = t.into();
        }
        if let Some(m) = mode {
            body["match"] = serde_json::to_value(m).unwrap();
        }
        let (status, value) = post(&router, &body.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{value}");
        assert_eq!(value["k"], k.unwrap_or(2));
        assert!(
            results(&value) == want,
            "k {k:?}: the server's results differ"
        );

        // The same texts as concurrent single-text requests, batched together by the server.
        let tasks: Vec<_> = texts
            .iter()
            .map(|text| {
                let router = router.clone();
                let mut one = body.clone();
                one.as_object_mut().unwrap().remove("texts");
                one["text"] = text.clone().into();
                tokio::spawn(async move { post(&router, &one.to_string()).await })
            })
            .collect();
        for (task, want) in tasks.into_iter().zip(&want) {
            let (status, value) = task.await.unwrap();
            assert_eq!(status, StatusCode::OK);
            assert!(
                results(&value) == [want.clone()],
                "k {k:?}: batched results differ"
            );
        }
    }
    let (_, _, metrics) = call(&router, Method::GET, "/metrics", "").await;
    let metrics = metrics.as_str().unwrap().to_owned();
    let batches: u64 = metric(&metrics, "rin_batch_requests_count");
    let requests: u64 = metric(&metrics, "rin_batch_requests_sum");
    assert_eq!(requests, 3 + 3 * 12);
    assert!(
        batches < requests,
        "some requests shared a batch: {batches} batches"
    );
    assert!(metric::<u64>(&metrics, "process_resident_memory_bytes") > 0);
    server.stop();
}

#[tokio::test]
async fn refused_long_texts_are_422_and_unknown_ks_are_refused_at_start() {
    let model = Model::open(&model(Fixture::Pos)).unwrap();
    let mut pipeline = pipeline_config();
    pipeline.max_tokens = 5;
    pipeline.long_sentences = rin_runtime::LongSentences::Refuse;
    let server = pipeline_server(model.clone(), pipeline, Some(vec![2]), &small_config()).unwrap();
    ready(&server).await;
    let router = server.router();
    let message = assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"texts\": [\"short text\", \"one two three four five six seven\"]}",
        422,
        "unprocessable",
    )
    .await;
    assert!(
        message.contains("text 2") && message.contains("7 tokens"),
        "{message}"
    );
    let (status, _) = post(&router, "{\"text\": \"short text\"}").await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &router,
        Method::POST,
        "/v1/extract",
        "{\"text\": \"a\", \"k\": 0}",
        400,
        "unknown_k",
    )
    .await;
    server.stop();

    let err =
        pipeline_server(model, pipeline_config(), Some(vec![7]), &small_config()).unwrap_err();
    assert!(err.to_string().contains("no graph for K = 7"), "{err}");
}

/// The `results` of an extract answer.
fn results(value: &Value) -> Vec<Extraction> {
    serde_json::from_value(value["results"].clone()).expect("results are extractions")
}

fn metric<T: std::str::FromStr>(text: &str, name: &str) -> T {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[test]
fn rin_serve_serves_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = rin(dir.path())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--ks",
            "2",
            "--max-wait",
            "1ms",
            "-m",
        ])
        .arg(model(Fixture::Pos))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let addr: SocketAddr = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                panic!("no `listening on` line; stderr so far:\n{}", log.join("\n"))
            });
        log.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    assert!(addr.ip().is_loopback());
    let mut ready = false;
    for _ in 0..300 {
        if http(addr, "GET", "/readyz", "").is_ok_and(|(s, _)| s == 200) {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(ready, "never ready");
    let (status, body) = http(
        addr,
        "POST",
        "/v1/extract",
        "{\"text\": \"John was born in London .\"}",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["results"][0]["tokens"].as_array().unwrap().len(), 6);
    let (status, body) = http(addr, "POST", "/v1/extract", "{\"text\": ").unwrap();
    assert_eq!(status, 400, "{body}");
    let (status, _) = http(addr, "GET", "/healthz", "").unwrap();
    assert_eq!(status, 200, "still up after a bad request");

    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) {
        log.push(line);
    }
    let log = log.join("\n");
    assert!(status.success(), "{status}\n{log}");
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );
}
