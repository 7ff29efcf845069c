//! Response bodies: the resources as the API returns them, and Clerk's error body.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::values::Metadata;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClerkError {
    pub message: String,
    pub long_message: String,
    pub code: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub meta: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClerkErrors {
    pub errors: Vec<ClerkError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_trace_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    pub object: String,
    pub id: String,
    pub name: String,
    pub slug: String,
    pub image_url: String,
    pub has_image: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_member_with_elevated_permissions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_invitations_count: Option<i64>,
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_metadata: Metadata,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object, required = true))]
    pub private_metadata: Metadata,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub role_set_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organizations {
    pub data: Vec<Organization>,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationMembershipPublicUserData {
    pub user_id: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub profile_image_url: Option<String>,
    pub image_url: String,
    pub has_image: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub identifier: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub username: Option<String>,
    pub banned: bool,
    pub deprovisioned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationMembership {
    pub object: String,
    pub id: String,
    pub role: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub role_name: String,
    pub permissions: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_metadata: Metadata,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object, required = true))]
    pub private_metadata: Metadata,
    pub organization: Organization,
    pub public_user_data: OrganizationMembershipPublicUserData,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationMemberships {
    pub data: Vec<OrganizationMembership>,
    pub total_count: i64,
}

/// The answer of a bulk membership write in `partial` mode (in `atomic` mode, the same when every item
/// succeeded): each item's outcome in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOrganizationMemberships {
    /// `bulk_organization_memberships`.
    pub object: String,
    pub data: Vec<BulkItemResult>,
    /// How many items succeeded and how many failed.
    pub succeeded: i64,
    pub failed: i64,
}

/// One item's outcome: the membership it created, updated or deleted, or its Clerk error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum BulkItemResult {
    Membership(Box<OrganizationMembership>),
    Error(BulkItemError),
}

/// A failed item: the status and errors the single write would have answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkItemError {
    pub status: u16,
    pub errors: Vec<ClerkError>,
}

/// `verification_admin`: how Roster marks identifications created through the Backend API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = verification_admin))]
pub struct Verification {
    pub object: String,
    pub status: String,
    pub strategy: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub attempts: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expire_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailAddress {
    pub id: String,
    pub object: String,
    pub email_address: String,
    pub reserved: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub verification: Option<Verification>,
    pub linked_to: Vec<Value>,
    pub matches_sso_connection: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneNumber {
    pub id: String,
    pub object: String,
    pub phone_number: String,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub reserved: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub verification: Option<Verification>,
    pub linked_to: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub backup_codes: Option<Vec<String>>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Web3Wallet {
    pub id: String,
    pub object: String,
    pub web3_wallet: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub verification: Option<Verification>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: String,
    pub object: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub external_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub primary_email_address_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub primary_phone_number_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub primary_web3_wallet_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub username: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub locale: Option<String>,
    pub profile_image_url: String,
    pub image_url: String,
    pub has_image: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_metadata: Metadata,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub private_metadata: Option<Metadata>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unsafe_metadata: Metadata,
    pub email_addresses: Vec<EmailAddress>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub web3_wallets: Vec<Web3Wallet>,
    pub passkeys: Vec<Value>,
    pub password_enabled: bool,
    pub two_factor_enabled: bool,
    pub totp_enabled: bool,
    pub backup_code_enabled: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub mfa_enabled_at: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub mfa_disabled_at: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub password_last_updated_at: Option<i64>,
    pub external_accounts: Vec<Value>,
    pub saml_accounts: Vec<Value>,
    pub enterprise_accounts: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_sign_in_at: Option<i64>,
    pub banned: bool,
    pub locked: bool,
    pub deprovisioned: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub lockout_expires_in_seconds: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub verification_attempts_remaining: Option<i64>,
    pub updated_at: i64,
    pub created_at: i64,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub create_organizations_limit: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_active_at: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub legal_accepted_at: Option<i64>,
    pub bypass_client_trust: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedObject {
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotalCount {
    pub object: String,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permission {
    pub object: String,
    pub id: String,
    pub name: String,
    pub key: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Role {
    pub object: String,
    pub id: String,
    pub name: String,
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub description: Option<String>,
    pub is_creator_eligible: bool,
    pub permissions: Vec<Permission>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roles {
    pub data: Vec<Role>,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permissions {
    pub data: Vec<Permission>,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub object: String,
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub actor: Option<Value>,
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub last_active_organization_id: Option<String>,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub updated_at: i64,
    pub created_at: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub tasks: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sessions {
    pub data: Vec<Session>,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationSettings {
    pub object: String,
    pub enabled: bool,
    pub max_allowed_memberships: i64,
    pub max_allowed_roles: i64,
    pub max_role_sets_allowed: i64,
    pub max_allowed_domains: i64,
    pub max_allowed_permissions: i64,
    pub creator_role: String,
    pub admin_delete_enabled: bool,
    pub domains_enabled: bool,
    pub slug_disabled: bool,
    pub domains_enrollment_modes: Vec<String>,
    pub domains_default_role: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub initial_role_set_key: Option<String>,
}
