//! SCIM directories: an identity provider provisions the members of one organization. A directory has its own
//! API key (stored hashed, shown once, rotatable with a grace period for the previous one), group role mappings
//! (a member's role is the role of the lowest-precedence mapping among their groups, or the directory's default
//! role), and the users and groups the provider pushed. The store keeps each SCIM resource as JSON (the protocol
//! itself lives in `roster-scim`); what it derives from them (who is active, which groups name whom) decides the
//! memberships of the directory's organization, in the same transaction as the resource's write.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value;

use crate::ids::{DirectoryId, InstanceId, OrgId};
use crate::model::{Page, Role};
use crate::query::Pagination;

/// What the operations below return (`crate::store::Result`, named here so this module needs nothing above it).
type Result<T> = std::result::Result<T, crate::DomainError>;

/// How long a rotated-out API key still authenticates: time to paste the new one into the identity provider.
pub const PREVIOUS_KEY_GRACE_MS: i64 = 60 * 60 * 1000;
/// Every directory API key starts so.
pub const KEY_PREFIX: &str = "scim_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub provider: String,
    pub enterprise_connection_id: Option<String>,
    pub enabled: bool,
    pub group_role_mapping_enabled: bool,
    pub attribute_mapping: BTreeMap<String, String>,
    /// The role of members in no mapped group, when the directory names one.
    pub default_role: Option<Role>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDirectory {
    pub organization_id: OrgId,
    pub name: String,
    pub provider: String,
    pub enterprise_connection_id: Option<String>,
    pub default_role_key: Option<String>,
    pub group_role_mappings: Vec<NewGroupRoleMapping>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryUpdate {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub provider: Option<String>,
    /// Merged: `None` removes the attribute.
    pub attribute_mapping: BTreeMap<String, Option<String>>,
    pub group_role_mapping_enabled: Option<bool>,
    /// `Some(None)` clears it.
    pub default_role_key: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRoleMapping {
    pub id: String,
    pub directory_id: String,
    pub scim_group_id: String,
    pub scim_group_display_name: String,
    pub role: Role,
    pub precedence: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewGroupRoleMapping {
    pub scim_group_id: String,
    pub scim_group_display_name: Option<String>,
    pub role_id: String,
    /// Appended after the others when absent.
    pub precedence: Option<i64>,
}

/// A directory as the SCIM endpoint authenticates it: the stored digests of its keys.
#[derive(Debug, Clone)]
pub struct DirectoryCredentials {
    pub instance_id: InstanceId,
    pub directory: Directory,
    pub key_hash: String,
    /// The rotated-out key's digest and until when it still counts.
    pub previous_key: Option<(String, i64)>,
}

impl DirectoryCredentials {
    /// Whether `presented` is this directory's key (or its previous one, within the grace period), compared in
    /// constant time.
    pub fn accepts(&self, presented: &str, now: i64) -> bool {
        let digest = crate::keys::digest(presented);
        let current = crate::keys::verify(&digest, &self.key_hash);
        let previous =
            self.previous_key.as_ref().is_some_and(|(hash, until)| crate::keys::verify(&digest, hash) && now < *until);
        current | previous
    }
}

/// Mint a directory API key: `scim_` and 256 random bits in hex.
pub fn generate_key() -> String {
    use rand::RngCore;
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    format!("{KEY_PREFIX}{}", hex::encode(raw))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    User,
    Group,
}

/// A SCIM resource as stored: its body (the resource without `id` and `meta`), its ETag version and times.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: String,
    pub body: Value,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An indexed lookup a list may use instead of reading the directory's every resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    All,
    Id(String),
    /// `userName` (users) or `displayName` (groups), case-insensitively.
    Name(String),
    ExternalId(String),
    /// A user's email address, case-insensitively (the primary one, else the first).
    Email(String),
}

/// What the store derives from a user resource body (the server extracts it with `roster-scim`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserWrite {
    pub body: Value,
    pub user_name: String,
    pub external_id: Option<String>,
    pub active: bool,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// What the store derives from a group resource body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupWrite {
    pub body: Value,
    pub display_name: String,
    pub external_id: Option<String>,
    /// The `value` of each member.
    pub members: Vec<String>,
}

/// How a write changes a user: from the stored resource to what to store (an error refuses the write).
pub type UserChange = std::sync::Arc<dyn Fn(&Resource) -> Result<UserWrite> + Send + Sync>;
/// How a write changes a group.
pub type GroupChange = std::sync::Arc<dyn Fn(&Resource) -> Result<GroupWrite> + Send + Sync>;

#[async_trait]
pub trait Directories: Send + Sync {
    /// Create a directory for an organization (at most one each) with its mappings; returns it with its API key,
    /// which is not kept.
    async fn create_directory(&self, instance_id: &InstanceId, new: NewDirectory) -> Result<(Directory, String)>;
    async fn list_directories(&self, instance_id: &InstanceId, page: Pagination) -> Result<Page<Directory>>;
    async fn get_directory(&self, instance_id: &InstanceId, id: &DirectoryId) -> Result<Directory>;
    async fn update_directory(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        update: DirectoryUpdate,
    ) -> Result<Directory>;
    /// Delete a directory with what it provisioned: its users' memberships in the organization go too (the Roster
    /// users stay).
    async fn delete_directory(&self, instance_id: &InstanceId, id: &DirectoryId) -> Result<Directory>;
    /// A new API key; the previous one authenticates for `PREVIOUS_KEY_GRACE_MS` more.
    async fn rotate_directory_key(&self, instance_id: &InstanceId, id: &DirectoryId) -> Result<(Directory, String)>;
    /// By precedence.
    async fn list_group_role_mappings(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
    ) -> Result<Vec<GroupRoleMapping>>;
    async fn create_group_role_mapping(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        new: NewGroupRoleMapping,
    ) -> Result<GroupRoleMapping>;
    /// Replace every mapping (array order is precedence) and re-role the members accordingly.
    async fn replace_group_role_mappings(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        mappings: Vec<NewGroupRoleMapping>,
    ) -> Result<Vec<GroupRoleMapping>>;
    async fn delete_group_role_mapping(
        &self,
        instance_id: &InstanceId,
        id: &DirectoryId,
        mapping_id: &str,
    ) -> Result<GroupRoleMapping>;

    // --- the SCIM endpoint: every call is scoped to one directory -----------------------------------------
    /// The directory and its key digests, for authentication; `None`: no such directory (in any instance).
    async fn directory_credentials(&self, id: &DirectoryId) -> Result<Option<DirectoryCredentials>>;
    async fn scim_get(&self, dir: &DirectoryCredentials, kind: ResourceKind, id: &str) -> Result<Resource>;
    /// Resources of the directory matching `lookup`, oldest first (the server filters and pages them).
    async fn scim_find(&self, dir: &DirectoryCredentials, kind: ResourceKind, lookup: Lookup) -> Result<Vec<Resource>>;
    /// One page of the directory's resources, oldest first, and how many it has (an unfiltered list, paged by the
    /// database rather than in memory).
    async fn scim_page(
        &self,
        dir: &DirectoryCredentials,
        kind: ResourceKind,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Resource>, usize)>;
    /// The groups naming each of these users (by SCIM id): (group id, display name), by display name.
    async fn scim_groups_of(
        &self,
        dir: &DirectoryCredentials,
        user_ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, Vec<(String, String)>>>;
    async fn scim_create_user(&self, dir: &DirectoryCredentials, user: UserWrite) -> Result<Resource>;
    /// Change a user: `change` maps its current state to the new one inside the write's transaction (with the
    /// organization locked), so concurrent changes apply one after the other and none is lost; an error from
    /// `change` refuses the write.
    async fn scim_update_user(&self, dir: &DirectoryCredentials, id: &str, change: UserChange) -> Result<Resource>;
    async fn scim_create_group(&self, dir: &DirectoryCredentials, group: GroupWrite) -> Result<Resource>;
    /// Change a group, as `scim_update_user` changes a user.
    async fn scim_update_group(&self, dir: &DirectoryCredentials, id: &str, change: GroupChange) -> Result<Resource>;
    /// Delete a resource (when `version` is given, only at that version).
    async fn scim_delete(
        &self,
        dir: &DirectoryCredentials,
        kind: ResourceKind,
        id: &str,
        version: Option<i64>,
    ) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_accepts_its_key_and_its_previous_one_within_the_grace_period() {
        let (key, old) = (generate_key(), generate_key());
        assert!(key.starts_with(KEY_PREFIX) && key.len() == KEY_PREFIX.len() + 64);
        let creds = DirectoryCredentials {
            instance_id: "ins_1".into(),
            directory: Directory {
                id: "scimdir_1".into(),
                organization_id: "org_1".into(),
                name: String::new(),
                provider: String::new(),
                enterprise_connection_id: None,
                enabled: true,
                group_role_mapping_enabled: true,
                attribute_mapping: BTreeMap::new(),
                default_role: None,
                created_at: 0,
                updated_at: 0,
            },
            key_hash: crate::keys::digest(&key).hash,
            previous_key: Some((crate::keys::digest(&old).hash, 1_000)),
        };
        assert!(creds.accepts(&key, 5_000));
        assert!(creds.accepts(&old, 999));
        assert!(!creds.accepts(&old, 1_000));
        assert!(!creds.accepts(&format!("{key}0"), 0));
        assert!(!creds.accepts("", 0));
    }
}
