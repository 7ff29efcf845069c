//! Bodies of the organization-membership operations.

use serde::{Deserialize, Serialize};

use super::field;
use crate::values::Metadata;

/// Body of `POST /organizations/{organization_id}/memberships`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOrganizationMembershipRequestBody {
    /// The user who joins: a user of the instance who is not yet a member.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub user_id: String,
    /// The key of an existing role, for example `org:member` or `org:admin`.
    #[cfg_attr(feature = "openapi", schema(example = "org:member", pattern = r"\S"))]
    pub role: String,
    /// Metadata readable from the frontend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Metadata readable only from the backend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
}

/// Body of `PATCH /organizations/{organization_id}/memberships/{user_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateOrganizationMembershipRequestBody {
    /// The key of an existing role.
    #[cfg_attr(feature = "openapi", schema(example = "org:admin", pattern = r"\S"))]
    pub role: String,
}

/// Body of `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`. Deep merge: nested
/// objects merge, `null` deletes a key at any depth.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationMembershipMetadataRequestBody {
    /// Merged into the metadata readable from the frontend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Merged into the metadata readable only from the backend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
}
