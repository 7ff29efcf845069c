//! Role sets: which roles an organization's members and invitations may hold. An organization with a
//! `role_set_key` may give only the roles of that set (and its creator gets the set's creator role); one without
//! may give every role of the instance, as before role sets existed: that is the default set. A new organization
//! gets the instance's `initial` role set, when there is one. Replacing a role in a set, or a set by another,
//! moves the members (and pending invitations) of the organizations using it in the same transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ids::InstanceId;
use crate::model::{Page, Role};
use crate::query::{KeyedOrder, Pagination};

/// What the operations below return (`crate::store::Result`, named here so this module needs nothing above it).
type Result<T> = std::result::Result<T, crate::DomainError>;

/// The most roles one role set (or one `add_roles`) holds, as Clerk allows.
pub const MAX_ROLES: usize = 10;
/// Every role set key starts so.
pub const KEY_PREFIX: &str = "role_set:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSetType {
    /// New organizations get it; at most one per instance.
    Initial,
    Custom,
}

impl RoleSetType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "initial" => Some(Self::Initial),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: RoleSetType,
    /// In the order they were added.
    pub roles: Vec<Role>,
    pub default_role: Option<Role>,
    pub creator_role: Option<Role>,
    /// Members per role key across the organizations using the set.
    pub members_count: HashMap<String, i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRoleSet {
    pub name: String,
    /// Generated from the name when absent.
    pub key: Option<String>,
    pub description: Option<String>,
    pub default_role_key: String,
    pub creator_role_key: String,
    pub initial: bool,
    pub role_keys: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSetUpdate {
    pub name: Option<String>,
    pub key: Option<String>,
    pub description: Option<Option<String>>,
    /// Make it the initial set (the previous initial one becomes custom).
    pub initial: bool,
    pub default_role_key: Option<String>,
    pub creator_role_key: Option<String>,
}

/// Whether `key` is a role set key: the prefix, then lowercase letters, digits and `_`.
pub fn is_key(key: &str) -> bool {
    key.strip_prefix(KEY_PREFIX).is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// The key a name gives: `role_set:` and its letters and digits lowercased, other runs as `_`.
pub fn key_from_name(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    let slug = slug.trim_end_matches('_');
    format!("{KEY_PREFIX}{}", if slug.is_empty() { "set" } else { slug })
}

#[async_trait]
pub trait RoleSets: Send + Sync {
    /// Role sets whose id equals `query` or whose name or key contains it, ordered and paged.
    async fn list_role_sets(
        &self,
        instance_id: &InstanceId,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<RoleSet>>;
    async fn get_role_set(&self, instance_id: &InstanceId, key_or_id: &str) -> Result<RoleSet>;
    async fn create_role_set(&self, instance_id: &InstanceId, new: NewRoleSet) -> Result<RoleSet>;
    async fn update_role_set(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        update: RoleSetUpdate,
    ) -> Result<RoleSet>;
    /// Add roles (and optionally change the default or creator role to one of the set's).
    async fn add_role_set_roles(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        role_keys: Vec<String>,
        default_role_key: Option<String>,
        creator_role_key: Option<String>,
    ) -> Result<RoleSet>;
    /// Replace `role_key` in the set by `to_role_key`: the members and pending invitations of the organizations
    /// using the set that hold it get the other.
    async fn replace_role_set_role(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        role_key: &str,
        to_role_key: &str,
    ) -> Result<RoleSet>;
    /// Delete the set, moving its organizations to `dest_key`; members whose role the destination lacks get the
    /// role `mappings` names for it. Returns the deleted set.
    async fn replace_role_set(
        &self,
        instance_id: &InstanceId,
        key_or_id: &str,
        dest_key: &str,
        mappings: HashMap<String, String>,
    ) -> Result<RoleSet>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(is_key("role_set:default") && is_key("role_set:a1_b"));
        for bad in ["default", "role_set:", "role_set:Upper", "role_set:a-b", "role_set:a b"] {
            assert!(!is_key(bad), "{bad}");
        }
        assert_eq!(key_from_name("Engineering Team!"), "role_set:engineering_team");
        assert_eq!(key_from_name("  ** "), "role_set:set");
        assert!(is_key(&key_from_name("Ünïcode — Roles 2")));
    }
}
