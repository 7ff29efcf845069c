//! Bodies of the SCIM directory operations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::field;

/// A group role mapping given with a new directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SCIMGroupRoleMappingItem {
    /// The group's SCIM `id`, `externalId` or `displayName` as the identity provider pushes it.
    pub scim_group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub scim_group_display_name: Option<String>,
    pub role_id: String,
    /// From 1; by array order when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub precedence: Option<i64>,
}

/// Body of `POST /scim_directories`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSCIMDirectoryRequestBody {
    /// Kept as given. Roster has no enterprise connections: without `organization_id`, an organization id here
    /// (`org_…`) names the organization, so the official SDKs (which send only this) create directories unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_connection_id: Option<String>,
    /// Roster extension: the organization the directory provisions (one directory each); required unless
    /// `enterprise_connection_id` is an organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The identity provider (`okta`, `entra_id`, `google`, `jumpcloud`, ... kept as given).
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub provider: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_role_mappings: Option<Vec<SCIMGroupRoleMappingItem>>,
    /// Roster extension: the key of the role of members in no mapped group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role: Option<String>,
}

/// Body of `PATCH /scim_directories/{scim_directory_id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateSCIMDirectoryRequestBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Merged into the mapping; a `null` value removes its attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_mapping: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_role_mapping_enabled: Option<bool>,
    /// Roster extension; `null` clears it.
    #[serde(default, deserialize_with = "field::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub default_role: Option<Option<String>>,
}

/// Body of `POST /scim_directories/{scim_directory_id}/group_role_mappings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSCIMGroupRoleMappingRequestBody {
    pub scim_group_id: String,
    pub role_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub precedence: Option<i64>,
    /// Roster extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub scim_group_display_name: Option<String>,
}

/// One mapping of `PUT /scim_directories/{scim_directory_id}/group_role_mappings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplaceSCIMGroupRoleMappingItem {
    pub scim_group_id: String,
    pub role_id: String,
}

/// Body of `PUT /scim_directories/{scim_directory_id}/group_role_mappings`: array order is precedence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplaceSCIMGroupRoleMappingsRequestBody {
    pub mappings: Vec<ReplaceSCIMGroupRoleMappingItem>,
}
