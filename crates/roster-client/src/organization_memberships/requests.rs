//! The requests of the organization-memberships operations: path and query parameters, and the body, which
//! is the request type of `roster-api-types` that the server deserializes.

use futures::stream::Stream;
use roster_api_types::{
    CreateOrganizationMembershipRequestBody, OrganizationMembership, UpdateOrganizationMembershipMetadataRequestBody,
    UpdateOrganizationMembershipRequestBody,
};

use crate::{Clerk, Error, RequestOptions};

/// Request of [`OrganizationMembershipsApi::create`]: `POST /organizations/{organization_id}/memberships`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOrganizationMembershipRequest {
    /// The organization the user joins.
    pub organization_id: String,
    /// The JSON body.
    pub request_body: CreateOrganizationMembershipRequestBody,
}

/// Request of [`OrganizationMembershipsApi::list`]: `GET /organizations/{organization_id}/memberships`.
///
/// Every filter is optional; list filters match any of their values, and different filters combine with
/// AND. Timestamps are Unix milliseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOrganizationMembershipsRequest {
    /// The organization whose members to list.
    pub organization_id: String,
    /// Sort order: a field (`phone_number`, `email_address`, `created_at`, `first_name`, `last_name`,
    /// `username`) with an optional `+` (ascending) or `-` (descending) prefix.
    pub order_by: Option<String>,
    /// Only these users; a `-` prefix excludes a user.
    pub user_id: Vec<String>,
    /// Only users with one of these email addresses.
    pub email_address: Vec<String>,
    /// Only users with one of these phone numbers.
    pub phone_number: Vec<String>,
    /// Only users with one of these usernames.
    pub username: Vec<String>,
    /// Only users with one of these web3 wallets.
    pub web3_wallet: Vec<String>,
    /// Only memberships with one of these roles.
    pub role: Vec<String>,
    /// Free text matched against ids, emails, phone numbers, usernames and names.
    pub query: Option<String>,
    /// Substring of an email address.
    pub email_address_query: Option<String>,
    /// Substring of a phone number.
    pub phone_number_query: Option<String>,
    /// Substring of a username.
    pub username_query: Option<String>,
    /// Substring of a first or last name.
    pub name_query: Option<String>,
    /// Users last active before this time (ms).
    pub last_active_at_before: Option<i64>,
    /// Users last active after this time (ms).
    pub last_active_at_after: Option<i64>,
    /// Users created before this time (ms).
    pub created_at_before: Option<i64>,
    /// Users created after this time (ms).
    pub created_at_after: Option<i64>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListOrganizationMembershipsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let mut one = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k, v));
            }
        };
        one("order_by", self.order_by.clone());
        one("query", self.query.clone());
        one("email_address_query", self.email_address_query.clone());
        one("phone_number_query", self.phone_number_query.clone());
        one("username_query", self.username_query.clone());
        one("name_query", self.name_query.clone());
        one("last_active_at_before", self.last_active_at_before.map(|v| v.to_string()));
        one("last_active_at_after", self.last_active_at_after.map(|v| v.to_string()));
        one("created_at_before", self.created_at_before.map(|v| v.to_string()));
        one("created_at_after", self.created_at_after.map(|v| v.to_string()));
        one("limit", self.limit.map(|v| v.to_string()));
        one("offset", self.offset.map(|v| v.to_string()));
        for (k, vs) in [
            ("user_id", &self.user_id),
            ("email_address", &self.email_address),
            ("phone_number", &self.phone_number),
            ("username", &self.username),
            ("web3_wallet", &self.web3_wallet),
            ("role", &self.role),
        ] {
            q.extend(vs.iter().map(|v| (k, v.clone())));
        }
        q
    }

    /// Every membership matching this request, fetched page by page as the stream is polled; see
    /// [`OrganizationMembershipsApi::list_stream`].
    pub fn into_stream(
        self,
        clerk: &Clerk,
        options: Option<RequestOptions>,
    ) -> impl Stream<Item = Result<OrganizationMembership, Error>> + Send + 'static {
        clerk.organization_memberships().list_stream_with(self, options)
    }
}

/// Request of [`OrganizationMembershipsApi::update`]:
/// `PATCH /organizations/{organization_id}/memberships/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateOrganizationMembershipRequest {
    /// The organization.
    pub organization_id: String,
    /// The member.
    pub user_id: String,
    /// The JSON body.
    pub request_body: UpdateOrganizationMembershipRequestBody,
}

/// Request of [`OrganizationMembershipsApi::delete`]:
/// `DELETE /organizations/{organization_id}/memberships/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteOrganizationMembershipRequest {
    /// The organization.
    pub organization_id: String,
    /// The member to remove.
    pub user_id: String,
}

/// Request of [`OrganizationMembershipsApi::update_metadata`]:
/// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateOrganizationMembershipMetadataRequest {
    /// The organization.
    pub organization_id: String,
    /// The member.
    pub user_id: String,
    /// The JSON body; `None` sends an empty object (nothing changes).
    pub request_body: Option<UpdateOrganizationMembershipMetadataRequestBody>,
}

/// Request of [`OrganizationMembershipsApi::list_all`]: `GET /organization_memberships`, every membership
/// of the instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListInstanceOrganizationMembershipsRequest {
    /// Sort order, for example `-created_at`.
    pub order_by: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

/// Request of [`OrganizationMembershipsApi::list_for_user`]: `GET /users/{user_id}/organization_memberships`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListUserOrganizationMembershipsRequest {
    /// The user whose memberships to list.
    pub user_id: String,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}
