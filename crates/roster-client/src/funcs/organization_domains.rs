//! The standalone functions of organization domains (`organization_domains_<method>`). The module is private: its
//! functions are re-exported by `funcs`.
//!
//! ```no_run
//! # async fn run() -> Result<(), roster_client::Error> {
//! use roster_client::funcs::organization_domains_list;
//! use roster_client::{Clerk, ListOrganizationDomainsRequest};
//!
//! let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
//! let result = organization_domains_list(
//!     &clerk,
//!     ListOrganizationDomainsRequest { organization_id: "<id>".into(), verified: Some(true), ..Default::default() },
//!     None,
//! )
//! .await?;
//! println!("{result:?}");
//! # Ok(()) }
//! ```

use roster_api_types::{DeletedObject, OrganizationDomain, OrganizationDomains, OrganizationSuggestions};

use crate::{
    Clerk, CreateOrganizationDomainRequest, DeleteOrganizationDomainRequest, Error, ListAllOrganizationDomainsRequest,
    ListOrganizationDomainsRequest, ListUserOrganizationSuggestionsRequest, OrganizationDomainsApi, RequestOptions,
    UpdateOrganizationDomainRequest, VerifyOrganizationDomainOwnershipRequest,
};

fn api(clerk: &Clerk, options: Option<RequestOptions>) -> OrganizationDomainsApi {
    let api = clerk.organization_domains();
    match options {
        Some(o) => api.with_options(o),
        None => api,
    }
}

/// Add a domain to an organization; see [`OrganizationDomainsApi::create`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::create`].
pub async fn organization_domains_create(
    clerk: &Clerk,
    request: CreateOrganizationDomainRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationDomain, Error> {
    api(clerk, options).create(request).await
}

/// Get a list of an organization's domains; see [`OrganizationDomainsApi::list`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::list`].
pub async fn organization_domains_list(
    clerk: &Clerk,
    request: ListOrganizationDomainsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationDomains, Error> {
    api(clerk, options).list(request).await
}

/// Get the instance's organization domains; see [`OrganizationDomainsApi::list_all`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::list_all`].
pub async fn organization_domains_list_all(
    clerk: &Clerk,
    request: ListAllOrganizationDomainsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationDomains, Error> {
    api(clerk, options).list_all(request).await
}

/// Update an organization domain; see [`OrganizationDomainsApi::update`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::update`].
pub async fn organization_domains_update(
    clerk: &Clerk,
    request: UpdateOrganizationDomainRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationDomain, Error> {
    api(clerk, options).update(request).await
}

/// Remove a domain from an organization; see [`OrganizationDomainsApi::delete`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::delete`].
pub async fn organization_domains_delete(
    clerk: &Clerk,
    request: DeleteOrganizationDomainRequest,
    options: Option<RequestOptions>,
) -> Result<DeletedObject, Error> {
    api(clerk, options).delete(request).await
}

/// Mark an organization domain's ownership verified; see [`OrganizationDomainsApi::verify_ownership`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::verify_ownership`].
pub async fn organization_domains_verify_ownership(
    clerk: &Clerk,
    request: VerifyOrganizationDomainOwnershipRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationDomain, Error> {
    api(clerk, options).verify_ownership(request).await
}

/// Get the organizations suggested to a user (Roster extension); see
/// [`OrganizationDomainsApi::list_suggestions_for_user`].
///
/// # Errors
///
/// As [`OrganizationDomainsApi::list_suggestions_for_user`].
pub async fn organization_domains_list_suggestions_for_user(
    clerk: &Clerk,
    request: ListUserOrganizationSuggestionsRequest,
    options: Option<RequestOptions>,
) -> Result<OrganizationSuggestions, Error> {
    api(clerk, options).list_suggestions_for_user(request).await
}
