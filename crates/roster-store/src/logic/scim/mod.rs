//! SCIM directories (`roster_core::scim`): their management (the Clerk `/scim_directories` API), the resources an
//! identity provider pushes through them (`resources`), and the memberships those resources decide (`sync`), all
//! in the transaction of the write that changes them.

mod resources;
mod rows;
mod sync;

use std::collections::BTreeMap;

use roster_core::ids::{new_id, prefix};
use roster_core::model::{Organization, Page};
use roster_core::query::Pagination;
use roster_core::scim::{
    generate_key, Directory, DirectoryCredentials, DirectoryUpdate, GroupRoleMapping, NewDirectory,
    NewGroupRoleMapping, PREVIOUS_KEY_GRACE_MS,
};
use roster_core::{keys, now_millis, DomainError};

pub use resources::{create_group, create_user, delete, find, get, groups_of, page, replace_group, replace_user};

use crate::logic::rows::orgs::org_by_id_for_update;
use crate::logic::rows::roles::RolesCache;
use crate::logic::Tx;
use crate::sql::{vals, Db};
use rows::{credentials_in, directory_by_id, mappings_of, DIRECTORY_COLUMNS};

/// The id of the role with `key` that `org` may give (param `default_role` when it may not, or it is no role).
fn role_id_of_key(c: &dyn Db, cache: &RolesCache, instance_id: &str, org: &Organization, key: &str) -> Tx<String> {
    let roles = cache.roles(c, instance_id)?;
    let role = crate::logic::rows::role_sets::allowed_role(c, instance_id, org, &roles, key)
        .map_err(|_| DomainError::RoleNotFound { param: "default_role".into() })?;
    Ok(role.id.clone())
}

/// Insert `mappings` for `dir`, whose organization is `org`: each names a role of the instance `org` may give.
#[allow(clippy::too_many_arguments)]
fn insert_mappings(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    dir: &Directory,
    org: &Organization,
    mappings: &[NewGroupRoleMapping],
    first_precedence: i64,
    now: i64,
) -> Tx<()> {
    let roles = cache.roles(c, instance_id)?;
    for (n, m) in mappings.iter().enumerate() {
        if m.scim_group_id.trim().is_empty() {
            return Err(DomainError::ParamMissing("scim_group_id".into()).into());
        }
        if m.scim_group_display_name.as_ref().is_some_and(|d| d.chars().count() > 255) {
            return Err(DomainError::invalid(
                "scim_group_display_name",
                "scim_group_display_name must be at most 255 characters.",
            )
            .into());
        }
        let precedence = m.precedence.unwrap_or(first_precedence + n as i64);
        if precedence < 1 {
            return Err(DomainError::invalid("precedence", "precedence must be at least 1.").into());
        }
        let role = roles.get(&m.role_id).ok_or_else(|| DomainError::RoleNotFound { param: "role_id".into() })?;
        crate::logic::rows::role_sets::allowed_role(c, instance_id, org, &roles, &role.key)
            .map_err(|_| DomainError::RoleNotFound { param: "role_id".into() })?;
        let taken = c.query_opt(
            "SELECT 1 FROM scim_group_role_mappings WHERE directory_id = ?1 AND scim_group_id = ?2",
            vals![dir.id, m.scim_group_id],
        )?;
        if taken.is_some() {
            return Err(
                DomainError::DuplicateRecord { what: "SCIM group role mapping", key: m.scim_group_id.clone() }.into()
            );
        }
        c.execute(
            "INSERT INTO scim_group_role_mappings (id, directory_id, scim_group_id, scim_group_display_name, role_id, \
             precedence, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            vals![
                new_id(prefix::SCIM_GROUP_ROLE_MAPPING),
                dir.id,
                m.scim_group_id,
                m.scim_group_display_name.clone().unwrap_or_default(),
                m.role_id,
                precedence,
                now
            ],
        )?;
    }
    Ok(())
}

pub fn create(c: &dyn Db, cache: &RolesCache, instance_id: &str, new: NewDirectory) -> Tx<(Directory, String)> {
    if new.provider.trim().is_empty() {
        return Err(DomainError::ParamMissing("provider".into()).into());
    }
    // Lock the organization: one directory each, checked and written under the lock.
    let org = org_by_id_for_update(c, instance_id, &new.organization_id)?;
    let used = c.query_opt("SELECT 1 FROM scim_directories WHERE organization_id = ?1", vals![new.organization_id])?;
    if used.is_some() {
        return Err(DomainError::DirectoryOrganizationUsed.into());
    }
    let default_role_id = match &new.default_role_key {
        Some(key) => Some(role_id_of_key(c, cache, instance_id, &org, key)?),
        None => None,
    };
    let (id, key, now) = (new_id(prefix::SCIM_DIRECTORY), generate_key(), now_millis());
    let name = if new.name.trim().is_empty() { new.provider.clone() } else { new.name.clone() };
    c.execute(
        "INSERT INTO scim_directories (id, instance_id, organization_id, name, provider, enterprise_connection_id, \
         enabled, group_role_mapping_enabled, attribute_mapping, default_role_id, key_hash, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, '{}', ?8, ?9, ?10, ?10)",
        vals![
            id,
            instance_id,
            new.organization_id,
            name,
            new.provider,
            new.enterprise_connection_id,
            true,
            default_role_id,
            keys::digest(&key).hash,
            now
        ],
    )?;
    let dir = directory_by_id(c, cache, instance_id, &id)?;
    insert_mappings(c, cache, instance_id, &dir, &org, &new.group_role_mappings, 1, now)?;
    Ok((dir, key))
}

pub fn list(c: &dyn Db, cache: &RolesCache, instance_id: &str, page: Pagination) -> Tx<Page<Directory>> {
    let total_count: i64 =
        c.query_one("SELECT count(*) FROM scim_directories WHERE instance_id = ?1", vals![instance_id])?.get(0)?;
    let roles = cache.roles(c, instance_id)?;
    let data = c
        .query(
            &format!(
                "SELECT {DIRECTORY_COLUMNS} FROM scim_directories d WHERE d.instance_id = ?1 \
                 ORDER BY d.created_at DESC, d.id DESC LIMIT ?2 OFFSET ?3"
            ),
            vals![instance_id, page.limit, page.offset],
        )?
        .into_iter()
        .map(|mut r| rows::directory_from_row(&mut r, &roles))
        .collect::<Result<_, _>>()?;
    Ok(Page { data, total_count })
}

pub fn get_directory(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str) -> Tx<Directory> {
    directory_by_id(c, cache, instance_id, id)
}

pub fn update(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str, u: DirectoryUpdate) -> Tx<Directory> {
    let creds = credentials_in(c, cache, instance_id, id)?;
    let dir = creds.directory.clone();
    let org = org_by_id_for_update(c, instance_id, &dir.organization_id)?;
    let mut mapping: BTreeMap<String, String> = dir.attribute_mapping.clone();
    for (k, v) in u.attribute_mapping {
        match v {
            Some(v) => mapping.insert(k, v),
            None => mapping.remove(&k),
        };
    }
    let default_role_id = match &u.default_role_key {
        None => dir.default_role.as_ref().map(|r| r.id.clone()),
        Some(None) => None,
        Some(Some(key)) => Some(role_id_of_key(c, cache, instance_id, &org, key)?),
    };
    if u.provider.as_ref().is_some_and(|p| p.trim().is_empty()) {
        return Err(DomainError::invalid("provider", "provider must not be empty.").into());
    }
    c.execute(
        "UPDATE scim_directories SET name = ?2, enabled = ?3, provider = ?4, attribute_mapping = ?5, \
         group_role_mapping_enabled = ?6, default_role_id = ?7, updated_at = ?8 WHERE id = ?1",
        vals![
            id,
            u.name.unwrap_or(dir.name.clone()),
            u.enabled.unwrap_or(dir.enabled),
            u.provider.unwrap_or(dir.provider.clone()),
            serde_json::to_string(&mapping).unwrap_or_else(|_| "{}".into()),
            u.group_role_mapping_enabled.unwrap_or(dir.group_role_mapping_enabled),
            default_role_id,
            now_millis()
        ],
    )?;
    let after = directory_by_id(c, cache, instance_id, id)?;
    let roles_changed = after.group_role_mapping_enabled != dir.group_role_mapping_enabled
        || after.default_role.as_ref().map(|r| &r.id) != dir.default_role.as_ref().map(|r| &r.id);
    if roles_changed {
        sync::all(c, cache, &DirectoryCredentials { directory: after.clone(), ..creds })?;
    }
    Ok(after)
}

/// Delete the directory and what it provisioned. The memberships it made stay, as ordinary memberships: deleting
/// a directory stops provisioning, it does not remove an organization's members.
pub fn delete_directory(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str) -> Tx<Directory> {
    let dir = directory_by_id(c, cache, instance_id, id)?;
    c.execute("DELETE FROM scim_directories WHERE id = ?1", vals![id])?;
    Ok(dir)
}

pub fn rotate_key(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str) -> Tx<(Directory, String)> {
    directory_by_id(c, cache, instance_id, id)?;
    let (key, now) = (generate_key(), now_millis());
    c.execute(
        "UPDATE scim_directories SET previous_key_hash = key_hash, previous_key_expires_at = ?2, key_hash = ?3, \
         updated_at = ?4 WHERE id = ?1",
        vals![id, now + PREVIOUS_KEY_GRACE_MS, keys::digest(&key).hash, now],
    )?;
    Ok((directory_by_id(c, cache, instance_id, id)?, key))
}

pub fn list_mappings(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str) -> Tx<Vec<GroupRoleMapping>> {
    directory_by_id(c, cache, instance_id, id)?;
    mappings_of(c, cache, instance_id, id)
}

/// The directory whose mappings a write changes, its organization locked: 400 `feature_not_enabled` when its
/// mappings are switched off.
fn mapping_write_target(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    id: &str,
) -> Tx<(DirectoryCredentials, Organization)> {
    let creds = credentials_in(c, cache, instance_id, id)?;
    if !creds.directory.group_role_mapping_enabled {
        return Err(DomainError::GroupRoleMappingDisabled.into());
    }
    let org = org_by_id_for_update(c, instance_id, &creds.directory.organization_id)?;
    Ok((creds, org))
}

pub fn create_mapping(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    id: &str,
    new: NewGroupRoleMapping,
) -> Tx<GroupRoleMapping> {
    let (creds, org) = mapping_write_target(c, cache, instance_id, id)?;
    let next: i64 = c
        .query_one(
            "SELECT coalesce(max(precedence), 0) + 1 FROM scim_group_role_mappings WHERE directory_id = ?1",
            vals![id],
        )?
        .get(0)?;
    let group = new.scim_group_id.clone();
    insert_mappings(c, cache, instance_id, &creds.directory, &org, &[new], next, now_millis())?;
    sync::all(c, cache, &creds)?;
    let created = mappings_of(c, cache, instance_id, id)?.into_iter().find(|m| m.scim_group_id == group);
    created.ok_or_else(|| DomainError::NotFound.into())
}

pub fn replace_mappings(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    id: &str,
    mappings: Vec<NewGroupRoleMapping>,
) -> Tx<Vec<GroupRoleMapping>> {
    let (creds, org) = mapping_write_target(c, cache, instance_id, id)?;
    c.execute("DELETE FROM scim_group_role_mappings WHERE directory_id = ?1", vals![id])?;
    let ordered: Vec<NewGroupRoleMapping> =
        mappings.into_iter().map(|m| NewGroupRoleMapping { precedence: None, ..m }).collect();
    insert_mappings(c, cache, instance_id, &creds.directory, &org, &ordered, 1, now_millis())?;
    sync::all(c, cache, &creds)?;
    mappings_of(c, cache, instance_id, id)
}

pub fn delete_mapping(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    id: &str,
    mapping_id: &str,
) -> Tx<GroupRoleMapping> {
    let (creds, _) = mapping_write_target(c, cache, instance_id, id)?;
    let mapping = mappings_of(c, cache, instance_id, id)?
        .into_iter()
        .find(|m| m.id == mapping_id)
        .ok_or(DomainError::NotFound)?;
    c.execute("DELETE FROM scim_group_role_mappings WHERE id = ?1", vals![mapping_id])?;
    sync::all(c, cache, &creds)?;
    Ok(mapping)
}

pub fn credentials(c: &dyn Db, cache: &RolesCache, id: &str) -> Tx<Option<DirectoryCredentials>> {
    rows::credentials(c, cache, id)
}
