//! Webhook endpoints (`/webhook_endpoints`, a Roster extension): where the event log is delivered, signed
//! with each endpoint's `whsec_…` secret (shown when created or rotated, sealed at rest, never returned
//! again), its recent attempts, the recovery of failed deliveries, and a signed test request.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{self as api, RecoverWebhookRequest, WebhookEndpointRequest};
use roster_core::webhooks::{Attempt, EndpointUpdate, NewEndpoint, SecretRotation, WebhookEndpoint};
use roster_core::DomainError;

use super::events::event_types;
use crate::context::Ctx;
use crate::docs::{Always, BodyErrors, NotFound, PageParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params};
use crate::respond::json_body;
use crate::state::AppState;
use crate::webhooks::{checked_url, new_secret, open_keys, secret_aad, secret_key, send, PREVIOUS_SECRET_VALIDITY};
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhook_endpoints", get(list_webhook_endpoints).post(create_webhook_endpoint))
        .route(
            "/webhook_endpoints/{endpoint_id}",
            get(get_webhook_endpoint).patch(update_webhook_endpoint).delete(delete_webhook_endpoint),
        )
        .route("/webhook_endpoints/{endpoint_id}/rotate_secret", post(rotate_webhook_secret))
        .route("/webhook_endpoints/{endpoint_id}/attempts", get(list_webhook_attempts))
        .route("/webhook_endpoints/{endpoint_id}/recover", post(recover_webhook_deliveries))
        .route("/webhook_endpoints/{endpoint_id}/test", post(test_webhook_endpoint))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_webhook_endpoints,
    create_webhook_endpoint,
    get_webhook_endpoint,
    update_webhook_endpoint,
    delete_webhook_endpoint,
    rotate_webhook_secret,
    list_webhook_attempts,
    recover_webhook_deliveries,
    test_webhook_endpoint
))]
pub(super) struct Api;

pub fn render(e: &WebhookEndpoint, secret: Option<String>) -> api::WebhookEndpoint {
    api::WebhookEndpoint {
        object: "webhook_endpoint".into(),
        id: e.id.clone(),
        url: e.url.clone(),
        description: e.description.clone(),
        event_types: e.event_types.clone(),
        secret,
        disabled: e.disabled,
        disabled_reason: e.disabled_reason.clone(),
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

fn attempt(a: &Attempt) -> api::WebhookAttempt {
    api::WebhookAttempt {
        object: "webhook_attempt".into(),
        event_id: roster_core::events::event_id(a.event_seq),
        event_type: a.event_type.clone(),
        attempt: a.attempt,
        status: if a.succeeded { "succeeded" } else { "failed" }.into(),
        response_status_code: a.status_code,
        error: a.error.clone(),
        duration_ms: a.duration_ms,
        created_at: a.created_at,
    }
}

fn not_found(id: &str) -> impl Fn(DomainError) -> ApiError + '_ {
    move |e| match e {
        DomainError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "webhook endpoint not found",
            format!("No webhook endpoint exists with id: {id}"),
        ),
        other => other.into(),
    }
}

/// The secret to store for `endpoint_id`: sealed to it.
fn seal(state: &AppState, endpoint_id: &str, secret: &str) -> String {
    state.config.sealer.seal(secret.as_bytes(), &secret_aad(endpoint_id))
}

#[utoipa::path(post, path = "/webhook_endpoints", operation_id = "CreateWebhookEndpoint", tag = "Webhooks",
    summary = "Create a webhook endpoint (Roster extension)",
    description = "Events written from now on whose type the endpoint takes are delivered to it. The answer holds \
        the endpoint's secret, the only time it is shown.",
    request_body = WebhookEndpointRequest,
    responses((status = 200, description = "The new endpoint, with its secret", body = api::WebhookEndpoint), Always,
        BodyErrors))]
async fn create_webhook_endpoint(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<WebhookEndpointRequest>,
) -> ApiResult<Response> {
    let url = checked_url(&body.url.ok_or_else(|| ApiError::missing("url"))?)?;
    if body.disabled.is_some() {
        return Err(ApiError::unknown("disabled"));
    }
    let secret = match body.secret {
        Some(s) if secret_key(&s).is_none() => {
            return Err(ApiError::invalid("secret", "secret must be whsec_ and 16 to 64 bytes in base64."))
        }
        Some(s) => s,
        None => new_secret(),
    };
    let id = roster_core::ids::new_id(roster_core::ids::prefix::WEBHOOK_ENDPOINT);
    let new = NewEndpoint {
        secret: seal(&state, &id, &secret),
        id,
        url,
        description: body.description.unwrap_or_default(),
        event_types: event_types(body.event_types.unwrap_or_default(), "event_types")?,
    };
    let endpoint = state.store.create_webhook_endpoint(&ctx.instance.id, new).await?;
    Ok(json_body(&render(&endpoint, Some(secret))))
}

#[utoipa::path(get, path = "/webhook_endpoints", operation_id = "ListWebhookEndpoints", tag = "Webhooks",
    summary = "List webhook endpoints (Roster extension)", params(PageParams),
    responses((status = 200, description = "The endpoints, newest first", body = api::WebhookEndpoints), Always,
        Unprocessable))]
async fn list_webhook_endpoints(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    let page = state.store.list_webhook_endpoints(&ctx.instance.id, q.pagination()?).await?;
    let data = page.data.iter().map(|e| render(e, None)).collect();
    Ok(json_body(&api::WebhookEndpoints { data, total_count: page.total_count }))
}

#[utoipa::path(get, path = "/webhook_endpoints/{endpoint_id}", operation_id = "GetWebhookEndpoint",
    tag = "Webhooks", summary = "Retrieve a webhook endpoint (Roster extension)",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = api::WebhookEndpoint), Always, NotFound))]
async fn get_webhook_endpoint(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    let endpoint = state.store.get_webhook_endpoint(&ctx.instance.id, &id).await.map_err(not_found(&id))?;
    Ok(json_body(&render(&endpoint, None)))
}

#[utoipa::path(patch, path = "/webhook_endpoints/{endpoint_id}", operation_id = "UpdateWebhookEndpoint",
    tag = "Webhooks", summary = "Update a webhook endpoint (Roster extension)",
    description = "Disabling stops deliveries; enabling resumes them with the first event the endpoint has not \
        had (within the retention).",
    request_body = WebhookEndpointRequest,
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = api::WebhookEndpoint), Always, BodyErrors,
        NotFound))]
async fn update_webhook_endpoint(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Body(body): Body<WebhookEndpointRequest>,
) -> ApiResult<Response> {
    if body.secret.is_some() {
        return Err(ApiError::unknown("secret"));
    }
    let update = EndpointUpdate {
        url: body.url.as_deref().map(checked_url).transpose()?,
        description: body.description,
        event_types: body.event_types.map(|t| event_types(t, "event_types")).transpose()?,
        disabled: body.disabled,
    };
    let endpoint = state.store.update_webhook_endpoint(&ctx.instance.id, &id, update).await.map_err(not_found(&id))?;
    Ok(json_body(&render(&endpoint, None)))
}

#[utoipa::path(delete, path = "/webhook_endpoints/{endpoint_id}", operation_id = "DeleteWebhookEndpoint",
    tag = "Webhooks", summary = "Delete a webhook endpoint (Roster extension)",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The deleted endpoint", body = api::DeletedObject), Always, NotFound))]
async fn delete_webhook_endpoint(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let deleted = state.store.delete_webhook_endpoint(&ctx.instance.id, &id).await.map_err(not_found(&id))?;
    Ok(json_body(&wire::deleted("webhook_endpoint", &deleted.id, None)))
}

#[utoipa::path(post, path = "/webhook_endpoints/{endpoint_id}/rotate_secret", operation_id = "RotateWebhookSecret",
    tag = "Webhooks", summary = "Rotate a webhook endpoint's secret (Roster extension)",
    description = "A new secret signs from now on; for 24 hours the old one signs beside it (two `v1,` signatures), \
        so receivers can switch without dropping a delivery. The answer holds the new secret, shown once.",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint, with its new secret", body = api::WebhookEndpoint), Always,
        NotFound))]
async fn rotate_webhook_secret(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    let secret = new_secret();
    let validity = i64::try_from(PREVIOUS_SECRET_VALIDITY.as_millis()).unwrap_or(i64::MAX);
    let rotation = SecretRotation {
        secret: seal(&state, &id, &secret),
        previous_valid_until: roster_core::now_millis() + validity,
    };
    let endpoint = state.store.rotate_webhook_secret(&ctx.instance.id, &id, rotation).await.map_err(not_found(&id))?;
    Ok(json_body(&render(&endpoint, Some(secret))))
}

#[utoipa::path(get, path = "/webhook_endpoints/{endpoint_id}/attempts", operation_id = "ListWebhookAttempts",
    tag = "Webhooks", summary = "List an endpoint's delivery attempts (Roster extension)",
    params(("endpoint_id" = String, Path, description = "The endpoint's id"), PageParams),
    responses((status = 200, description = "The attempts, newest first", body = api::WebhookAttempts), Always,
        NotFound, Unprocessable))]
async fn list_webhook_attempts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    q: Params,
) -> ApiResult<Response> {
    let page =
        state.store.list_webhook_attempts(&ctx.instance.id, &id, q.pagination()?).await.map_err(not_found(&id))?;
    let data = page.data.iter().map(attempt).collect();
    Ok(json_body(&api::WebhookAttempts { data, total_count: page.total_count }))
}

#[utoipa::path(post, path = "/webhook_endpoints/{endpoint_id}/recover", operation_id = "RecoverWebhookDeliveries",
    tag = "Webhooks", summary = "Send failed deliveries again (Roster extension)",
    description = "Deliveries that used up their retries are queued again, due now, in their original order.",
    request_body = RecoverWebhookRequest,
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "How many were queued again", body = api::WebhookRecovery), Always,
        BodyErrors, NotFound))]
async fn recover_webhook_deliveries(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Body(body): Body<RecoverWebhookRequest>,
) -> ApiResult<Response> {
    let since = body.since.unwrap_or(0);
    let queued = state.store.recover_webhook_deliveries(&ctx.instance.id, &id, since).await.map_err(not_found(&id))?;
    Ok(json_body(&api::WebhookRecovery { object: "webhook_recovery".into(), queued: queued as i64 }))
}

#[utoipa::path(post, path = "/webhook_endpoints/{endpoint_id}/test", operation_id = "TestWebhookEndpoint",
    tag = "Webhooks", summary = "Send a test request to an endpoint (Roster extension)",
    description = "One `webhook.test` event, signed with the endpoint's secrets, sent now (outside the log and its \
        retries), and what the receiver answered.",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The outcome", body = api::WebhookTest), Always, NotFound))]
async fn test_webhook_endpoint(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult<Response> {
    let endpoint = state.store.get_webhook_endpoint(&ctx.instance.id, &id).await.map_err(not_found(&id))?;
    let now = roster_core::now_millis();
    let sealed = state.store.webhook_secrets(&ctx.instance.id, &id, now).await.map_err(not_found(&id))?;
    let keys = open_keys(&state.config.sealer, &id, &sealed);
    if keys.is_empty() {
        return Err(ApiError::internal("the endpoint's secret cannot be opened with this node's encryption key"));
    }
    let body = serde_json::json!({
        "data": {"object": "webhook_test", "endpoint_id": endpoint.id},
        "object": "event",
        "type": "webhook.test",
        "timestamp": now,
        "instance_id": ctx.instance.id.as_str(),
    });
    let msg_id = format!("msg_test_{}", roster_core::ids::new_id("x"));
    let client = send::client(state.config.webhooks.timeout);
    let outcome = send::post(&client, &endpoint.url, &keys, &msg_id, body.to_string()).await;
    Ok(json_body(&api::WebhookTest {
        object: "webhook_test".into(),
        succeeded: outcome.succeeded,
        response_status_code: outcome.status_code,
        error: outcome.error,
        duration_ms: outcome.duration_ms,
    }))
}
