//! Organizations. Creating one with `created_by` also makes that user a member with the instance's
//! creator role, in the same transaction.

use roster_core::events::{EventType, NewEvent, Record};
use roster_core::ids::{new_id, prefix};
use roster_core::model::{Membership, Organization, Page, PublicUserData};
use roster_core::query::{OrganizationFilter, OrganizationOrder, Pagination};
use roster_core::store::{MetadataUpdate, NewOrganization, OrganizationUpdate};
use roster_core::{now_millis, rules, DomainError};

use super::filter::{organization_order, Sql};
use super::rows::events::append;
use super::rows::instances::load_instance;
use super::rows::memberships::insert_membership;
use super::rows::orgs::{org_by_id, org_from_row, ORG_COLUMNS};
use super::rows::role_sets::{creator_role, initial_key, role_ids, role_set_by_key_or_id};
use super::rows::roles::{load_role_by_key, manager_role_ids, roles_by_id};
use super::rows::sessions::after_organization_deleted;
use super::rows::to_json;
use super::rows::users::user_by_id;
use super::Tx;
use crate::sql::{vals, Db};

/// Whether the organization lacks a member holding `org:sys_memberships:manage`.
fn missing_manager(c: &dyn Db, instance_id: &str, org_id: &str) -> Tx<bool> {
    let managers = manager_role_ids(c, instance_id)?;
    if managers.is_empty() {
        return Ok(true);
    }
    let mut sql = Sql::new(c.dialect());
    let org = sql.bind(org_id.to_owned());
    let list = sql.bind_list(&managers);
    let found = c.query_opt(
        &format!("SELECT 1 FROM memberships WHERE organization_id = {org} AND role_id IN {list} LIMIT 1"),
        &sql.params,
    )?;
    Ok(found.is_none())
}

pub fn get(c: &dyn Db, instance_id: &str, id_or_slug: &str, with_missing_admin: bool) -> Tx<Organization> {
    let mut org = c
        .query_opt(
            &format!(
                "SELECT {ORG_COLUMNS} FROM organizations o WHERE o.instance_id = ?1 AND (o.id = ?2 OR o.slug = ?2) \
                 ORDER BY (o.id = ?2) DESC LIMIT 1"
            ),
            vals![instance_id, id_or_slug],
        )?
        .map(|mut r| org_from_row(&mut r, 0))
        .transpose()?
        .ok_or(DomainError::OrganizationNotFound)?;
    if with_missing_admin {
        org.missing_member_with_elevated_permissions = Some(missing_manager(c, instance_id, &org.id)?);
    }
    Ok(org)
}

pub fn list(
    c: &dyn Db,
    instance_id: &str,
    f: &OrganizationFilter,
    order: OrganizationOrder,
    page: Pagination,
) -> Tx<Page<Organization>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    if let Some(q) = &f.query {
        let p = sql.bind(q.clone());
        let (in_name, in_slug) = (sql.contains("o.name_lower", &p), sql.contains("o.slug", &p));
        sql.clause(format!("(lower(o.id) = {p} OR {in_name} OR {in_slug})"));
    }
    if !f.organization_ids.is_empty() {
        let list = sql.bind_list(&f.organization_ids);
        sql.clause(format!("o.id IN {list}"));
    }
    if !f.exclude_organization_ids.is_empty() {
        let list = sql.bind_list(&f.exclude_organization_ids);
        sql.clause(format!("o.id NOT IN {list}"));
    }
    if !f.user_ids.is_empty() {
        let list = sql.bind_list(&f.user_ids);
        sql.clause(format!(
            "EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id AND m.user_id IN {list})"
        ));
    }
    if !f.exclude_user_ids.is_empty() {
        let list = sql.bind_list(&f.exclude_user_ids);
        sql.clause(format!(
            "NOT EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id AND m.user_id IN {list})"
        ));
    }
    let filters = format!("o.instance_id = {ins}{}", sql.where_sql());
    let total_count: i64 =
        c.query_one(&format!("SELECT count(*) FROM organizations o WHERE {filters}"), &sql.params)?.get(0)?;
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let sql_text = format!(
        "SELECT {ORG_COLUMNS} FROM organizations o WHERE {filters}{} LIMIT {limit} OFFSET {offset}",
        organization_order(order)
    );
    let mut data: Vec<Organization> =
        c.query(&sql_text, &sql.params)?.into_iter().map(|mut r| org_from_row(&mut r, 0)).collect::<Result<_, _>>()?;
    if f.include_missing_member_with_elevated_permissions {
        for org in &mut data {
            org.missing_member_with_elevated_permissions = Some(missing_manager(c, instance_id, &org.id)?);
        }
    }
    Ok(Page { data, total_count })
}

fn slug_taken(c: &dyn Db, instance_id: &str, slug: &str, except: Option<&str>) -> Tx<bool> {
    let owner: Option<String> = c
        .query_opt("SELECT id FROM organizations WHERE instance_id = ?1 AND slug = ?2", vals![instance_id, slug])?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(matches!(owner, Some(id) if Some(id.as_str()) != except))
}

fn slug_exists_error() -> DomainError {
    DomainError::IdentifierExists { param: "slug".into(), what: "slug" }
}

pub fn create(c: &dyn Db, instance_id: &str, new: NewOrganization) -> Tx<Organization> {
    let instance = load_instance(c, instance_id)?;
    let slug = match new.slug {
        Some(slug) => {
            if slug_taken(c, instance_id, &slug, None)? {
                return Err(slug_exists_error().into());
            }
            slug
        }
        None => {
            // Derived slugs get a short random suffix when the plain one is taken.
            let base = rules::slugify(&new.name);
            let mut slug = base.clone();
            while slug_taken(c, instance_id, &slug, None)? {
                let id = new_id("x");
                slug = format!("{base}-{}", id[id.len() - 6..].to_lowercase());
            }
            slug
        }
    };
    // The instance's initial role set unless the request names one; its creator role, if it has one.
    let role_set_key = match new.role_set_key.clone() {
        Some(key) => Some(key),
        None => initial_key(c, instance_id)?,
    };
    let set_creator = match &role_set_key {
        Some(key) => creator_role(c, instance_id, Some(key), &roles_by_id(c, instance_id)?)?,
        None => None,
    };
    let creator = match &new.created_by {
        Some(user_id) => {
            let user = user_by_id(c, instance_id, user_id).map_err(|e| match e {
                super::StoreError::Domain(DomainError::UserNotFound(_)) => {
                    DomainError::CreatorNotFound(user_id.clone()).into()
                }
                other => other,
            })?;
            let role = match set_creator {
                Some(role) => role,
                None => load_role_by_key(c, instance_id, &instance.settings.creator_role)?,
            };
            Some((user, role))
        }
        None => None,
    };
    let now = now_millis();
    let id = new_id(prefix::ORGANIZATION);
    c.execute(
        "INSERT INTO organizations (id, instance_id, name, name_lower, slug, max_allowed_memberships, \
         admin_delete_enabled, public_metadata, private_metadata, created_by, role_set_key, members_count, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?13)",
        vals![
            id,
            instance_id,
            new.name,
            new.name.to_lowercase(),
            slug,
            new.max_allowed_memberships.unwrap_or(instance.settings.max_allowed_memberships),
            instance.settings.admin_delete_enabled,
            to_json(&new.public_metadata),
            to_json(&new.private_metadata),
            new.created_by,
            role_set_key,
            new.created_at.unwrap_or(now),
            now
        ],
    )?;
    let creator = match creator {
        Some((user, role)) => {
            let (public, private) = (Default::default(), Default::default());
            let membership_id = insert_membership(c, instance_id, &id, &user.id, &role.id, &public, &private, now)?;
            Some((membership_id, user, role))
        }
        None => None,
    };
    let org = org_by_id(c, instance_id, &id)?;
    append(c, instance_id, NewEvent::new(EventType::OrganizationCreated, Record::Organization(org.clone())))?;
    if let Some((membership_id, user, role)) = creator {
        let membership = Membership {
            id: membership_id,
            organization: org.clone(),
            public_user_data: PublicUserData::of(&user),
            role: role.key.clone(),
            role_name: role.name.clone(),
            permissions: role.permission_keys(),
            public_metadata: Default::default(),
            private_metadata: Default::default(),
            created_at: now,
            updated_at: now,
        };
        append(c, instance_id, NewEvent::new(EventType::MembershipCreated, Record::Membership(membership)))?;
    }
    Ok(org)
}

pub fn update(c: &dyn Db, instance_id: &str, org_id: &str, u: OrganizationUpdate) -> Tx<Organization> {
    let mut org = org_by_id(c, instance_id, org_id)?;
    let before = org.clone();
    if let Some(name) = u.name {
        org.name = name;
    }
    if let Some(slug) = u.slug {
        if slug_taken(c, instance_id, &slug, Some(org_id))? {
            return Err(slug_exists_error().into());
        }
        org.slug = slug;
    }
    if let Some(max) = u.max_allowed_memberships {
        org.max_allowed_memberships = max;
    }
    if let Some(enabled) = u.admin_delete_enabled {
        org.admin_delete_enabled = enabled;
    }
    if let Some(created_at) = u.created_at {
        org.created_at = created_at;
    }
    if let Some(key) = u.role_set_key.filter(|k| *k != org.role_set_key) {
        check_role_set_fits(c, instance_id, org_id, key.as_deref())?;
        org.role_set_key = key;
    }
    let mode = u.metadata.mode;
    MetadataUpdate::apply(mode, "public_metadata", &mut org.public_metadata, u.metadata.public)?;
    MetadataUpdate::apply(mode, "private_metadata", &mut org.private_metadata, u.metadata.private)?;
    org.updated_at = now_millis().max(org.updated_at);
    c.execute(
        "UPDATE organizations SET name = ?2, name_lower = ?3, slug = ?4, max_allowed_memberships = ?5, \
         admin_delete_enabled = ?6, created_at = ?7, role_set_key = ?8, public_metadata = ?9, private_metadata = ?10, \
         updated_at = ?11 WHERE id = ?1",
        vals![
            org_id,
            org.name,
            org.name.to_lowercase(),
            org.slug,
            org.max_allowed_memberships,
            org.admin_delete_enabled,
            org.created_at,
            org.role_set_key,
            to_json(&org.public_metadata),
            to_json(&org.private_metadata),
            org.updated_at
        ],
    )?;
    let event = NewEvent::updated(
        EventType::OrganizationUpdated,
        Record::Organization(before),
        Record::Organization(org.clone()),
    );
    append(c, instance_id, event)?;
    Ok(org)
}

pub fn update_metadata(c: &dyn Db, instance_id: &str, org_id: &str, change: MetadataUpdate) -> Tx<Organization> {
    update(c, instance_id, org_id, OrganizationUpdate { metadata: change, ..Default::default() })
}

pub fn delete(c: &dyn Db, instance_id: &str, org_id: &str) -> Tx<Organization> {
    let org = org_by_id(c, instance_id, org_id)?;
    c.execute("DELETE FROM memberships WHERE organization_id = ?1", vals![org_id])?;
    after_organization_deleted(c, org_id)?;
    c.execute("DELETE FROM organizations WHERE id = ?1", vals![org_id])?;
    append(c, instance_id, NewEvent::deleted(EventType::OrganizationDeleted, "organization", org_id))?;
    Ok(org)
}

/// An organization may move to role set `key` (or to none, every role) only if its members' roles are all in it.
fn check_role_set_fits(c: &dyn Db, instance_id: &str, org_id: &str, key: Option<&str>) -> Tx<()> {
    let Some(key) = key else { return Ok(()) };
    let roles = roles_by_id(c, instance_id)?;
    let set = role_set_by_key_or_id(c, instance_id, key, &roles)
        .map_err(|_| DomainError::invalid("role_set_key", format!("No role set was found with key {key}.")))?;
    let allowed = role_ids(c, &set.id)?;
    let held = c.query("SELECT DISTINCT role_id FROM memberships WHERE organization_id = ?1", vals![org_id])?;
    let mut outside = Vec::new();
    for row in held {
        let role_id: String = row.get(0)?;
        if !allowed.contains(&role_id) {
            outside.push(roles.get(&role_id).map_or(role_id, |r| r.key.clone()));
        }
    }
    if outside.is_empty() {
        Ok(())
    } else {
        outside.sort();
        Err(DomainError::RolesOutsideRoleSet(outside).into())
    }
}
