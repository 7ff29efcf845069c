//! Organization memberships: create, list (with every filter and order of the spec), update role,
//! delete, merge metadata; the instance-wide list and a user's list. Handlers parse, call the store,
//! render; the rules live in the store's transaction and in `roster_core::rules`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;

use roster_api_types as api;
use roster_core::model::{Membership, Page};
use roster_core::query::{split_signed, MembershipFilter, MembershipOrder, UserFilter};
use roster_core::store::{MetadataMode, MetadataUpdate, NewMembership};

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::extract::{Body, Ids, Params};
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

fn one(m: &Membership) -> Response {
    json_body(&wire::membership(m))
}

fn page(p: &Page<Membership>) -> Response {
    json_body(&api::OrganizationMemberships {
        data: p.data.iter().map(wire::membership).collect(),
        total_count: p.total_count,
    })
}

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
    let new = NewMembership { organization_id, user_id, role, public_metadata, private_metadata };
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
    Ok(page(&state.store.list_memberships(&ctx.instance.id, Some(&org_id), filter, order, pagination).await?))
}

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
    Ok(one(&state.store.update_membership_role(&ctx.instance.id, &org_id, &user_id, &role).await?))
}

async fn delete_organization_membership(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    ctx.organizations()?;
    let (org_id, user_id) = ids.two();
    Ok(one(&state.store.delete_membership(&ctx.instance.id, &org_id, &user_id).await?))
}

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
    Ok(one(&state.store.update_membership_metadata(&ctx.instance.id, &org_id, &user_id, update).await?))
}

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

async fn users_get_organization_memberships(
    State(state): State<AppState>,
    ctx: Ctx,
    ids: Ids,
    q: Params,
) -> ApiResult<Response> {
    ctx.organizations()?;
    let pagination = q.pagination()?;
    Ok(page(&state.store.list_user_memberships(&ctx.instance.id, &ids.one(), pagination).await?))
}
