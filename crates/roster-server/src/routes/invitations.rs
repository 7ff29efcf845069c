//! Organization invitations: create (one, or up to ten at once), list (per organization, instance-wide, per
//! user), get, revoke, and Roster's `accept` extension, which turns a pending invitation into its membership.
//! Roster sends no email: the application sends the invitation, told by `organizationInvitation.created`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{
    self as api, AcceptOrganizationInvitationRequestBody, CreateOrganizationInvitationRequestBody,
    RevokeOrganizationInvitationRequestBody,
};
use roster_core::invitations::{
    Invitation, InvitationFilter, InvitationOrder, InvitationScope, InvitationStatus, NewInvitation,
    MAX_BULK_INVITATIONS, MAX_EXPIRES_IN_DAYS,
};
use roster_core::model::Page;
use roster_core::{InvitationId, OrgId, UserId};

use crate::context::Orgs;
use crate::docs::{Always, BodyErrors, Forbidden, NotFound, PageParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ArrayBody, Body, Params, PathId, PathIds};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::webhooks::http_url;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{organization_id}/invitations",
            post(create_organization_invitation).get(list_organization_invitations),
        )
        .route("/organizations/{organization_id}/invitations/bulk", post(create_organization_invitation_bulk))
        .route("/organizations/{organization_id}/invitations/pending", get(list_pending_organization_invitations))
        .route("/organizations/{organization_id}/invitations/{invitation_id}", get(get_organization_invitation))
        .route(
            "/organizations/{organization_id}/invitations/{invitation_id}/revoke",
            post(revoke_organization_invitation),
        )
        .route(
            "/organizations/{organization_id}/invitations/{invitation_id}/accept",
            post(accept_organization_invitation),
        )
        .route("/organization_invitations", get(list_instance_organization_invitations))
        .route("/users/{user_id}/organization_invitations", get(users_get_organization_invitations))
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_organization_invitation,
    list_organization_invitations,
    create_organization_invitation_bulk,
    list_pending_organization_invitations,
    get_organization_invitation,
    revoke_organization_invitation,
    accept_organization_invitation,
    list_instance_organization_invitations,
    users_get_organization_invitations
))]
pub(super) struct Api;

fn page(p: &Page<Invitation>) -> Response {
    json_body(&api::OrganizationInvitations { data: p.data.iter().map(one).collect(), total_count: p.total_count })
}

/// A page of the instance-wide or a user's list: each invitation with its organization.
fn page_with_organizations(p: &Page<Invitation>) -> Response {
    json_body(&api::OrganizationInvitationsWithPublicOrganizationData {
        data: p.data.iter().map(wire::invitation_with_organization).collect(),
        total_count: p.total_count,
    })
}

fn one(i: &Invitation) -> api::OrganizationInvitation {
    wire::invitation(i)
}

/// A request body's invitation, its fields checked.
fn new_invitation(body: CreateOrganizationInvitationRequestBody) -> ApiResult<NewInvitation> {
    let email = body.email_address.trim().to_owned();
    roster_core::rules::validate_email("email_address", &email)?;
    if let Some(days) = body.expires_in_days.filter(|d| !(1..=MAX_EXPIRES_IN_DAYS).contains(d)) {
        return Err(ApiError::invalid(
            "expires_in_days",
            format!("expires_in_days must be between 1 and {MAX_EXPIRES_IN_DAYS} (got {days})."),
        ));
    }
    let redirect_url = body.redirect_url.filter(|u| !u.is_empty()).map(|u| http_url("redirect_url", &u)).transpose()?;
    Ok(NewInvitation {
        email_address: email,
        role: body.role,
        inviter_user_id: body.inviter_user_id.filter(|u| !u.is_empty()).map(UserId::from),
        public_metadata: body.public_metadata.unwrap_or_default(),
        private_metadata: body.private_metadata.unwrap_or_default(),
        redirect_url,
        expires_in_days: body.expires_in_days,
    })
}

/// `status` as repeated keys (or a comma list): each one of the four statuses.
fn statuses(q: &Params) -> ApiResult<Vec<InvitationStatus>> {
    let mut found = Vec::new();
    for raw in q.strings("status")? {
        for value in raw.split(',').filter(|v| !v.is_empty()) {
            let status = InvitationStatus::parse(value).ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    format!("{value} does not match one of the allowed values for parameter status"),
                )
            })?;
            found.push(status);
        }
    }
    Ok(found)
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/invitations",
    operation_id = "CreateOrganizationInvitation",
    tag = "Organization Invitations",
    summary = "Create an organization invitation",
    description = "Roster sends no email: the invitation (with its `url`, when `redirect_url` was given) is returned \
                   and `organizationInvitation.created` goes to the event log and webhooks.",
    params(("organization_id" = String, Path, description = "The organization ID")),
    request_body = CreateOrganizationInvitationRequestBody,
    responses(
        (status = 200, description = "The new invitation", body = api::OrganizationInvitation),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn create_organization_invitation(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    Body(body): Body<CreateOrganizationInvitationRequestBody>,
) -> ApiResult<Response> {
    let new = new_invitation(body)?;
    // The renderer takes the store's own result (what an idempotency key keeps is rendered from it): one invitation.
    let render = |created: &Vec<Invitation>| created.first().map(one);
    written(render, state.store.create_invitations(&ctx.instance.id, &org, vec![new])).await
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/invitations/bulk",
    operation_id = "CreateOrganizationInvitationBulk",
    tag = "Organization Invitations",
    summary = "Create up to ten organization invitations, all or none",
    params(("organization_id" = String, Path, description = "The organization ID")),
    request_body = Vec<CreateOrganizationInvitationRequestBody>,
    responses(
        (status = 200, description = "The new invitations, in request order", body = api::OrganizationInvitations),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn create_organization_invitation_bulk(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    ArrayBody(items): ArrayBody<CreateOrganizationInvitationRequestBody, MAX_BULK_INVITATIONS>,
) -> ApiResult<Response> {
    let items = items.into_iter().map(new_invitation).collect::<ApiResult<Vec<_>>>()?;
    let render = |created: &Vec<Invitation>| api::OrganizationInvitations {
        data: created.iter().map(one).collect(),
        total_count: created.len() as i64,
    };
    written(render, state.store.create_invitations(&ctx.instance.id, &org, items)).await
}

#[utoipa::path(
    get,
    path = "/organizations/{organization_id}/invitations",
    operation_id = "ListOrganizationInvitations",
    tag = "Organization Invitations",
    summary = "List an organization's invitations",
    description = "Newest first by default; invitations made by a domain's automatic enrollment are not listed.",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("status" = Option<String>, Query, description = "`pending`, `accepted`, `revoked` or `expired`; repeatable"),
        ("email_address" = Option<String>, Query, description = "Only invitations to this address"),
        ("order_by" = Option<String>, Query, description = "`created_at` or `email_address`, `+`/`-` prefixed; default `-created_at`"),
        PageParams
    ),
    responses(
        (status = 200, description = "A page of invitations", body = api::OrganizationInvitations),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn list_organization_invitations(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    q: Params,
) -> ApiResult<Response> {
    let filter = InvitationFilter { statuses: statuses(&q)?, email_address: q.string("email_address"), query: None };
    let order = q.order(InvitationOrder::default())?;
    let scope = InvitationScope::Organization(org);
    let found = state.store.list_invitations(&ctx.instance.id, scope, filter, order, q.pagination()?).await?;
    Ok(page(&found))
}

#[utoipa::path(
    get,
    path = "/organizations/{organization_id}/invitations/pending",
    operation_id = "ListPendingOrganizationInvitations",
    tag = "Organization Invitations",
    summary = "List an organization's pending invitations (deprecated by Clerk)",
    params(("organization_id" = String, Path, description = "The organization ID"), PageParams),
    responses(
        (status = 200, description = "A page of pending invitations", body = api::OrganizationInvitations),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn list_pending_organization_invitations(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    q: Params,
) -> ApiResult<Response> {
    let filter = InvitationFilter { statuses: vec![InvitationStatus::Pending], ..InvitationFilter::default() };
    let scope = InvitationScope::Organization(org);
    let found = state
        .store
        .list_invitations(&ctx.instance.id, scope, filter, InvitationOrder::default(), q.pagination()?)
        .await?;
    Ok(page(&found))
}

#[utoipa::path(
    get,
    path = "/organizations/{organization_id}/invitations/{invitation_id}",
    operation_id = "GetOrganizationInvitation",
    tag = "Organization Invitations",
    summary = "Retrieve an organization invitation",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("invitation_id" = String, Path, description = "The invitation ID")
    ),
    responses(
        (status = 200, description = "The invitation", body = api::OrganizationInvitation),
        Always, Forbidden, NotFound
    )
)]
async fn get_organization_invitation(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, id): PathIds<OrgId, InvitationId>,
) -> ApiResult<Response> {
    Ok(json_body(&one(&state.store.get_invitation(&ctx.instance.id, &org, &id).await?)))
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/invitations/{invitation_id}/revoke",
    operation_id = "RevokeOrganizationInvitation",
    tag = "Organization Invitations",
    summary = "Revoke a pending organization invitation",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("invitation_id" = String, Path, description = "The invitation ID")
    ),
    request_body = RevokeOrganizationInvitationRequestBody,
    responses(
        (status = 200, description = "The revoked invitation", body = api::OrganizationInvitation),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn revoke_organization_invitation(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, id): PathIds<OrgId, InvitationId>,
    Body(body): Body<RevokeOrganizationInvitationRequestBody>,
) -> ApiResult<Response> {
    let requesting = body.requesting_user_id.filter(|u| !u.is_empty()).map(UserId::from);
    written(one, state.store.revoke_invitation(&ctx.instance.id, &org, &id, requesting)).await
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/invitations/{invitation_id}/accept",
    operation_id = "AcceptOrganizationInvitation",
    tag = "Organization Invitations",
    summary = "Accept an invitation for a user (Roster extension)",
    description = "Clerk accepts invitations through its frontend, which Roster does not have. The user must own a \
                   verified email address equal to the invitation's; the membership is created with the invited \
                   role and metadata, and the invitation marked accepted, in one transaction.",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("invitation_id" = String, Path, description = "The invitation ID")
    ),
    request_body = AcceptOrganizationInvitationRequestBody,
    responses(
        (status = 200, description = "The membership created", body = api::OrganizationMembership),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn accept_organization_invitation(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, id): PathIds<OrgId, InvitationId>,
    Body(body): Body<AcceptOrganizationInvitationRequestBody>,
) -> ApiResult<Response> {
    let user = UserId::from(body.user_id);
    let render = |(_, membership): &(Invitation, roster_core::model::Membership)| wire::membership(membership);
    written(render, state.store.accept_invitation(&ctx.instance.id, &org, &id, &user)).await
}

#[utoipa::path(
    get,
    path = "/organization_invitations",
    operation_id = "ListInstanceOrganizationInvitations",
    tag = "Organization Invitations",
    summary = "List the instance's organization invitations",
    params(
        ("status" = Option<String>, Query, description = "`pending`, `accepted`, `revoked` or `expired`; repeatable"),
        ("query" = Option<String>, Query, description = "A substring of the invited address"),
        ("order_by" = Option<String>, Query, description = "`created_at` or `email_address`, `+`/`-` prefixed; default `-created_at`"),
        PageParams
    ),
    responses(
        (status = 200, description = "A page of invitations", body = api::OrganizationInvitationsWithPublicOrganizationData),
        Always, Unprocessable, Forbidden
    )
)]
async fn list_instance_organization_invitations(
    State(state): State<AppState>,
    ctx: Orgs,
    q: Params,
) -> ApiResult<Response> {
    let filter = InvitationFilter { statuses: statuses(&q)?, email_address: None, query: q.text("query") };
    let order = q.order(InvitationOrder::default())?;
    let found = state
        .store
        .list_invitations(&ctx.instance.id, InvitationScope::Instance, filter, order, q.pagination()?)
        .await?;
    Ok(page_with_organizations(&found))
}

#[utoipa::path(
    get,
    path = "/users/{user_id}/organization_invitations",
    operation_id = "UsersGetOrganizationInvitations",
    tag = "Users",
    summary = "List the invitations to a user's verified email addresses",
    params(
        ("user_id" = String, Path, description = "The user ID"),
        ("status" = Option<String>, Query, description = "`pending`, `accepted`, `revoked` or `expired`"),
        PageParams
    ),
    responses(
        (status = 200, description = "A page of invitations", body = api::OrganizationInvitationsWithPublicOrganizationData),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn users_get_organization_invitations(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(user): PathId<UserId>,
    q: Params,
) -> ApiResult<Response> {
    let filter = InvitationFilter { statuses: statuses(&q)?, ..InvitationFilter::default() };
    let scope = InvitationScope::User(user);
    let found = state
        .store
        .list_invitations(&ctx.instance.id, scope, filter, InvitationOrder::default(), q.pagination()?)
        .await?;
    Ok(page_with_organizations(&found))
}
