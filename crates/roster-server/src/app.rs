//! The application: the router of every route and layer, and the OpenAPI document of the same routes,
//! assembled side by side so a route and its documentation are added in one place.

use std::future::Future;
use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{context, docs, idempotency, observe, routes, scim};

/// A panic turned into a Clerk 500, left unrendered: the `observe` layer renders it with the request's trace
/// id (`tower_http::catch_panic::CatchPanicLayer::custom(panic_response)`).
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked").into_response()
}

/// The whole application: `/v1` routes behind the request-context middleware and the idempotency keys, the OpenAPI document
/// (`/v1/openapi.json`, no key), the operator endpoints (`/healthz`, `/readyz`, `/metrics`), Clerk-shaped 404s
/// and 405s everywhere, panics turned into Clerk 500s, and the `observe` layer around everything (trace id,
/// span, metrics, one log line per request).
pub fn router(state: AppState) -> Router {
    let v1 = routes::routes()
        .fallback(context::not_found)
        .method_not_allowed_fallback(context::method_not_allowed)
        // Inside the context layer: a key belongs to the caller's instance.
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), context::middleware));
    Router::new()
        // Outside the authenticated `/v1` router: the document needs no key.
        .route("/v1/openapi.json", get(serve_document).fallback(context::method_not_allowed))
        .nest("/v1", v1)
        // SCIM 2.0, authenticated by each directory's own key (`scim`).
        .merge(scim::router(state.clone()))
        .merge(observe::routes())
        .fallback(context::not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::layer))
        .with_state(state)
}

/// Serve `router(state)` on `listener` until `shutdown` resolves, then drain requests in flight. Unless
/// `config.webhooks.deliver` is off, the node delivers webhooks meanwhile (`delivery`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let deliveries = state.config.webhooks.deliver.then(|| tokio::spawn(crate::delivery::run(state.clone())));
    let served = axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await;
    // Deliveries in flight are left to their leases: whatever was not recorded is sent again (at least once).
    if let Some(worker) = deliveries {
        worker.abort();
    }
    served
}

/// The OpenAPI document: the root (info, server, security) of `docs` and every route module's operations.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = docs::Root::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.merge(routes::openapi());
    optional_bodies(&mut doc);
    doc
}

/// A body declared `Option<T>` is one a request may leave out (Roster reads it as `{}`): utoipa renders it as
/// `oneOf: [T, null]`, which would also admit a JSON `null` body (400 `request_body_invalid`). Keep `T`; the
/// body stays `required: false`.
fn optional_bodies(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for op in operations.into_iter().flatten() {
            let Some(RefOr::T(body)) = op.request_body.as_mut() else { continue };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
                    if let [schema @ RefOr::Ref(_), _null] = one_of.items.as_slice() {
                        content.schema = Some(schema.clone());
                    }
                }
            }
        }
    }
}

/// `GET /v1/openapi.json`: the document, rendered once, `Content-Type: application/json` exactly.
async fn serve_document() -> Response {
    static JSON: OnceLock<Vec<u8>> = OnceLock::new();
    let body = JSON.get_or_init(|| serde_json::to_vec(&document()).expect("the OpenAPI document serializes"));
    let mut response = (StatusCode::OK, body.clone()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
