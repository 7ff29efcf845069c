//! Bodies of the role, permission, organization-settings and session operations.

use serde::{Deserialize, Serialize};

use super::field;
#[cfg(feature = "openapi")]
use super::schema::*;

/// Body of `POST /organization_roles`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationRoleRequest {
    /// Not blank.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub name: String,
    /// `org:` then lowercase letters, digits and `_`; unique in the instance.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^org:[a-z0-9_]{1,64}$", example = "org:billing_manager"))]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Permission ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub permissions: Vec<String>,
    /// Accepted and ignored (Roster has no role sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_in_initial_role_set: Option<bool>,
}

/// Body of `PATCH /organization_roles/{organization_role_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateOrganizationRoleRequest {
    /// A blank name leaves the name as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `org:` then lowercase letters, digits and `_`; unique in the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^org:[a-z0-9_]{1,64}$"))]
    pub key: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    /// Permission ids: replaces the role's permissions (`null`: none).
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub permissions: Option<Option<Vec<String>>>,
}

/// Body of `POST /organization_permissions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOrganizationPermissionRequest {
    /// Not blank.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub name: String,
    /// `org:<feature>:<action>`, lowercase letters, digits and `_`; `org:sys_` is reserved for the system
    /// permissions. Unique in the instance.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^org:[a-z0-9_]+:[a-z0-9_]+$", max_length = 128, example = "org:invoices:read")
    )]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Body of `PATCH /organization_permissions/{permission_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateOrganizationPermissionRequest {
    /// A blank name leaves the name as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `org:<feature>:<action>` as on creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^org:[a-z0-9_]+:[a-z0-9_]+$", max_length = 128))]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Body of `PATCH /instance/organization_settings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateInstanceOrganizationSettingsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The default for new organizations; 0 = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub max_allowed_memberships: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_delete_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug_disabled: Option<bool>,
    /// `manual_invitation`, `automatic_invitation`, `automatic_suggestion` (`null`: none).
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<EnrollmentMode>>))]
    pub domains_enrollment_modes: Option<Option<Vec<String>>>,
    /// A role holding `org:sys_memberships:manage`, `org:sys_memberships:read` and `org:sys_profile:delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_role_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains_default_role_id: Option<String>,
}

/// Body of `POST /sessions` (development instances only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSessionRequest {
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub user_id: String,
    /// An organization the user is a member of (default: the one they joined last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_organization_id: Option<String>,
}

/// Body of `PATCH /sessions/{session_id}` (a Roster extension): the session's new active organization, or `null`
/// for none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateSessionRequest {
    /// An organization the session's user is a member of, or `null`.
    #[serde(default, deserialize_with = "super::field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, required = true))]
    pub active_organization_id: Option<Option<String>>,
}

/// Body of `POST /role_sets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRoleSetRequestBody {
    pub name: String,
    /// `role_set:` then lowercase letters, digits and `_`; unique in the instance (made from the name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// One of `roles`: what new members get by default.
    pub default_role_key: String,
    /// One of `roles`: what an organization's creator gets.
    pub creator_role_key: String,
    /// `initial` (new organizations get it; the previous initial set becomes `custom`) or `custom` (the default).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 1 to 10 role keys.
    pub roles: Vec<String>,
}

/// Body of `PATCH /role_sets/{role_set_key_or_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoleSetRequestBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    /// Only `initial`: make this the initial set.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_role_key: Option<String>,
}

/// Body of `POST /role_sets/{role_set_key_or_id}/roles`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddRolesToRoleSetRequestBody {
    pub role_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_role_key: Option<String>,
}

/// Body of `POST /role_sets/{role_set_key_or_id}/roles/replace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplaceRoleInRoleSetRequestBody {
    pub role_key: String,
    pub to_role_key: String,
}

/// Body of `POST /role_sets/{role_set_key_or_id}/replace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplaceRoleSetRequestBody {
    pub dest_role_set_key: String,
    /// Source role key to destination role key, for the roles members hold that the destination lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassignment_mappings: Option<std::collections::HashMap<String, String>>,
}
