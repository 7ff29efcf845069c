//! Organization domains: the operations of Clerk's `organizationDomains` resource, and the organizations a
//! user's verified addresses are suggested (a Roster extension).
//!
//! Domains must be enabled for the instance (`domains_enabled` in its organization settings), and an
//! automatic enrollment mode among its `domains_enrollment_modes`. A verified domain in an automatic mode
//! enrolls the users at it: a pending invitation each (`automatic_invitation`) or a suggestion each
//! (`automatic_suggestion`).

use reqwest::Method;
use roster_api_types::{DeletedObject, OrganizationDomain, OrganizationDomains, OrganizationSuggestions};

use crate::client::{seg, Operation};
use crate::{Clerk, Error, RequestOptions};

mod requests;

pub use requests::*;
pub use roster_api_types::{CreateOrganizationDomainRequestBody, UpdateOrganizationDomainRequestBody};

/// Statuses answered with Clerk's structured errors, per operation (from the API spec; `SUGGESTIONS` from
/// Roster's).
mod declared {
    pub const CREATE: &[u16] = &[400, 403, 404, 422];
    pub const LIST: &[u16] = &[401, 422];
    pub const LIST_ALL: &[u16] = &[401, 403, 422];
    pub const UPDATE: &[u16] = &[400, 403, 404, 422];
    pub const DELETE: &[u16] = &[400, 401, 403, 404];
    pub const VERIFY_OWNERSHIP: &[u16] = &[401, 403, 404];
    pub const SUGGESTIONS: &[u16] = &[403, 404, 422];
}

fn domains_path(organization_id: &str) -> String {
    format!("/organizations/{}/domains", seg(organization_id))
}

fn domain_path(organization_id: &str, domain_id: &str) -> String {
    format!("{}/{}", domains_path(organization_id), seg(domain_id))
}

/// The organization domains resource: get it with [`Clerk::organization_domains`].
///
/// Per-call options apply to every call made through the handle returned by
/// [`with_options`](Self::with_options).
#[derive(Debug, Clone)]
pub struct OrganizationDomainsApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

impl OrganizationDomainsApi {
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

    /// Add a domain to an organization (`manual_invitation` and unverified unless the body says otherwise).
    /// A domain name belongs to at most one organization of the instance.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403 (`organization_domains_not_enabled`,
    /// `organization_domain_enrollment_mode_not_enabled`), 404 (unknown organization) and 422 (an invalid or
    /// common name, `organization_domain_already_exists`); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, CreateOrganizationDomainRequest, CreateOrganizationDomainRequestBody};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let domain = clerk
    ///     .organization_domains()
    ///     .create(CreateOrganizationDomainRequest {
    ///         organization_id: "<id>".into(),
    ///         request_body: CreateOrganizationDomainRequestBody {
    ///             name: "example.com".into(),
    ///             enrollment_mode: Some("automatic_invitation".into()),
    ///             verified: Some(true),
    ///         },
    ///     })
    ///     .await?;
    /// println!("{}: {} pending invitations", domain.name, domain.total_pending_invitations);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateOrganizationDomainRequest) -> Result<OrganizationDomain, Error> {
        let path = domains_path(&request.organization_id);
        self.send(Operation::new(Method::POST, path, declared::CREATE).body(&request.request_body)?).await
    }

    /// Get a list of an organization's domains, one page at a time.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401 and 422 (invalid filters); [`Error::Api`] for other error statuses
    /// (Roster answers 404 for an unknown organization).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListOrganizationDomainsRequest;
    ///
    /// let page = clerk
    ///     .organization_domains()
    ///     .list(ListOrganizationDomainsRequest {
    ///         organization_id: "<id>".into(),
    ///         verified: Some(true),
    ///         enrollment_mode: vec!["-manual_invitation".into()],
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{} automatic domains", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, request: ListOrganizationDomainsRequest) -> Result<OrganizationDomains, Error> {
        let path = domains_path(&request.organization_id);
        self.send(Operation::new(Method::GET, path, declared::LIST).query(request.query())).await
    }

    /// Get the organization domains of the whole instance, one page at a time (Clerk's
    /// `organizationDomains.listAll`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401, 403 and 422 (invalid filters); [`Error::Api`] for other error statuses
    /// (Roster answers 404 for an unknown `organization_id`).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListAllOrganizationDomainsRequest;
    ///
    /// let page = clerk
    ///     .organization_domains()
    ///     .list_all(ListAllOrganizationDomainsRequest {
    ///         domains: vec!["example.com".into(), "example.org".into()],
    ///         order_by: Some("+name".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn list_all(&self, request: ListAllOrganizationDomainsRequest) -> Result<OrganizationDomains, Error> {
        let op = Operation::new(Method::GET, "/organization_domains".into(), declared::LIST_ALL);
        self.send(op.query(request.query())).await
    }

    /// Update an organization domain's enrollment mode or verification. A domain that becomes verified in an
    /// automatic mode (or changes automatic mode while verified) enrolls the users at it.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403 (domains or the mode not enabled), 404 (unknown organization or
    /// domain) and 422 (invalid body); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{UpdateOrganizationDomainRequest, UpdateOrganizationDomainRequestBody};
    ///
    /// let domain = clerk
    ///     .organization_domains()
    ///     .update(UpdateOrganizationDomainRequest {
    ///         organization_id: "<id>".into(),
    ///         domain_id: "<id>".into(),
    ///         request_body: UpdateOrganizationDomainRequestBody {
    ///             enrollment_mode: Some("automatic_suggestion".into()),
    ///             ..Default::default()
    ///         },
    ///     })
    ///     .await?;
    /// # let _ = domain; Ok(()) }
    /// ```
    pub async fn update(&self, request: UpdateOrganizationDomainRequest) -> Result<OrganizationDomain, Error> {
        let path = domain_path(&request.organization_id, &request.domain_id);
        self.send(Operation::new(Method::PATCH, path, declared::UPDATE).body(&request.request_body)?).await
    }

    /// Remove a domain from an organization: its pending automatic invitations are revoked and its suggestions
    /// removed.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401, 403 and 404 (unknown organization or domain); [`Error::Api`] for
    /// other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::DeleteOrganizationDomainRequest;
    ///
    /// let deleted = clerk
    ///     .organization_domains()
    ///     .delete(DeleteOrganizationDomainRequest { organization_id: "<id>".into(), domain_id: "<id>".into() })
    ///     .await?;
    /// assert!(deleted.deleted);
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, request: DeleteOrganizationDomainRequest) -> Result<DeletedObject, Error> {
        let path = domain_path(&request.organization_id, &request.domain_id);
        self.send(Operation::new(Method::DELETE, path, declared::DELETE)).await
    }

    /// Mark an organization domain's ownership verified (Clerk's manual override: strategy
    /// `manual_override`); a verified domain is returned as it is.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401, 403 (domains not enabled) and 404 (unknown organization or domain);
    /// [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::VerifyOrganizationDomainOwnershipRequest;
    ///
    /// let domain = clerk
    ///     .organization_domains()
    ///     .verify_ownership(VerifyOrganizationDomainOwnershipRequest {
    ///         organization_id: "<id>".into(),
    ///         domain_id: "<id>".into(),
    ///     })
    ///     .await?;
    /// # let _ = domain; Ok(()) }
    /// ```
    pub async fn verify_ownership(
        &self,
        request: VerifyOrganizationDomainOwnershipRequest,
    ) -> Result<OrganizationDomain, Error> {
        let path = format!("{}/verify_ownership", domain_path(&request.organization_id, &request.domain_id));
        self.send(Operation::new(Method::POST, path, declared::VERIFY_OWNERSHIP)).await
    }

    /// Get the organizations suggested to a user by verified domains in `automatic_suggestion` mode, newest
    /// first (a Roster extension: Clerk shows suggestions to the user only, through its frontend API). A
    /// suggestion reads `accepted` once the user joined the organization.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 403, 404 (unknown user) and 422 (invalid paging); [`Error::Api`] for other
    /// error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListUserOrganizationSuggestionsRequest;
    ///
    /// let page = clerk
    ///     .organization_domains()
    ///     .list_suggestions_for_user(ListUserOrganizationSuggestionsRequest {
    ///         user_id: "<id>".into(),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// for s in page.data {
    ///     println!("{} ({})", s.public_organization_data.name, s.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_suggestions_for_user(
        &self,
        request: ListUserOrganizationSuggestionsRequest,
    ) -> Result<OrganizationSuggestions, Error> {
        let path = format!("/users/{}/organization_suggestions", seg(&request.user_id));
        self.send(Operation::new(Method::GET, path, declared::SUGGESTIONS).query(request.query())).await
    }
}
