//! SCIM 2.0 (RFC 7643 / RFC 7644) service-provider protocol library for Roster.
//!
//! Pure and storage-agnostic: the server stores each resource as a JSON "resource body"
//! (everything except `id` and `meta`, attribute names canonicalized, as produced by
//! [`resource::normalize`]) and calls into this crate for discovery documents, validation,
//! filtering, PATCH, attribute projection and list responses.
#![forbid(unsafe_code)]

pub mod discovery;
mod error;
pub mod fields;
pub mod filter;
pub mod list;
pub mod patch;
pub mod resource;
pub mod schema;
mod time;

pub use error::{ScimError, ERROR_URN};
pub use fields::{display_name, external_id, group_members, user_fields, UserFields};

/// The resource types Roster serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// `/Users`, core schema `urn:ietf:params:scim:schemas:core:2.0:User`.
    User,
    /// `/Groups`, core schema `urn:ietf:params:scim:schemas:core:2.0:Group`.
    Group,
}

impl ResourceKind {
    /// The core schema URN.
    pub fn schema_urn(self) -> &'static str {
        self.schema().urn
    }
    /// The endpoint path relative to the SCIM root (`/Users`, `/Groups`).
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }
    /// The resource type name (`User`, `Group`), as in `meta.resourceType`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }
    /// Both kinds, in discovery order.
    pub fn all() -> [ResourceKind; 2] {
        [ResourceKind::User, ResourceKind::Group]
    }
}

/// Truncate user input echoed in error details.
pub(crate) fn short(s: &str) -> String {
    if s.len() <= 100 {
        return s.to_string();
    }
    let mut end = 100;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}
