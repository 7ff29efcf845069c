//! Organizations: create (with `created_by` made a member with the creator role), list, get by id or
//! slug, update, delete (memberships go with it), merge and replace metadata.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{
    self as api, CreateOrganizationRequest, OrganizationMetadataRequest, UpdateOrganizationRequest,
};
use roster_core::ids::OrgId;
use roster_core::model::Organization;
use roster_core::query::{split_signed, OrganizationFilter, OrganizationOrder};
use roster_core::rules;
use roster_core::store::{MetadataMode, MetadataUpdate, NewOrganization, OrganizationUpdate};

use crate::context::Orgs;
use crate::docs::{
    Always, BodyErrors, Forbidden, NotFound, OrganizationListParams, OrganizationViewParams, PageParams, Unprocessable,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{datetime, non_negative, Body, Params, PathId};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire::{self, OrgView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organizations", post(create_organization).get(list_organizations))
        .route(
            "/organizations/{organization_id}",
            get(get_organization).patch(update_organization).delete(delete_organization),
        )
        .route(
            "/organizations/{organization_id}/metadata",
            axum::routing::patch(merge_organization_metadata).put(replace_organization_metadata),
        )
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_organization,
    list_organizations,
    get_organization,
    update_organization,
    delete_organization,
    merge_organization_metadata,
    replace_organization_metadata
))]
pub(super) struct Api;

/// An organization as a write answers it.
fn one(org: &Organization) -> api::Organization {
    wire::organization(org, OrgView::default())
}

fn validate_slug(slug: Option<String>) -> ApiResult<Option<String>> {
    match slug {
        Some(s) => {
            rules::validate_slug(&s)?;
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

#[utoipa::path(
    post,
    path = "/organizations",
    operation_id = "CreateOrganization",
    tag = "Organizations",
    summary = "Create an organization",
    request_body = CreateOrganizationRequest,
    responses(
        (status = 200, description = "The new organization", body = api::Organization),
        Always, BodyErrors, Forbidden
    )
)]
async fn create_organization(
    State(state): State<AppState>,
    ctx: Orgs,
    Body(body): Body<CreateOrganizationRequest>,
) -> ApiResult<Response> {
    rules::validate_org_name(&body.name)?;
    let new = NewOrganization {
        name: body.name,
        slug: validate_slug(body.slug)?,
        created_by: body.created_by.filter(|s| !s.is_empty()),
        max_allowed_memberships: non_negative("max_allowed_memberships", body.max_allowed_memberships)?,
        public_metadata: body.public_metadata.unwrap_or_default(),
        private_metadata: body.private_metadata.unwrap_or_default(),
        created_at: datetime("created_at", body.created_at)?,
        role_set_key: body.role_set_key,
    };
    written(one, state.store.create_organization(&ctx.instance.id, new)).await
}

#[utoipa::path(
    get,
    path = "/organizations",
    operation_id = "ListOrganizations",
    tag = "Organizations",
    summary = "Get a list of organizations for an instance",
    params(OrganizationViewParams, OrganizationListParams, PageParams),
    responses(
        (status = 200, description = "A page of organizations", body = api::Organizations),
        Always, Unprocessable, Forbidden
    )
)]
async fn list_organizations(State(state): State<AppState>, ctx: Orgs, q: Params) -> ApiResult<Response> {
    let (user_ids, exclude_user_ids) = split_signed(q.strings("user_id")?);
    let (organization_ids, exclude_organization_ids) = split_signed(q.strings("organization_id")?);
    let view = OrgView { members_count: q.bool("include_members_count")?.unwrap_or(false) };
    let filter = OrganizationFilter {
        query: q.text("query"),
        user_ids,
        exclude_user_ids,
        organization_ids,
        exclude_organization_ids,
        include_missing_member_with_elevated_permissions: q
            .bool("include_missing_member_with_elevated_permissions")?
            .unwrap_or(false),
    };
    let order = q.order(OrganizationOrder::default())?;
    let pagination = q.pagination()?;
    let mut page = state.store.list_organizations(&ctx.instance.id, filter, order, pagination).await?;
    if view.members_count {
        count_pending(&state, &ctx.instance.id, &mut page.data).await?;
    }
    Ok(json_body(&api::Organizations {
        data: page.data.iter().map(|o| wire::organization(o, view)).collect(),
        total_count: page.total_count,
    }))
}

#[utoipa::path(
    get,
    path = "/organizations/{organization_id}",
    operation_id = "GetOrganization",
    tag = "Organizations",
    summary = "Retrieve an organization by ID or slug",
    params(
        ("organization_id" = String, Path, description = "The ID or slug of the organization"),
        OrganizationViewParams
    ),
    responses(
        (status = 200, description = "The organization", body = api::Organization),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn get_organization(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(id_or_slug): PathId<String>,
    q: Params,
) -> ApiResult<Response> {
    let view = OrgView { members_count: q.bool("include_members_count")?.unwrap_or(false) };
    let missing = q.bool("include_missing_member_with_elevated_permissions")?.unwrap_or(false);
    let mut org = state.store.get_organization(&ctx.instance.id, &id_or_slug, missing).await?;
    if view.members_count {
        count_pending(&state, &ctx.instance.id, std::slice::from_mut(&mut org)).await?;
    }
    Ok(json_body(&wire::organization(&org, view)))
}

/// Fill each organization's `pending_invitations_count` (for `include_members_count`).
async fn count_pending(
    state: &AppState,
    instance_id: &roster_core::InstanceId,
    orgs: &mut [roster_core::model::Organization],
) -> ApiResult<()> {
    let ids = orgs.iter().map(|o| o.id.clone()).collect();
    let counts = state.store.pending_invitation_counts(instance_id, ids).await?;
    for org in orgs {
        org.pending_invitations_count = Some(counts.get(&org.id).copied().unwrap_or(0));
    }
    Ok(())
}

#[utoipa::path(
    patch,
    path = "/organizations/{organization_id}",
    operation_id = "UpdateOrganization",
    tag = "Organizations",
    summary = "Update an organization",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body(content = Option<UpdateOrganizationRequest>, description = "An absent or empty body reads as `{}`"),
    responses(
        (status = 200, description = "The updated organization", body = api::Organization),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    Body(body): Body<UpdateOrganizationRequest>,
) -> ApiResult<Response> {
    if !ctx.version.metadata_on_update() {
        for (key, given) in [("public_metadata", &body.public_metadata), ("private_metadata", &body.private_metadata)] {
            if given.is_some() {
                return Err(ApiError::unknown(key));
            }
        }
    }
    if let Some(name) = &body.name {
        rules::validate_org_name(name)?;
    }
    let update = OrganizationUpdate {
        name: body.name,
        slug: validate_slug(body.slug)?,
        max_allowed_memberships: non_negative("max_allowed_memberships", body.max_allowed_memberships)?,
        admin_delete_enabled: body.admin_delete_enabled,
        created_at: datetime("created_at", body.created_at)?,
        role_set_key: body.role_set_key,
        metadata: MetadataUpdate {
            mode: MetadataMode::Replace,
            public: body.public_metadata,
            private: body.private_metadata,
            unsafe_: None,
        },
    };
    written(one, state.store.update_organization(&ctx.instance.id, &org, update)).await
}

#[utoipa::path(
    delete,
    path = "/organizations/{organization_id}",
    operation_id = "DeleteOrganization",
    tag = "Organizations",
    summary = "Delete an organization",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    responses(
        (status = 200, description = "The deleted organization", body = api::DeletedObject),
        Always, Forbidden, NotFound
    )
)]
async fn delete_organization(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
) -> ApiResult<Response> {
    let deleted = |org: &Organization| wire::deleted("organization", &org.id, Some(&org.slug));
    written(deleted, state.store.delete_organization(&ctx.instance.id, &org)).await
}

async fn change_metadata(
    state: AppState,
    ctx: Orgs,
    org: OrgId,
    body: OrganizationMetadataRequest,
    mode: MetadataMode,
) -> ApiResult<Response> {
    let update = MetadataUpdate { mode, public: body.public_metadata, private: body.private_metadata, unsafe_: None };
    written(one, state.store.update_organization_metadata(&ctx.instance.id, &org, update)).await
}

#[utoipa::path(
    patch,
    path = "/organizations/{organization_id}/metadata",
    operation_id = "MergeOrganizationMetadata",
    tag = "Organizations",
    summary = "Merge and update metadata for an organization",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body(content = Option<OrganizationMetadataRequest>, description = "An absent or empty body reads as `{}`"),
    responses(
        (status = 200, description = "The updated organization", body = api::Organization),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn merge_organization_metadata(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    Body(body): Body<OrganizationMetadataRequest>,
) -> ApiResult<Response> {
    change_metadata(state, ctx, org, body, MetadataMode::Merge).await
}

#[utoipa::path(
    put,
    path = "/organizations/{organization_id}/metadata",
    operation_id = "ReplaceOrganizationMetadata",
    tag = "Organizations",
    summary = "Replace metadata for an organization",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body(content = Option<OrganizationMetadataRequest>, description = "An absent or empty body reads as `{}`"),
    responses(
        (status = 200, description = "The updated organization", body = api::Organization),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn replace_organization_metadata(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    Body(body): Body<OrganizationMetadataRequest>,
) -> ApiResult<Response> {
    change_metadata(state, ctx, org, body, MetadataMode::Replace).await
}
