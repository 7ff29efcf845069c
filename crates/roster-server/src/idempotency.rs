//! `Idempotency-Key` on writes (`POST`, `PATCH`, `PUT`, `DELETE` under `/v1`). Inside the request-context
//! layer, so the key belongs to the caller's instance. A repeat of a request whose write committed gets its
//! response back byte for byte with `Idempotent-Replayed: true`; the same key with another request (method,
//! path and query, `Clerk-API-Version`, body) is a 422 `idempotency_key_reused`. Otherwise the request runs in
//! an idempotency scope and its one store write claims the key and keeps the response in its own transaction
//! (`roster_core::idempotency`, `respond::written`): the claim is also where a repeat finds the response kept
//! before, so a keyed write costs no extra read. A request that made no write (it failed before reaching one,
//! or writes nothing) is checked against the key after its handler, and answered as the key says. A request
//! that fails keeps nothing, so its retry runs again. Two requests racing with one key never both write: the
//! store's claim makes the second wait for the first (PostgreSQL, any node) or follow it (SQLite's one
//! writer), then answers it with the first's response.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use roster_core::idempotency::{self, Scope};

use crate::context::Ctx;
use crate::error::ApiError;
use crate::respond;
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "idempotency-key";

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let writes = matches!(*req.method(), Method::POST | Method::PATCH | Method::PUT | Method::DELETE);
    let Some(key) = req.headers().get(HEADER).filter(|_| writes) else {
        return next.run(req).await;
    };
    if !idempotency::valid_key(key.as_bytes()) {
        return ApiError::idempotency_key_invalid().into_response();
    }
    let key = String::from_utf8_lossy(key.as_bytes()).into_owned();
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return ApiError::internal("idempotency layer outside the request context").into_response();
    };
    let (parts, body) = req.into_parts();
    let limit = state.config.body_limit(parts.uri.path());
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return ApiError::body_too_large(limit).into_response();
    };
    let target = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let version = parts.headers.get("clerk-api-version").map_or(&b""[..], |v| v.as_bytes());
    let hash = idempotency::request_hash(&[parts.method.as_str().as_bytes(), target.as_bytes(), version, &bytes]);
    let expired_before = state.config.idempotency_expired_before(roster_core::now_millis());
    let scope = Arc::new(Scope::new(ctx.instance.id.to_string(), key, hash, expired_before));
    let response = idempotency::within(scope.clone(), next.run(Request::from_parts(parts, Body::from(bytes)))).await;
    if scope.claimed() {
        return response;
    }
    // The request made no write (it failed before one, or it writes nothing): what the key holds, if anything,
    // is still the answer, as if it had been looked up first. Checked after rather than before the handler so
    // that the common case, a new key on a write, costs no read of its own.
    match state.store.idempotent_response(&ctx.instance.id, &scope.key, expired_before).await {
        Ok(Some(found)) if found.request_hash == scope.request_hash => respond::replay(found.response),
        Ok(Some(_)) => ApiError::idempotency_key_reused().into_response(),
        Ok(None) => response,
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Delete expired keys every `every` while the server runs (each node of a shared database does; deleting
/// what another node already deleted costs one indexed statement).
pub async fn purge_expired(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let before = state.config.idempotency_expired_before(roster_core::now_millis());
        match state.store.purge_idempotency_keys(before).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys deleted"),
            Err(e) => tracing::warn!(error = %e, "deleting expired idempotency keys failed"),
        }
    }
}
