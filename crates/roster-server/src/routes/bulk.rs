//! Bulk membership writes, a Roster extension: `POST`, `PATCH` and `DELETE
//! /organizations/{organization_id}/memberships/bulk` with up to 500 items, each the body of the single write
//! of its kind and checked by the same rules in one transaction (`Store::bulk_memberships`). `atomic` (the
//! default) answers 200 with every item's membership or, when any item fails, the errors of every failing item
//! (`meta.index`) with the status of the first, changing nothing; `partial` answers 200 with each item's
//! membership or Clerk error in request order and commits the items that succeeded.

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;

use roster_api_types::{
    self as api, BulkOrganizationMembershipsRequest, CreateOrganizationMembershipRequestBody,
    DeleteOrganizationMembershipsBulkItem, UpdateOrganizationMembershipsBulkItem,
};
use roster_core::store::{BulkItem, BulkResults, BulkWrite, MetadataMode, MetadataUpdate};
use roster_core::{OrgId, UserId};

use crate::context::Orgs;
use crate::docs::{Always, BodyErrors, Forbidden, NotFound};
use crate::error::{ApiError, ApiResult};
use crate::extract::{BulkBody, PathId};
use crate::respond::written;
use crate::state::AppState;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/organizations/{organization_id}/memberships/bulk",
        post(create_organization_memberships_bulk)
            .patch(update_organization_memberships_bulk)
            .delete(delete_organization_memberships_bulk),
    )
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_organization_memberships_bulk,
    update_organization_memberships_bulk,
    delete_organization_memberships_bulk
))]
pub(super) struct Api;

/// Run the items that parsed as one bulk write; answer with every item's outcome in request order (the
/// items that did not parse answered with their errors), or refuse an atomic write that has a bad item.
async fn run(
    state: AppState,
    instance: &roster_core::InstanceId,
    organization_id: OrgId,
    body: BulkBody<BulkItem>,
) -> ApiResult<Response> {
    // One slot per item in request order: `None` for an item sent to the store, else its refusal.
    let mut items = Vec::with_capacity(body.items.len());
    let mut refused: Vec<Option<ApiError>> = Vec::with_capacity(body.items.len());
    for item in body.items {
        match item {
            Ok(item) => {
                items.push(item);
                refused.push(None);
            }
            Err(e) => refused.push(Some(e)),
        }
    }
    if body.atomic && refused.iter().any(Option::is_some) {
        return Err(ApiError::of_items(refused.into_iter().enumerate().filter_map(|(i, e)| Some((i, e?)))));
    }
    let write = BulkWrite { organization_id, atomic: body.atomic, items };
    let render = move |results: &BulkResults| render(&refused, results);
    written(render, state.store.bulk_memberships(instance, write)).await
}

/// The response: each slot's refusal, or the store's next result.
fn render(refused: &[Option<ApiError>], results: &BulkResults) -> api::BulkOrganizationMemberships {
    let item_error = |e: &ApiError| {
        api::BulkItemResult::Error(api::BulkItemError { status: e.status.as_u16(), errors: e.entries() })
    };
    let mut stored = results.iter();
    let data: Vec<api::BulkItemResult> = refused
        .iter()
        .filter_map(|slot| match slot {
            Some(e) => Some(item_error(e)),
            None => stored.next().map(|result| match result {
                Ok(m) => api::BulkItemResult::Membership(Box::new(wire::membership(m))),
                Err(e) => item_error(&ApiError::from(e.clone())),
            }),
        })
        .collect();
    let succeeded = data.iter().filter(|r| matches!(r, api::BulkItemResult::Membership(_))).count();
    api::BulkOrganizationMemberships {
        object: "bulk_organization_memberships".into(),
        failed: (data.len() - succeeded) as i64,
        succeeded: succeeded as i64,
        data,
    }
}

/// Each item parsed as `T`, then made a `BulkItem`.
fn items<T>(body: BulkBody<T>, item: impl Fn(T) -> ApiResult<BulkItem>) -> BulkBody<BulkItem> {
    BulkBody { atomic: body.atomic, items: body.items.into_iter().map(|i| i.and_then(&item)).collect() }
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/memberships/bulk",
    operation_id = "CreateOrganizationMembershipsBulk",
    tag = "Organization Memberships",
    summary = "Create up to 500 organization memberships (Roster extension)",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body = BulkOrganizationMembershipsRequest<CreateOrganizationMembershipRequestBody>,
    responses(
        (status = 200, description = "Each item's membership or error, in request order", body = api::BulkOrganizationMemberships),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn create_organization_memberships_bulk(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    body: BulkBody<CreateOrganizationMembershipRequestBody>,
) -> ApiResult<Response> {
    let body = items(body, |b| {
        Ok(BulkItem::Create {
            user_id: UserId::from(b.user_id),
            role: b.role,
            public_metadata: b.public_metadata.unwrap_or_default(),
            private_metadata: b.private_metadata.unwrap_or_default(),
        })
    });
    run(state, &ctx.instance.id, org, body).await
}

#[utoipa::path(
    patch,
    path = "/organizations/{organization_id}/memberships/bulk",
    operation_id = "UpdateOrganizationMembershipsBulk",
    tag = "Organization Memberships",
    summary = "Change the role or merge the metadata of up to 500 organization memberships (Roster extension)",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body = BulkOrganizationMembershipsRequest<UpdateOrganizationMembershipsBulkItem>,
    responses(
        (status = 200, description = "Each item's membership or error, in request order", body = api::BulkOrganizationMemberships),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_memberships_bulk(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    body: BulkBody<UpdateOrganizationMembershipsBulkItem>,
) -> ApiResult<Response> {
    let body = items(body, |b| {
        let metadata = (b.public_metadata.is_some() || b.private_metadata.is_some()).then(|| MetadataUpdate {
            mode: MetadataMode::Merge,
            public: b.public_metadata,
            private: b.private_metadata,
            unsafe_: None,
        });
        if b.role.is_none() && metadata.is_none() {
            return Err(ApiError::missing("role"));
        }
        Ok(BulkItem::Update { user_id: UserId::from(b.user_id), role: b.role, metadata })
    });
    run(state, &ctx.instance.id, org, body).await
}

#[utoipa::path(
    delete,
    path = "/organizations/{organization_id}/memberships/bulk",
    operation_id = "DeleteOrganizationMembershipsBulk",
    tag = "Organization Memberships",
    summary = "Remove up to 500 members from an organization (Roster extension)",
    params(("organization_id" = String, Path, description = "The ID of the organization")),
    request_body = BulkOrganizationMembershipsRequest<DeleteOrganizationMembershipsBulkItem>,
    responses(
        (status = 200, description = "Each item's removed membership or error, in request order", body = api::BulkOrganizationMemberships),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn delete_organization_memberships_bulk(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    body: BulkBody<DeleteOrganizationMembershipsBulkItem>,
) -> ApiResult<Response> {
    let body = items(body, |b| Ok(BulkItem::Delete { user_id: UserId::from(b.user_id) }));
    run(state, &ctx.instance.id, org, body).await
}
