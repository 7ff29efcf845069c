//! Role sets: list, create, get, update, add roles, replace a role in a set, replace a set by another. An
//! organization's `role_set_key` bounds the roles its members and invitations may hold; one without a set may
//! give every role of the instance (the default set).

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{
    self as api, AddRolesToRoleSetRequestBody, CreateRoleSetRequestBody, ReplaceRoleInRoleSetRequestBody,
    ReplaceRoleSetRequestBody, UpdateRoleSetRequestBody,
};
use roster_core::query::KeyedOrder;
use roster_core::role_sets::{NewRoleSet, RoleSet, RoleSetType, RoleSetUpdate};

use crate::context::Orgs;
use crate::docs::{Always, BodyErrors, Forbidden, NotFound, OrderByParam, PageParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, PathId};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/role_sets", get(list_role_sets).post(create_role_set))
        .route("/role_sets/{role_set_key_or_id}", get(get_role_set).patch(update_role_set))
        .route("/role_sets/{role_set_key_or_id}/replace", post(replace_role_set))
        .route("/role_sets/{role_set_key_or_id}/roles", post(add_roles_to_role_set))
        .route("/role_sets/{role_set_key_or_id}/roles/replace", post(replace_role_in_role_set))
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_role_sets,
    create_role_set,
    get_role_set,
    update_role_set,
    replace_role_set,
    add_roles_to_role_set,
    replace_role_in_role_set
))]
pub(super) struct Api;

fn kind(raw: &str, allowed: &[RoleSetType]) -> ApiResult<RoleSetType> {
    RoleSetType::parse(raw).filter(|k| allowed.contains(k)).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
        ApiError::invalid("type", format!("type must be one of {}.", names.join(", ")))
    })
}

#[utoipa::path(
    get,
    path = "/role_sets",
    operation_id = "ListRoleSets",
    tag = "Role Sets",
    summary = "List the instance's role sets",
    params(
        ("query" = Option<String>, Query, description = "An id, or a substring of the name or key"),
        OrderByParam, PageParams
    ),
    responses((status = 200, description = "A page of role sets", body = api::RoleSets), Always, Unprocessable, Forbidden)
)]
async fn list_role_sets(State(state): State<AppState>, ctx: Orgs, q: Params) -> ApiResult<Response> {
    let order = q.order(KeyedOrder::default())?;
    let page = state.store.list_role_sets(&ctx.instance.id, q.string("query"), order, q.pagination()?).await?;
    Ok(json_body(&api::RoleSets {
        data: page.data.iter().map(wire::role_set).collect(),
        total_count: page.total_count,
    }))
}

#[utoipa::path(
    post,
    path = "/role_sets",
    operation_id = "CreateRoleSet",
    tag = "Role Sets",
    summary = "Create a role set",
    request_body = CreateRoleSetRequestBody,
    responses((status = 200, description = "The new role set", body = api::RoleSet), Always, BodyErrors, Forbidden, NotFound)
)]
async fn create_role_set(
    State(state): State<AppState>,
    ctx: Orgs,
    Body(body): Body<CreateRoleSetRequestBody>,
) -> ApiResult<Response> {
    let initial = match body.kind.as_deref() {
        None => false,
        Some(raw) => kind(raw, &[RoleSetType::Initial, RoleSetType::Custom])? == RoleSetType::Initial,
    };
    let new = NewRoleSet {
        name: body.name,
        key: body.key,
        description: body.description,
        default_role_key: body.default_role_key,
        creator_role_key: body.creator_role_key,
        initial,
        role_keys: body.roles,
    };
    written(wire::role_set, state.store.create_role_set(&ctx.instance.id, new)).await
}

#[utoipa::path(
    get,
    path = "/role_sets/{role_set_key_or_id}",
    operation_id = "GetRoleSet",
    tag = "Role Sets",
    summary = "Retrieve a role set by key or id",
    params(("role_set_key_or_id" = String, Path, description = "The role set's key or id")),
    responses((status = 200, description = "The role set", body = api::RoleSet), Always, Forbidden, NotFound)
)]
async fn get_role_set(State(state): State<AppState>, ctx: Orgs, PathId(key): PathId<String>) -> ApiResult<Response> {
    Ok(json_body(&wire::role_set(&state.store.get_role_set(&ctx.instance.id, &key).await?)))
}

#[utoipa::path(
    patch,
    path = "/role_sets/{role_set_key_or_id}",
    operation_id = "UpdateRoleSet",
    tag = "Role Sets",
    summary = "Update a role set",
    params(("role_set_key_or_id" = String, Path, description = "The role set's key or id")),
    request_body = UpdateRoleSetRequestBody,
    responses((status = 200, description = "The role set", body = api::RoleSet), Always, BodyErrors, Forbidden, NotFound)
)]
async fn update_role_set(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(key): PathId<String>,
    Body(body): Body<UpdateRoleSetRequestBody>,
) -> ApiResult<Response> {
    let initial = body.kind.as_deref().map(|raw| kind(raw, &[RoleSetType::Initial])).transpose()?.is_some();
    let update = RoleSetUpdate {
        name: body.name,
        key: body.key,
        description: body.description,
        initial,
        default_role_key: body.default_role_key,
        creator_role_key: body.creator_role_key,
    };
    written(wire::role_set, state.store.update_role_set(&ctx.instance.id, &key, update)).await
}

#[utoipa::path(
    post,
    path = "/role_sets/{role_set_key_or_id}/roles",
    operation_id = "AddRolesToRoleSet",
    tag = "Role Sets",
    summary = "Add roles to a role set",
    params(("role_set_key_or_id" = String, Path, description = "The role set's key or id")),
    request_body = AddRolesToRoleSetRequestBody,
    responses((status = 200, description = "The role set", body = api::RoleSet), Always, BodyErrors, Forbidden, NotFound)
)]
async fn add_roles_to_role_set(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(key): PathId<String>,
    Body(body): Body<AddRolesToRoleSetRequestBody>,
) -> ApiResult<Response> {
    let added = state.store.add_role_set_roles(
        &ctx.instance.id,
        &key,
        body.role_keys,
        body.default_role_key,
        body.creator_role_key,
    );
    written(wire::role_set, added).await
}

#[utoipa::path(
    post,
    path = "/role_sets/{role_set_key_or_id}/roles/replace",
    operation_id = "ReplaceRoleInRoleSet",
    tag = "Role Sets",
    summary = "Replace a role in a role set, moving its members to the other",
    params(("role_set_key_or_id" = String, Path, description = "The role set's key or id")),
    request_body = ReplaceRoleInRoleSetRequestBody,
    responses((status = 200, description = "The role set", body = api::RoleSet), Always, BodyErrors, Forbidden, NotFound)
)]
async fn replace_role_in_role_set(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(key): PathId<String>,
    Body(body): Body<ReplaceRoleInRoleSetRequestBody>,
) -> ApiResult<Response> {
    let replaced = state.store.replace_role_set_role(&ctx.instance.id, &key, &body.role_key, &body.to_role_key);
    written(wire::role_set, replaced).await
}

#[utoipa::path(
    post,
    path = "/role_sets/{role_set_key_or_id}/replace",
    operation_id = "ReplaceRoleSet",
    tag = "Role Sets",
    summary = "Replace a role set by another, moving its organizations",
    params(("role_set_key_or_id" = String, Path, description = "The role set's key or id")),
    request_body = ReplaceRoleSetRequestBody,
    responses((status = 200, description = "The deleted role set", body = api::DeletedObject), Always, BodyErrors, Forbidden, NotFound)
)]
async fn replace_role_set(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(key): PathId<String>,
    Body(body): Body<ReplaceRoleSetRequestBody>,
) -> ApiResult<Response> {
    let mappings = body.reassignment_mappings.unwrap_or_default();
    let render = |s: &RoleSet| wire::deleted("role_set", &s.id, None);
    written(render, state.store.replace_role_set(&ctx.instance.id, &key, &body.dest_role_set_key, mappings)).await
}
