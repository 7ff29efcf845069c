//! What a directory's resources decide: each provisioned user who is active is a member of the directory's
//! organization with the role of the lowest-precedence mapping among their groups (when mappings are enabled),
//! else the directory's default role, else the organization's role set default, else `org:member`; one who is not
//! active (or deleted) is no member. Reconciled in the transaction of the write that changed the inputs, through
//! the membership rules (quota, last manager, role set) and events of `logic::memberships`.

use std::collections::HashMap;

use roster_core::model::{Organization, Role};
use roster_core::scim::DirectoryCredentials;
use roster_core::{now_millis, DomainError, UserId};

use crate::logic::memberships::{self, created_event, deleted_event, updated_event};
use crate::logic::rows::events::append;
use crate::logic::rows::invitations::count_pending_for_quota;
use crate::logic::rows::memberships::set_members_count;
use crate::logic::rows::orgs::org_by_id_for_update;
use crate::logic::rows::roles::RolesCache;
use crate::logic::Tx;
use crate::sql::{vals, Db};

/// A Roster user whose membership a write may have changed, and the role they should hold (`None`: no member).
pub struct Target {
    pub user_id: String,
    pub role_id: Option<String>,
}

/// The role the directory gives a provisioned user who is active.
fn role_for(
    c: &dyn Db,
    dir: &DirectoryCredentials,
    org: &Organization,
    roles: &HashMap<String, Role>,
    scim_user_id: &str,
) -> Tx<String> {
    if dir.directory.group_role_mapping_enabled {
        let mapped = c.query_opt(
            "SELECT m.role_id FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id \
             JOIN scim_group_role_mappings m ON m.directory_id = g.directory_id \
             AND (m.scim_group_id = g.id OR m.scim_group_id = g.external_id OR m.scim_group_id = g.display_name) \
             WHERE gm.scim_user_id = ?1 ORDER BY m.precedence, m.id LIMIT 1",
            vals![scim_user_id],
        )?;
        if let Some(row) = mapped {
            return Ok(row.get(0)?);
        }
    }
    if let Some(role) = &dir.directory.default_role {
        return Ok(role.id.clone());
    }
    if let Some(set_key) = &org.role_set_key {
        let set_default = c.query_opt(
            "SELECT default_role_id FROM role_sets WHERE instance_id = ?1 AND key = ?2",
            vals![dir.instance_id, set_key],
        )?;
        if let Some(Some(id)) = set_default.map(|r| r.get::<Option<String>>(0)).transpose()? {
            return Ok(id);
        }
    }
    roles
        .values()
        .find(|r| r.key == roster_core::roles::MEMBER)
        .map(|r| r.id.clone())
        .ok_or_else(|| DomainError::role_not_found().into())
}

/// The targets of these provisioned users (by SCIM id), as their rows say now.
pub fn targets_of(
    c: &dyn Db,
    dir: &DirectoryCredentials,
    org: &Organization,
    roles: &HashMap<String, Role>,
    scim_user_ids: &[String],
) -> Tx<Vec<Target>> {
    let mut out = Vec::with_capacity(scim_user_ids.len());
    for id in scim_user_ids {
        let Some(row) = c.query_opt(
            "SELECT user_id, active FROM scim_users WHERE id = ?1 AND directory_id = ?2",
            vals![id, dir.directory.id],
        )?
        else {
            continue;
        };
        let (user_id, active): (String, bool) = (row.get(0)?, row.get(1)?);
        let role_id = if active { Some(role_for(c, dir, org, roles, id)?) } else { None };
        out.push(Target { user_id, role_id });
    }
    Ok(out)
}

/// Bring the memberships of `targets` in the directory's organization (locked by the caller, who passes it in) to
/// what they should be. Grants of managing roles go first, so a change that moves management from one member to
/// another never trips the last-manager rule halfway.
pub fn apply(
    c: &dyn Db,
    dir: &DirectoryCredentials,
    org: &mut Organization,
    roles: &HashMap<String, Role>,
    mut targets: Vec<Target>,
) -> Tx<()> {
    let manages =
        |t: &Target| t.role_id.as_ref().and_then(|id| roles.get(id)).is_some_and(Role::can_manage_memberships);
    targets.sort_by_key(|t| !manages(t));
    let instance_id = dir.instance_id.as_str();
    let mut count_changed = false;
    for t in targets {
        let current: Option<String> = c
            .query_opt(
                "SELECT role_id FROM memberships WHERE organization_id = ?1 AND user_id = ?2",
                vals![org.id, t.user_id],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        match (current, t.role_id) {
            (None, None) => {}
            (None, Some(role_id)) => {
                let role = roles.get(&role_id).ok_or_else(DomainError::role_not_found)?;
                let user_id = UserId::from(t.user_id.as_str());
                let mut joiners = memberships::joiners(c, instance_id, &org.id, std::slice::from_ref(&user_id))?;
                let joiner = joiners.entry(t.user_id.clone()).or_default();
                let new = roster_core::store::NewMembership {
                    organization_id: org.id.clone().into(),
                    user_id,
                    role: role.key.clone(),
                    public_metadata: Default::default(),
                    private_metadata: Default::default(),
                };
                let created = memberships::create_in(c, instance_id, org, roles, new, joiner)?;
                append(c, instance_id, created_event(&created))?;
                count_changed = true;
            }
            (Some(current), Some(role_id)) if current != role_id => {
                let role = roles.get(&role_id).ok_or_else(DomainError::role_not_found)?;
                let (before, after) = memberships::update_role_in(c, instance_id, org, roles, &t.user_id, &role.key)?;
                append(c, instance_id, updated_event(before, &after))?;
            }
            (Some(_), Some(_)) => {}
            (Some(_), None) => {
                let deleted = memberships::delete_in(c, instance_id, org, roles, &t.user_id)?;
                append(c, instance_id, deleted_event(&deleted))?;
                count_changed = true;
            }
        }
    }
    if count_changed {
        set_members_count(c, &org.id, org.members_count)?;
    }
    Ok(())
}

/// Reconcile these provisioned users (by SCIM id) as their rows say now: `targets_of`, then `apply`.
pub fn reconcile(
    c: &dyn Db,
    dir: &DirectoryCredentials,
    org: &mut Organization,
    roles: &HashMap<String, Role>,
    scim_user_ids: &[String],
) -> Tx<()> {
    let targets = targets_of(c, dir, org, roles, scim_user_ids)?;
    apply(c, dir, org, roles, targets)
}

/// Lock the directory's organization and load what reconciling needs: the organization (its quota counting
/// pending invitations) and the instance's roles.
pub fn lock(
    c: &dyn Db,
    cache: &RolesCache,
    dir: &DirectoryCredentials,
) -> Tx<(Organization, crate::logic::rows::roles::RoleMap)> {
    let mut org = org_by_id_for_update(c, &dir.instance_id, &dir.directory.organization_id)?;
    count_pending_for_quota(c, &mut org, now_millis())?;
    let roles = cache.roles(c, &dir.instance_id)?;
    Ok((org, roles))
}

/// Reconcile every provisioned user of the directory (after its mappings or default role changed).
pub fn all(c: &dyn Db, cache: &RolesCache, dir: &DirectoryCredentials) -> Tx<()> {
    let (mut org, roles) = lock(c, cache, dir)?;
    let ids: Vec<String> = c
        .query("SELECT id FROM scim_users WHERE directory_id = ?1 ORDER BY created_at, id", vals![dir.directory.id])?
        .into_iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    reconcile(c, dir, &mut org, &roles, &ids)
}
