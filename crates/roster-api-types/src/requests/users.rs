//! Bodies of the user operations. Roster keeps no passwords: `password` and `password_digest` only set
//! `password_enabled`; the `password_hasher`, `totp_secret`, `backup_codes`, `skip_*`, `notify_*`,
//! `sign_out_of_other_sessions` and `profile_image_id` fields are accepted (with their types checked) and
//! ignored.

use serde::{Deserialize, Serialize};

use super::field;
#[cfg(feature = "openapi")]
use super::schema::*;
use crate::values::Metadata;

/// Body of `POST /users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Your own id for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Email addresses, unique in the instance; the first is the primary one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<EmailAddressValue>>))]
    pub email_address: Vec<String>,
    /// One status per email address, by position (`verified` when absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<IdentificationStatus>>))]
    pub email_address_identification_status: Vec<String>,
    /// Phone numbers (E.164), unique in the instance; the first is the primary one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<PhoneNumberValue>>))]
    pub phone_number: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<IdentificationStatus>>))]
    pub phone_number_identification_status: Vec<String>,
    /// Web3 wallets, unique in the instance; the first is the primary one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Web3WalletValue>>))]
    pub web3_wallet: Vec<String>,
    /// Unique in the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 4, max_length = 64))]
    pub username: Option<String>,
    /// At least 8 characters unless `skip_password_checks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_password_requirement: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    /// Metadata readable from the frontend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Metadata readable only from the backend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
    /// Metadata the user may change from the frontend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub unsafe_metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub legal_accepted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_user_requirement: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub create_organizations_limit: Option<i64>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
}

/// Body of `PATCH /users/{user_id}`. Metadata is accepted here only with a `Clerk-API-Version` before
/// 2026-05-12 (422 `form_param_unknown` from 2026-05-12 on).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// `null` clears it.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub locale: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email_address_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone_number_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_web3_wallet_id: Option<String>,
    /// Unique in the instance; `null` removes it.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 4, max_length = 64))]
    pub username: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_image_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_out_of_other_sessions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub legal_accepted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    /// `null` removes the limit.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub create_organizations_limit: Option<Option<i64>>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
    /// Replaces (API versions before 2026-05-12 only).
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Replaces (API versions before 2026-05-12 only).
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
    /// Replaces (API versions before 2026-05-12 only).
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub unsafe_metadata: Option<Metadata>,
}

/// Body of `PATCH` (deep merge, `null` deletes a key at any depth) and `PUT` (replace) `/users/{user_id}/metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserMetadataRequest {
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub unsafe_metadata: Option<Metadata>,
}
