//! The SCIM 2.0 service provider (RFC 7643/7644) at each directory's `endpoint_url`, `/scim/v2/{directory_id}`:
//! `/Users`, `/Groups`, `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`. Authenticated by the directory's
//! own API key only (`Authorization: Bearer scim_…`, compared in constant time): a key opens its directory and
//! nothing else, and the instance's secret keys open no directory. Answers are `application/scim+json`, errors
//! SCIM's error body. The protocol (filters, PATCH, projection, discovery) is `roster-scim`; what a write means
//! for memberships is the store's (`roster_core::scim`).

mod resources;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use roster_core::scim::DirectoryCredentials;
use roster_core::{now_millis, DirectoryId, DomainError};
use roster_scim::{discovery, ScimError};

use crate::error::ApiError;
use crate::routes::scim_directories::{endpoint_url, public_base};
use crate::state::AppState;

/// The content type of every SCIM answer.
pub const SCIM_JSON: &str = "application/scim+json";

/// A SCIM error as an answer.
pub struct Failure(pub ScimError);

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

/// A store refusal in SCIM's terms: the organization's rules keep the Clerk error's status and message.
impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Self {
        Self(match e {
            DomainError::NotFound => ScimError::not_found("Resource not found."),
            DomainError::ScimUniqueness(detail) => ScimError::uniqueness(detail),
            DomainError::ScimRefused { status, scim_type, detail } => {
                ScimError::new(status, scim_type.as_deref().and_then(static_scim_type), detail)
            }
            DomainError::ScimVersionMismatch(_) => {
                ScimError::precondition_failed("The resource changed since the version If-Match names.")
            }
            other => {
                let api = ApiError::from(other);
                let body = api.body();
                if body.status.is_server_error() {
                    tracing::error!(cause = ?body.cause, "SCIM request failed");
                    ScimError::internal("Internal error.")
                } else {
                    ScimError::new(body.status.as_u16(), None, body.long_message.clone())
                }
            }
        })
    }
}

/// The `scimType` of RFC 7644 §3.12 that `name` is.
fn static_scim_type(name: &str) -> Option<&'static str> {
    const TYPES: [&str; 10] = [
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
    ];
    TYPES.into_iter().find(|t| *t == name)
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = scim_json(status, &self.0.body());
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"SCIM\""));
        }
        response
    }
}

pub type ScimResult<T> = Result<T, Failure>;

/// `value` as `application/scim+json` with `status`.
pub fn scim_json(status: StatusCode, value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

/// The authenticated directory of a request, and the SCIM base URL its answers' locations start with.
#[derive(Clone)]
pub struct Scim {
    pub dir: DirectoryCredentials,
    pub base: String,
}

/// The routes under `/scim/v2/{directory_id}`, every one behind `authenticate`.
pub fn router(state: AppState) -> Router<AppState> {
    let directory = Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{name}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{urn}", get(schema))
        .merge(resources::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state, authenticate));
    Router::new()
        .nest("/scim/v2/{directory_id}", directory)
        .route("/scim/v2", get(not_found))
        .route("/scim/v2/", get(not_found))
}

async fn not_found() -> Failure {
    Failure(ScimError::not_found("No such SCIM endpoint."))
}

async fn method_not_allowed() -> Failure {
    Failure(ScimError::method_not_allowed("The endpoint does not take this method."))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Find the directory of the path and check the request's key against it; a disabled directory answers 403.
async fn authenticate(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    mut request: Request,
    next: Next,
) -> Response {
    let unauthorized =
        || Failure(ScimError::unauthorized("Authentication failed: a directory API key is required.")).into_response();
    let Some(directory_id) = params.into_iter().find(|(k, _)| k == "directory_id").map(|(_, v)| v) else {
        return unauthorized();
    };
    let Some(token) = bearer(request.headers()).map(str::to_owned) else {
        return unauthorized();
    };
    let creds = match state.store.directory_credentials(&DirectoryId::from(directory_id)).await {
        Ok(Some(creds)) => creds,
        Ok(None) => return unauthorized(),
        Err(e) => return Failure::from(e).into_response(),
    };
    if !creds.accepts(&token, now_millis()) {
        return unauthorized();
    }
    if !creds.directory.enabled {
        return Failure(ScimError::forbidden("This directory is disabled.")).into_response();
    }
    let base = endpoint_url(&public_base(&state, request.headers()), &creds.directory.id);
    request.extensions_mut().insert(Scim { dir: creds, base });
    next.run(request).await
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Scim {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Failure> {
        parts.extensions.get::<Scim>().cloned().ok_or_else(|| Failure(ScimError::internal("SCIM context missing")))
    }
}

/// A request body as JSON, within the server's body limit (413 past it, read no further).
pub async fn json_body(state: &AppState, body: Body) -> ScimResult<Value> {
    let limit = state.config.max_body_bytes;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ScimError::payload_too_large(format!("The request body exceeds {limit} bytes.")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ScimError::invalid_syntax(format!("The request body is not JSON: {e}")).into())
}

async fn service_provider_config(scim: Scim) -> Response {
    scim_json(StatusCode::OK, &discovery::service_provider_config(&scim.base))
}

async fn resource_types(scim: Scim) -> Response {
    scim_json(StatusCode::OK, &discovery::resource_types(&scim.base))
}

async fn resource_type(scim: Scim, Path((_, name)): Path<(String, String)>) -> ScimResult<Response> {
    let found =
        discovery::resource_type(&scim.base, &name).ok_or_else(|| ScimError::not_found("No such resource type."))?;
    Ok(scim_json(StatusCode::OK, &found))
}

async fn schemas(scim: Scim) -> Response {
    scim_json(StatusCode::OK, &discovery::schemas(&scim.base))
}

async fn schema(scim: Scim, Path((_, urn)): Path<(String, String)>) -> ScimResult<Response> {
    let found = discovery::schema(&scim.base, &urn).ok_or_else(|| ScimError::not_found("No such schema."))?;
    Ok(scim_json(StatusCode::OK, &found))
}
