//! JWT templates (`/jwt_templates`): custom claims with Clerk's shortcodes, a lifetime, a clock skew, and
//! optionally their own signing key (HS256 secret or RS256 PEM key, sealed at rest, never returned).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use roster_api_types::{self as api, CreateJwtTemplateRequest};
use roster_core::tokens::{JwtTemplate, JwtTemplateUpdate};
use roster_core::DomainError;
use serde_json::{Map, Value};

use super::tokens::{template_aad, LIFETIME_RANGE};
use crate::context::Ctx;
use crate::docs::{Always, BodyErrors, JwtTemplateList, NotFound, PageParams, PaginatedParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params};
use crate::respond::json_body;
use crate::state::AppState;
use crate::tokens::template::{pem_to_der, RESERVED_CLAIMS};
use crate::wire;

const ALGORITHMS: &[&str] = &["RS256", "HS256"];
const SKEW_RANGE: std::ops::RangeInclusive<i64> = 0..=300;

pub fn routes() -> Router<AppState> {
    Router::new().route("/jwt_templates", get(list_jwt_templates).post(create_jwt_template)).route(
        "/jwt_templates/{template_id}",
        get(get_jwt_template).patch(update_jwt_template).delete(delete_jwt_template),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_jwt_templates, create_jwt_template, get_jwt_template, update_jwt_template, delete_jwt_template))]
pub(super) struct Api;

fn render(t: &JwtTemplate) -> api::JwtTemplate {
    api::JwtTemplate {
        object: "jwt_template".into(),
        id: t.id.clone(),
        name: t.name.clone(),
        claims: t.claims.clone(),
        lifetime: t.lifetime,
        allowed_clock_skew: t.allowed_clock_skew,
        custom_signing_key: t.custom_signing_key,
        signing_algorithm: t.signing_algorithm.clone(),
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

fn not_found(id: &str) -> impl Fn(DomainError) -> ApiError + '_ {
    move |e| match e {
        DomainError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "JWT template not found",
            format!("No JWT template exists with id: {id}"),
        ),
        other => other.into(),
    }
}

fn claims(value: Value) -> ApiResult<Map<String, Value>> {
    let Value::Object(map) = value else { return Err(ApiError::wrong_type("claims", &value, "object")) };
    if let Some(reserved) = map.keys().find(|k| RESERVED_CLAIMS.contains(&k.as_str())) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "jwt_template_reserved_claim",
            "reserved claim used",
            format!("You can't use the reserved claim: '{reserved}'"),
        )
        .param("claims"));
    }
    Ok(map)
}

fn in_range(param: &str, value: i64, range: std::ops::RangeInclusive<i64>) -> ApiResult<i64> {
    if value < *range.start() {
        return Err(ApiError::invalid(param, format!("{param} must be at least {}.", range.start())));
    }
    if value > *range.end() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_value_too_large",
            "is too large",
            format!("The value of {param} can't be greater than {}", range.end()),
        )
        .param(param));
    }
    Ok(value)
}

/// The custom key of a template, checked and sealed: `(algorithm, sealed key)`.
fn signing_key(
    state: &AppState,
    instance_id: &str,
    template_id: &str,
    algorithm: Option<String>,
    key: Option<String>,
) -> ApiResult<(String, String)> {
    let conditional = |param: &str| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_conditional_param_missing",
            "is missing",
            format!("`{param}` is required when `custom_signing_key` is `true`."),
        )
        .param(param)
    };
    let algorithm = algorithm.filter(|a| !a.is_empty()).ok_or_else(|| conditional("signing_algorithm"))?;
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(ApiError::invalid(
            "signing_algorithm",
            format!(
                "{algorithm} does not match the allowed values for parameter signing_algorithm. Allowed values: {}",
                ALGORITHMS.join(", ")
            ),
        ));
    }
    let key = key.filter(|k| !k.is_empty()).ok_or_else(|| conditional("signing_key"))?;
    if algorithm == "RS256" {
        let parsed = pem_to_der(&key).and_then(|der| roster_jwt::RsaSigner::from_der("check", &der).ok());
        if parsed.is_none() {
            return Err(DomainError::ParamFormat {
                param: "signing_key".into(),
                long_message: "signing_key must be an RSA private key in PEM (PKCS#8 or PKCS#1).".into(),
            }
            .into());
        }
    }
    Ok((algorithm, state.config.sealer.seal(key.as_bytes(), &template_aad(instance_id, template_id))))
}

#[utoipa::path(get, path = "/jwt_templates", operation_id = "ListJWTTemplates", tag = "JWT Templates",
    summary = "List all templates", params(PaginatedParams, PageParams),
    responses((status = 200, description = "The templates, oldest first (`{data, total_count}` with \
        `paginated=true`)", body = inline(JwtTemplateList)), Always, Unprocessable))]
async fn list_jwt_templates(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let page = q.pagination()?;
    let templates = state.store.list_jwt_templates(&ctx.instance.id).await?;
    let total_count = templates.len() as i64;
    let data: Vec<api::JwtTemplate> =
        templates.iter().skip(page.offset as usize).take(page.limit as usize).map(render).collect();
    Ok(if paginated { json_body(&api::JwtTemplates { data, total_count }) } else { json_body(&data) })
}

#[utoipa::path(get, path = "/jwt_templates/{template_id}", operation_id = "GetJWTTemplate", tag = "JWT Templates",
    summary = "Retrieve a template",
    params(("template_id" = String, Path, description = "The ID of the template")),
    responses((status = 200, description = "The template", body = api::JwtTemplate), Always, NotFound))]
async fn get_jwt_template(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    let template = state.store.get_jwt_template(&ctx.instance.id, &id).await.map_err(not_found(&id))?;
    if template.id != id {
        return Err(not_found(&id)(DomainError::NotFound));
    }
    Ok(json_body(&render(&template)))
}

#[utoipa::path(post, path = "/jwt_templates", operation_id = "CreateJWTTemplate", tag = "JWT Templates",
    summary = "Create a JWT template", request_body = CreateJwtTemplateRequest,
    responses((status = 200, description = "The new template", body = api::JwtTemplate), Always, BodyErrors))]
async fn create_jwt_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<CreateJwtTemplateRequest>,
) -> ApiResult<Response> {
    let name = body.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| ApiError::missing("name"))?;
    let claims = claims(body.claims.ok_or_else(|| ApiError::missing("claims"))?)?;
    let lifetime = in_range("lifetime", body.lifetime.unwrap_or(60), LIFETIME_RANGE)?;
    let skew = in_range("allowed_clock_skew", body.allowed_clock_skew.unwrap_or(5), SKEW_RANGE)?;
    let id = roster_core::ids::new_id(roster_core::ids::prefix::JWT_TEMPLATE);
    let custom = body.custom_signing_key.unwrap_or(false);
    let (algorithm, key) = if custom {
        let (a, k) = signing_key(&state, &ctx.instance.id, &id, body.signing_algorithm, body.signing_key)?;
        (a, Some(k))
    } else {
        ("RS256".to_owned(), None)
    };
    let template = JwtTemplate {
        id,
        name,
        claims,
        lifetime,
        allowed_clock_skew: skew,
        custom_signing_key: custom,
        signing_algorithm: algorithm,
        signing_key: key,
        created_at: 0,
        updated_at: 0,
    };
    Ok(json_body(&render(&state.store.create_jwt_template(&ctx.instance.id, template).await?)))
}

#[utoipa::path(patch, path = "/jwt_templates/{template_id}", operation_id = "UpdateJWTTemplate", tag = "JWT Templates",
    summary = "Update a JWT template", request_body = CreateJwtTemplateRequest,
    params(("template_id" = String, Path, description = "The ID of the template")),
    responses((status = 200, description = "The updated template", body = api::JwtTemplate), Always, BodyErrors, NotFound))]
async fn update_jwt_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Body(body): Body<CreateJwtTemplateRequest>,
) -> ApiResult<Response> {
    let mut update = JwtTemplateUpdate {
        name: match body.name {
            Some(n) if n.trim().is_empty() => return Err(ApiError::missing("name")),
            other => other,
        },
        claims: body.claims.map(claims).transpose()?,
        lifetime: body.lifetime.map(|v| in_range("lifetime", v, LIFETIME_RANGE)).transpose()?,
        allowed_clock_skew: body
            .allowed_clock_skew
            .map(|v| in_range("allowed_clock_skew", v, SKEW_RANGE))
            .transpose()?,
        custom_signing_key: body.custom_signing_key,
        ..Default::default()
    };
    if body.custom_signing_key == Some(true) || body.signing_key.is_some() || body.signing_algorithm.is_some() {
        let current = state.store.get_jwt_template(&ctx.instance.id, &id).await.map_err(not_found(&id))?;
        if body.custom_signing_key.unwrap_or(current.custom_signing_key) {
            let algorithm = body.signing_algorithm.or(Some(current.signing_algorithm));
            let (a, k) = signing_key(&state, &ctx.instance.id, &id, algorithm, body.signing_key)?;
            update.signing_algorithm = Some(a);
            update.signing_key = Some(Some(k));
            update.custom_signing_key = Some(true);
        }
    }
    let updated = state.store.update_jwt_template(&ctx.instance.id, &id, update).await.map_err(not_found(&id))?;
    Ok(json_body(&render(&updated)))
}

#[utoipa::path(delete, path = "/jwt_templates/{template_id}", operation_id = "DeleteJWTTemplate", tag = "JWT Templates",
    summary = "Delete a template",
    params(("template_id" = String, Path, description = "The ID of the template")),
    responses((status = 200, description = "The deleted template", body = api::DeletedObject), Always, NotFound))]
async fn delete_jwt_template(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    let deleted = state.store.delete_jwt_template(&ctx.instance.id, &id).await.map_err(not_found(&id))?;
    Ok(json_body(&wire::deleted("jwt_template", &deleted.id, None)))
}
