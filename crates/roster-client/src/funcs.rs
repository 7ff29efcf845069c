//! Standalone functions, one per operation, mirroring the TypeScript SDK's `funcs/` modules
//! (`organizationMembershipsCreate(client, request, options)` and so on).
//!
//! Each is equivalent to the method of the same operation on [`Clerk::organization_memberships`],
//! [`Clerk::organization_invitations`], [`Clerk::organization_domains`] or [`Clerk::role_sets`]
//! (`<resource>_<method>`), with `options` applied to that one call.

mod organization_domains;
mod organization_invitations;
mod role_sets;

pub use organization_domains::*;
pub use organization_invitations::*;
pub use role_sets::*;

use roster_api_types::{OrganizationMembership, OrganizationMemberships};

use crate::{
    Clerk, CreateOrganizationMembershipRequest, DeleteOrganizationMembershipRequest, Error,
    ListOrganizationMembershipsRequest, OrganizationMembershipsApi, RequestOptions,
    UpdateOrganizationMembershipMetadataRequest, UpdateOrganizationMembershipRequest,
};

fn api(clerk: &Clerk, options: Option<RequestOptions>) -> OrganizationMembershipsApi {
    let api = clerk.organization_memberships();
    match options {
        Some(o) => api.with_options(o),
        None => api,
    }
}

/// Create a new organization membership; see [`OrganizationMembershipsApi::create`].
///
/// # Errors
///
/// As [`OrganizationMembershipsApi::create`].
///
/// ```no_run
/// # async fn run() -> Result<(), roster_client::Error> {
/// use roster_client::funcs::organization_memberships_create;
/// use roster_client::{Clerk, CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody};
///
/// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
/// let result = organization_memberships_create(
///     &clerk,
///     CreateOrganizationMembershipRequest {
///         organization_id: "<id>".into(),
///         request_body: CreateOrganizationMembershipRequestBody {
///             user_id: "<id>".into(),
///             role: "<value>".into(),
///             ..Default::default()
///         },
///     },
///     None,
/// )
/// .await?;
/// println!("{result:?}");
/// # Ok(()) }
/// ```
pub async fn organization_memberships_create(
    clerk: &Clerk,
    request: CreateOrganizationMembershipRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationMembership, Error> {
    api(clerk, options).create(request).await
}

/// Get a list of all members of an organization; see [`OrganizationMembershipsApi::list`].
///
/// # Errors
///
/// As [`OrganizationMembershipsApi::list`].
///
/// ```no_run
/// # async fn run() -> Result<(), roster_client::Error> {
/// use roster_client::funcs::organization_memberships_list;
/// use roster_client::{Clerk, ListOrganizationMembershipsRequest};
///
/// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
/// let result = organization_memberships_list(
///     &clerk,
///     ListOrganizationMembershipsRequest {
///         organization_id: "<id>".into(),
///         last_active_at_before: Some(1700690400000),
///         last_active_at_after: Some(1700690400000),
///         created_at_before: Some(1730160000000),
///         created_at_after: Some(1730160000000),
///         ..Default::default()
///     },
///     None,
/// )
/// .await?;
/// println!("{result:?}");
/// # Ok(()) }
/// ```
pub async fn organization_memberships_list(
    clerk: &Clerk,
    request: ListOrganizationMembershipsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationMemberships, Error> {
    api(clerk, options).list(request).await
}

/// Update an organization membership; see [`OrganizationMembershipsApi::update`].
///
/// # Errors
///
/// As [`OrganizationMembershipsApi::update`].
///
/// ```no_run
/// # async fn run() -> Result<(), roster_client::Error> {
/// use roster_client::funcs::organization_memberships_update;
/// use roster_client::{Clerk, UpdateOrganizationMembershipRequest, UpdateOrganizationMembershipRequestBody};
///
/// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
/// let result = organization_memberships_update(
///     &clerk,
///     UpdateOrganizationMembershipRequest {
///         organization_id: "<id>".into(),
///         user_id: "<id>".into(),
///         request_body: UpdateOrganizationMembershipRequestBody { role: "<value>".into() },
///     },
///     None,
/// )
/// .await?;
/// println!("{result:?}");
/// # Ok(()) }
/// ```
pub async fn organization_memberships_update(
    clerk: &Clerk,
    request: UpdateOrganizationMembershipRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationMembership, Error> {
    api(clerk, options).update(request).await
}

/// Remove a member from an organization; see [`OrganizationMembershipsApi::delete`].
///
/// # Errors
///
/// As [`OrganizationMembershipsApi::delete`].
///
/// ```no_run
/// # async fn run() -> Result<(), roster_client::Error> {
/// use roster_client::funcs::organization_memberships_delete;
/// use roster_client::{Clerk, DeleteOrganizationMembershipRequest};
///
/// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
/// let result = organization_memberships_delete(
///     &clerk,
///     DeleteOrganizationMembershipRequest { organization_id: "<id>".into(), user_id: "<id>".into() },
///     None,
/// )
/// .await?;
/// println!("{result:?}");
/// # Ok(()) }
/// ```
pub async fn organization_memberships_delete(
    clerk: &Clerk,
    request: DeleteOrganizationMembershipRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationMembership, Error> {
    api(clerk, options).delete(request).await
}

/// Merge and update organization membership metadata; see [`OrganizationMembershipsApi::update_metadata`].
///
/// # Errors
///
/// As [`OrganizationMembershipsApi::update_metadata`].
///
/// ```no_run
/// # async fn run() -> Result<(), roster_client::Error> {
/// use roster_client::funcs::organization_memberships_update_metadata;
/// use roster_client::{Clerk, UpdateOrganizationMembershipMetadataRequest};
///
/// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
/// let result = organization_memberships_update_metadata(
///     &clerk,
///     UpdateOrganizationMembershipMetadataRequest {
///         organization_id: "<id>".into(),
///         user_id: "<id>".into(),
///         ..Default::default()
///     },
///     None,
/// )
/// .await?;
/// println!("{result:?}");
/// # Ok(()) }
/// ```
pub async fn organization_memberships_update_metadata(
    clerk: &Clerk,
    request: UpdateOrganizationMembershipMetadataRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationMembership, Error> {
    api(clerk, options).update_metadata(request).await
}
