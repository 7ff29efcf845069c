//! Role set rows: reading a set with its roles, and the bound a set puts on the roles an organization may give,
//! which every write that gives a role (memberships, invitations, an organization's creator) checks.

use std::collections::HashMap;

use roster_core::model::{Organization, Role};
use roster_core::role_sets::{RoleSet, RoleSetType};
use roster_core::DomainError;

use crate::logic::Tx;
use crate::sql::{vals, Db, Row};

pub const ROLE_SET_COLUMNS: &str =
    "s.id, s.key, s.name, s.description, s.kind, s.default_role_id, s.creator_role_id, s.created_at, s.updated_at";

/// The role ids of a set, in the order they were added.
pub fn role_ids(c: &dyn Db, role_set_id: &str) -> Tx<Vec<String>> {
    let rows =
        c.query("SELECT role_id FROM role_set_roles WHERE role_set_id = ?1 ORDER BY position", vals![role_set_id])?;
    rows.into_iter().map(|r| Ok(r.get(0)?)).collect()
}

/// A set from a row of `ROLE_SET_COLUMNS`, its roles read from `roles` (the instance's, by id) and its members
/// counted.
pub fn role_set_from_row(c: &dyn Db, instance_id: &str, mut r: Row, roles: &HashMap<String, Role>) -> Tx<RoleSet> {
    let id: String = r.take(0)?;
    let key: String = r.take(1)?;
    let kind: String = r.take(4)?;
    let default_role: Option<String> = r.take(5)?;
    let creator_role: Option<String> = r.take(6)?;
    let members = c.query(
        "SELECT m.role_id, count(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE o.instance_id = ?1 AND o.role_set_key = ?2 GROUP BY m.role_id",
        vals![instance_id, &key],
    )?;
    let mut members_count = HashMap::new();
    for row in members {
        let role_id: String = row.get(0)?;
        if let Some(role) = roles.get(&role_id) {
            members_count.insert(role.key.clone(), row.get::<i64>(1)?);
        }
    }
    Ok(RoleSet {
        roles: role_ids(c, &id)?.iter().filter_map(|id| roles.get(id).cloned()).collect(),
        id,
        key,
        name: r.take(2)?,
        description: r.take(3)?,
        kind: RoleSetType::parse(&kind).unwrap_or(RoleSetType::Custom),
        default_role: default_role.and_then(|id| roles.get(&id).cloned()),
        creator_role: creator_role.and_then(|id| roles.get(&id).cloned()),
        members_count,
        created_at: r.take(7)?,
        updated_at: r.take(8)?,
    })
}

/// The set with this key or id, or 404.
pub fn role_set_by_key_or_id(
    c: &dyn Db,
    instance_id: &str,
    key_or_id: &str,
    roles: &HashMap<String, Role>,
) -> Tx<RoleSet> {
    let row = c.query_opt(
        &format!("SELECT {ROLE_SET_COLUMNS} FROM role_sets s WHERE s.instance_id = ?1 AND (s.key = ?2 OR s.id = ?2)"),
        vals![instance_id, key_or_id],
    )?;
    match row {
        Some(row) => role_set_from_row(c, instance_id, row, roles),
        None => Err(DomainError::NotFound.into()),
    }
}

/// The key of the instance's initial set, if it has one.
pub fn initial_key(c: &dyn Db, instance_id: &str) -> Tx<Option<String>> {
    Ok(c.query_opt("SELECT key FROM role_sets WHERE instance_id = ?1 AND kind = 'initial'", vals![instance_id])?
        .map(|r| r.get(0))
        .transpose()?)
}

/// The role of `roles` with this key that the organization may give (any role of the instance without a role
/// set; one of the set's with one), or 404 "Organization role not found".
pub fn allowed_role<'a>(
    c: &dyn Db,
    instance_id: &str,
    org: &Organization,
    roles: &'a HashMap<String, Role>,
    key: &str,
) -> Tx<&'a Role> {
    let role = roles.values().find(|r| r.key == key).ok_or_else(DomainError::role_not_found)?;
    if let Some(set_key) = &org.role_set_key {
        let in_set = c.query_opt(
            "SELECT 1 FROM role_set_roles x JOIN role_sets s ON s.id = x.role_set_id \
             WHERE s.instance_id = ?1 AND s.key = ?2 AND x.role_id = ?3",
            vals![instance_id, set_key, &role.id],
        )?;
        if in_set.is_none() {
            return Err(DomainError::role_not_found().into());
        }
    }
    Ok(role)
}

/// The role an organization's creator gets: its set's creator role, else the instance's.
pub fn creator_role(
    c: &dyn Db,
    instance_id: &str,
    role_set_key: Option<&str>,
    roles: &HashMap<String, Role>,
) -> Tx<Option<Role>> {
    let Some(key) = role_set_key else { return Ok(None) };
    let id: Option<Option<String>> = c
        .query_opt(
            "SELECT creator_role_id FROM role_sets WHERE instance_id = ?1 AND key = ?2",
            vals![instance_id, key],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match id {
        None => Err(DomainError::invalid("role_set_key", format!("No role set was found with key {key}.")).into()),
        Some(id) => Ok(id.and_then(|id| roles.get(&id).cloned())),
    }
}
