//! Sessions (for testing: development instances only) and the active organization they carry; and the
//! instance's organization settings.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{
    self as api, CreateSessionRequest, UpdateInstanceOrganizationSettingsRequest, UpdateSessionRequest,
};
use roster_core::ids::{SessionId, UserId};
use roster_core::model::Environment;
use roster_core::query::SessionFilter;
use roster_core::store::SettingsUpdate;
use roster_core::DomainError;

use crate::context::Ctx;
use crate::docs::{Always, BodyErrors, NotFound, PageParams, SessionList, SessionListParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_negative, Body, Params, PathId};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

const STATUSES: &[&str] = &["abandoned", "active", "ended", "expired", "removed", "replaced", "revoked", "pending"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sessions", get(get_session_list).post(create_session))
        .route("/sessions/{session_id}", get(get_session).patch(update_session))
        .route("/sessions/{session_id}/revoke", post(revoke_session))
        .route(
            "/instance/organization_settings",
            get(get_instance_organization_settings).patch(update_instance_organization_settings),
        )
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_session,
    get_session_list,
    get_session,
    update_session,
    revoke_session,
    get_instance_organization_settings,
    update_instance_organization_settings
))]
pub(super) struct Api;

#[utoipa::path(
    post,
    path = "/sessions",
    operation_id = "createSession",
    tag = "Sessions",
    summary = "Create a new active session",
    request_body = CreateSessionRequest,
    responses((status = 200, description = "The new active session", body = api::Session), Always, BodyErrors, NotFound)
)]
async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<CreateSessionRequest>,
) -> ApiResult<Response> {
    if ctx.instance.environment != Environment::Development {
        return Err(DomainError::InvalidForEnvironment("development").into());
    }
    let active = body.active_organization_id.filter(|s| !s.is_empty());
    let user = UserId::from(body.user_id);
    let lifetime = i64::try_from(state.config.session_lifetime.as_millis()).unwrap_or(i64::MAX / 2);
    let created = state.store.create_session(&ctx.instance.id, &user, active.map(Into::into), Some(lifetime));
    written(wire::session, created).await
}

#[utoipa::path(
    get,
    path = "/sessions",
    operation_id = "GetSessionList",
    tag = "Sessions",
    summary = "List all sessions",
    params(SessionListParams, PageParams),
    responses(
        (status = 200, description = "The sessions, newest first", body = inline(SessionList)),
        Always, Unprocessable
    )
)]
async fn get_session_list(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    let status = q.string("status");
    if let Some(s) = &status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(ApiError::invalid(
                "status",
                format!("{s} does not match one of the allowed values for parameter status"),
            ));
        }
    }
    let filter = SessionFilter { client_id: q.string("client_id"), user_id: q.string("user_id"), status };
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let page = state.store.list_sessions(&ctx.instance.id, filter, q.pagination()?).await?;
    let data: Vec<api::Session> = page.data.iter().map(wire::session).collect();
    Ok(if paginated { json_body(&api::Sessions { data, total_count: page.total_count }) } else { json_body(&data) })
}

#[utoipa::path(
    get,
    path = "/sessions/{session_id}",
    operation_id = "GetSession",
    tag = "Sessions",
    summary = "Retrieve a session",
    params(("session_id" = String, Path, description = "The ID of the session")),
    responses((status = 200, description = "The session", body = api::Session), Always, NotFound)
)]
async fn get_session(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(session): PathId<SessionId>,
) -> ApiResult<Response> {
    Ok(json_body(&wire::session(&state.store.get_session(&ctx.instance.id, &session).await?)))
}

#[utoipa::path(
    patch,
    path = "/sessions/{session_id}",
    operation_id = "UpdateSession",
    tag = "Sessions",
    summary = "Set or clear a session's active organization (Roster extension)",
    params(("session_id" = String, Path, description = "The ID of the session")),
    request_body = UpdateSessionRequest,
    responses((status = 200, description = "The session", body = api::Session), Always, BodyErrors, NotFound)
)]
async fn update_session(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(session): PathId<SessionId>,
    Body(body): Body<UpdateSessionRequest>,
) -> ApiResult<Response> {
    let Some(active) = body.active_organization_id else {
        return Err(ApiError::missing("active_organization_id"));
    };
    let active = active.map(roster_core::OrgId::from);
    written(wire::session, state.store.set_session_active_organization(&ctx.instance.id, &session, active)).await
}

#[utoipa::path(
    post,
    path = "/sessions/{session_id}/revoke",
    operation_id = "RevokeSession",
    tag = "Sessions",
    summary = "Revoke a session",
    params(("session_id" = String, Path, description = "The ID of the session")),
    responses((status = 200, description = "The revoked session", body = api::Session), Always, NotFound)
)]
async fn revoke_session(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(session): PathId<SessionId>,
) -> ApiResult<Response> {
    written(wire::session, state.store.revoke_session(&ctx.instance.id, &session)).await
}

#[utoipa::path(
    get,
    path = "/instance/organization_settings",
    operation_id = "GetInstanceOrganizationSettings",
    tag = "Instance Settings",
    summary = "Get instance organization settings",
    responses(
        (status = 200, description = "The instance's organization settings", body = api::OrganizationSettings),
        Always
    )
)]
async fn get_instance_organization_settings(ctx: Ctx) -> ApiResult<Response> {
    Ok(json_body(&wire::settings(&ctx.instance.settings)))
}

#[utoipa::path(
    patch,
    path = "/instance/organization_settings",
    operation_id = "UpdateInstanceOrganizationSettings",
    tag = "Instance Settings",
    summary = "Update instance organization settings",
    request_body(
        content = Option<UpdateInstanceOrganizationSettingsRequest>,
        description = "An absent or empty body reads as `{}`"
    ),
    responses(
        (status = 200, description = "The updated settings", body = api::OrganizationSettings),
        Always, BodyErrors, NotFound
    )
)]
async fn update_instance_organization_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<UpdateInstanceOrganizationSettingsRequest>,
) -> ApiResult<Response> {
    // `null` leaves no enrollment mode.
    let modes = body.domains_enrollment_modes.map(Option::unwrap_or_default);
    for mode in modes.iter().flatten() {
        if !["manual_invitation", "automatic_invitation", "automatic_suggestion"].contains(&mode.as_str()) {
            return Err(ApiError::invalid(
                "domains_enrollment_modes",
                format!("{mode} does not match one of the allowed values for parameter domains_enrollment_modes"),
            ));
        }
    }
    let update = SettingsUpdate {
        enabled: body.enabled,
        max_allowed_memberships: non_negative("max_allowed_memberships", body.max_allowed_memberships)?,
        admin_delete_enabled: body.admin_delete_enabled,
        domains_enabled: body.domains_enabled,
        slug_disabled: body.slug_disabled,
        domains_enrollment_modes: modes,
        creator_role_id: body.creator_role_id,
        domains_default_role_id: body.domains_default_role_id,
    };
    written(wire::settings, state.store.update_organization_settings(&ctx.instance.id, update)).await
}
