//! Session tokens and the keys that verify them: `GET /jwks`, `POST /sessions/{id}/tokens[/{template_name}]`,
//! and `POST /jwks/rotate` (a Roster extension).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{self as api, CreateSessionTokenRequest, RotateSigningKeyRequest};
use roster_core::ids::{SessionId, UserId};
use roster_core::tokens::SigningKey;
use roster_core::{now_millis, DomainError};
use serde_json::Value;

use crate::context::Ctx;
use crate::docs::{Always, BodyErrors, Conflict, NotFound};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, PathId};
use crate::respond::json_body;
use crate::state::AppState;
use crate::tokens::keyring::current_key;
use crate::tokens::template::{pem_to_der, Subject, RESERVED_CLAIMS};
use crate::tokens::{check_active, now_secs, session_claims, to_value, DEFAULT_TOKEN_LIFETIME_SECS};

/// `expires_in_seconds` and template lifetimes: 30 s to 10 years, as the spec bounds them.
pub const LIFETIME_RANGE: std::ops::RangeInclusive<i64> = 30..=315_360_000;
const DEFAULT_GRACE_SECS: i64 = 3600;
const DEFAULT_RETAIN_SECS: i64 = 86_400;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jwks", get(get_jwks))
        .route("/jwks/rotate", post(rotate_signing_key))
        .route("/sessions/{session_id}/tokens", post(create_session_token))
        .route("/sessions/{session_id}/tokens/{template_name}", post(create_session_token_from_template))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_jwks, rotate_signing_key, create_session_token, create_session_token_from_template))]
pub(super) struct Api;

#[utoipa::path(
    get,
    path = "/jwks",
    operation_id = "GetJWKS",
    tag = "JWKS",
    summary = "Retrieve the JSON Web Key Set of the instance",
    responses((status = 200, description = "The instance's public keys, the next one of a rotation included", body = api::Jwks), Always)
)]
async fn get_jwks(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    let jwks = state.keys.jwks(&*state.store, &ctx.instance.id).await?;
    Ok(json_body(&jwks))
}

fn lifetime(requested: Option<i64>, default: u64) -> ApiResult<u64> {
    match requested {
        None => Ok(default),
        Some(s) if LIFETIME_RANGE.contains(&s) => Ok(s as u64),
        Some(s) if s < *LIFETIME_RANGE.start() => Err(ApiError::invalid(
            "expires_in_seconds",
            format!("expires_in_seconds must be at least {}.", LIFETIME_RANGE.start()),
        )),
        Some(_) => Err(ApiError::invalid(
            "expires_in_seconds",
            format!("expires_in_seconds can't be greater than {}.", LIFETIME_RANGE.end()),
        )),
    }
}

fn token(jwt: String) -> Response {
    json_body(&api::Token { object: "token".into(), jwt })
}

#[utoipa::path(
    post,
    path = "/sessions/{session_id}/tokens",
    operation_id = "CreateSessionToken",
    tag = "Sessions",
    summary = "Create a session token",
    description = "A session token (claims version 2) computed from the current data: the active organization, the \
        member's role and its permissions. Revoked, ended and expired sessions get 400 invalid_action_for_session.",
    params(("session_id" = String, Path, description = "The ID of the session")),
    request_body = CreateSessionTokenRequest,
    responses((status = 200, description = "The token", body = api::Token), Always, BodyErrors, NotFound)
)]
async fn create_session_token(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(session): PathId<SessionId>,
    Body(body): Body<CreateSessionTokenRequest>,
) -> ApiResult<Response> {
    let lifetime = lifetime(body.expires_in_seconds, DEFAULT_TOKEN_LIFETIME_SECS)?;
    let context = state.store.token_context(&ctx.instance.id, &session).await?;
    check_active(&context)?;
    let signer = state.keys.signer(&*state.store, &ctx.instance.id).await?;
    let claims = to_value(&session_claims(&context, &state.config.tokens, now_secs(), lifetime));
    Ok(token(signer.sign(&claims)))
}

#[utoipa::path(
    post,
    path = "/sessions/{session_id}/tokens/{template_name}",
    operation_id = "CreateSessionTokenFromTemplate",
    tag = "Sessions",
    summary = "Create a session JWT from a JWT template",
    params(
        ("session_id" = String, Path, description = "The ID of the session"),
        ("template_name" = String, Path, description = "The name of the JWT template")
    ),
    request_body = CreateSessionTokenRequest,
    responses((status = 200, description = "The token", body = api::Token), Always, BodyErrors, NotFound)
)]
async fn create_session_token_from_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((session, name)): Path<(String, String)>,
    Body(body): Body<CreateSessionTokenRequest>,
) -> ApiResult<Response> {
    let template = state.store.get_jwt_template(&ctx.instance.id, &name).await.map_err(|e| match e {
        DomainError::NotFound => ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "resource_not_found",
            "JWT template not found",
            format!("No JWT template exists with name: {name}"),
        ),
        other => other.into(),
    })?;
    let lifetime = lifetime(body.expires_in_seconds, template.lifetime.max(1) as u64)?;
    let context = state.store.token_context(&ctx.instance.id, &SessionId::from(session)).await?;
    check_active(&context)?;
    let user = state.store.get_user(&ctx.instance.id, &UserId::from(context.session.user_id.clone())).await?;
    let mut claims = Subject { ctx: &context, user: &user }.render_map(&template.claims);
    let now = now_secs();
    for reserved in RESERVED_CLAIMS {
        claims.remove(*reserved);
    }
    if let Some(azp) = &state.config.tokens.authorized_party {
        claims.insert("azp".into(), Value::from(azp.clone()));
    }
    claims.insert("exp".into(), Value::from(now + lifetime));
    claims.insert("iat".into(), Value::from(now));
    claims.insert("iss".into(), Value::from(state.config.tokens.issuer.clone()));
    claims.insert("jti".into(), Value::from(roster_core::ids::new_id("jwt")));
    claims.insert("nbf".into(), Value::from(now.saturating_sub(template.allowed_clock_skew.max(0) as u64)));
    claims.insert("sub".into(), Value::from(context.session.user_id.clone()));
    let claims = Value::Object(claims);
    let jwt = match (&template.signing_key, template.signing_algorithm.as_str()) {
        (Some(sealed), algorithm) => {
            let secret =
                state.config.sealer.open(sealed, &template_aad(&ctx.instance.id, &template.id)).map_err(|e| {
                    tracing::error!(template = %template.id, error = %e, "cannot open the template's signing key");
                    ApiError::from(DomainError::SigningKeyUnavailable(e.to_string()))
                })?;
            if algorithm == "HS256" {
                roster_jwt::sign_hs256(&secret, &claims)
            } else {
                let der = pem_to_der(&String::from_utf8_lossy(&secret))
                    .ok_or_else(|| DomainError::SigningKeyUnavailable("the template's key is not PEM".into()))?;
                let signer = roster_jwt::RsaSigner::from_der(template.id.clone(), &der)
                    .map_err(DomainError::SigningKeyUnavailable)?;
                signer.sign(&claims)
            }
        }
        (None, _) => state.keys.signer(&*state.store, &ctx.instance.id).await?.sign(&claims),
    };
    Ok(token(jwt))
}

/// What a template's sealed signing key is bound to.
pub fn template_aad(instance_id: &str, template_id: &str) -> String {
    format!("roster-jwt-template/{instance_id}/{template_id}")
}

#[utoipa::path(
    post,
    path = "/jwks/rotate",
    operation_id = "RotateSigningKey",
    tag = "JWKS",
    summary = "Rotate the instance's signing key (Roster extension)",
    description = "Publishes a new key now, signs with it after `grace_period_seconds` (default 3600), and keeps the \
        current key published for `retain_seconds` (default 86400) after the switch, so tokens it signed keep \
        verifying. 409 signing_key_rotation_pending while an earlier rotation's key has not started signing.",
    request_body = RotateSigningKeyRequest,
    responses((status = 200, description = "The published keys after the rotation", body = api::SigningKeyList), Always, BodyErrors, Conflict)
)]
async fn rotate_signing_key(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<RotateSigningKeyRequest>,
) -> ApiResult<Response> {
    let grace = body.grace_period_seconds.unwrap_or(DEFAULT_GRACE_SECS);
    let retain = body.retain_seconds.unwrap_or(DEFAULT_RETAIN_SECS);
    for (name, value) in [("grace_period_seconds", grace), ("retain_seconds", retain)] {
        if !(0..=LIFETIME_RANGE.end() * 2).contains(&value) {
            return Err(ApiError::invalid(name, format!("{name} must be between 0 and {}.", LIFETIME_RANGE.end() * 2)));
        }
    }
    let keys = state.keys.rotate(&*state.store, &ctx.instance.id, grace * 1000, retain * 1000).await?;
    Ok(json_body(&key_list(&keys)))
}

pub fn key_list(keys: &[SigningKey]) -> api::SigningKeyList {
    let now = now_millis();
    let current = current_key(keys, now).map(|k| &k.kid);
    let data: Vec<api::SigningKeyState> = keys
        .iter()
        .map(|k| api::SigningKeyState {
            object: "signing_key".into(),
            kid: k.kid.clone(),
            active_at: k.active_at,
            retire_at: k.retire_at,
            status: if Some(&k.kid) == current {
                "current"
            } else if k.active_at > now {
                "next"
            } else {
                "retiring"
            }
            .into(),
            created_at: k.created_at,
        })
        .collect();
    api::SigningKeyList { total_count: data.len() as i64, data }
}
