//! Roster's HTTP server: the Clerk Backend API surface for organizations, users and organization
//! memberships over any `roster_core::Store`. `router(state)` builds the app; `serve` runs it on a
//! listener until a shutdown signal, letting requests in flight finish.
#![forbid(unsafe_code)]

pub mod context;
pub mod error;
pub mod extract;
pub mod observe;
pub mod openapi;
pub mod ratelimit;
mod routes;
pub mod wire;

use std::future::Future;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use tokio::net::TcpListener;

use roster_core::Store;

/// Server settings that handlers read.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted, in bytes (larger: 413 `request_body_too_large`).
    pub max_body_bytes: usize,
    /// Rate limits (`ROSTER_RATE_LIMITS`); off by default.
    pub rate_limits: ratelimit::RateLimits,
}

impl Default for Config {
    fn default() -> Self {
        Self { max_body_bytes: 1024 * 1024, rate_limits: ratelimit::RateLimits::OFF }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// `config.rate_limits` over in-process counters, or over the database where several nodes share it.
    pub rate_limit: ratelimit::RateLimit,
    /// Prometheus metrics (`GET /metrics`).
    pub metrics: Arc<observe::Metrics>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let rate_limit = ratelimit::RateLimit::for_store(config.rate_limits, &store);
        let metrics = Arc::new(observe::Metrics::new(store.clone()));
        Self { store, config: Arc::new(config), rate_limit, metrics }
    }
}

/// A JSON body with `Content-Type: application/json` exactly (the JS SDK compares the whole string).
pub(crate) fn json_body<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(e) => error::ApiError::internal(format!("serializing response: {e}")).into_response(),
    }
}

/// Left unrendered: the `observe` layer renders it with the request's trace id.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    error::ApiError::internal("handler panicked").into_response()
}

/// The whole application: `/v1` routes behind the request-context middleware, the OpenAPI document
/// (`/v1/openapi.json`, no key), the operator endpoints (`/healthz`, `/readyz`, `/metrics`), Clerk-shaped 404s
/// and 405s everywhere, panics turned into Clerk 500s, and the `observe` layer around everything (trace id,
/// span, metrics, one log line per request).
pub fn router(state: AppState) -> Router {
    let v1 = routes::routes()
        .fallback(context::not_found)
        .method_not_allowed_fallback(context::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), context::middleware));
    Router::new()
        // Outside the authenticated `/v1` router: the document needs no key.
        .route("/v1/openapi.json", get(openapi::serve).fallback(context::method_not_allowed))
        .nest("/v1", v1)
        .merge(observe::routes())
        .fallback(context::not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::layer))
        .with_state(state)
}

/// Serve `router(state)` on `listener` until `shutdown` resolves, then drain requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
