//! SCIM directories (`/v1/scim_directories`): create (the answer holds the directory's API key, the only time it
//! is shown), list, get, update, delete, rotate the key, and the group role mappings. The SCIM 2.0 endpoint each
//! directory's `endpoint_url` names is `crate::scim`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;

use roster_api_types::{
    self as api, CreateSCIMDirectoryRequestBody, CreateSCIMGroupRoleMappingRequestBody,
    ReplaceSCIMGroupRoleMappingsRequestBody, UpdateSCIMDirectoryRequestBody,
};
use roster_core::scim::{Directory, DirectoryUpdate, GroupRoleMapping, NewDirectory, NewGroupRoleMapping};
use roster_core::DirectoryId;

use crate::context::Orgs;
use crate::docs::{Always, BodyErrors, Forbidden, NotFound, PageParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, PathId, PathIds};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scim_directories", get(list_scim_directories).post(create_scim_directory))
        .route(
            "/scim_directories/{scim_directory_id}",
            get(get_scim_directory).patch(update_scim_directory).delete(delete_scim_directory),
        )
        .route("/scim_directories/{scim_directory_id}/rotate_api_key", post(rotate_scim_directory_api_key))
        .route(
            "/scim_directories/{scim_directory_id}/group_role_mappings",
            get(list_scim_group_role_mappings)
                .post(create_scim_group_role_mapping)
                .put(replace_scim_group_role_mappings),
        )
        .route(
            "/scim_directories/{scim_directory_id}/group_role_mappings/{mapping_id}",
            delete(delete_scim_group_role_mapping),
        )
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_scim_directories,
    create_scim_directory,
    get_scim_directory,
    update_scim_directory,
    delete_scim_directory,
    rotate_scim_directory_api_key,
    list_scim_group_role_mappings,
    create_scim_group_role_mapping,
    replace_scim_group_role_mappings,
    delete_scim_group_role_mapping
))]
pub(super) struct Api;

/// The user attributes a directory's `attribute_mapping` may take from a SCIM path.
pub const MAPPED_ATTRIBUTES: [&str; 3] = ["first_name", "last_name", "email_address"];

/// The base every SCIM endpoint URL starts with: `ROSTER_PUBLIC_URL`, else `http://` and the request's `Host`.
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.clone();
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

/// The SCIM 2.0 base URL of a directory.
pub fn endpoint_url(base: &str, directory_id: &str) -> String {
    format!("{base}/scim/v2/{directory_id}")
}

fn render(base: &str, d: &Directory, api_key: Option<String>) -> api::SCIMDirectory {
    wire::scim_directory(d, endpoint_url(base, &d.id), api_key)
}

fn render_mappings(mappings: &[GroupRoleMapping]) -> api::SCIMGroupRoleMappings {
    api::SCIMGroupRoleMappings {
        data: mappings.iter().map(wire::scim_group_role_mapping).collect(),
        total_count: mappings.len() as i64,
    }
}

#[utoipa::path(
    get,
    path = "/scim_directories",
    operation_id = "ListSCIMDirectories",
    tag = "SCIM Directories",
    summary = "List all directories",
    params(PageParams),
    responses((status = 200, description = "A page of directories, newest first", body = api::SCIMDirectories), Always, Unprocessable, Forbidden)
)]
async fn list_scim_directories(
    State(state): State<AppState>,
    ctx: Orgs,
    headers: HeaderMap,
    q: Params,
) -> ApiResult<Response> {
    let page = state.store.list_directories(&ctx.instance.id, q.pagination()?).await?;
    let base = public_base(&state, &headers);
    Ok(json_body(&api::SCIMDirectories {
        data: page.data.iter().map(|d| render(&base, d, None)).collect(),
        total_count: page.total_count,
    }))
}

#[utoipa::path(
    post,
    path = "/scim_directories",
    operation_id = "CreateSCIMDirectory",
    tag = "SCIM Directories",
    summary = "Create a directory",
    description = "The answer holds the directory's `api_key`, the only time it is shown (it is stored hashed). \
        Roster extension: `organization_id` names the organization the directory provisions (one directory each); \
        without it, an organization id given as `enterprise_connection_id` does (Roster has no enterprise \
        connections).",
    request_body = CreateSCIMDirectoryRequestBody,
    responses((status = 200, description = "The new directory, with its API key", body = api::SCIMDirectory), Always, BodyErrors, Forbidden)
)]
async fn create_scim_directory(
    State(state): State<AppState>,
    ctx: Orgs,
    headers: HeaderMap,
    Body(body): Body<CreateSCIMDirectoryRequestBody>,
) -> ApiResult<Response> {
    let from_connection = body.enterprise_connection_id.as_deref().filter(|id| id.starts_with("org_"));
    let body_names_org = body.organization_id.is_some();
    let organization_id = match body.organization_id.as_deref().or(from_connection) {
        Some(id) if !id.trim().is_empty() => id.to_owned(),
        _ => return Err(ApiError::missing("organization_id")),
    };
    if body.provider.trim().is_empty() {
        return Err(ApiError::missing("provider"));
    }
    let group_role_mappings = body
        .group_role_mappings
        .unwrap_or_default()
        .into_iter()
        .map(|m| NewGroupRoleMapping {
            scim_group_id: m.scim_group_id,
            scim_group_display_name: m.scim_group_display_name,
            role_id: m.role_id,
            precedence: m.precedence,
        })
        .collect();
    let new = NewDirectory {
        organization_id: organization_id.clone().into(),
        name: body.name.unwrap_or_default(),
        provider: body.provider,
        enterprise_connection_id: body.enterprise_connection_id,
        default_role_key: body.default_role,
        group_role_mappings,
    };
    let param = if body_names_org { "organization_id" } else { "enterprise_connection_id" };
    // The spec lists no 404 for this operation (the official SDKs raise their generic error on one): an unknown
    // organization is a bad parameter.
    let (dir, key) = state.store.create_directory(&ctx.instance.id, new).await.map_err(|e| match e {
        roster_core::DomainError::OrganizationNotFound | roster_core::DomainError::NotFound => {
            ApiError::invalid(param, format!("No organization was found with id {organization_id}."))
        }
        roster_core::DomainError::RoleNotFound { param } => {
            ApiError::invalid(&param, "No role of the organization was found with this id or key.")
        }
        other => other.into(),
    })?;
    // Not through `written`: an idempotency key would keep the API key in the database.
    Ok(json_body(&render(&public_base(&state, &headers), &dir, Some(key))))
}

#[utoipa::path(
    get,
    path = "/scim_directories/{scim_directory_id}",
    operation_id = "GetSCIMDirectory",
    tag = "SCIM Directories",
    summary = "Retrieve a directory",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory to retrieve")),
    responses((status = 200, description = "The directory", body = api::SCIMDirectory), Always, Forbidden, NotFound)
)]
async fn get_scim_directory(
    State(state): State<AppState>,
    ctx: Orgs,
    headers: HeaderMap,
    PathId(id): PathId<DirectoryId>,
) -> ApiResult<Response> {
    let dir = state.store.get_directory(&ctx.instance.id, &id).await?;
    Ok(json_body(&render(&public_base(&state, &headers), &dir, None)))
}

#[utoipa::path(
    patch,
    path = "/scim_directories/{scim_directory_id}",
    operation_id = "UpdateSCIMDirectory",
    tag = "SCIM Directories",
    summary = "Update a directory",
    description = "A disabled directory's SCIM endpoint answers 403. Switching group role mapping, or changing the \
        default role, re-roles the directory's members in the same transaction.",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory to update")),
    request_body = UpdateSCIMDirectoryRequestBody,
    responses((status = 200, description = "The directory", body = api::SCIMDirectory), Always, BodyErrors, Forbidden, NotFound)
)]
async fn update_scim_directory(
    State(state): State<AppState>,
    ctx: Orgs,
    headers: HeaderMap,
    PathId(id): PathId<DirectoryId>,
    Body(body): Body<UpdateSCIMDirectoryRequestBody>,
) -> ApiResult<Response> {
    let mapping = body.attribute_mapping.unwrap_or_default();
    if let Some((attr, _)) = mapping.iter().find(|(k, _)| !MAPPED_ATTRIBUTES.contains(&k.as_str())) {
        let known = MAPPED_ATTRIBUTES.join(", ");
        return Err(ApiError::invalid("attribute_mapping", format!("{attr} cannot be mapped: one of {known} can.")));
    }
    if mapping.values().flatten().any(|path| path.trim().is_empty()) {
        return Err(ApiError::invalid("attribute_mapping", "A mapped attribute needs a SCIM path."));
    }
    let update = DirectoryUpdate {
        name: body.name,
        enabled: body.enabled,
        provider: body.provider,
        attribute_mapping: mapping,
        group_role_mapping_enabled: body.group_role_mapping_enabled,
        default_role_key: body.default_role,
    };
    let base = public_base(&state, &headers);
    written(move |d: &Directory| render(&base, d, None), state.store.update_directory(&ctx.instance.id, &id, update))
        .await
}

#[utoipa::path(
    delete,
    path = "/scim_directories/{scim_directory_id}",
    operation_id = "DeleteSCIMDirectory",
    tag = "SCIM Directories",
    summary = "Delete a directory",
    description = "Deletes a directory and what it provisioned; its key is refused afterwards. The memberships it \
        made stay, as ordinary memberships.",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory to delete")),
    responses((status = 200, description = "Deleted", body = api::DeletedObject), Always, Forbidden, NotFound)
)]
async fn delete_scim_directory(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(id): PathId<DirectoryId>,
) -> ApiResult<Response> {
    let render = |d: &Directory| wire::deleted("scim_directory", &d.id, None);
    written(render, state.store.delete_directory(&ctx.instance.id, &id)).await
}

#[utoipa::path(
    post,
    path = "/scim_directories/{scim_directory_id}/rotate_api_key",
    operation_id = "RotateSCIMDirectoryAPIKey",
    tag = "SCIM Directories",
    summary = "Rotate a directory's API key",
    description = "The answer holds the new `api_key`. The previous key authenticates for one more hour.",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory whose API key to rotate")),
    responses((status = 200, description = "The directory, with its new API key", body = api::SCIMDirectory), Always, Forbidden, NotFound)
)]
async fn rotate_scim_directory_api_key(
    State(state): State<AppState>,
    ctx: Orgs,
    headers: HeaderMap,
    PathId(id): PathId<DirectoryId>,
) -> ApiResult<Response> {
    let (dir, key) = state.store.rotate_directory_key(&ctx.instance.id, &id).await?;
    Ok(json_body(&render(&public_base(&state, &headers), &dir, Some(key))))
}

#[utoipa::path(
    get,
    path = "/scim_directories/{scim_directory_id}/group_role_mappings",
    operation_id = "ListSCIMGroupRoleMappings",
    tag = "SCIM Directories",
    summary = "List SCIM group role mappings",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory.")),
    responses((status = 200, description = "The mappings, by precedence", body = api::SCIMGroupRoleMappings), Always, Forbidden, NotFound)
)]
async fn list_scim_group_role_mappings(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(id): PathId<DirectoryId>,
) -> ApiResult<Response> {
    Ok(json_body(&render_mappings(&state.store.list_group_role_mappings(&ctx.instance.id, &id).await?)))
}

#[utoipa::path(
    post,
    path = "/scim_directories/{scim_directory_id}/group_role_mappings",
    operation_id = "CreateSCIMGroupRoleMapping",
    tag = "SCIM Directories",
    summary = "Create a SCIM group role mapping",
    description = "`scim_group_id` matches a group's SCIM `id`, its `externalId` or its `displayName`. Members \
        are re-roled in the same transaction.",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory.")),
    request_body = CreateSCIMGroupRoleMappingRequestBody,
    responses((status = 200, description = "The mapping", body = api::SCIMGroupRoleMapping), Always, BodyErrors, Forbidden, NotFound)
)]
async fn create_scim_group_role_mapping(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(id): PathId<DirectoryId>,
    Body(body): Body<CreateSCIMGroupRoleMappingRequestBody>,
) -> ApiResult<Response> {
    let new = NewGroupRoleMapping {
        scim_group_id: body.scim_group_id,
        scim_group_display_name: body.scim_group_display_name,
        role_id: body.role_id,
        precedence: body.precedence,
    };
    written(wire::scim_group_role_mapping, state.store.create_group_role_mapping(&ctx.instance.id, &id, new)).await
}

#[utoipa::path(
    put,
    path = "/scim_directories/{scim_directory_id}/group_role_mappings",
    operation_id = "ReplaceSCIMGroupRoleMappings",
    tag = "SCIM Directories",
    summary = "Replace SCIM group role mappings",
    params(("scim_directory_id" = String, Path, description = "The ID of the directory.")),
    request_body = ReplaceSCIMGroupRoleMappingsRequestBody,
    responses((status = 200, description = "The mappings, by precedence", body = api::SCIMGroupRoleMappings), Always, BodyErrors, Forbidden, NotFound)
)]
async fn replace_scim_group_role_mappings(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(id): PathId<DirectoryId>,
    Body(body): Body<ReplaceSCIMGroupRoleMappingsRequestBody>,
) -> ApiResult<Response> {
    let mappings = body
        .mappings
        .into_iter()
        .map(|m| NewGroupRoleMapping { scim_group_id: m.scim_group_id, role_id: m.role_id, ..Default::default() })
        .collect();
    let replaced = state.store.replace_group_role_mappings(&ctx.instance.id, &id, mappings);
    written(|m: &Vec<GroupRoleMapping>| render_mappings(m), replaced).await
}

#[utoipa::path(
    delete,
    path = "/scim_directories/{scim_directory_id}/group_role_mappings/{mapping_id}",
    operation_id = "DeleteSCIMGroupRoleMapping",
    tag = "SCIM Directories",
    summary = "Delete a SCIM group role mapping",
    params(
        ("scim_directory_id" = String, Path, description = "The ID of the directory."),
        ("mapping_id" = String, Path, description = "The ID of the SCIM group role mapping to delete.")
    ),
    responses((status = 200, description = "Deleted", body = api::DeletedSCIMGroupRoleMapping), Always, BodyErrors, Forbidden, NotFound)
)]
async fn delete_scim_group_role_mapping(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(id, mapping): PathIds<DirectoryId, String>,
) -> ApiResult<Response> {
    let render = |m: &GroupRoleMapping| api::DeletedSCIMGroupRoleMapping {
        object: "scim_group_role_mapping".into(),
        id: m.id.clone(),
        deleted: true,
    };
    written(render, state.store.delete_group_role_mapping(&ctx.instance.id, &id, &mapping)).await
}
