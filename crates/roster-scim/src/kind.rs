//! The resource types Roster serves, and a helper for echoing input in error details.

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
