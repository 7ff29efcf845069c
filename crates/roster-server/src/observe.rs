//! Observability: the outermost layer gives every request its trace id and its `request` span, counts it
//! in Prometheus metrics by route template, and logs one line when it completes. It also serves the
//! operator endpoints outside `/v1`, without authentication: `GET /healthz` (the process is up),
//! `GET /readyz` (the database answers a trivial read) and `GET /metrics` (Prometheus text format).
//!
//! Metric labels carry the matched route template (`/v1/organizations/{organization_id}/memberships`),
//! never raw ids: requests that match no route share the label `unmatched`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tracing::Instrument;

use crate::error::ApiError;
use crate::respond::json_body;
use crate::state::AppState;

/// The label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// How long `/readyz` waits for the database before answering 503.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The request's trace id: the `clerk_trace_id` of its error body and a field of its log lines.
#[derive(Debug, Clone)]
pub struct TraceId(pub Arc<str>);

/// The trace id the outer layer gave this request (a fresh one outside it).
pub fn trace_id(req: &Request) -> String {
    match req.extensions().get::<TraceId>() {
        Some(id) => id.0.to_string(),
        None => new_trace_id(),
    }
}

pub fn new_trace_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The outermost layer: trace id, `request` span, metrics, the completion log line, and the rendering of
/// errors that reached it unrendered (a panicking handler's 500) with the request's trace id.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let metrics = state.metrics.clone();
    let _in_flight = metrics.in_flight();

    let trace_id = new_trace_id();
    let method = method_label(req.method());
    let matched = req.extensions().get::<MatchedPath>().cloned();
    // axum's own catch-all routes (fallbacks of nested routers) are no route of ours.
    let route = matched.as_ref().map(MatchedPath::as_str).filter(|r| !r.contains("{*__private__")).unwrap_or(UNMATCHED);
    req.extensions_mut().insert(TraceId(trace_id.as_str().into()));
    let span = tracing::info_span!("request", method, route, path = %req.uri().path(), clerk_trace_id = %trace_id);
    // Probes and scrapes come every few seconds: their lines are DEBUG, every other request's INFO.
    let quiet = matches!(route, "/healthz" | "/readyz" | "/metrics");

    async move {
        tracing::debug!("request started");
        let mut response = next.run(req).await;
        if let Some(error) = response.extensions_mut().remove::<ApiError>() {
            response = error.into_response_with(&trace_id);
        }
        let status = response.status().as_u16();
        let elapsed = start.elapsed();
        metrics.record(method, route, status, elapsed);
        let latency_ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3;
        if quiet {
            tracing::debug!(status, latency_ms, "request completed");
        } else {
            tracing::info!(status, latency_ms, "request completed");
        }
        response
    }
    .instrument(span)
    .await
}

fn plain_json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = json_body(&body);
    *response.status_mut() = status;
    response
}

async fn healthz() -> Response {
    plain_json(StatusCode::OK, serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    readiness(state.store.ping(), READY_TIMEOUT).await
}

/// 200 when `ping` answers `Ok` within `timeout`, else 503 (the cause is logged, not sent).
async fn readiness(
    ping: impl std::future::Future<Output = roster_core::store::Result<()>>,
    timeout: Duration,
) -> Response {
    let cause = match tokio::time::timeout(timeout, ping).await {
        Ok(Ok(())) => return plain_json(StatusCode::OK, serde_json::json!({"status": "ok"})),
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {timeout:?}"),
    };
    tracing::warn!(%cause, "not ready: the database does not answer");
    plain_json(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({"status": "unavailable"}))
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    let content_type = HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE);
    response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    response
}

/// `/healthz`, `/readyz` and `/metrics`: no authentication, outside `/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(response: Response) -> (StatusCode, String, String) {
        let status = response.status();
        let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        (status, content_type, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn readiness_is_503_when_the_database_fails_or_hangs() {
        let ok = answer(readiness(async { Ok(()) }, READY_TIMEOUT).await).await;
        assert_eq!(ok, (StatusCode::OK, "application/json".into(), r#"{"status":"ok"}"#.into()));

        let failing = async { Err(roster_core::DomainError::Internal("sqlite: disk I/O error".into())) };
        let failed = answer(readiness(failing, READY_TIMEOUT).await).await;
        assert_eq!(
            failed,
            (StatusCode::SERVICE_UNAVAILABLE, "application/json".into(), r#"{"status":"unavailable"}"#.into())
        );

        let hung = answer(readiness(std::future::pending(), Duration::from_millis(10)).await).await;
        assert_eq!(hung.0, StatusCode::SERVICE_UNAVAILABLE);
    }
}
