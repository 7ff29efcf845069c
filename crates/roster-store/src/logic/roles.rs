//! Organization roles and permissions. System permissions (`org:sys_*`) are fixed; the creator role must
//! keep the permissions an organization creator needs; a role in use cannot be deleted.

use roster_core::events::{EventType, NewEvent, Record};
use roster_core::ids::{new_id, prefix};
use roster_core::model::{Page, Permission, Role};
use roster_core::query::{KeyedOrder, KeyedOrderField, Pagination};
use roster_core::store::{NewPermission, NewRole, PermissionUpdate, RoleUpdate};
use roster_core::{now_millis, rules, DomainError};

use super::filter::Sql;
use super::rows::events::append;
use super::rows::roles::{load_roles, permission_from_row, PERMISSION_COLUMNS};
use super::Tx;
use crate::sql::{vals, Db};

/// Names and keys sort like every text order of the API: case-insensitively (ASCII folding, as SQLite's
/// `lower`), then exactly; ties by id in the same direction.
fn keyed_order_sql(order: KeyedOrder, alias: &str) -> String {
    let dir = if order.descending { "DESC" } else { "ASC" };
    let text = |column: &str| format!("lower({alias}.{column}) {dir}, {alias}.{column} {dir}");
    let keys = match order.field {
        KeyedOrderField::CreatedAt => format!("{alias}.created_at {dir}"),
        KeyedOrderField::Name => text("name"),
        KeyedOrderField::Key => text("key"),
    };
    format!(" ORDER BY {keys}, {alias}.id {dir}")
}

pub fn get_role(c: &dyn Db, instance_id: &str, role_id: &str) -> Tx<Role> {
    load_roles(c, instance_id)?
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or_else(|| DomainError::RoleNotFound { param: "organization_role_id".into() }.into())
}

pub fn search_roles(
    c: &dyn Db,
    instance_id: &str,
    query: Option<String>,
    order: KeyedOrder,
    page: Pagination,
) -> Tx<Page<Role>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    if let Some(q) = query {
        let p = sql.bind(q);
        let (in_name, in_key) = (sql.contains("lower(r.name)", &p), sql.contains("r.key", &p));
        sql.clause(format!("({in_name} OR {in_key})"));
    }
    let filters = format!("r.instance_id = {ins}{}", sql.where_sql());
    let total_count: i64 =
        c.query_one(&format!("SELECT count(*) FROM roles r WHERE {filters}"), &sql.params)?.get(0)?;
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let ids: Vec<String> = c
        .query(
            &format!(
                "SELECT r.id FROM roles r WHERE {filters}{} LIMIT {limit} OFFSET {offset}",
                keyed_order_sql(order, "r")
            ),
            &sql.params,
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    let all = load_roles(c, instance_id)?;
    let data = ids.iter().filter_map(|id| all.iter().find(|r| &r.id == id).cloned()).collect();
    Ok(Page { data, total_count })
}

fn key_taken(c: &dyn Db, table: &str, instance_id: &str, key: &str, except: Option<&str>) -> Tx<bool> {
    let owner: Option<String> = c
        .query_opt(&format!("SELECT id FROM {table} WHERE instance_id = ?1 AND key = ?2"), vals![instance_id, key])?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(matches!(owner, Some(id) if Some(id.as_str()) != except))
}

/// Check that every id names a permission of the instance.
fn check_permissions(c: &dyn Db, instance_id: &str, ids: &[String]) -> Tx<()> {
    for id in ids {
        get_permission(c, instance_id, id)?;
    }
    Ok(())
}

fn set_permissions(c: &dyn Db, role_id: &str, ids: &[String]) -> Tx<()> {
    c.execute("DELETE FROM role_permissions WHERE role_id = ?1", vals![role_id])?;
    for id in ids {
        c.execute(
            "INSERT INTO role_permissions (role_id, permission_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            vals![role_id, id],
        )?;
    }
    Ok(())
}

/// The creator role must keep the permissions a creator needs after any change to it.
fn check_still_creator_eligible(c: &dyn Db, instance_id: &str, role_id: &str) -> Tx<()> {
    let creator: Option<String> =
        c.query_one("SELECT org_creator_role_id FROM instances WHERE id = ?1", vals![instance_id])?.get(0)?;
    if creator.as_deref() == Some(role_id) {
        rules::check_creator_role(&get_role(c, instance_id, role_id)?.permission_keys())?;
    }
    Ok(())
}

pub fn create_role(c: &dyn Db, instance_id: &str, new: NewRole) -> Tx<Role> {
    if key_taken(c, "roles", instance_id, &new.key, None)? {
        return Err(DomainError::DuplicateRecord { what: "organization role key", key: new.key }.into());
    }
    check_permissions(c, instance_id, &new.permissions)?;
    let id = new_id(prefix::ROLE);
    let now = now_millis();
    c.execute(
        "INSERT INTO roles (id, instance_id, key, name, description, is_creator_eligible, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, FALSE, ?6, ?6)",
        vals![id, instance_id, new.key, new.name, new.description, now],
    )?;
    set_permissions(c, &id, &new.permissions)?;
    refresh_creator_eligibility(c, &id)?;
    let role = get_role(c, instance_id, &id)?;
    append(c, instance_id, NewEvent::new(EventType::RoleCreated, Record::Role(role.clone())))?;
    Ok(role)
}

/// The role as it is now, after a change from `before`, with its `role.updated` event appended.
fn role_updated(c: &dyn Db, instance_id: &str, before: Role) -> Tx<Role> {
    let after = get_role(c, instance_id, &before.id)?;
    append(
        c,
        instance_id,
        NewEvent::updated(EventType::RoleUpdated, Record::Role(before), Record::Role(after.clone())),
    )?;
    Ok(after)
}

/// The permission as it is now, after a change from `before`, with its `permission.updated` event appended.
fn permission_updated(c: &dyn Db, instance_id: &str, before: Permission) -> Tx<Permission> {
    let after = get_permission(c, instance_id, &before.id)?;
    let event =
        NewEvent::updated(EventType::PermissionUpdated, Record::Permission(before), Record::Permission(after.clone()));
    append(c, instance_id, event)?;
    Ok(after)
}

/// `is_creator_eligible` follows the role's permissions.
fn refresh_creator_eligibility(c: &dyn Db, role_id: &str) -> Tx<()> {
    let keys: Vec<String> = c
        .query(
            "SELECT p.key FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = ?1",
            vals![role_id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    let eligible = rules::check_creator_role(&keys).is_ok();
    c.execute("UPDATE roles SET is_creator_eligible = ?2 WHERE id = ?1", vals![role_id, eligible])?;
    Ok(())
}

pub fn update_role(c: &dyn Db, instance_id: &str, role_id: &str, u: RoleUpdate) -> Tx<Role> {
    let role = get_role(c, instance_id, role_id)?;
    if let Some(key) = &u.key {
        if key_taken(c, "roles", instance_id, key, Some(role_id))? {
            return Err(DomainError::DuplicateRecord { what: "organization role key", key: key.clone() }.into());
        }
    }
    if let Some(ids) = &u.permissions {
        check_permissions(c, instance_id, ids)?;
        set_permissions(c, role_id, ids)?;
        refresh_creator_eligibility(c, role_id)?;
    }
    c.execute(
        "UPDATE roles SET name = ?2, key = ?3, description = ?4, updated_at = ?5 WHERE id = ?1",
        vals![
            role_id,
            u.name.unwrap_or_else(|| role.name.clone()),
            u.key.unwrap_or_else(|| role.key.clone()),
            u.description.unwrap_or_else(|| role.description.clone()),
            now_millis().max(role.updated_at)
        ],
    )?;
    check_still_creator_eligible(c, instance_id, role_id)?;
    role_updated(c, instance_id, role)
}

pub fn delete_role(c: &dyn Db, instance_id: &str, role_id: &str) -> Tx<Role> {
    let role = get_role(c, instance_id, role_id)?;
    let row = c.query_one(
        "SELECT org_creator_role_id, org_domains_default_role_id FROM instances WHERE id = ?1",
        vals![instance_id],
    )?;
    let (creator, domains): (Option<String>, Option<String>) = (row.get(0)?, row.get(1)?);
    if creator.as_deref() == Some(role_id) {
        return Err(DomainError::RoleIsCreatorRole.into());
    }
    if domains.as_deref() == Some(role_id) {
        return Err(DomainError::RoleIsDomainDefaultRole.into());
    }
    let held = c.query_opt("SELECT 1 FROM memberships WHERE role_id = ?1 LIMIT 1", vals![role_id])?;
    if held.is_some() {
        return Err(DomainError::RoleAssignedToMembers.into());
    }
    let invited = c.query_opt(
        "SELECT 1 FROM invitations WHERE role_id = ?1 AND status = 'pending' AND expires_at > ?2 LIMIT 1",
        vals![role_id, roster_core::now_millis()],
    )?;
    if invited.is_some() {
        return Err(DomainError::RoleInInvitations.into());
    }
    c.execute("DELETE FROM role_permissions WHERE role_id = ?1", vals![role_id])?;
    c.execute("DELETE FROM roles WHERE id = ?1", vals![role_id])?;
    append(c, instance_id, NewEvent::new(EventType::RoleDeleted, Record::Role(role.clone())))?;
    Ok(role)
}

pub fn add_role_permission(c: &dyn Db, instance_id: &str, role_id: &str, permission_id: &str) -> Tx<Role> {
    let role = get_role(c, instance_id, role_id)?;
    get_permission(c, instance_id, permission_id)?;
    if role.permissions.iter().any(|p| p.id == permission_id) {
        return Err(DomainError::RolePermissionExists.into());
    }
    c.execute("INSERT INTO role_permissions (role_id, permission_id) VALUES (?1, ?2)", vals![role_id, permission_id])?;
    c.execute("UPDATE roles SET updated_at = ?2 WHERE id = ?1", vals![role_id, now_millis()])?;
    refresh_creator_eligibility(c, role_id)?;
    role_updated(c, instance_id, role)
}

pub fn remove_role_permission(c: &dyn Db, instance_id: &str, role_id: &str, permission_id: &str) -> Tx<Role> {
    let role = get_role(c, instance_id, role_id)?;
    get_permission(c, instance_id, permission_id)?;
    if !role.permissions.iter().any(|p| p.id == permission_id) {
        return Err(DomainError::RolePermissionNotFound.into());
    }
    c.execute("DELETE FROM role_permissions WHERE role_id = ?1 AND permission_id = ?2", vals![role_id, permission_id])?;
    c.execute("UPDATE roles SET updated_at = ?2 WHERE id = ?1", vals![role_id, now_millis()])?;
    refresh_creator_eligibility(c, role_id)?;
    check_still_creator_eligible(c, instance_id, role_id)?;
    role_updated(c, instance_id, role)
}

pub fn get_permission(c: &dyn Db, instance_id: &str, permission_id: &str) -> Tx<Permission> {
    c.query_opt(
        &format!("SELECT {PERMISSION_COLUMNS} FROM permissions p WHERE p.instance_id = ?1 AND p.id = ?2"),
        vals![instance_id, permission_id],
    )?
    .map(|mut r| permission_from_row(&mut r, 0))
    .transpose()?
    .ok_or_else(|| DomainError::PermissionNotFound.into())
}

pub fn search_permissions(
    c: &dyn Db,
    instance_id: &str,
    query: Option<String>,
    order: KeyedOrder,
    page: Pagination,
) -> Tx<Page<Permission>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    if let Some(q) = query {
        let p = sql.bind(q);
        let (in_name, in_key) = (sql.contains("lower(p.name)", &p), sql.contains("p.key", &p));
        sql.clause(format!("({in_name} OR {in_key})"));
    }
    let filters = format!("p.instance_id = {ins}{}", sql.where_sql());
    let total_count: i64 =
        c.query_one(&format!("SELECT count(*) FROM permissions p WHERE {filters}"), &sql.params)?.get(0)?;
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let data = c
        .query(
            &format!(
                "SELECT {PERMISSION_COLUMNS} FROM permissions p WHERE {filters}{} LIMIT {limit} OFFSET {offset}",
                keyed_order_sql(order, "p")
            ),
            &sql.params,
        )?
        .into_iter()
        .map(|mut r| permission_from_row(&mut r, 0))
        .collect::<Result<_, _>>()?;
    Ok(Page { data, total_count })
}

pub fn create_permission(c: &dyn Db, instance_id: &str, new: NewPermission) -> Tx<Permission> {
    if key_taken(c, "permissions", instance_id, &new.key, None)? {
        return Err(DomainError::DuplicateRecord { what: "organization permission key", key: new.key }.into());
    }
    let id = new_id(prefix::PERMISSION);
    c.execute(
        "INSERT INTO permissions (id, instance_id, key, name, description, type, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'user', ?6, ?6)",
        vals![id, instance_id, new.key, new.name, new.description, now_millis()],
    )?;
    let permission = get_permission(c, instance_id, &id)?;
    append(c, instance_id, NewEvent::new(EventType::PermissionCreated, Record::Permission(permission.clone())))?;
    Ok(permission)
}

fn modifiable(c: &dyn Db, instance_id: &str, permission_id: &str) -> Tx<Permission> {
    let permission = get_permission(c, instance_id, permission_id)?;
    if permission.kind == "system" {
        return Err(DomainError::SystemPermissionNotModifiable.into());
    }
    Ok(permission)
}

pub fn update_permission(c: &dyn Db, instance_id: &str, permission_id: &str, u: PermissionUpdate) -> Tx<Permission> {
    let permission = modifiable(c, instance_id, permission_id)?;
    if let Some(key) = &u.key {
        if key_taken(c, "permissions", instance_id, key, Some(permission_id))? {
            return Err(DomainError::DuplicateRecord { what: "organization permission key", key: key.clone() }.into());
        }
    }
    c.execute(
        "UPDATE permissions SET name = ?2, key = ?3, description = ?4, updated_at = ?5 WHERE id = ?1",
        vals![
            permission_id,
            u.name.unwrap_or_else(|| permission.name.clone()),
            u.key.unwrap_or_else(|| permission.key.clone()),
            u.description.unwrap_or_else(|| permission.description.clone()),
            now_millis().max(permission.updated_at)
        ],
    )?;
    permission_updated(c, instance_id, permission)
}

pub fn delete_permission(c: &dyn Db, instance_id: &str, permission_id: &str) -> Tx<Permission> {
    let permission = modifiable(c, instance_id, permission_id)?;
    let roles: Vec<String> = c
        .query("SELECT role_id FROM role_permissions WHERE permission_id = ?1", vals![permission_id])?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    c.execute("DELETE FROM role_permissions WHERE permission_id = ?1", vals![permission_id])?;
    c.execute("DELETE FROM permissions WHERE id = ?1", vals![permission_id])?;
    for role in roles {
        refresh_creator_eligibility(c, &role)?;
    }
    append(c, instance_id, NewEvent::new(EventType::PermissionDeleted, Record::Permission(permission.clone())))?;
    Ok(permission)
}
