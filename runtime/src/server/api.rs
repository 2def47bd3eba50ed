//! The HTTP API: request and response bodies, the error type and the handlers.
//!
//! Every error answer is `{"error": {"code": "...", "message": "..."}}` with a 4xx or 5xx status
//! ([`ApiError`]); the server never panics on what a client sends.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use rin_core::MatchMode;

use crate::extraction::Extraction;
use crate::pipeline::DecodeOptions;

use super::batch::{Job, Rejected, Request, RunError};
use super::AppState;

/// `POST /v1/extract`'s body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractRequest {
    /// One text (give `text` or `texts`).
    #[serde(default)]
    pub text: Option<String>,
    /// Several texts, answered in order.
    #[serde(default)]
    pub texts: Option<Vec<String>>,
    /// Interaction layers: which served graph to run. Default: the server's.
    #[serde(default)]
    pub k: Option<usize>,
    /// `partial` or `exact`. Default: the server's.
    #[serde(default, rename = "match")]
    pub match_mode: Option<MatchMode>,
    /// Relation probability threshold in [0, 1]. Default: the server's.
    #[serde(default)]
    pub threshold: Option<f32>,
}

/// `POST /v1/extract`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractResponse {
    /// The K that ran.
    pub k: usize,
    /// The threshold used.
    pub threshold: f32,
    /// The match mode used.
    #[serde(rename = "match")]
    pub match_mode: MatchMode,
    /// One result per text, in order (one for `text`), as `rin extract` prints them.
    pub results: Vec<Extraction>,
}

/// An error answer: its status, `code` and `message`.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The body is empty, or has no texts.
    Empty(String),
    /// The body is not JSON.
    InvalidJson(String),
    /// The body is JSON of the wrong shape (types, unknown or missing fields).
    InvalidRequest(String),
    /// An option is out of range.
    InvalidOption(String),
    /// The K asked for is not served.
    UnknownK {
        /// The K asked for.
        k: usize,
        /// The Ks served.
        available: Vec<usize>,
    },
    /// More texts than `--max-texts`.
    TooManyTexts {
        /// Texts sent.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The body is over `--max-body-bytes`.
    BodyTooLarge(String),
    /// A text cannot be processed (too long with `--long refuse`, a plugin failing on it).
    Unprocessable(String),
    /// No route.
    NotFound(String),
    /// The route exists, the method does not.
    MethodNotAllowed,
    /// The queue is full.
    Overloaded,
    /// The model is not loaded yet.
    NotReady,
    /// The server is shutting down.
    ShuttingDown,
    /// The request took longer than `--request-timeout`.
    Timeout,
    /// The model or the server failed; the message is logged, the client gets a summary.
    Internal(String),
}

/// The `error.code` of an answer, put in the response's extensions for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Empty(_)
            | ApiError::InvalidJson(_)
            | ApiError::InvalidOption(_)
            | ApiError::UnknownK { .. }
            | ApiError::TooManyTexts { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidRequest(_) | ApiError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Overloaded | ApiError::NotReady | ApiError::ShuttingDown => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Empty(_) => "empty",
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::InvalidOption(_) => "invalid_option",
            ApiError::UnknownK { .. } => "unknown_k",
            ApiError::TooManyTexts { .. } => "too_many_texts",
            ApiError::BodyTooLarge(_) => "body_too_large",
            ApiError::Unprocessable(_) => "unprocessable",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Overloaded => "overloaded",
            ApiError::NotReady => "not_ready",
            ApiError::ShuttingDown => "shutting_down",
            ApiError::Timeout => "timeout",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The `error.message`.
    pub fn message(&self) -> String {
        match self {
            ApiError::Empty(m)
            | ApiError::InvalidJson(m)
            | ApiError::InvalidRequest(m)
            | ApiError::InvalidOption(m)
            | ApiError::BodyTooLarge(m)
            | ApiError::Unprocessable(m)
            | ApiError::NotFound(m) => m.clone(),
            ApiError::UnknownK { k, available } => {
                format!("k = {k} is not served; this server runs k in {available:?}")
            }
            ApiError::TooManyTexts { count, max } => {
                format!("{count} texts in one request; the limit is {max} (--max-texts)")
            }
            ApiError::MethodNotAllowed => "method not allowed on this route".into(),
            ApiError::Overloaded => "the request queue is full; retry later".into(),
            ApiError::NotReady => "the model is still loading".into(),
            ApiError::ShuttingDown => "the server is shutting down".into(),
            ApiError::Timeout => "the request took longer than the server's timeout".into(),
            ApiError::Internal(_) => {
                "internal error: the model failed on this request (see the server log)".into()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let message = self.message();
        // Logged here, once: failures as errors, timeouts as warnings. Load shedding (overloaded,
        // not ready, shutting down) and 4xx are expected and counted in the metrics: debug only.
        match &self {
            ApiError::Internal(detail) => tracing::error!(code, "{detail}"),
            ApiError::Timeout => tracing::warn!(code, "{message}"),
            _ => tracing::debug!(code, status = status.as_u16(), "{message}"),
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: &message,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, ApiError::Overloaded | ApiError::NotReady) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(ErrorCode(code));
        response
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge(format!(
                "the request body is larger than the limit: {}",
                rejection.body_text()
            ))
        } else {
            ApiError::InvalidRequest(format!(
                "cannot read the request body: {}",
                rejection.body_text()
            ))
        }
    }
}

/// Parses and checks an extract request against the server's limits.
pub fn parse_extract(body: &[u8], state: &AppState) -> Result<(Request, Vec<String>), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Empty(
            "the request body is empty; send {\"text\": \"...\"} or {\"texts\": [...]}".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidJson(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::InvalidRequest(
            "the body must be a JSON object: {\"text\": \"...\"} or {\"texts\": [...]}".into(),
        ));
    }
    let request = ExtractRequest::deserialize(value)
        .map_err(|e| ApiError::InvalidRequest(format!("invalid request: {e}")))?;
    let texts = match (request.text, request.texts) {
        (Some(text), None) => vec![text],
        (None, Some(texts)) if texts.is_empty() => {
            return Err(ApiError::Empty("\"texts\" is an empty list".into()))
        }
        (None, Some(texts)) => texts,
        (Some(_), Some(_)) => {
            return Err(ApiError::InvalidRequest(
                "give either \"text\" or \"texts\", not both".into(),
            ))
        }
        (None, None) => {
            return Err(ApiError::Empty(
                "no input: send {\"text\": \"...\"} or {\"texts\": [...]}".into(),
            ))
        }
    };
    let info = &state.inner.info;
    let limits = &state.inner.limits;
    if texts.len() > limits.max_texts {
        return Err(ApiError::TooManyTexts {
            count: texts.len(),
            max: limits.max_texts,
        });
    }
    let k = request.k.unwrap_or(info.default_k);
    if !info.ks.contains(&k) {
        return Err(ApiError::UnknownK {
            k,
            available: info.ks.clone(),
        });
    }
    let threshold = request.threshold.unwrap_or(info.threshold);
    if !rin_core::decode::is_threshold(threshold) {
        return Err(ApiError::InvalidOption(format!(
            "threshold {threshold} is not in [0, 1]"
        )));
    }
    let decode = DecodeOptions {
        threshold,
        match_mode: request.match_mode.unwrap_or(info.match_mode),
    };
    Ok((
        Request {
            texts: Vec::new(),
            k,
            decode,
        },
        texts,
    ))
}

/// `POST /v1/extract`.
pub async fn extract(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ExtractResponse>, ApiError> {
    if state.is_draining() {
        return Err(ApiError::ShuttingDown);
    }
    if !state.is_loaded() {
        return Err(ApiError::NotReady);
    }
    let body = body?;
    let (mut request, texts) = parse_extract(&body, &state)?;
    drop(body);
    request.texts = texts;
    let (k, decode) = (request.k, request.decode);
    let (reply, answer) = oneshot::channel();
    let job = Job {
        request,
        queued: Instant::now(),
        reply,
    };
    state.inner.queue.offer(job).map_err(|e| match e {
        Rejected::Full => ApiError::Overloaded,
        Rejected::Closed => ApiError::ShuttingDown,
    })?;
    let results = match answer.await {
        Ok(Ok(results)) => results,
        Ok(Err(RunError::Input(message))) => return Err(ApiError::Unprocessable(message)),
        Ok(Err(RunError::Internal(message))) => return Err(ApiError::Internal(message)),
        Err(_) => {
            return Err(ApiError::Internal(
                "the worker dropped the request unanswered".into(),
            ))
        }
    };
    Ok(Json(ExtractResponse {
        k,
        threshold: decode.threshold,
        match_mode: decode.match_mode,
        results,
    }))
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// `GET /readyz`: 200 once every worker has loaded the model, 503 while loading or draining.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    if state.is_draining() {
        return Err(ApiError::ShuttingDown);
    }
    if let Some(failed) = state.load_state().failed {
        return Err(ApiError::Internal(format!(
            "the model failed to load: {failed}"
        )));
    }
    if !state.is_loaded() {
        return Err(ApiError::NotReady);
    }
    Ok(Json(serde_json::json!({"status": "ready"})))
}

/// `GET /v1/model`: the manifest, plus a `serving` object with the server's settings.
pub async fn model(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        state.inner.model_json.clone(),
    )
        .into_response()
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.inner.metrics.render(),
    )
        .into_response()
}

/// Unknown routes.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no route {}", uri.path()))
}

/// Known routes, other methods.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
