//! Organization roles: listing, to pick a role key for a membership.

use reqwest::Method;
use roster_api_types::Roles;

use crate::client::Operation;
use crate::{Clerk, Error, RequestOptions};

/// Request of [`RolesApi::list`]: `GET /organization_roles`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOrganizationRolesRequest {
    /// Free text matched against role names and keys.
    pub query: Option<String>,
    /// Sort order, for example `+name` or `-created_at`.
    pub order_by: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

/// The organization roles resource: get it with [`Clerk::roles`].
#[derive(Debug, Clone)]
pub struct RolesApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

impl RolesApi {
    pub(crate) fn new(clerk: Clerk) -> Self {
        Self { clerk, options: None }
    }

    /// This handle with per-call options for the calls made through it.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// List the organization roles of the instance.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401 and 422.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// let roles = clerk.roles().list(Default::default()).await?;
    /// for role in roles.data {
    ///     println!("{} ({})", role.key, role.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, request: ListOrganizationRolesRequest) -> Result<Roles, Error> {
        let mut q = Vec::new();
        for (k, v) in [("query", request.query), ("order_by", request.order_by)] {
            if let Some(v) = v {
                q.push((k, v));
            }
        }
        for (k, v) in [("limit", request.limit), ("offset", request.offset)] {
            if let Some(v) = v {
                q.push((k, v.to_string()));
            }
        }
        let op = Operation::new(Method::GET, "/organization_roles".into(), &[401, 422]).query(q);
        self.clerk.execute(op, self.options.as_ref()).await
    }
}
