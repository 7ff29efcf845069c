//! Organizations: create (with `created_by` made a member with the creator role), list, get by id or
//! slug, update, delete (memberships go with it), merge and replace metadata.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types as api;
use roster_core::ids::OrgId;
use roster_core::query::{split_signed, OrganizationFilter, OrganizationOrder};
use roster_core::rules;
use roster_core::store::{MetadataMode, MetadataUpdate, NewOrganization, OrganizationUpdate};

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::extract::{Body, Form, Ids, Params};
use crate::openapi::{
    Always, BodyErrors, CreateOrganizationRequest, Forbidden, NotFound, OrganizationListParams,
    OrganizationMetadataRequest, OrganizationViewParams, PageParams, Unprocessable, UpdateOrganizationRequest,
};
use crate::wire::OrgView;
use crate::{json_body, wire, AppState};

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

/// The operations above, for the OpenAPI document (`crate::openapi`).
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
async fn create_organization(State(state): State<AppState>, ctx: Ctx, Body(mut form): Body) -> ApiResult<Response> {
    ctx.organizations()?;
    let name = form.required_string("name")?;
    rules::validate_org_name(&name)?;
    let new = NewOrganization {
        name,
        slug: validate_slug(form.string("slug")?)?,
        created_by: form.string("created_by")?.filter(|s| !s.is_empty()),
        max_allowed_memberships: form.non_negative_int("max_allowed_memberships")?,
        public_metadata: form.metadata("public_metadata")?.unwrap_or_default(),
        private_metadata: form.metadata("private_metadata")?.unwrap_or_default(),
        created_at: form.datetime("created_at")?,
        role_set_key: form.string("role_set_key")?,
    };
    let org = state.store.create_organization(&ctx.instance.id, new).await?;
    Ok(json_body(&wire::organization(&org, OrgView::default())))
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
async fn list_organizations(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    ctx.organizations()?;
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
    let page = state.store.list_organizations(&ctx.instance.id, filter, order, pagination).await?;
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
async fn get_organization(State(state): State<AppState>, ctx: Ctx, ids: Ids, q: Params) -> ApiResult<Response> {
    ctx.organizations()?;
    let view = OrgView { members_count: q.bool("include_members_count")?.unwrap_or(false) };
    let missing = q.bool("include_missing_member_with_elevated_permissions")?.unwrap_or(false);
    let org = state.store.get_organization(&ctx.instance.id, &ids.one(), missing).await?;
    Ok(json_body(&wire::organization(&org, view)))
}

/// Metadata fields of a body, as a merge or a replace.
fn metadata_update(form: &mut Form, mode: MetadataMode) -> ApiResult<MetadataUpdate> {
    Ok(MetadataUpdate {
        mode,
        public: form.metadata("public_metadata")?,
        private: form.metadata("private_metadata")?,
        unsafe_: None,
    })
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
    ctx: Ctx,
    ids: Ids,
    Body(mut form): Body,
) -> ApiResult<Response> {
    ctx.organizations()?;
    let mut allowed =
        vec!["name", "slug", "max_allowed_memberships", "admin_delete_enabled", "created_at", "role_set_key"];
    if ctx.version.metadata_on_update() {
        allowed.extend(["public_metadata", "private_metadata"]);
    }
    form.only(&allowed)?;
    let name = form.string("name")?;
    if let Some(name) = &name {
        rules::validate_org_name(name)?;
    }
    let update = OrganizationUpdate {
        name,
        slug: validate_slug(form.string("slug")?)?,
        max_allowed_memberships: form.non_negative_int("max_allowed_memberships")?,
        admin_delete_enabled: form.bool("admin_delete_enabled")?,
        created_at: form.datetime("created_at")?,
        role_set_key: form.nullable_string("role_set_key")?,
        metadata: metadata_update(&mut form, MetadataMode::Replace)?,
    };
    let org = state.store.update_organization(&ctx.instance.id, &OrgId::from(ids.one()), update).await?;
    Ok(json_body(&wire::organization(&org, OrgView::default())))
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
async fn delete_organization(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    ctx.organizations()?;
    let org = state.store.delete_organization(&ctx.instance.id, &OrgId::from(ids.one())).await?;
    Ok(json_body(&wire::deleted("organization", &org.id, Some(&org.slug))))
}

async fn change_metadata(
    state: AppState,
    ctx: Ctx,
    ids: Ids,
    mut form: Form,
    mode: MetadataMode,
) -> ApiResult<Response> {
    ctx.organizations()?;
    form.only(&["public_metadata", "private_metadata"])?;
    let update = metadata_update(&mut form, mode)?;
    let org = state.store.update_organization_metadata(&ctx.instance.id, &OrgId::from(ids.one()), update).await?;
    Ok(json_body(&wire::organization(&org, OrgView::default())))
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
    ctx: Ctx,
    ids: Ids,
    Body(form): Body,
) -> ApiResult<Response> {
    change_metadata(state, ctx, ids, form, MetadataMode::Merge).await
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
    ctx: Ctx,
    ids: Ids,
    Body(form): Body,
) -> ApiResult<Response> {
    change_metadata(state, ctx, ids, form, MetadataMode::Replace).await
}
