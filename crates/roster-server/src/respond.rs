//! The one way a JSON body leaves the server, and the one way a write's result becomes one (`written`), which
//! is also how a write under an idempotency key keeps its response.

use std::any::Any;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use roster_core::idempotency::{self, StoredResponse};
use roster_core::DomainError;

use crate::error::{ApiError, ApiResult};

/// The header on a response replayed for a repeated idempotency key.
pub const REPLAYED: &str = "idempotent-replayed";

/// A JSON body with `Content-Type: application/json` exactly (the JS SDK compares the whole string).
pub fn json_body<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(StatusCode::OK, bytes),
        Err(e) => ApiError::internal(format!("serializing response: {e}")).into_response(),
    }
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The response an idempotency key kept, byte for byte, marked `Idempotent-Replayed: true`.
pub fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = json_bytes(status, stored.body.into_bytes());
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Answer a store write with `render` of its result. Under an idempotency key the store calls the same
/// `render` inside the write's transaction and keeps what it gives; when the key turns out to hold this
/// request's response already (a retry racing the first attempt), that response is the answer. A body the
/// store kept is also the one sent: rendered once, the same bytes.
pub async fn written<T, W, R, F>(render: R, write: F) -> ApiResult<Response>
where
    T: 'static,
    W: Serialize,
    R: Fn(&T) -> W + Send + Sync + 'static,
    F: Future<Output = Result<T, DomainError>>,
{
    let render = Arc::new(render);
    let kept: Arc<Mutex<Option<String>>> = Arc::default();
    if let Some(scope) = idempotency::current() {
        let (keep, slot) = (render.clone(), kept.clone());
        scope.set_render(Arc::new(move |value: &dyn Any| {
            let body = serde_json::to_string(&keep(value.downcast_ref::<T>()?)).ok()?;
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(body.clone());
            Some(StoredResponse { status: StatusCode::OK.as_u16(), body })
        }));
    }
    match write.await {
        Ok(value) => Ok(match kept.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(body) => json_bytes(StatusCode::OK, body.into_bytes()),
            None => json_body(&render(&value)),
        }),
        Err(DomainError::IdempotentReplay(stored)) => Ok(replay(*stored)),
        Err(e) => Err(e.into()),
    }
}
