//! Bodies of the invitation and domain operations.

use serde::{Deserialize, Serialize};

use super::field;
use crate::values::Metadata;

/// Body of `POST /organizations/{organization_id}/invitations`, and each item of its bulk form (a JSON array of
/// 1 to 10 of these).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOrganizationInvitationRequestBody {
    /// The address invited; one pending invitation per address and organization.
    #[cfg_attr(feature = "openapi", schema(example = "new.member@example.com", format = Email))]
    pub email_address: String,
    /// The key of the role the member gets on acceptance.
    #[cfg_attr(feature = "openapi", schema(example = "org:member", pattern = r"\S"))]
    pub role: String,
    /// A member of the organization who may manage its memberships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter_user_id: Option<String>,
    /// Becomes the membership's public metadata on acceptance.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Becomes the membership's private metadata on acceptance.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
    /// An `http(s)` URL: the invitation's `url` is it with the invitation's ticket (`__clerk_ticket`) added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// 1 to 365 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub expires_in_days: Option<i64>,
    /// Accepted for compatibility; Roster sends no email either way (see the README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
}

/// Body of `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke` (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeOrganizationInvitationRequestBody {
    /// A member of the organization who may manage its memberships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requesting_user_id: Option<String>,
}

/// Body of `POST /organizations/{organization_id}/invitations/{invitation_id}/accept`, a Roster extension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptOrganizationInvitationRequestBody {
    /// The user who joins: they must own a verified email address equal to the invitation's.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub user_id: String,
}

/// Body of `POST /organizations/{organization_id}/domains`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationDomainRequestBody {
    /// A domain name, such as `example.com`; at most one organization of the instance has it.
    #[cfg_attr(feature = "openapi", schema(example = "example.com"))]
    pub name: String,
    /// `manual_invitation` (the default), `automatic_invitation` or `automatic_suggestion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_mode: Option<String>,
    /// Whether the domain is verified from the start (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// Body of `PATCH /organizations/{organization_id}/domains/{domain_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationDomainRequestBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}
