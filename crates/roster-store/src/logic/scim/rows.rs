//! Row decoding for directories, their mappings and their resources.

use std::collections::{BTreeMap, HashMap};

use roster_core::model::Role;
use roster_core::scim::{Directory, DirectoryCredentials, GroupRoleMapping, Resource};
use roster_core::DomainError;

use crate::logic::rows::roles::RolesCache;
use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

pub const DIRECTORY_COLUMNS: &str = "d.id, d.organization_id, d.name, d.provider, d.enterprise_connection_id, \
     d.enabled, d.group_role_mapping_enabled, d.attribute_mapping, d.default_role_id, d.created_at, d.updated_at";

pub fn directory_from_row(r: &mut Row, roles: &HashMap<String, Role>) -> Result<Directory, DbError> {
    let mapping: String = r.take(7)?;
    let default_role: Option<String> = r.take(8)?;
    Ok(Directory {
        id: r.take(0)?,
        organization_id: r.take(1)?,
        name: r.take(2)?,
        provider: r.take(3)?,
        enterprise_connection_id: r.take(4)?,
        enabled: r.take(5)?,
        group_role_mapping_enabled: r.take(6)?,
        attribute_mapping: serde_json::from_str::<BTreeMap<String, String>>(&mapping).unwrap_or_default(),
        default_role: default_role.and_then(|id| roles.get(&id).cloned()),
        created_at: r.take(9)?,
        updated_at: r.take(10)?,
    })
}

pub fn directory_by_id(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str) -> Tx<Directory> {
    let roles = cache.roles(c, instance_id)?;
    c.query_opt(
        &format!("SELECT {DIRECTORY_COLUMNS} FROM scim_directories d WHERE d.instance_id = ?1 AND d.id = ?2"),
        vals![instance_id, id],
    )?
    .map(|mut r| directory_from_row(&mut r, &roles))
    .transpose()?
    .ok_or_else(|| DomainError::NotFound.into())
}

/// A directory by id alone (the SCIM endpoint knows no instance before it has authenticated the directory).
pub fn credentials(c: &dyn Db, cache: &RolesCache, id: &str) -> Tx<Option<DirectoryCredentials>> {
    let Some(head) = c.query_opt(
        "SELECT instance_id, key_hash, previous_key_hash, previous_key_expires_at FROM scim_directories WHERE id = ?1",
        vals![id],
    )?
    else {
        return Ok(None);
    };
    let instance_id: String = head.get(0)?;
    let previous_hash: Option<String> = head.get(2)?;
    let previous_until: Option<i64> = head.get(3)?;
    let directory = directory_by_id(c, cache, &instance_id, id)?;
    Ok(Some(DirectoryCredentials {
        instance_id: instance_id.into(),
        directory,
        key_hash: head.get(1)?,
        previous_key: previous_hash.zip(previous_until),
    }))
}

/// A directory of `instance_id` with its key digests (404 for another instance's).
pub fn credentials_in(c: &dyn Db, cache: &RolesCache, instance_id: &str, id: &str) -> Tx<DirectoryCredentials> {
    credentials(c, cache, id)?
        .filter(|creds| creds.instance_id.as_str() == instance_id)
        .ok_or_else(|| DomainError::NotFound.into())
}

pub fn mappings_of(c: &dyn Db, cache: &RolesCache, instance_id: &str, directory_id: &str) -> Tx<Vec<GroupRoleMapping>> {
    let roles = cache.roles(c, instance_id)?;
    let rows = c.query(
        "SELECT id, directory_id, scim_group_id, scim_group_display_name, role_id, precedence, created_at, updated_at \
         FROM scim_group_role_mappings WHERE directory_id = ?1 ORDER BY precedence, created_at, id",
        vals![directory_id],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for mut r in rows {
        let role_id: String = r.take(4)?;
        // A mapping's role is deleted with the role (ON DELETE CASCADE), so it is in the instance's roles.
        let Some(role) = roles.get(&role_id).cloned() else { continue };
        out.push(GroupRoleMapping {
            id: r.take(0)?,
            directory_id: r.take(1)?,
            scim_group_id: r.take(2)?,
            scim_group_display_name: r.take(3)?,
            role,
            precedence: r.take(5)?,
            created_at: r.take(6)?,
            updated_at: r.take(7)?,
        });
    }
    Ok(out)
}

/// `id, resource, version, created_at, updated_at` of a `scim_users` or `scim_groups` row.
pub fn resource_from_row(r: &mut Row) -> Result<Resource, DbError> {
    let body: String = r.take(1)?;
    Ok(Resource {
        id: r.take(0)?,
        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Object(Default::default())),
        version: r.take(2)?,
        created_at: r.take(3)?,
        updated_at: r.take(4)?,
    })
}
