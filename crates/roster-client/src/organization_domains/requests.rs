//! The requests of the organization-domain operations: path and query parameters, and the body, which is the
//! request type of `roster-api-types` that the server deserializes.

use roster_api_types::{CreateOrganizationDomainRequestBody, UpdateOrganizationDomainRequestBody};

use crate::client::paging;

/// Request of [`OrganizationDomainsApi::create`](super::OrganizationDomainsApi::create):
/// `POST /organizations/{organization_id}/domains`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOrganizationDomainRequest {
    /// The organization the domain is added to.
    pub organization_id: String,
    /// The JSON body.
    pub request_body: CreateOrganizationDomainRequestBody,
}

/// Request of [`OrganizationDomainsApi::list`](super::OrganizationDomainsApi::list):
/// `GET /organizations/{organization_id}/domains`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOrganizationDomainsRequest {
    /// The organization whose domains to list.
    pub organization_id: String,
    /// Only verified (`true`) or unverified (`false`) domains.
    pub verified: Option<bool>,
    /// Only domains in one of these enrollment modes (`manual_invitation`, `automatic_invitation`,
    /// `automatic_suggestion`); a `-` prefix excludes a mode instead. Sent as one comma-separated value.
    pub enrollment_mode: Vec<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListOrganizationDomainsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = filters(self.verified, &self.enrollment_mode);
        q.extend(paging(None, self.limit, self.offset));
        q
    }
}

/// Request of [`OrganizationDomainsApi::list_all`](super::OrganizationDomainsApi::list_all):
/// `GET /organization_domains`, every domain of the instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListAllOrganizationDomainsRequest {
    /// Only this organization's domains.
    pub organization_id: Option<String>,
    /// Only verified (`true`) or unverified (`false`) domains.
    pub verified: Option<bool>,
    /// Only domains in one of these enrollment modes; a `-` prefix excludes a mode instead. Sent as one
    /// comma-separated value.
    pub enrollment_mode: Vec<String>,
    /// A substring of the domain name.
    pub query: Option<String>,
    /// Only domains with one of these exact names; sent as repeated `domains` keys.
    pub domains: Vec<String>,
    /// Sort order: `name` or `created_at`, with an optional `+` or `-` prefix (default `-created_at`).
    pub order_by: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListAllOrganizationDomainsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q: Vec<_> = self.organization_id.clone().map(|v| ("organization_id", v)).into_iter().collect();
        q.extend(filters(self.verified, &self.enrollment_mode));
        q.extend(self.query.clone().map(|v| ("query", v)));
        q.extend(self.domains.iter().map(|d| ("domains", d.clone())));
        q.extend(paging(self.order_by.as_ref(), self.limit, self.offset));
        q
    }
}

/// `verified` and the comma-separated `enrollment_mode` of both domain lists.
fn filters(verified: Option<bool>, enrollment_mode: &[String]) -> Vec<(&'static str, String)> {
    let mut q: Vec<_> = verified.map(|v| ("verified", v.to_string())).into_iter().collect();
    if !enrollment_mode.is_empty() {
        q.push(("enrollment_mode", enrollment_mode.join(",")));
    }
    q
}

/// Request of [`OrganizationDomainsApi::update`](super::OrganizationDomainsApi::update):
/// `PATCH /organizations/{organization_id}/domains/{domain_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateOrganizationDomainRequest {
    /// The organization.
    pub organization_id: String,
    /// The domain.
    pub domain_id: String,
    /// The JSON body: the fields to change.
    pub request_body: UpdateOrganizationDomainRequestBody,
}

/// Request of [`OrganizationDomainsApi::delete`](super::OrganizationDomainsApi::delete):
/// `DELETE /organizations/{organization_id}/domains/{domain_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteOrganizationDomainRequest {
    /// The organization.
    pub organization_id: String,
    /// The domain to remove.
    pub domain_id: String,
}

/// Request of [`OrganizationDomainsApi::verify_ownership`](super::OrganizationDomainsApi::verify_ownership):
/// `POST /organizations/{organization_id}/domains/{domain_id}/verify_ownership`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyOrganizationDomainOwnershipRequest {
    /// The organization.
    pub organization_id: String,
    /// The domain to mark verified.
    pub domain_id: String,
}

/// Request of
/// [`OrganizationDomainsApi::list_suggestions_for_user`](super::OrganizationDomainsApi::list_suggestions_for_user):
/// `GET /users/{user_id}/organization_suggestions` (a Roster extension).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListUserOrganizationSuggestionsRequest {
    /// The user whose suggestions to list.
    pub user_id: String,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListUserOrganizationSuggestionsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        paging(None, self.limit, self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn enrollment_modes_are_one_comma_list_and_domains_repeat() {
        let all = ListAllOrganizationDomainsRequest {
            organization_id: Some("org_1".into()),
            verified: Some(false),
            enrollment_mode: vec!["automatic_invitation".into(), "-manual_invitation".into()],
            query: Some("exa".into()),
            domains: vec!["a.com".into(), "b.org".into()],
            order_by: Some("+name".into()),
            limit: Some(2),
            offset: Some(4),
        };
        assert_eq!(
            all.query(),
            q(&[
                ("organization_id", "org_1"),
                ("verified", "false"),
                ("enrollment_mode", "automatic_invitation,-manual_invitation"),
                ("query", "exa"),
                ("domains", "a.com"),
                ("domains", "b.org"),
                ("order_by", "+name"),
                ("limit", "2"),
                ("offset", "4"),
            ])
        );
        assert!(ListAllOrganizationDomainsRequest::default().query().is_empty());
        let org = ListOrganizationDomainsRequest {
            organization_id: "org_1".into(),
            verified: Some(true),
            enrollment_mode: vec!["automatic_suggestion".into()],
            ..Default::default()
        };
        assert_eq!(org.query(), q(&[("verified", "true"), ("enrollment_mode", "automatic_suggestion")]));
    }
}
