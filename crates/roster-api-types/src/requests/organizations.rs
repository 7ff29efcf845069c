//! Bodies of the organization operations.

use serde::{Deserialize, Serialize};

use super::field;
use crate::values::Metadata;

/// Body of `POST /organizations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOrganizationRequest {
    /// The organization's name: no URLs or HTML; not blank.
    #[cfg_attr(feature = "openapi", schema(max_length = 256, pattern = r"\S"))]
    pub name: String,
    /// A user of the instance, who becomes a member with the creator role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Metadata readable only from the backend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
    /// Metadata readable from the frontend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Lowercase letters, digits and `-`; unique in the instance (derived from the name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", max_length = 256))]
    pub slug: Option<String>,
    /// The most members it may have: 0 = unlimited; the instance's setting when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub max_allowed_memberships: Option<i64>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_set_key: Option<String>,
}

/// Body of `PATCH /organizations/{organization_id}`. Metadata is accepted here only with a
/// `Clerk-API-Version` before 2026-05-12 (422 `form_param_unknown` from 2026-05-12 on).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    /// No URLs or HTML; not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256, pattern = r"\S"))]
    pub name: Option<String>,
    /// Lowercase letters, digits and `-`; unique in the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", max_length = 256))]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub max_allowed_memberships: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_delete_enabled: Option<bool>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub role_set_key: Option<Option<String>>,
    /// Replaces the organization's public metadata (API versions before 2026-05-12 only).
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Replaces the organization's private metadata (API versions before 2026-05-12 only).
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
}

/// Body of `PATCH` (deep merge, `null` deletes a key at any depth) and `PUT` (replace)
/// `/organizations/{organization_id}/metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrganizationMetadataRequest {
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
}
