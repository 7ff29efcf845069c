//! Per-request context: the instance the secret key belongs to, the Clerk API version, and the trace id the
//! `observe` layer gave the request (it also renders every `ApiError` with it, so each error body carries
//! `clerk_trace_id` and every log line of the request can be found by it).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use roster_core::model::Instance;
use roster_core::{OrgId, UserId};

use crate::error::ApiError;
use crate::extract::PathIds;
use crate::state::AppState;

/// Clerk API versions Roster speaks. Requests without one get the oldest, as Clerk does.
pub const API_VERSIONS: &[&str] = &["2021-02-05", "2025-11-10", "2026-05-12"];
pub const DEFAULT_API_VERSION: &str = "2021-02-05";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiVersion {
    V2021_02_05,
    V2025_11_10,
    V2026_05_12,
}

impl ApiVersion {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "2021-02-05" => Self::V2021_02_05,
            "2025-11-10" => Self::V2025_11_10,
            "2026-05-12" => Self::V2026_05_12,
            _ => return None,
        })
    }

    /// From 2026-05-12, `PATCH /users/{id}` and `PATCH /organizations/{id}` no longer take metadata.
    pub fn metadata_on_update(self) -> bool {
        self < Self::V2026_05_12
    }
}

/// What a handler knows about the caller.
#[derive(Clone)]
pub struct Ctx {
    pub instance: Arc<Instance>,
    pub version: ApiVersion,
    pub trace_id: String,
}

/// The context of an organization, membership, role or permission endpoint: these answer 403
/// `organization_not_enabled_in_instance` while the instance has organizations turned off, before anything
/// else of the request is looked at.
pub struct Orgs(pub Ctx);

impl std::ops::Deref for Orgs {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Orgs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        if !ctx.instance.settings.enabled {
            return Err(roster_core::DomainError::OrganizationsDisabled.into());
        }
        Ok(Self(ctx))
    }
}

/// The membership of the path (`/organizations/{organization_id}/memberships/{user_id}…`), counted against
/// the per-membership rate limit of the `PATCH` endpoints (429 `too_many_requests` over it). Extract it after
/// `Orgs`, so a disabled instance answers 403 first.
pub struct LimitedMember(pub OrgId, pub UserId);

impl FromRequestParts<AppState> for LimitedMember {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let PathIds(org, user) = PathIds::<OrgId, UserId>::from_request_parts(parts, state).await?;
        state.rate_limit.check_membership(&ctx.instance.id, &org, &user).await?;
        Ok(Self(org, user))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| ApiError::internal("request context missing"))
    }
}

fn version_error(reason: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "api_version_invalid",
        "invalid API version",
        format!("Invalid Clerk API version: {reason}"),
    )
}

fn api_version(headers: &HeaderMap, query: Option<&str>) -> Result<ApiVersion, ApiError> {
    let from_header = headers.get("clerk-api-version").map(|v| v.to_str().unwrap_or("").trim().to_owned());
    let from_query = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "__clerk_api_version").map(|(_, v)| v.into_owned())
    });
    let raw = match (from_header, from_query) {
        (Some(_), Some(_)) => {
            return Err(version_error(
                "set either the Clerk-API-Version header or the __clerk_api_version query parameter, not both".into(),
            ))
        }
        (Some(v), None) | (None, Some(v)) => v,
        (None, None) => DEFAULT_API_VERSION.to_owned(),
    };
    ApiVersion::parse(&raw).ok_or_else(|| {
        version_error(format!("{raw:?} is not a supported version; supported versions are {}", API_VERSIONS.join(", ")))
    })
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Arc<Instance>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authentication_invalid",
            "Invalid authentication",
            "Unable to authenticate the request, you need to supply an active session",
        ));
    };
    let format_error = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authorization_header_format_invalid",
            "Invalid Authorization header format",
            "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'",
        )
    };
    let value = value.to_str().map_err(|_| format_error())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(format_error)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(format_error());
    }
    let invalid_key = || {
        let sentence = "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.";
        ApiError::new(StatusCode::UNAUTHORIZED, "clerk_key_invalid", sentence, sentence)
    };
    if roster_core::keys::environment_of(token).is_none() {
        return Err(invalid_key());
    }
    match state.store.authenticate(token).await? {
        Some(instance) => Ok(Arc::new(instance)),
        None => Err(invalid_key()),
    }
}

/// Outermost layer of `/v1`: authentication, the instance's rate limit and the API version, giving handlers
/// their `Ctx`. Errors, from here or from handlers, are rendered by the `observe` layer around everything,
/// with the request's trace id and inside its span.
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let trace_id = crate::observe::trace_id(&req);
    // Borrow the parts, not the request: its body is not `Sync`.
    let (headers, query) = (req.headers(), req.uri().query());
    let prepared = async {
        let instance = authenticate(&state, headers).await?;
        state.rate_limit.check_instance(&instance).await?;
        let version = api_version(headers, query)?;
        Ok::<_, ApiError>(Ctx { instance, version, trace_id })
    }
    .await;
    match prepared {
        Ok(ctx) => {
            req.extensions_mut().insert(ctx);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

pub async fn not_found() -> Response {
    ApiError::not_found().into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "request_method_not_allowed",
        "method not allowed",
        "The request method is not allowed for this resource.",
    )
    .into_response()
}
