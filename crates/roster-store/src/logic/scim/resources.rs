//! The SCIM resources of a directory: users (each linked to a Roster user: the one owning the verified email
//! address, else a new one) and groups (whose members, when they are users of the directory, decide roles). Each
//! write locks the organization, reads the resource (a change is computed from what it reads there), writes, and reconciles the memberships it may
//! have changed (`sync`), all in one transaction: a rule that refuses (quota, last manager, role set) leaves the
//! resource as it was.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use roster_core::ids::{new_id, prefix};
use roster_core::scim::{DirectoryCredentials, GroupWrite, Lookup, Resource, ResourceKind, UserWrite};
use roster_core::store::{NewIdentification, NewUser, UserUpdate};
use roster_core::{now_millis, DomainError};

use super::rows::resource_from_row;
use super::sync;
use crate::logic::rows::roles::RolesCache;
use crate::logic::Tx;
use crate::sql::{vals, Db};

fn table(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::User => "scim_users",
        ResourceKind::Group => "scim_groups",
    }
}

fn body_text(body: &Value) -> String {
    serde_json::to_string(body).unwrap_or_else(|_| "{}".into())
}

pub fn get(c: &dyn Db, dir: &DirectoryCredentials, kind: ResourceKind, id: &str) -> Tx<Resource> {
    let t = table(kind);
    c.query_opt(
        &format!("SELECT id, resource, version, created_at, updated_at FROM {t} WHERE directory_id = ?1 AND id = ?2"),
        vals![dir.directory.id, id],
    )?
    .map(|mut r| resource_from_row(&mut r))
    .transpose()?
    .ok_or_else(|| DomainError::NotFound.into())
}

pub fn find(c: &dyn Db, dir: &DirectoryCredentials, kind: ResourceKind, lookup: Lookup) -> Tx<Vec<Resource>> {
    let t = table(kind);
    let name = match kind {
        ResourceKind::User => "user_name_lower",
        ResourceKind::Group => "display_name_lower",
    };
    let (clause, param): (String, Option<String>) = match lookup {
        Lookup::All => (String::new(), None),
        Lookup::Id(id) => (" AND id = ?2".into(), Some(id)),
        Lookup::Name(n) => (format!(" AND {name} = ?2"), Some(n.to_lowercase())),
        Lookup::ExternalId(e) => (" AND external_id = ?2".into(), Some(e)),
        Lookup::Email(e) if kind == ResourceKind::User => (" AND email_lower = ?2".into(), Some(e.to_lowercase())),
        Lookup::Email(_) => return Ok(Vec::new()),
    };
    let sql = format!(
        "SELECT id, resource, version, created_at, updated_at FROM {t} WHERE directory_id = ?1{clause} \
         ORDER BY created_at, id"
    );
    let rows = match param {
        Some(p) => c.query(&sql, vals![dir.directory.id, p])?,
        None => c.query(&sql, vals![dir.directory.id])?,
    };
    Ok(rows.into_iter().map(|mut r| resource_from_row(&mut r)).collect::<Result<_, _>>()?)
}

/// One page of the directory's resources of `kind`, oldest first, and how many there are.
pub fn page(
    c: &dyn Db,
    dir: &DirectoryCredentials,
    kind: ResourceKind,
    offset: usize,
    limit: usize,
) -> Tx<(Vec<Resource>, usize)> {
    let t = table(kind);
    let total: i64 =
        c.query_one(&format!("SELECT count(*) FROM {t} WHERE directory_id = ?1"), vals![dir.directory.id])?.get(0)?;
    let (offset, limit) = (i64::try_from(offset).unwrap_or(i64::MAX), i64::try_from(limit).unwrap_or(i64::MAX));
    let rows = c.query(
        &format!(
            "SELECT id, resource, version, created_at, updated_at FROM {t} WHERE directory_id = ?1 \
             ORDER BY created_at, id LIMIT ?2 OFFSET ?3"
        ),
        vals![dir.directory.id, limit, offset],
    )?;
    let data = rows.into_iter().map(|mut r| resource_from_row(&mut r)).collect::<Result<_, _>>()?;
    Ok((data, usize::try_from(total).unwrap_or_default()))
}

/// The groups of the directory naming each of `user_ids`: (group id, display name), by display name.
pub fn groups_of(
    c: &dyn Db,
    dir: &DirectoryCredentials,
    user_ids: &[String],
) -> Tx<HashMap<String, Vec<(String, String)>>> {
    let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for chunk in user_ids.chunks(500) {
        let mut sql = crate::logic::filter::Sql::new(c.dialect());
        let directory = sql.bind(dir.directory.id.clone());
        let list = sql.bind_list(chunk);
        let rows = c.query(
            &format!(
                "SELECT gm.scim_user_id, g.id, g.display_name FROM scim_group_members gm \
                 JOIN scim_groups g ON g.id = gm.group_id \
                 WHERE g.directory_id = {directory} AND gm.scim_user_id IN {list} ORDER BY g.display_name_lower, g.id"
            ),
            &sql.params,
        )?;
        for r in rows {
            out.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
        }
    }
    Ok(out)
}

fn check_user_name_free(c: &dyn Db, dir: &DirectoryCredentials, user_name: &str, except: Option<&str>) -> Tx<()> {
    let taken = c.query_opt(
        "SELECT id FROM scim_users WHERE directory_id = ?1 AND user_name_lower = ?2",
        vals![dir.directory.id, user_name.to_lowercase()],
    )?;
    match taken.map(|r| r.get::<String>(0)).transpose()? {
        Some(id) if Some(id.as_str()) != except => {
            Err(DomainError::ScimUniqueness(format!("userName {user_name} is taken in this directory.")).into())
        }
        _ => Ok(()),
    }
}

/// The Roster user a new provisioned user is linked to: the user of the instance owning `email` verified, else a
/// new user with that address (and the resource's names).
fn link_user(c: &dyn Db, dir: &DirectoryCredentials, u: &UserWrite) -> Tx<String> {
    let instance_id = dir.instance_id.as_str();
    if let Some(email) = &u.email {
        let owner = c.query_opt(
            "SELECT user_id FROM identifications WHERE instance_id = ?1 AND kind = 'email_address' \
             AND value_lower = ?2 AND reserved = ?3",
            vals![instance_id, email.to_lowercase(), false],
        )?;
        if let Some(owner) = owner {
            let user_id: String = owner.get(0)?;
            let linked = c.query_opt(
                "SELECT 1 FROM scim_users WHERE directory_id = ?1 AND user_id = ?2",
                vals![dir.directory.id, user_id],
            )?;
            if linked.is_some() {
                return Err(DomainError::ScimUniqueness(format!(
                    "A user of this directory has the email address {email} already."
                ))
                .into());
            }
            return Ok(user_id);
        }
    }
    let new = NewUser {
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        email_addresses: u.email.iter().map(|e| NewIdentification { value: e.clone(), reserved: false }).collect(),
        delete_self_enabled: true,
        create_organization_enabled: true,
        ..NewUser::default()
    };
    match crate::logic::users::create(c, instance_id, new) {
        Ok(user) => Ok(user.id),
        Err(crate::logic::StoreError::Domain(DomainError::IdentifierExists { .. })) => {
            Err(DomainError::ScimUniqueness(format!(
                "The email address {} belongs to an unverified address of the instance.",
                u.email.as_deref().unwrap_or("")
            ))
            .into())
        }
        Err(e) => Err(e),
    }
}

pub fn create_user(c: &dyn Db, cache: &RolesCache, dir: &DirectoryCredentials, u: UserWrite) -> Tx<Resource> {
    let (mut org, roles) = sync::lock(c, cache, dir)?;
    check_user_name_free(c, dir, &u.user_name, None)?;
    let user_id = link_user(c, dir, &u)?;
    let (id, now) = (new_id(prefix::SCIM_USER), now_millis());
    c.execute(
        "INSERT INTO scim_users (id, directory_id, user_id, user_name_lower, external_id, email_lower, active, \
         resource, version, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9)",
        vals![
            id,
            dir.directory.id,
            user_id,
            u.user_name.to_lowercase(),
            u.external_id,
            u.email.as_ref().map(|e| e.to_lowercase()),
            u.active,
            body_text(&u.body),
            now
        ],
    )?;
    sync::reconcile(c, dir, &mut org, &roles, std::slice::from_ref(&id))?;
    Ok(Resource { id, body: u.body, version: 1, created_at: now, updated_at: now })
}

fn check_version(current: &Resource, expected: Option<i64>) -> Tx<()> {
    match expected {
        Some(v) if v != current.version => Err(DomainError::ScimVersionMismatch(v).into()),
        _ => Ok(()),
    }
}

/// Change a user from its current state, read under the organization's lock (`UserChange`).
pub fn replace_user(
    c: &dyn Db,
    cache: &RolesCache,
    dir: &DirectoryCredentials,
    id: &str,
    change: &(dyn Fn(&Resource) -> Result<UserWrite, DomainError> + Send + Sync),
) -> Tx<Resource> {
    let (mut org, roles) = sync::lock(c, cache, dir)?;
    let current = get(c, dir, ResourceKind::User, id)?;
    let u = change(&current)?;
    check_user_name_free(c, dir, &u.user_name, Some(id))?;
    let now = now_millis();
    c.execute(
        "UPDATE scim_users SET user_name_lower = ?2, external_id = ?3, email_lower = ?4, active = ?5, resource = ?6, \
         version = version + 1, updated_at = ?7 WHERE id = ?1",
        vals![
            id,
            u.user_name.to_lowercase(),
            u.external_id,
            u.email.as_ref().map(|e| e.to_lowercase()),
            u.active,
            body_text(&u.body),
            now
        ],
    )?;
    // The names follow the directory; email addresses stay as the user owns them.
    let user_id: String = c.query_one("SELECT user_id FROM scim_users WHERE id = ?1", vals![id])?.get(0)?;
    let user = crate::logic::rows::users::user_by_id(c, &dir.instance_id, &user_id)?;
    if user.first_name != u.first_name || user.last_name != u.last_name {
        let update = UserUpdate {
            first_name: Some(u.first_name.clone()),
            last_name: Some(u.last_name.clone()),
            ..UserUpdate::default()
        };
        crate::logic::users::update(c, &dir.instance_id, &user_id, update)?;
    }
    sync::reconcile(c, dir, &mut org, &roles, &[id.to_owned()])?;
    Ok(Resource {
        id: id.to_owned(),
        body: u.body,
        version: current.version + 1,
        created_at: current.created_at,
        updated_at: now,
    })
}

/// The users of the directory among `values` (member values naming anything else are kept in the group's resource
/// only).
fn member_users(c: &dyn Db, dir: &DirectoryCredentials, values: &[String]) -> Tx<BTreeSet<String>> {
    let mut found = BTreeSet::new();
    for v in values.iter().collect::<BTreeSet<_>>() {
        let hit =
            c.query_opt("SELECT 1 FROM scim_users WHERE directory_id = ?1 AND id = ?2", vals![dir.directory.id, v])?;
        if hit.is_some() {
            found.insert(v.clone());
        }
    }
    Ok(found)
}

fn group_members(c: &dyn Db, group_id: &str) -> Tx<BTreeSet<String>> {
    Ok(c.query("SELECT scim_user_id FROM scim_group_members WHERE group_id = ?1", vals![group_id])?
        .into_iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?)
}

fn write_members(c: &dyn Db, group_id: &str, before: &BTreeSet<String>, after: &BTreeSet<String>) -> Tx<()> {
    for gone in before.difference(after) {
        c.execute("DELETE FROM scim_group_members WHERE group_id = ?1 AND scim_user_id = ?2", vals![group_id, gone])?;
    }
    for added in after.difference(before) {
        c.execute("INSERT INTO scim_group_members (group_id, scim_user_id) VALUES (?1, ?2)", vals![group_id, added])?;
    }
    Ok(())
}

pub fn create_group(c: &dyn Db, cache: &RolesCache, dir: &DirectoryCredentials, g: GroupWrite) -> Tx<Resource> {
    let (mut org, roles) = sync::lock(c, cache, dir)?;
    let (id, now) = (new_id(prefix::SCIM_GROUP), now_millis());
    c.execute(
        "INSERT INTO scim_groups (id, directory_id, display_name, display_name_lower, external_id, resource, version, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)",
        vals![
            id,
            dir.directory.id,
            g.display_name,
            g.display_name.to_lowercase(),
            g.external_id,
            body_text(&g.body),
            now
        ],
    )?;
    let members = member_users(c, dir, &g.members)?;
    write_members(c, &id, &BTreeSet::new(), &members)?;
    let affected: Vec<String> = members.into_iter().collect();
    sync::reconcile(c, dir, &mut org, &roles, &affected)?;
    Ok(Resource { id, body: g.body, version: 1, created_at: now, updated_at: now })
}

/// Change a group from its current state, read under the organization's lock (`GroupChange`).
pub fn replace_group(
    c: &dyn Db,
    cache: &RolesCache,
    dir: &DirectoryCredentials,
    id: &str,
    change: &(dyn Fn(&Resource) -> Result<GroupWrite, DomainError> + Send + Sync),
) -> Tx<Resource> {
    let (mut org, roles) = sync::lock(c, cache, dir)?;
    let current = get(c, dir, ResourceKind::Group, id)?;
    let g = change(&current)?;
    let now = now_millis();
    c.execute(
        "UPDATE scim_groups SET display_name = ?2, display_name_lower = ?3, external_id = ?4, resource = ?5, \
         version = version + 1, updated_at = ?6 WHERE id = ?1",
        vals![id, g.display_name, g.display_name.to_lowercase(), g.external_id, body_text(&g.body), now],
    )?;
    let before = group_members(c, id)?;
    let after = member_users(c, dir, &g.members)?;
    write_members(c, id, &before, &after)?;
    // A rename may change which mapping matches, so every member old and new is reconciled.
    let affected: Vec<String> = before.union(&after).cloned().collect();
    sync::reconcile(c, dir, &mut org, &roles, &affected)?;
    Ok(Resource {
        id: id.to_owned(),
        body: g.body,
        version: current.version + 1,
        created_at: current.created_at,
        updated_at: now,
    })
}

/// Drop a deleted user from the `members` of the groups naming it, as RFC 7644 §3.6 asks of a service provider.
fn remove_from_groups(c: &dyn Db, dir: &DirectoryCredentials, scim_user_id: &str, now: i64) -> Tx<()> {
    let groups: Vec<String> = c
        .query("SELECT group_id FROM scim_group_members WHERE scim_user_id = ?1", vals![scim_user_id])?
        .into_iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    for group_id in groups {
        let mut group = get(c, dir, ResourceKind::Group, &group_id)?;
        if let Some(Value::Array(members)) = group.body.get_mut("members") {
            members.retain(|m| m.get("value").and_then(Value::as_str) != Some(scim_user_id));
        }
        c.execute(
            "UPDATE scim_groups SET resource = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
            vals![group_id, body_text(&group.body), now],
        )?;
    }
    Ok(())
}

pub fn delete(
    c: &dyn Db,
    cache: &RolesCache,
    dir: &DirectoryCredentials,
    kind: ResourceKind,
    id: &str,
    version: Option<i64>,
) -> Tx<()> {
    let (mut org, roles) = sync::lock(c, cache, dir)?;
    let current = get(c, dir, kind, id)?;
    check_version(&current, version)?;
    let now = now_millis();
    match kind {
        ResourceKind::User => {
            let user_id: String = c.query_one("SELECT user_id FROM scim_users WHERE id = ?1", vals![id])?.get(0)?;
            remove_from_groups(c, dir, id, now)?;
            c.execute("DELETE FROM scim_users WHERE id = ?1", vals![id])?;
            sync::apply(c, dir, &mut org, &roles, vec![sync::Target { user_id, role_id: None }])?;
        }
        ResourceKind::Group => {
            let members: Vec<String> = group_members(c, id)?.into_iter().collect();
            c.execute("DELETE FROM scim_groups WHERE id = ?1", vals![id])?;
            sync::reconcile(c, dir, &mut org, &roles, &members)?;
        }
    }
    Ok(())
}
