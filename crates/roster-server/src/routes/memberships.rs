//! Organization memberships: create, list (with every filter and order of the spec), update role,
//! delete, merge metadata; the instance-wide list and a user's list. Handlers parse, call the store,
//! render; the rules live in the store's transaction and in `roster_core::rules`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;

use roster_api_types::{
    self as api, CreateOrganizationMembershipRequestBody, UpdateOrganizationMembershipMetadataRequestBody,
    UpdateOrganizationMembershipRequestBody,
};
use roster_core::model::{Membership, Page};
use roster_core::query::{split_signed, MembershipFilter, MembershipOrder, UserFilter};
use roster_core::store::{MetadataMode, MetadataUpdate, NewMembership};
use roster_core::{OrgId, UserId};

use crate::context::{LimitedMember, Orgs};
use crate::docs::{
    Always, BodyErrors, Forbidden, MembershipListParams, NotFound, OrderByParam, PageParams, Unprocessable,
};
use crate::error::ApiResult;
use crate::extract::{Body, Params, PathId, PathIds};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

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

/// The operations above, for the OpenAPI document (`crate::app::document`).
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
    request_body = CreateOrganizationMembershipRequestBody,
    responses(
        (status = 200, description = "The new membership", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn create_organization_membership(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    Body(body): Body<CreateOrganizationMembershipRequestBody>,
) -> ApiResult<Response> {
    let new = NewMembership {
        organization_id: org,
        user_id: UserId::from(body.user_id),
        role: body.role,
        public_metadata: body.public_metadata.unwrap_or_default(),
        private_metadata: body.private_metadata.unwrap_or_default(),
    };
    written(wire::membership, state.store.create_membership(&ctx.instance.id, new)).await
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
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    q: Params,
) -> ApiResult<Response> {
    let filter = member_filter(&q)?;
    let order = q.order(MembershipOrder::default())?;
    let pagination = q.pagination()?;
    Ok(page(&state.store.list_memberships(&ctx.instance.id, Some(&org), filter, order, pagination).await?))
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
    request_body = UpdateOrganizationMembershipRequestBody,
    responses(
        (status = 200, description = "The updated membership", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_membership(
    State(state): State<AppState>,
    ctx: Orgs,
    LimitedMember(org, user): LimitedMember,
    Body(body): Body<UpdateOrganizationMembershipRequestBody>,
) -> ApiResult<Response> {
    written(wire::membership, state.store.update_membership_role(&ctx.instance.id, &org, &user, &body.role)).await
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
async fn delete_organization_membership(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, user): PathIds<OrgId, UserId>,
) -> ApiResult<Response> {
    written(wire::membership, state.store.delete_membership(&ctx.instance.id, &org, &user)).await
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
        content = Option<UpdateOrganizationMembershipMetadataRequestBody>,
        description = "An absent or empty body reads as `{}`"
    ),
    responses(
        (status = 200, description = "The updated membership", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_membership_metadata(
    State(state): State<AppState>,
    ctx: Orgs,
    LimitedMember(org, user): LimitedMember,
    Body(body): Body<UpdateOrganizationMembershipMetadataRequestBody>,
) -> ApiResult<Response> {
    let update = MetadataUpdate {
        mode: MetadataMode::Merge,
        public: body.public_metadata,
        private: body.private_metadata,
        unsafe_: None,
    };
    written(wire::membership, state.store.update_membership_metadata(&ctx.instance.id, &org, &user, update)).await
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
    ctx: Orgs,
    q: Params,
) -> ApiResult<Response> {
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
    ctx: Orgs,
    PathId(user): PathId<UserId>,
    q: Params,
) -> ApiResult<Response> {
    let pagination = q.pagination()?;
    Ok(page(&state.store.list_user_memberships(&ctx.instance.id, &user, pagination).await?))
}
