//! Organization invitations: the operations of Clerk's `organizationInvitations` resource, the per-user list
//! of `users.getOrganizationInvitations`, and Roster's `accept` extension.
//!
//! Roster sends no email: the application sends the invitation (its `url`, when a `redirect_url` was given),
//! told by the `organizationInvitation.created` event.

use reqwest::Method;
use roster_api_types::{
    OrganizationInvitation, OrganizationInvitations, OrganizationInvitationsWithPublicOrganizationData,
    OrganizationMembership,
};

use crate::client::{paging, seg, Operation};
use crate::{Clerk, Error, RequestOptions};

mod requests;

pub use requests::*;
pub use roster_api_types::{
    AcceptOrganizationInvitationRequestBody, CreateOrganizationInvitationRequestBody,
    RevokeOrganizationInvitationRequestBody,
};

/// The most invitations one [`OrganizationInvitationsApi::bulk_create`] may create (the server answers 422
/// `form_param_array_size_exceeded` beyond).
pub const MAX_BULK_INVITATIONS: usize = 10;

/// Statuses answered with Clerk's structured errors, per operation (from the API spec; `ACCEPT` from Roster's).
mod declared {
    pub const CREATE: &[u16] = &[400, 402, 403, 404, 422];
    pub const BULK_CREATE: &[u16] = &[400, 403, 404, 422];
    pub const LIST: &[u16] = &[400, 404, 422];
    pub const LIST_PENDING: &[u16] = &[400, 404];
    pub const GET: &[u16] = &[400, 403, 404];
    pub const REVOKE: &[u16] = &[400, 403, 404];
    pub const ACCEPT: &[u16] = &[400, 403, 404, 422];
    pub const LIST_INSTANCE: &[u16] = &[400, 404, 422];
    pub const LIST_USER: &[u16] = &[400, 403, 404];
}

/// The organization invitations resource: get it with [`Clerk::organization_invitations`].
///
/// Per-call options apply to every call made through the handle returned by
/// [`with_options`](Self::with_options).
#[derive(Debug, Clone)]
pub struct OrganizationInvitationsApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

fn invitations_path(organization_id: &str) -> String {
    format!("/organizations/{}/invitations", seg(organization_id))
}

fn invitation_path(organization_id: &str, invitation_id: &str) -> String {
    format!("{}/{}", invitations_path(organization_id), seg(invitation_id))
}

impl OrganizationInvitationsApi {
    pub(crate) fn new(clerk: Clerk) -> Self {
        Self { clerk, options: None }
    }

    /// This handle with per-call options (headers, timeout, retries) for the calls made through it.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Create an organization invitation: invites an email address to join the organization with a role.
    /// One pending invitation per address and organization; the organization's quota counts members and
    /// pending invitations.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400 (`organization_invitation_not_unique`, `already_a_member_in_organization`),
    /// 402, 403 (quota, an inviter who is not an admin), 404 (unknown organization, role or inviter) and 422
    /// (invalid parameters); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, CreateOrganizationInvitationRequest, CreateOrganizationInvitationRequestBody};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let invitation = clerk
    ///     .organization_invitations()
    ///     .create(CreateOrganizationInvitationRequest {
    ///         organization_id: "<id>".into(),
    ///         request_body: CreateOrganizationInvitationRequestBody {
    ///             email_address: "new.member@example.com".into(),
    ///             role: "org:member".into(),
    ///             redirect_url: Some("https://app.example.com/accept".into()),
    ///             ..Default::default()
    ///         },
    ///     })
    ///     .await?;
    /// println!("{} ({})", invitation.id, invitation.status);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateOrganizationInvitationRequest) -> Result<OrganizationInvitation, Error> {
        let path = invitations_path(&request.organization_id);
        self.send(Operation::new(Method::POST, path, declared::CREATE).body(&request.request_body)?).await
    }

    /// Create up to [`MAX_BULK_INVITATIONS`] invitations at once, all or none: the answer lists them in request
    /// order.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403, 404 and 422 (as [`create`](Self::create), for the first item that
    /// fails; nothing is created then); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{CreateOrganizationInvitationBulkRequest, CreateOrganizationInvitationRequestBody};
    ///
    /// let invite = |email: &str| CreateOrganizationInvitationRequestBody {
    ///     email_address: email.into(),
    ///     role: "org:member".into(),
    ///     ..Default::default()
    /// };
    /// let created = clerk
    ///     .organization_invitations()
    ///     .bulk_create(CreateOrganizationInvitationBulkRequest {
    ///         organization_id: "<id>".into(),
    ///         request_body: vec![invite("a@example.com"), invite("b@example.com")],
    ///     })
    ///     .await?;
    /// assert_eq!(created.data.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn bulk_create(
        &self,
        request: CreateOrganizationInvitationBulkRequest,
    ) -> Result<OrganizationInvitations, Error> {
        let path = format!("{}/bulk", invitations_path(&request.organization_id));
        self.send(Operation::new(Method::POST, path, declared::BULK_CREATE).body(&request.request_body)?).await
    }

    /// Get a list of an organization's invitations, one page at a time (newest first unless `order_by` says
    /// otherwise). Invitations made by a domain's automatic enrollment are not in it.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 404 (unknown organization) and 422 (invalid filters); [`Error::Api`]
    /// for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListOrganizationInvitationsRequest;
    ///
    /// let page = clerk
    ///     .organization_invitations()
    ///     .list(ListOrganizationInvitationsRequest {
    ///         organization_id: "<id>".into(),
    ///         status: vec!["pending".into(), "expired".into()],
    ///         order_by: Some("+email_address".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{} of {}", page.data.len(), page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, request: ListOrganizationInvitationsRequest) -> Result<OrganizationInvitations, Error> {
        let path = invitations_path(&request.organization_id);
        self.send(Operation::new(Method::GET, path, declared::LIST).query(request.query())).await
    }

    /// Get a list of an organization's pending invitations (deprecated by Clerk in favour of
    /// [`list`](Self::list) with `status: vec!["pending".into()]`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400 and 404; [`Error::Api`] for other error statuses (for example 422 for
    /// an invalid `limit`).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListPendingOrganizationInvitationsRequest;
    ///
    /// let page = clerk
    ///     .organization_invitations()
    ///     .list_pending(ListPendingOrganizationInvitationsRequest {
    ///         organization_id: "<id>".into(),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn list_pending(
        &self,
        request: ListPendingOrganizationInvitationsRequest,
    ) -> Result<OrganizationInvitations, Error> {
        let path = format!("{}/pending", invitations_path(&request.organization_id));
        let query = paging(None, request.limit, request.offset);
        self.send(Operation::new(Method::GET, path, declared::LIST_PENDING).query(query)).await
    }

    /// Retrieve an organization invitation (its `status` reads `expired` once past `expires_at`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403 and 404 (unknown organization or invitation); [`Error::Api`] for
    /// other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::GetOrganizationInvitationRequest;
    ///
    /// let invitation = clerk
    ///     .organization_invitations()
    ///     .get(GetOrganizationInvitationRequest { organization_id: "<id>".into(), invitation_id: "<id>".into() })
    ///     .await?;
    /// println!("{}", invitation.status);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, request: GetOrganizationInvitationRequest) -> Result<OrganizationInvitation, Error> {
        let path = invitation_path(&request.organization_id, &request.invitation_id);
        self.send(Operation::new(Method::GET, path, declared::GET)).await
    }

    /// Revoke a pending organization invitation; the answer is the revoked invitation. With
    /// `requesting_user_id`, that user must be an admin of the organization.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403 (`not_an_admin_in_organization`) and 404 (unknown invitation, or
    /// `organization_invitation_not_pending`); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{RevokeOrganizationInvitationRequest, RevokeOrganizationInvitationRequestBody};
    ///
    /// let revoked = clerk
    ///     .organization_invitations()
    ///     .revoke(RevokeOrganizationInvitationRequest {
    ///         organization_id: "<id>".into(),
    ///         invitation_id: "<id>".into(),
    ///         request_body: Some(RevokeOrganizationInvitationRequestBody { requesting_user_id: Some("<id>".into()) }),
    ///     })
    ///     .await?;
    /// assert_eq!(revoked.status, "revoked");
    /// # Ok(()) }
    /// ```
    pub async fn revoke(&self, request: RevokeOrganizationInvitationRequest) -> Result<OrganizationInvitation, Error> {
        let path = format!("{}/revoke", invitation_path(&request.organization_id, &request.invitation_id));
        let body = request.request_body.unwrap_or_default();
        self.send(Operation::new(Method::POST, path, declared::REVOKE).body(&body)?).await
    }

    /// Accept a pending invitation for a user (a Roster extension: Clerk accepts invitations through its
    /// frontend API). The user must own a verified email address equal to the invitation's; the answer is the
    /// membership created, with the invited role and metadata.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400 (`organization_invitation_already_accepted`,
    /// `organization_invitation_revoked_code`, `organization_invitation_identification_not_exist`,
    /// `already_a_member_in_organization`), 403 (quota), 404 (unknown organization, invitation or user, or
    /// `organization_invitation_not_pending` for an expired one) and 422 (invalid body); [`Error::Api`] for
    /// other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{AcceptOrganizationInvitationRequest, AcceptOrganizationInvitationRequestBody};
    ///
    /// let membership = clerk
    ///     .organization_invitations()
    ///     .accept(AcceptOrganizationInvitationRequest {
    ///         organization_id: "<id>".into(),
    ///         invitation_id: "<id>".into(),
    ///         request_body: AcceptOrganizationInvitationRequestBody { user_id: "<id>".into() },
    ///     })
    ///     .await?;
    /// println!("joined as {}", membership.role);
    /// # Ok(()) }
    /// ```
    pub async fn accept(&self, request: AcceptOrganizationInvitationRequest) -> Result<OrganizationMembership, Error> {
        let path = format!("{}/accept", invitation_path(&request.organization_id, &request.invitation_id));
        self.send(Operation::new(Method::POST, path, declared::ACCEPT).body(&request.request_body)?).await
    }

    /// Get the organization invitations of the whole instance, one page at a time (Clerk's
    /// `organizationInvitations.getAll`); each invitation comes with its organization
    /// (`public_organization_data`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 404 and 422 (invalid filters); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListInstanceOrganizationInvitationsRequest;
    ///
    /// let page = clerk
    ///     .organization_invitations()
    ///     .list_all(ListInstanceOrganizationInvitationsRequest {
    ///         status: vec!["pending".into()],
    ///         query: Some("@example.com".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{} pending", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list_all(
        &self,
        request: ListInstanceOrganizationInvitationsRequest,
    ) -> Result<OrganizationInvitationsWithPublicOrganizationData, Error> {
        let op = Operation::new(Method::GET, "/organization_invitations".into(), declared::LIST_INSTANCE);
        self.send(op.query(request.query())).await
    }

    /// Get the invitations to one user's verified email addresses, in every organization, one page at a time
    /// (Clerk's `users.getOrganizationInvitations`); each invitation comes with its organization
    /// (`public_organization_data`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403 and 404 (unknown user); [`Error::Api`] for other error statuses
    /// (for example 422 for an unknown status).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListUserOrganizationInvitationsRequest;
    ///
    /// let page = clerk
    ///     .organization_invitations()
    ///     .list_for_user(ListUserOrganizationInvitationsRequest {
    ///         user_id: "<id>".into(),
    ///         status: Some("pending".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn list_for_user(
        &self,
        request: ListUserOrganizationInvitationsRequest,
    ) -> Result<OrganizationInvitationsWithPublicOrganizationData, Error> {
        let path = format!("/users/{}/organization_invitations", seg(&request.user_id));
        self.send(Operation::new(Method::GET, path, declared::LIST_USER).query(request.query())).await
    }
}
