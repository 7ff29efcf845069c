//! SCIM directories and their group role mappings, as `/v1/scim_directories` returns them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SCIMDirectory {
    /// `scim_directory`.
    pub object: String,
    pub id: String,
    pub name: String,
    /// Accepted and kept as given: Roster has no enterprise connections.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub enterprise_connection_id: Option<String>,
    /// The SCIM 2.0 base URL to give the identity provider.
    pub endpoint_url: String,
    pub provider: String,
    pub enabled: bool,
    pub group_role_mapping_enabled: bool,
    pub attribute_mapping: BTreeMap<String, String>,
    pub custom_attributes: Vec<serde_json::Value>,
    /// The bearer token of the SCIM endpoint: only in the answers of create and `rotate_api_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Roster extension: the organization the directory provisions.
    pub organization_id: String,
    /// Roster extension: the role of members in no mapped group (`null`: the organization's role set default,
    /// else `org:member`).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub default_role: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SCIMDirectories {
    pub data: Vec<SCIMDirectory>,
    pub total_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SCIMGroupRoleMapping {
    /// `scim_group_role_mapping`.
    pub object: String,
    pub id: String,
    pub scim_directory_id: String,
    pub directory_id: String,
    pub scim_group_id: String,
    pub directory_group_id: String,
    pub scim_group_display_name: String,
    pub directory_group_display_name: String,
    pub role: Role,
    pub precedence: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SCIMGroupRoleMappings {
    pub data: Vec<SCIMGroupRoleMapping>,
    pub total_count: i64,
}

/// The answer of deleting a group role mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedSCIMGroupRoleMapping {
    /// `scim_group_role_mapping`.
    pub object: String,
    pub id: String,
    pub deleted: bool,
}
