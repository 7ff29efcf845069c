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

/// The most items one bulk membership write takes.
pub const MAX_BULK_ITEMS: usize = 500;

/// How a bulk membership write treats a failing item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BulkMode {
    /// All or nothing: any failing item fails the request, which changes nothing and answers with the error
    /// of every failing item (`meta.index` is its position).
    #[default]
    Atomic,
    /// Each item on its own: the response lists every item's outcome in request order, a membership or a
    /// Clerk error; the items that succeeded are committed.
    Partial,
}

/// Body of the bulk membership writes (`POST`, `PATCH` and `DELETE /organizations/{organization_id}/memberships/bulk`),
/// a Roster extension: up to 500 items, each the body of the single write of its kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkOrganizationMembershipsRequest<T> {
    /// `atomic` (the default) or `partial`.
    #[serde(default)]
    pub mode: BulkMode,
    /// 1 to 500 items, applied in order.
    pub items: Vec<T>,
}

/// An item of `PATCH /organizations/{organization_id}/memberships/bulk`: a new role, a deep merge of
/// metadata (as `PATCH .../memberships/{user_id}/metadata`), or both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationMembershipsBulkItem {
    /// The member whose membership changes.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub user_id: String,
    /// The key of an existing role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Merged into the metadata readable from the frontend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub public_metadata: Option<Metadata>,
    /// Merged into the metadata readable only from the backend.
    #[serde(default, deserialize_with = "field::metadata", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub private_metadata: Option<Metadata>,
}

/// An item of `DELETE /organizations/{organization_id}/memberships/bulk`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteOrganizationMembershipsBulkItem {
    /// The member whose membership is deleted.
    #[cfg_attr(feature = "openapi", schema(pattern = r"\S"))]
    pub user_id: String,
}
