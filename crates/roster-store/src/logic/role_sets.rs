//! Role sets (`roster_core::role_sets`): created, changed and replaced in one transaction each, moving the
//! members and pending invitations of the organizations that use a set when its roles change.

use std::collections::HashMap;

use roster_core::ids::{new_id, prefix};
use roster_core::model::{Page, Role};
use roster_core::query::{KeyedOrder, KeyedOrderField, Pagination};
use roster_core::role_sets::{is_key, key_from_name, NewRoleSet, RoleSet, RoleSetType, RoleSetUpdate, MAX_ROLES};
use roster_core::{now_millis, rules, DomainError};

use crate::logic::filter::Sql;
use crate::logic::rows::role_sets::{role_ids, role_set_by_key_or_id, role_set_from_row, ROLE_SET_COLUMNS};
use crate::logic::rows::roles::RolesCache;
use crate::logic::Tx;
use crate::sql::{vals, Db};

fn role_by_key<'a>(roles: &'a HashMap<String, Role>, param: &str, key: &str) -> Tx<&'a Role> {
    roles.values().find(|r| r.key == key).ok_or_else(|| DomainError::RoleNotFound { param: param.into() }.into())
}

fn check_key(c: &dyn Db, instance_id: &str, key: &str, except: Option<&str>) -> Tx<()> {
    if !is_key(key) {
        return Err(DomainError::ParamFormat {
            param: "key".into(),
            long_message: "key must start with role_set: followed by lowercase letters, digits and underscores.".into(),
        }
        .into());
    }
    let taken = c.query_opt("SELECT id FROM role_sets WHERE instance_id = ?1 AND key = ?2", vals![instance_id, key])?;
    if let Some(row) = taken {
        if except != Some(row.get::<String>(0)?.as_str()) {
            return Err(DomainError::DuplicateRecord { what: "role set", key: key.to_owned() }.into());
        }
    }
    Ok(())
}

/// The set's default and creator roles must be in it, and the creator role may manage the organization.
fn check_special_roles(set_roles: &[String], default: Option<&Role>, creator: Option<&Role>) -> Tx<()> {
    for (param, role) in [("default_role_key", default), ("creator_role_key", creator)] {
        if let Some(role) = role.filter(|r| !set_roles.contains(&r.id)) {
            return Err(
                DomainError::invalid(param, format!("{} must be one of the role set's roles.", role.key)).into()
            );
        }
    }
    if let Some(creator) = creator {
        rules::check_creator_role(&creator.permission_keys())?;
    }
    Ok(())
}

/// Make this set the only initial one.
fn make_initial(c: &dyn Db, instance_id: &str, id: &str) -> Tx<()> {
    c.execute(
        "UPDATE role_sets SET kind = 'custom' WHERE instance_id = ?1 AND kind = 'initial' AND id <> ?2",
        vals![instance_id, id],
    )?;
    c.execute("UPDATE role_sets SET kind = 'initial' WHERE id = ?1", vals![id])?;
    Ok(())
}

fn add_roles_in(c: &dyn Db, id: &str, role_ids_to_add: &[String]) -> Tx<()> {
    let existing = role_ids(c, id)?;
    let new_ids = role_ids_to_add.iter().filter(|r| !existing.contains(r));
    for (position, role_id) in (existing.len() as i64..).zip(new_ids) {
        c.execute(
            "INSERT INTO role_set_roles (role_set_id, role_id, position) VALUES (?1, ?2, ?3)",
            vals![id, role_id, position],
        )?;
    }
    let count = role_ids(c, id)?.len();
    if count > MAX_ROLES {
        return Err(DomainError::ArrayTooLong { param: "role_keys".into(), limit: MAX_ROLES }.into());
    }
    Ok(())
}

pub fn list(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    query: Option<&str>,
    order: KeyedOrder,
    page: Pagination,
) -> Tx<Page<RoleSet>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    if let Some(q) = query {
        let exact = sql.bind(q.to_owned());
        let needle = sql.bind(q.to_lowercase());
        let (name, key) = (sql.contains("lower(s.name)", &needle), sql.contains("s.key", &needle));
        sql.clause(format!("(s.id = {exact} OR {name} OR {key})"));
    }
    let filters = format!("s.instance_id = {ins}{}", sql.where_sql());
    let n = sql.params.len();
    let total_count: i64 =
        c.query_one(&format!("SELECT count(*) FROM role_sets s WHERE {filters}"), &sql.params[..n])?.get(0)?;
    let dir = if order.descending { "DESC" } else { "ASC" };
    let field = match order.field {
        KeyedOrderField::CreatedAt => "s.created_at",
        KeyedOrderField::Name => "s.name",
        KeyedOrderField::Key => "s.key",
    };
    let (limit, offset) = (sql.bind(page.limit), sql.bind(page.offset));
    let rows = c.query(
        &format!("SELECT {ROLE_SET_COLUMNS} FROM role_sets s WHERE {filters} ORDER BY {field} {dir}, s.id {dir} LIMIT {limit} OFFSET {offset}"),
        &sql.params,
    )?;
    let roles = cache.roles(c, instance_id)?;
    let data = rows.into_iter().map(|r| role_set_from_row(c, instance_id, r, &roles)).collect::<Tx<_>>()?;
    Ok(Page { data, total_count })
}

pub fn get(c: &dyn Db, cache: &RolesCache, instance_id: &str, key_or_id: &str) -> Tx<RoleSet> {
    let roles = cache.roles(c, instance_id)?;
    role_set_by_key_or_id(c, instance_id, key_or_id, &roles)
}

pub fn create(c: &dyn Db, cache: &RolesCache, instance_id: &str, new: NewRoleSet) -> Tx<RoleSet> {
    let roles = cache.roles(c, instance_id)?;
    if new.role_keys.is_empty() {
        return Err(DomainError::ParamMissing("roles".into()).into());
    }
    if new.role_keys.len() > MAX_ROLES {
        return Err(DomainError::ArrayTooLong { param: "roles".into(), limit: MAX_ROLES }.into());
    }
    let ids = new.role_keys.iter().map(|k| Ok(role_by_key(&roles, "roles", k)?.id.clone())).collect::<Tx<Vec<_>>>()?;
    let default = role_by_key(&roles, "default_role_key", &new.default_role_key)?;
    let creator = role_by_key(&roles, "creator_role_key", &new.creator_role_key)?;
    check_special_roles(&ids, Some(default), Some(creator))?;
    let key = new.key.unwrap_or_else(|| key_from_name(&new.name));
    check_key(c, instance_id, &key, None)?;
    let (id, now) = (new_id(prefix::ROLE_SET), now_millis());
    c.execute(
        "INSERT INTO role_sets (id, instance_id, key, name, description, kind, default_role_id, creator_role_id, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'custom', ?6, ?7, ?8, ?8)",
        vals![&id, instance_id, &key, &new.name, &new.description, &default.id, &creator.id, now],
    )?;
    add_roles_in(c, &id, &ids)?;
    if new.initial {
        make_initial(c, instance_id, &id)?;
    }
    role_set_by_key_or_id(c, instance_id, &id, &roles)
}

pub fn update(c: &dyn Db, cache: &RolesCache, instance_id: &str, key_or_id: &str, u: RoleSetUpdate) -> Tx<RoleSet> {
    let roles = cache.roles(c, instance_id)?;
    let mut set = role_set_by_key_or_id(c, instance_id, key_or_id, &roles)?;
    let ids = role_ids(c, &set.id)?;
    let default = u.default_role_key.as_deref().map(|k| role_by_key(&roles, "default_role_key", k)).transpose()?;
    let creator = u.creator_role_key.as_deref().map(|k| role_by_key(&roles, "creator_role_key", k)).transpose()?;
    check_special_roles(&ids, default, creator)?;
    let old_key = set.key.clone();
    if let Some(key) = u.key.filter(|k| *k != set.key) {
        check_key(c, instance_id, &key, Some(&set.id))?;
        // Organizations name their set by key: they follow it.
        c.execute(
            "UPDATE organizations SET role_set_key = ?3 WHERE instance_id = ?1 AND role_set_key = ?2",
            vals![instance_id, &old_key, &key],
        )?;
        set.key = key;
    }
    set.name = u.name.unwrap_or(set.name);
    if let Some(description) = u.description {
        set.description = description;
    }
    let default_id = default.or(set.default_role.as_ref()).map(|r| r.id.clone());
    let creator_id = creator.or(set.creator_role.as_ref()).map(|r| r.id.clone());
    c.execute(
        "UPDATE role_sets SET key = ?2, name = ?3, description = ?4, default_role_id = ?5, creator_role_id = ?6, \
         updated_at = ?7 WHERE id = ?1",
        vals![&set.id, &set.key, &set.name, &set.description, default_id, creator_id, now_millis()],
    )?;
    if u.initial {
        make_initial(c, instance_id, &set.id)?;
    }
    role_set_by_key_or_id(c, instance_id, &set.id, &roles)
}

pub fn add_roles(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    key_or_id: &str,
    keys: &[String],
    default_key: Option<&str>,
    creator_key: Option<&str>,
) -> Tx<RoleSet> {
    let roles = cache.roles(c, instance_id)?;
    let set = role_set_by_key_or_id(c, instance_id, key_or_id, &roles)?;
    if keys.is_empty() {
        return Err(DomainError::ParamMissing("role_keys".into()).into());
    }
    let ids = keys.iter().map(|k| Ok(role_by_key(&roles, "role_keys", k)?.id.clone())).collect::<Tx<Vec<_>>>()?;
    add_roles_in(c, &set.id, &ids)?;
    let special = RoleSetUpdate {
        default_role_key: default_key.map(str::to_owned),
        creator_role_key: creator_key.map(str::to_owned),
        ..RoleSetUpdate::default()
    };
    update(c, cache, instance_id, &set.id, special)
}

/// Give every member and pending invitation of the organizations using `set_key` that holds `from` the role `to`.
fn move_role(c: &dyn Db, instance_id: &str, set_key: &str, from: &Role, to: &Role, now: i64) -> Tx<()> {
    c.execute(
        "UPDATE memberships SET role_id = ?4, updated_at = ?5 WHERE role_id = ?3 AND organization_id IN \
         (SELECT id FROM organizations WHERE instance_id = ?1 AND role_set_key = ?2)",
        vals![instance_id, set_key, &from.id, &to.id, now],
    )?;
    c.execute(
        "UPDATE invitations SET role_id = ?4, role_key = ?5, updated_at = ?6 WHERE role_id = ?3 AND status = 'pending' \
         AND organization_id IN (SELECT id FROM organizations WHERE instance_id = ?1 AND role_set_key = ?2)",
        vals![instance_id, set_key, &from.id, &to.id, &to.key, now],
    )?;
    Ok(())
}

pub fn replace_role(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    key_or_id: &str,
    from_key: &str,
    to_key: &str,
) -> Tx<RoleSet> {
    let roles = cache.roles(c, instance_id)?;
    let set = role_set_by_key_or_id(c, instance_id, key_or_id, &roles)?;
    let from = role_by_key(&roles, "role_key", from_key)?;
    let to = role_by_key(&roles, "to_role_key", to_key)?;
    let ids = role_ids(c, &set.id)?;
    if !ids.contains(&from.id) {
        return Err(DomainError::invalid("role_key", format!("{from_key} is not a role of the role set.")).into());
    }
    if from.id == to.id {
        return Err(DomainError::invalid("to_role_key", "to_role_key must differ from role_key.").into());
    }
    let now = now_millis();
    add_roles_in(c, &set.id, std::slice::from_ref(&to.id))?;
    c.execute("DELETE FROM role_set_roles WHERE role_set_id = ?1 AND role_id = ?2", vals![&set.id, &from.id])?;
    c.execute(
        "UPDATE role_sets SET default_role_id = ?3 WHERE id = ?1 AND default_role_id = ?2",
        vals![&set.id, &from.id, &to.id],
    )?;
    c.execute(
        "UPDATE role_sets SET creator_role_id = ?3 WHERE id = ?1 AND creator_role_id = ?2",
        vals![&set.id, &from.id, &to.id],
    )?;
    c.execute("UPDATE role_sets SET updated_at = ?2 WHERE id = ?1", vals![&set.id, now])?;
    move_role(c, instance_id, &set.key, from, to, now)?;
    role_set_by_key_or_id(c, instance_id, &set.id, &roles)
}

pub fn replace(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    key_or_id: &str,
    dest_key: &str,
    mappings: &HashMap<String, String>,
) -> Tx<RoleSet> {
    let roles = cache.roles(c, instance_id)?;
    let set = role_set_by_key_or_id(c, instance_id, key_or_id, &roles)?;
    if set.kind == RoleSetType::Initial {
        return Err(DomainError::CannotDeleteInitialRoleSet.into());
    }
    let dest = role_set_by_key_or_id(c, instance_id, dest_key, &roles).map_err(|_| {
        DomainError::invalid("dest_role_set_key", format!("No role set was found with key {dest_key}."))
    })?;
    if dest.id == set.id {
        return Err(DomainError::invalid("dest_role_set_key", "dest_role_set_key must be another role set.").into());
    }
    let dest_ids = role_ids(c, &dest.id)?;
    // Roles members hold (or pending invitations) that the destination lacks need a mapping into it.
    let held = c.query(
        "SELECT DISTINCT role_id FROM memberships WHERE organization_id IN \
         (SELECT id FROM organizations WHERE instance_id = ?1 AND role_set_key = ?2) \
         UNION SELECT DISTINCT role_id FROM invitations WHERE status = 'pending' AND organization_id IN \
         (SELECT id FROM organizations WHERE instance_id = ?1 AND role_set_key = ?2)",
        vals![instance_id, &set.key],
    )?;
    // Every mapping is checked before the first write: a refused replace has changed nothing.
    let (mut missing, mut moves) = (Vec::new(), Vec::new());
    for row in held {
        let role_id: String = row.get(0)?;
        let Some(role) = roles.get(&role_id).filter(|r| !dest_ids.contains(&r.id)) else { continue };
        match mappings.get(&role.key) {
            None => missing.push(role.key.clone()),
            Some(to_key) => {
                let to = roles.values().find(|r| &r.key == to_key).filter(|r| dest_ids.contains(&r.id));
                moves.push((role, to.ok_or_else(|| DomainError::RoleSetMappingInvalid(to_key.clone()))?));
            }
        }
    }
    if !missing.is_empty() {
        missing.sort();
        return Err(DomainError::RoleSetMappingsMissing(missing).into());
    }
    let now = now_millis();
    for (from, to) in moves {
        move_role(c, instance_id, &set.key, from, to, now)?;
    }
    c.execute(
        "UPDATE organizations SET role_set_key = ?3 WHERE instance_id = ?1 AND role_set_key = ?2",
        vals![instance_id, &set.key, &dest.key],
    )?;
    c.execute("DELETE FROM role_sets WHERE id = ?1", vals![&set.id])?;
    Ok(set)
}
