//! Bulk membership writes (a Roster extension, not in Clerk's API): up to [`MAX_BULK_ITEMS`] creates,
//! updates or deletes of one organization's memberships per request, `atomic` or `partial`
//! ([`BulkMode`]). Like every write, each call carries a generated idempotency key, so a retry after a lost
//! response never applies the items twice.

use reqwest::Method;
use roster_api_types::{
    BulkOrganizationMemberships, BulkOrganizationMembershipsRequest, CreateOrganizationMembershipRequestBody,
    DeleteOrganizationMembershipsBulkItem, UpdateOrganizationMembershipsBulkItem,
};
use serde::Serialize;

use super::OrganizationMembershipsApi;
use crate::client::{seg, Operation};
use crate::Error;

pub use roster_api_types::{BulkItemError, BulkItemResult, BulkMode, MAX_BULK_ITEMS};

/// Statuses the bulk writes answer with Clerk's structured errors.
const DECLARED: &[u16] = &[400, 403, 404, 413, 422];

impl OrganizationMembershipsApi {
    /// Create up to 500 memberships of `organization_id`: `POST /organizations/{organization_id}/memberships/bulk`.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] when the request is refused as a whole: a bad body, an unknown organization, or
    /// (`atomic`) any failing item, each named by `meta.index`. In `partial` mode a failing item is a
    /// [`BulkItemResult::Error`] of the response instead.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{BulkMode, BulkOrganizationMembershipsRequest, CreateOrganizationMembershipRequestBody};
    ///
    /// let items = ["user_1", "user_2"]
    ///     .map(|id| CreateOrganizationMembershipRequestBody { user_id: id.into(), role: "org:member".into(), ..Default::default() });
    /// let result = clerk
    ///     .organization_memberships()
    ///     .create_bulk("org_1", &BulkOrganizationMembershipsRequest { mode: BulkMode::Partial, items: items.to_vec() })
    ///     .await?;
    /// println!("{} created, {} failed", result.succeeded, result.failed);
    /// # Ok(()) }
    /// ```
    pub async fn create_bulk(
        &self,
        organization_id: &str,
        request: &BulkOrganizationMembershipsRequest<CreateOrganizationMembershipRequestBody>,
    ) -> Result<BulkOrganizationMemberships, Error> {
        self.bulk(Method::POST, organization_id, request).await
    }

    /// Change the role and/or merge the metadata of up to 500 memberships:
    /// `PATCH /organizations/{organization_id}/memberships/bulk`. Errors as [`create_bulk`](Self::create_bulk).
    pub async fn update_bulk(
        &self,
        organization_id: &str,
        request: &BulkOrganizationMembershipsRequest<UpdateOrganizationMembershipsBulkItem>,
    ) -> Result<BulkOrganizationMemberships, Error> {
        self.bulk(Method::PATCH, organization_id, request).await
    }

    /// Remove up to 500 members: `DELETE /organizations/{organization_id}/memberships/bulk`. Errors as
    /// [`create_bulk`](Self::create_bulk).
    pub async fn delete_bulk(
        &self,
        organization_id: &str,
        request: &BulkOrganizationMembershipsRequest<DeleteOrganizationMembershipsBulkItem>,
    ) -> Result<BulkOrganizationMemberships, Error> {
        self.bulk(Method::DELETE, organization_id, request).await
    }

    async fn bulk<T: Serialize>(
        &self,
        method: Method,
        organization_id: &str,
        request: &BulkOrganizationMembershipsRequest<T>,
    ) -> Result<BulkOrganizationMemberships, Error> {
        let path = format!("/organizations/{}/memberships/bulk", seg(organization_id));
        let op = Operation::new(method, path, DECLARED).body(request)?;
        self.clerk.execute(op, self.options.as_ref()).await
    }
}
