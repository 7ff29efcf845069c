//! Organization memberships: create, list (with every filter and order of the spec), update role,
//! delete, merge metadata; the instance-wide list and a user's list. Handlers parse, call the store,
//! render; the rules live in the store's transaction and in `roster_core::rules`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;

use roster_api_types as api;
use roster_core::ids::{OrgId, UserId};
use roster_core::model::{Membership, Page};
use roster_core::query::{split_signed, MembershipFilter, MembershipOrder, UserFilter};
use roster_core::store::{MetadataMode, MetadataUpdate, NewMembership};

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::extract::{Body, Ids, Params};
use crate::openapi::{
    Always, BodyErrors, CreateOrganizationMembershipRequest, Forbidden, MembershipListParams, NotFound, OrderByParam,
    PageParams, Unprocessable, UpdateOrganizationMembershipMetadataRequest, UpdateOrganizationMembershipRequest,
};
use crate::{json_body, wire, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{organization_id}/memberships",
            post(create_organization_membership).get(list_organization_memberships),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}",
            patch(update_organization_membership).delete(delete_organization_membership),
        )
        .route(
            "/organizations/{organization_id}/memberships/{user_id}/metadata",
            patch(update_organization_membership_metadata),
        )
        .route("/organization_memberships", get(instance_get_organization_memberships))
        .route("/users/{user_id}/organization_memberships", get(users_get_organization_memberships))
}

/// The operations above, for the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_organization_membership,
    list_organization_memberships,
    update_organization_membership,
    delete_organization_membership,
    update_organization_membership_metadata,
    instance_get_organization_memberships,
    users_get_organization_memberships
))]
pub(super) struct Api;

fn one(m: &Membership) -> Response {
    json_body(&wire::membership(m))
}

fn page(p: &Page<Membership>) -> Response {
    json_body(&api::OrganizationMemberships {
        data: p.data.iter().map(wire::membership).collect(),
        total_count: p.total_count,
    })
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/memberships",
    operation_id = "CreateOrganizationMembership",
    tag = "Organization Memberships",
    summary = "Create a new organization membership",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body = CreateOrganizationMembershipRequest,
    responses(
        (status = 200, description = "The new membership", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn create_organization_membership(
    State(state): State<AppState>,
    ctx: Ctx,
    ids: Ids,
    Body(mut form): Body,
) -> ApiResult<Response> {
    ctx.organizations()?;
    let organization_id = ids.one();
    let user_id = form.required_string("user_id")?;
    let role = form.required_string("role")?;
    let public_metadata = form.metadata("public_metadata")?.unwrap_or_default();
    let private_metadata = form.metadata("private_metadata")?.unwrap_or_default();
    let new = NewMembership {
        organization_id: organization_id.into(),
        user_id: user_id.into(),
        role,
        public_metadata,
        private_metadata,
    };
    Ok(one(&state.store.create_membership(&ctx.instance.id, new).await?))
}

/// The member filters shared by the membership lists.
fn member_filter(q: &Params) -> ApiResult<MembershipFilter> {
    let (user_ids, exclude_user_ids) = split_signed(q.strings("user_id")?);
    Ok(MembershipFilter {
        user: UserFilter {
            user_ids,
            exclude_user_ids,
            email_addresses: q.strings("email_address")?,
            phone_numbers: q.phones("phone_number")?,
            usernames: q.strings("username")?,
            web3_wallets: q.strings("web3_wallet")?,
            query: q.text("query"),
            email_address_query: q.text("email_address_query"),
            phone_number_query: q.phone_text("phone_number_query"),
            username_query: q.text("username_query"),
            name_query: q.text("name_query"),
            created_at_before: q.int("created_at_before")?,
            created_at_after: q.int("created_at_after")?,
            last_active_at_before: q.int("last_active_at_before")?,
            last_active_at_after: q.int("last_active_at_after")?,
            ..UserFilter::default()
        },
        roles: q.strings("role")?,
    })
}

#[utoipa::path(
    get,
    path = "/organizations/{organization_id}/memberships",
    operation_id = "ListOrganizationMemberships",
    tag = "Organization Memberships",
    summary = "Get a list of all members of an organization",
    params(
        ("organization_id" = String, Path, description = "The ID of the organization"),
        MembershipListParams, PageParams
    ),
    responses(
        (status = 200, description = "A page of the organization's memberships", body = api::OrganizationMemberships),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn list_organization_memberships(
    State(state): State<AppState>,
    ctx: Ctx,
    ids: Ids,
    q: Params,
) -> ApiResult<Response> {
    ctx.organizations()?;
    let filter = member_filter(&q)?;
    let order = q.order(MembershipOrder::default())?;
    let pagination = q.pagination()?;
    let org_id = ids.one();
    Ok(page(
        &state.store.list_memberships(&ctx.instance.id, Some(&OrgId::new(&org_id)), filter, order, pagination).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/organizations/{organization_id}/memberships/{user_id}",
    operation_id = "UpdateOrganizationMembership",
    tag = "Organization Memberships",
    summary = "Update an organization membership",
    params(
        ("organization_id" = String, Path, description = "The ID of the organization"),
        ("user_id" = String, Path, description = "The ID of the member's user")
    ),
    request_body = UpdateOrganizationMembershipRequest,
    responses(
        (status = 200, description = "The updated membership", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_membership(
    State(state): State<AppState>,
    ctx: Ctx,
    ids: Ids,
    Body(mut form): Body,
) -> ApiResult<Response> {
    let (org_id, user_id) = ids.two();
    state.rate_limit.check_membership(&ctx.instance.id, &org_id, &user_id).await?;
    ctx.organizations()?;
    let role = form.required_string("role")?;
    Ok(one(&state
        .store
        .update_membership_role(&ctx.instance.id, &OrgId::new(&org_id), &UserId::new(&user_id), &role)
        .await?))
}

#[utoipa::path(
    delete,
    path = "/organizations/{organization_id}/memberships/{user_id}",
    operation_id = "DeleteOrganizationMembership",
    tag = "Organization Memberships",
    summary = "Remove a member from an organization",
    params(
        ("organization_id" = String, Path, description = "The ID of the organization"),
        ("user_id" = String, Path, description = "The ID of the member's user")
    ),
    responses(
        (status = 200, description = "The removed membership", body = api::OrganizationMembership),
        Always, Forbidden, NotFound
    )
)]
async fn delete_organization_membership(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    ctx.organizations()?;
    let (org_id, user_id) = ids.two();
    Ok(one(&state.store.delete_membership(&ctx.instance.id, &OrgId::new(&org_id), &UserId::new(&user_id)).await?))
}

#[utoipa::path(
    patch,
    path = "/organizations/{organization_id}/memberships/{user_id}/metadata",
    operation_id = "UpdateOrganizationMembershipMetadata",
    tag = "Organization Memberships",
    summary = "Merge and update organization membership metadata",
    params(
        ("organization_id" = String, Path, description = "The ID of the organization"),
        ("user_id" = String, Path, description = "The ID of the member's user")
    ),
    request_body(
        content = Option<UpdateOrganizationMembershipMetadataRequest>,
        description = "An absent or empty body reads as `{}`"
    ),
    responses(
        (status = 200, description = "The updated membership", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_membership_metadata(
    State(state): State<AppState>,
    ctx: Ctx,
    ids: Ids,
    Body(mut form): Body,
) -> ApiResult<Response> {
    let (org_id, user_id) = ids.two();
    state.rate_limit.check_membership(&ctx.instance.id, &org_id, &user_id).await?;
    ctx.organizations()?;
    form.only(&["public_metadata", "private_metadata"])?;
    let update = MetadataUpdate {
        mode: MetadataMode::Merge,
        public: form.metadata("public_metadata")?,
        private: form.metadata("private_metadata")?,
        unsafe_: None,
    };
    Ok(one(&state
        .store
        .update_membership_metadata(&ctx.instance.id, &OrgId::new(&org_id), &UserId::new(&user_id), update)
        .await?))
}

#[utoipa::path(
    get,
    path = "/organization_memberships",
    operation_id = "InstanceGetOrganizationMemberships",
    tag = "Organization Memberships",
    summary = "Get a list of all organization memberships within an instance.",
    params(OrderByParam, PageParams),
    responses(
        (status = 200, description = "A page of the instance's memberships", body = api::OrganizationMemberships),
        Always, Unprocessable, Forbidden
    )
)]
async fn instance_get_organization_memberships(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Params,
) -> ApiResult<Response> {
    ctx.organizations()?;
    let order = q.order(MembershipOrder::default())?;
    let pagination = q.pagination()?;
    let filter = MembershipFilter::default();
    Ok(page(&state.store.list_memberships(&ctx.instance.id, None, filter, order, pagination).await?))
}

#[utoipa::path(
    get,
    path = "/users/{user_id}/organization_memberships",
    operation_id = "UsersGetOrganizationMemberships",
    tag = "Users",
    summary = "Retrieve all memberships for a user",
    params(("user_id" = String, Path, description = "The ID of the user"), PageParams),
    responses(
        (status = 200, description = "A page of the user's memberships", body = api::OrganizationMemberships),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn users_get_organization_memberships(
    State(state): State<AppState>,
    ctx: Ctx,
    ids: Ids,
    q: Params,
) -> ApiResult<Response> {
    ctx.organizations()?;
    let pagination = q.pagination()?;
    Ok(page(&state.store.list_user_memberships(&ctx.instance.id, &UserId::from(ids.one()), pagination).await?))
}
