//! Response bodies of invitations, domains and suggestions: how members arrive. Keys the official SDKs require
//! are always present, `null` where there is no value (`inviter_id`, `public_inviter_data`, `url`, the domain's
//! verification objects).

use serde::{Deserialize, Serialize};

use crate::values::Metadata;

/// The organization an invitation, domain or suggestion belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitationPublicOrganizationData {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub image_url: String,
    pub has_image: bool,
}

/// The inviter, while they are a user of the instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitationPublicUserData {
    pub user_id: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_name: Option<String>,
    pub image_url: String,
    pub has_image: bool,
    pub identifier: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitation {
    /// `organization_invitation`.
    pub object: String,
    pub id: String,
    pub email_address: String,
    pub role: String,
    pub role_name: String,
    pub organization_id: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub inviter_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub public_inviter_data: Option<OrganizationInvitationPublicUserData>,
    /// `pending`, `accepted`, `revoked` or `expired` (a pending invitation past `expires_at`).
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_metadata: Metadata,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub private_metadata: Metadata,
    /// The request's `redirect_url` with the invitation's ticket, or `null`.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitations {
    pub data: Vec<OrganizationInvitation>,
    pub total_count: i64,
}

/// An invitation with its organization, as the instance-wide and per-user lists return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitationWithPublicOrganizationData {
    #[serde(flatten)]
    pub invitation: OrganizationInvitation,
    pub public_organization_data: OrganizationInvitationPublicOrganizationData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitationsWithPublicOrganizationData {
    pub data: Vec<OrganizationInvitationWithPublicOrganizationData>,
    pub total_count: i64,
}

/// A domain's verification, in Clerk's shape (`expire_at` as Python's model reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationDomainVerification {
    /// `verified` or `unverified`.
    pub status: String,
    /// `admin` (created or patched verified) or `manual_override` (`verify_ownership`); `admin` while unverified.
    pub strategy: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub attempts: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expire_at: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub verified_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationDomain {
    /// `organization_domain`.
    pub object: String,
    pub id: String,
    pub organization_id: String,
    pub name: String,
    /// `manual_invitation`, `automatic_invitation` or `automatic_suggestion`.
    pub enrollment_mode: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub affiliation_email_address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub affiliation_verification: Option<OrganizationDomainVerification>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub ownership_verification: Option<OrganizationDomainVerification>,
    /// Deprecated alias of `affiliation_verification`, kept as Clerk does.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub verification: Option<OrganizationDomainVerification>,
    pub total_pending_invitations: i64,
    pub total_pending_suggestions: i64,
    pub public_organization_data: Option<OrganizationInvitationPublicOrganizationData>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationDomains {
    pub data: Vec<OrganizationDomain>,
    pub total_count: i64,
}

/// An organization suggested to a user by a verified domain in `automatic_suggestion` mode (a Roster extension:
/// Clerk shows suggestions only to the user, through its frontend API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationSuggestion {
    /// `organization_suggestion`.
    pub object: String,
    pub id: String,
    pub user_id: String,
    pub email_address: String,
    /// `pending`, or `accepted` once the user joined the organization.
    pub status: String,
    pub public_organization_data: OrganizationInvitationPublicOrganizationData,
    pub organization_domain_id: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationSuggestions {
    pub data: Vec<OrganizationSuggestion>,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleSetItem {
    /// `role_set_item`.
    pub object: String,
    pub id: String,
    pub name: String,
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub description: Option<String>,
    /// Members holding the role in the organizations using the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_members: Option<bool>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleSet {
    /// `role_set`.
    pub object: String,
    pub id: String,
    pub name: String,
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub description: Option<String>,
    pub roles: Vec<RoleSetItem>,
    pub default_role: Option<RoleSetItem>,
    pub creator_role: Option<RoleSetItem>,
    /// `initial` or `custom`.
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleSets {
    pub data: Vec<RoleSet>,
    pub total_count: i64,
}
