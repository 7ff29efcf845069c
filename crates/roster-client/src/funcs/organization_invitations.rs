//! The standalone functions of organization invitations (`organization_invitations_<method>`). The module is
//! private: its functions are re-exported by `funcs`.
//!
//! ```no_run
//! # async fn run() -> Result<(), roster_client::Error> {
//! use roster_client::funcs::organization_invitations_create;
//! use roster_client::{Clerk, CreateOrganizationInvitationRequest, CreateOrganizationInvitationRequestBody};
//!
//! let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
//! let result = organization_invitations_create(
//!     &clerk,
//!     CreateOrganizationInvitationRequest {
//!         organization_id: "<id>".into(),
//!         request_body: CreateOrganizationInvitationRequestBody {
//!             email_address: "new.member@example.com".into(),
//!             role: "org:member".into(),
//!             ..Default::default()
//!         },
//!     },
//!     None,
//! )
//! .await?;
//! println!("{result:?}");
//! # Ok(()) }
//! ```

use roster_api_types::{
    OrganizationInvitation, OrganizationInvitations, OrganizationInvitationsWithPublicOrganizationData,
    OrganizationMembership,
};

use crate::{
    AcceptOrganizationInvitationRequest, Clerk, CreateOrganizationInvitationBulkRequest,
    CreateOrganizationInvitationRequest, Error, GetOrganizationInvitationRequest,
    ListInstanceOrganizationInvitationsRequest, ListOrganizationInvitationsRequest,
    ListPendingOrganizationInvitationsRequest, ListUserOrganizationInvitationsRequest, OrganizationInvitationsApi,
    RequestOptions, RevokeOrganizationInvitationRequest,
};

fn api(clerk: &Clerk, options: Option<RequestOptions>) -> OrganizationInvitationsApi {
    let api = clerk.organization_invitations();
    match options {
        Some(o) => api.with_options(o),
        None => api,
    }
}

/// Create an organization invitation; see [`OrganizationInvitationsApi::create`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::create`].
pub async fn organization_invitations_create(
    clerk: &Clerk,
    request: CreateOrganizationInvitationRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitation, Error> {
    api(clerk, options).create(request).await
}

/// Create up to ten organization invitations, all or none; see [`OrganizationInvitationsApi::bulk_create`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::bulk_create`].
pub async fn organization_invitations_bulk_create(
    clerk: &Clerk,
    request: CreateOrganizationInvitationBulkRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitations, Error> {
    api(clerk, options).bulk_create(request).await
}

/// Get a list of an organization's invitations; see [`OrganizationInvitationsApi::list`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::list`].
pub async fn organization_invitations_list(
    clerk: &Clerk,
    request: ListOrganizationInvitationsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitations, Error> {
    api(clerk, options).list(request).await
}

/// Get a list of an organization's pending invitations; see [`OrganizationInvitationsApi::list_pending`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::list_pending`].
pub async fn organization_invitations_list_pending(
    clerk: &Clerk,
    request: ListPendingOrganizationInvitationsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitations, Error> {
    api(clerk, options).list_pending(request).await
}

/// Retrieve an organization invitation; see [`OrganizationInvitationsApi::get`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::get`].
pub async fn organization_invitations_get(
    clerk: &Clerk,
    request: GetOrganizationInvitationRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitation, Error> {
    api(clerk, options).get(request).await
}

/// Revoke a pending organization invitation; see [`OrganizationInvitationsApi::revoke`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::revoke`].
pub async fn organization_invitations_revoke(
    clerk: &Clerk,
    request: RevokeOrganizationInvitationRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitation, Error> {
    api(clerk, options).revoke(request).await
}

/// Accept a pending invitation for a user (Roster extension); see [`OrganizationInvitationsApi::accept`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::accept`].
pub async fn organization_invitations_accept(
    clerk: &Clerk,
    request: AcceptOrganizationInvitationRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationMembership, Error> {
    api(clerk, options).accept(request).await
}

/// Get the instance's organization invitations; see [`OrganizationInvitationsApi::list_all`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::list_all`].
pub async fn organization_invitations_list_all(
    clerk: &Clerk,
    request: ListInstanceOrganizationInvitationsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitationsWithPublicOrganizationData, Error> {
    api(clerk, options).list_all(request).await
}

/// Get the invitations to a user's verified email addresses; see [`OrganizationInvitationsApi::list_for_user`].
///
/// # Errors
///
/// As [`OrganizationInvitationsApi::list_for_user`].
pub async fn organization_invitations_list_for_user(
    clerk: &Clerk,
    request: ListUserOrganizationInvitationsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationInvitationsWithPublicOrganizationData, Error> {
    api(clerk, options).list_for_user(request).await
}
