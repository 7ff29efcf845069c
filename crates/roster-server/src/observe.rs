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
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};
use tracing::Instrument;

use roster_core::Store;

use crate::error::ApiError;
use crate::AppState;

/// The label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// How long `/readyz` waits for the database before answering 503.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The process's metrics registry: HTTP metrics recorded by the layer, store metrics read on each scrape.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    in_flight: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut registry = Registry::with_prefix("roster");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "http_request_duration",
            "Time from request head to response head, by method and route template",
            Unit::Seconds,
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register("http_requests_in_flight", "HTTP requests being handled now", in_flight.clone());
        registry.register_collector(Box::new(StoreCollector(store)));
        Self { registry, requests, latency, in_flight }
    }

    /// Everything in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "encoding metrics");
        }
        out
    }

    fn record(&self, method: &'static str, route: &str, status: u16, elapsed: Duration) {
        self.requests.get_or_create(&RequestLabels { method, route: route.to_owned(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route: route.to_owned() }).observe(elapsed.as_secs_f64());
    }
}

/// Reads `Store::stats` on each scrape.
struct StoreCollector(Arc<dyn Store>);

impl std::fmt::Debug for StoreCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreCollector")
    }
}

/// A histogram whose buckets someone else counted: `(upper bound, count in that bucket alone)`.
#[derive(Debug)]
struct ConstHistogram {
    sum: f64,
    count: u64,
    buckets: Vec<(f64, u64)>,
}

impl EncodeMetric for ConstHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_histogram::<NoLabelSet>(self.sum, self.count, &self.buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

impl prometheus_client::collector::Collector for StoreCollector {
    fn encode(&self, mut encoder: prometheus_client::encoding::DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.0.stats();
        let counters = [
            ("store_write_batches", "Write transactions (group-commit batches) run", stats.write_batches),
            ("store_write_requests", "Write requests run in batches", stats.write_requests),
        ];
        for (name, help, value) in counters {
            if let Some(v) = value {
                let metric = ConstCounter::new(v);
                metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)?;
            }
        }
        let gauges = [
            ("store_write_batch_largest", "The most write requests one batch carried", stats.largest_write_batch),
            ("store_write_queue", "Write requests waiting for the writer", stats.queued_writes),
            ("store_read_connections", "Read connections open (idle or in use)", stats.read_connections.map(u64::from)),
            ("store_read_connections_idle", "Read connections idle", stats.idle_read_connections.map(u64::from)),
            (
                "store_read_connections_max",
                "Most read connections the pool opens",
                stats.max_read_connections.map(u64::from),
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(v) = value {
                let metric = ConstGauge::new(i64::try_from(v).unwrap_or(i64::MAX));
                metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)?;
            }
        }
        if let Some(sizes) = stats.write_batch_sizes {
            let mut buckets: Vec<(f64, u64)> = sizes.iter().map(|&(bound, n)| (bound as f64, n)).collect();
            buckets.push((f64::INFINITY, 0));
            let count = sizes.iter().map(|&(_, n)| n).sum();
            let sum = stats.write_requests.unwrap_or_default() as f64;
            let metric = ConstHistogram { sum, count, buckets };
            let help = "Write requests per group-commit batch";
            metric.encode(encoder.encode_descriptor("store_write_batch_size", help, None, metric.metric_type())?)?;
        }
        Ok(())
    }
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

/// Counts the request as in flight until it completes or its client goes away.
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The outermost layer: trace id, `request` span, metrics, the completion log line, and the rendering of
/// errors that reached it unrendered (a panicking handler's 500) with the request's trace id.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let metrics = state.metrics.clone();
    metrics.in_flight.inc();
    let _in_flight = InFlight(metrics.in_flight.clone());

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
    let mut response = crate::json_body(&body);
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

    /// A panicking handler answers a Clerk 500 whose trace id is the request's, and is counted.
    #[tokio::test]
    async fn a_panic_is_a_500_with_the_request_trace_id() {
        use tower::ServiceExt;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.db");
        let options = roster_store::sqlite::Options::default();
        let store = roster_store::sqlite::SqliteStore::open(path.to_str().unwrap(), options).await.unwrap();
        let state = AppState::new(Arc::new(store), crate::Config::default());
        async fn boom() -> Response {
            panic!("boom")
        }
        let app = Router::new()
            .route("/boom/{id}", get(boom))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(crate::panic_response))
            .layer(axum::middleware::from_fn_with_state(state.clone(), layer))
            .with_state(state.clone());
        let request = Request::builder().uri("/boom/7").body(axum::body::Body::empty()).unwrap();
        let (status, content_type, body) = answer(app.oneshot(request).await.unwrap()).await;
        assert_eq!((status, content_type.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, "application/json"));
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["errors"][0]["code"], "internal_clerk_error");
        assert_eq!(body["clerk_trace_id"].as_str().unwrap().len(), 32);
        let metrics = state.metrics.render();
        assert!(
            metrics.contains(r#"roster_http_requests_total{method="GET",route="/boom/{id}",status="500"} 1"#),
            "{metrics}"
        );
        assert!(metrics.contains("roster_http_requests_in_flight 0"), "{metrics}");
    }
}
