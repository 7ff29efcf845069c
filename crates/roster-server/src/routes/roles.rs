//! Organization roles and permissions: list, create, get, update, delete, and assigning a permission to
//! a role. Memberships read their role live, so a change here shows on every membership at once.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{
    self as api, CreateOrganizationPermissionRequest, CreateOrganizationRoleRequest,
    UpdateOrganizationPermissionRequest, UpdateOrganizationRoleRequest,
};
use roster_core::ids::{PermissionId, RoleId};
use roster_core::model::{Permission, Role};
use roster_core::query::KeyedOrder;
use roster_core::rules;
use roster_core::store::{NewPermission, NewRole, PermissionUpdate, RoleUpdate};

use crate::context::Orgs;
use crate::docs::{Always, BodyErrors, Conflict, Forbidden, NotFound, PageParams, SearchParams, Unprocessable};
use crate::error::ApiResult;
use crate::extract::{Body, Params, PathId, PathIds};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organization_roles", get(list_organization_roles).post(create_organization_role))
        .route(
            "/organization_roles/{organization_role_id}",
            get(get_organization_role).patch(update_organization_role).delete(delete_organization_role),
        )
        .route(
            "/organization_roles/{organization_role_id}/permissions/{permission_id}",
            post(assign_permission_to_organization_role).delete(remove_permission_from_organization_role),
        )
        .route("/organization_permissions", get(list_organization_permissions).post(create_organization_permission))
        .route(
            "/organization_permissions/{permission_id}",
            get(get_organization_permission)
                .patch(update_organization_permission)
                .delete(delete_organization_permission),
        )
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_organization_roles,
    create_organization_role,
    get_organization_role,
    update_organization_role,
    delete_organization_role,
    assign_permission_to_organization_role,
    remove_permission_from_organization_role,
    list_organization_permissions,
    create_organization_permission,
    get_organization_permission,
    update_organization_permission,
    delete_organization_permission
))]
pub(super) struct Api;

#[utoipa::path(
    get,
    path = "/organization_roles",
    operation_id = "ListOrganizationRoles",
    tag = "Organization Roles",
    summary = "Get a list of organization roles",
    params(SearchParams, PageParams),
    responses((status = 200, description = "A page of roles", body = api::Roles), Always, Unprocessable, Forbidden)
)]
async fn list_organization_roles(State(state): State<AppState>, ctx: Orgs, q: Params) -> ApiResult<Response> {
    let order = q.order(KeyedOrder::default())?;
    let page = state.store.search_roles(&ctx.instance.id, q.text("query"), order, q.pagination()?).await?;
    Ok(json_body(&api::Roles { data: page.data.iter().map(wire::role).collect(), total_count: page.total_count }))
}

#[utoipa::path(
    post,
    path = "/organization_roles",
    operation_id = "CreateOrganizationRole",
    tag = "Organization Roles",
    summary = "Create an organization role",
    request_body = CreateOrganizationRoleRequest,
    responses((status = 200, description = "The new role", body = api::Role), Always, BodyErrors, Forbidden, NotFound)
)]
async fn create_organization_role(
    State(state): State<AppState>,
    ctx: Orgs,
    Body(body): Body<CreateOrganizationRoleRequest>,
) -> ApiResult<Response> {
    rules::validate_role_key(&body.key)?;
    let new = NewRole { name: body.name, key: body.key, description: body.description, permissions: body.permissions };
    written(wire::role, state.store.create_role(&ctx.instance.id, new)).await
}

#[utoipa::path(
    get,
    path = "/organization_roles/{organization_role_id}",
    operation_id = "GetOrganizationRole",
    tag = "Organization Roles",
    summary = "Retrieve an organization role",
    params(("organization_role_id" = String, Path, description = "The ID of the organization role")),
    responses((status = 200, description = "The role", body = api::Role), Always, Forbidden, NotFound)
)]
async fn get_organization_role(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(role): PathId<RoleId>,
) -> ApiResult<Response> {
    Ok(json_body(&wire::role(&state.store.get_role(&ctx.instance.id, &role).await?)))
}

#[utoipa::path(
    patch,
    path = "/organization_roles/{organization_role_id}",
    operation_id = "UpdateOrganizationRole",
    tag = "Organization Roles",
    summary = "Update an organization role",
    params(("organization_role_id" = String, Path, description = "The ID of the organization role")),
    request_body(
        content = Option<UpdateOrganizationRoleRequest>,
        description = "An absent or empty body reads as `{}`"
    ),
    responses(
        (status = 200, description = "The updated role", body = api::Role),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_role(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(role): PathId<RoleId>,
    Body(body): Body<UpdateOrganizationRoleRequest>,
) -> ApiResult<Response> {
    if let Some(key) = &body.key {
        rules::validate_role_key(key)?;
    }
    let update = RoleUpdate {
        name: body.name.filter(|n| !n.trim().is_empty()),
        key: body.key,
        description: body.description,
        // `null` leaves the role without permissions.
        permissions: body.permissions.map(Option::unwrap_or_default),
    };
    written(wire::role, state.store.update_role(&ctx.instance.id, &role, update)).await
}

#[utoipa::path(
    delete,
    path = "/organization_roles/{organization_role_id}",
    operation_id = "DeleteOrganizationRole",
    tag = "Organization Roles",
    summary = "Delete an organization role",
    params(("organization_role_id" = String, Path, description = "The ID of the organization role")),
    responses(
        (status = 200, description = "The deleted role", body = api::DeletedObject),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn delete_organization_role(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(role): PathId<RoleId>,
) -> ApiResult<Response> {
    let deleted = |role: &Role| wire::deleted("role", &role.id, None);
    written(deleted, state.store.delete_role(&ctx.instance.id, &role)).await
}

#[utoipa::path(
    post,
    path = "/organization_roles/{organization_role_id}/permissions/{permission_id}",
    operation_id = "AssignPermissionToOrganizationRole",
    tag = "Organization Roles",
    summary = "Assign a permission to an organization role",
    params(
        ("organization_role_id" = String, Path, description = "The ID of the organization role"),
        ("permission_id" = String, Path, description = "The ID of the permission")
    ),
    responses(
        (status = 200, description = "The role with the permission", body = api::Role),
        Always, Unprocessable, Forbidden, NotFound, Conflict
    )
)]
async fn assign_permission_to_organization_role(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(role, permission): PathIds<RoleId, PermissionId>,
) -> ApiResult<Response> {
    written(wire::role, state.store.add_role_permission(&ctx.instance.id, &role, &permission)).await
}

#[utoipa::path(
    delete,
    path = "/organization_roles/{organization_role_id}/permissions/{permission_id}",
    operation_id = "RemovePermissionFromOrganizationRole",
    tag = "Organization Roles",
    summary = "Remove a permission from an organization role",
    params(
        ("organization_role_id" = String, Path, description = "The ID of the organization role"),
        ("permission_id" = String, Path, description = "The ID of the permission")
    ),
    responses(
        (status = 200, description = "The role without the permission", body = api::Role),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn remove_permission_from_organization_role(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(role, permission): PathIds<RoleId, PermissionId>,
) -> ApiResult<Response> {
    written(wire::role, state.store.remove_role_permission(&ctx.instance.id, &role, &permission)).await
}

#[utoipa::path(
    get,
    path = "/organization_permissions",
    operation_id = "ListOrganizationPermissions",
    tag = "Organization Permissions",
    summary = "Get a list of all organization permissions",
    params(SearchParams, PageParams),
    responses(
        (status = 200, description = "A page of permissions", body = api::Permissions),
        Always, Unprocessable, Forbidden
    )
)]
async fn list_organization_permissions(State(state): State<AppState>, ctx: Orgs, q: Params) -> ApiResult<Response> {
    let order = q.order(KeyedOrder::default())?;
    let page = state.store.search_permissions(&ctx.instance.id, q.text("query"), order, q.pagination()?).await?;
    Ok(json_body(&api::Permissions {
        data: page.data.iter().map(wire::permission).collect(),
        total_count: page.total_count,
    }))
}

#[utoipa::path(
    post,
    path = "/organization_permissions",
    operation_id = "CreateOrganizationPermission",
    tag = "Organization Permissions",
    summary = "Create a new organization permission",
    request_body = CreateOrganizationPermissionRequest,
    responses((status = 200, description = "The new permission", body = api::Permission), Always, BodyErrors, Forbidden)
)]
async fn create_organization_permission(
    State(state): State<AppState>,
    ctx: Orgs,
    Body(body): Body<CreateOrganizationPermissionRequest>,
) -> ApiResult<Response> {
    rules::validate_permission_key(&body.key)?;
    let new = NewPermission { name: body.name, key: body.key, description: body.description.unwrap_or_default() };
    written(wire::permission, state.store.create_permission(&ctx.instance.id, new)).await
}

#[utoipa::path(
    get,
    path = "/organization_permissions/{permission_id}",
    operation_id = "GetOrganizationPermission",
    tag = "Organization Permissions",
    summary = "Get an organization permission",
    params(("permission_id" = String, Path, description = "The ID of the permission")),
    responses((status = 200, description = "The permission", body = api::Permission), Always, Forbidden, NotFound)
)]
async fn get_organization_permission(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(permission): PathId<PermissionId>,
) -> ApiResult<Response> {
    Ok(json_body(&wire::permission(&state.store.get_permission(&ctx.instance.id, &permission).await?)))
}

#[utoipa::path(
    patch,
    path = "/organization_permissions/{permission_id}",
    operation_id = "UpdateOrganizationPermission",
    tag = "Organization Permissions",
    summary = "Update an organization permission",
    params(("permission_id" = String, Path, description = "The ID of the permission")),
    request_body(
        content = Option<UpdateOrganizationPermissionRequest>,
        description = "An absent or empty body reads as `{}`"
    ),
    responses(
        (status = 200, description = "The updated permission", body = api::Permission),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_permission(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(permission): PathId<PermissionId>,
    Body(body): Body<UpdateOrganizationPermissionRequest>,
) -> ApiResult<Response> {
    if let Some(key) = &body.key {
        rules::validate_permission_key(key)?;
    }
    let update = PermissionUpdate {
        name: body.name.filter(|n| !n.trim().is_empty()),
        key: body.key,
        description: body.description,
    };
    written(wire::permission, state.store.update_permission(&ctx.instance.id, &permission, update)).await
}

#[utoipa::path(
    delete,
    path = "/organization_permissions/{permission_id}",
    operation_id = "DeleteOrganizationPermission",
    tag = "Organization Permissions",
    summary = "Delete an organization permission",
    params(("permission_id" = String, Path, description = "The ID of the permission")),
    responses(
        (status = 200, description = "The deleted permission", body = api::DeletedObject),
        Always, Forbidden, NotFound
    )
)]
async fn delete_organization_permission(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(permission): PathId<PermissionId>,
) -> ApiResult<Response> {
    let deleted = |permission: &Permission| wire::deleted("permission", &permission.id, None);
    written(deleted, state.store.delete_permission(&ctx.instance.id, &permission)).await
}
