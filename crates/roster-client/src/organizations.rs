//! Organizations: the few operations needed to set up memberships.

use reqwest::Method;
use roster_api_types::{DeletedObject, Organization};

pub use roster_api_types::CreateOrganizationRequest;

use crate::client::{seg, Operation};
use crate::{Clerk, Error, RequestOptions};

/// The organizations resource: get it with [`Clerk::organizations`].
#[derive(Debug, Clone)]
pub struct OrganizationsApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

impl OrganizationsApi {
    pub(crate) fn new(clerk: Clerk) -> Self {
        Self { clerk, options: None }
    }

    /// This handle with per-call options for the calls made through it.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Create an organization.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 403 and 422.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::CreateOrganizationRequest;
    ///
    /// let org = clerk
    ///     .organizations()
    ///     .create(CreateOrganizationRequest {
    ///         name: "Acme Corp".into(),
    ///         created_by: Some("user_123".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{}", org.id);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateOrganizationRequest) -> Result<Organization, Error> {
        let op = Operation::new(Method::POST, "/organizations".into(), &[400, 403, 422]).body(&request)?;
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Get an organization by id or slug.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 403 and 404.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// let org = clerk.organizations().get("org_123").await?;
    /// # let _ = org; Ok(()) }
    /// ```
    pub async fn get(&self, organization_id: &str) -> Result<Organization, Error> {
        let op = Operation::new(Method::GET, format!("/organizations/{}", seg(organization_id)), &[403, 404]);
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Delete an organization (and with it its memberships).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 404.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// let deleted = clerk.organizations().delete("org_123").await?;
    /// assert!(deleted.deleted);
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, organization_id: &str) -> Result<DeletedObject, Error> {
        let op = Operation::new(Method::DELETE, format!("/organizations/{}", seg(organization_id)), &[404]);
        self.clerk.execute(op, self.options.as_ref()).await
    }
}
