//! Row decoding shared by the logic modules: JSON columns, the organization column list, roles with
//! their permissions, and the instance row.

use std::collections::HashMap;

use roster_core::metadata::Metadata;
use roster_core::model::{Environment, Instance, Organization, OrganizationSettings, Permission, Role};
use roster_core::DomainError;

use super::Tx;
use crate::sql::{vals, Db, DbError, Row};

pub fn json(text: String) -> Metadata {
    serde_json::from_str(&text).unwrap_or_default()
}

pub fn to_json(m: &Metadata) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".into())
}

/// Columns of `organizations o`, in the order `org_from_row` reads them.
pub const ORG_COLUMNS: &str = "o.id, o.name, o.slug, o.max_allowed_memberships, o.admin_delete_enabled, \
     o.public_metadata, o.private_metadata, o.created_by, o.role_set_key, o.members_count, o.created_at, o.updated_at";

pub fn org_from_row(row: &mut Row, at: usize) -> Result<Organization, DbError> {
    Ok(Organization {
        id: row.take(at)?,
        name: row.take(at + 1)?,
        slug: row.take(at + 2)?,
        max_allowed_memberships: row.take(at + 3)?,
        admin_delete_enabled: row.take(at + 4)?,
        public_metadata: json(row.take(at + 5)?),
        private_metadata: json(row.take(at + 6)?),
        created_by: row.take(at + 7)?,
        role_set_key: row.take(at + 8)?,
        members_count: row.take(at + 9)?,
        missing_member_with_elevated_permissions: None,
        created_at: row.take(at + 10)?,
        updated_at: row.take(at + 11)?,
    })
}

/// The columns `instance_from_row` decodes (0 to 11), of `instances i`.
macro_rules! instance_columns {
    () => {
        "SELECT i.id, i.environment, i.name, i.created_at, i.org_enabled, \
         i.org_max_allowed_memberships, coalesce((SELECT r.key FROM roles r WHERE r.id = i.org_creator_role_id), ''), \
         i.org_admin_delete_enabled, i.org_domains_enabled, i.org_slug_disabled, i.org_domains_enrollment_modes, \
         coalesce((SELECT r.key FROM roles r WHERE r.id = i.org_domains_default_role_id), '')"
    };
}

/// Instances with their organization settings; role keys are read live from the referenced roles.
pub const INSTANCE_SELECT: &str = concat!(instance_columns!(), " FROM instances i");

/// The keys whose lookup tag is `?1` with their instances: the instance columns, then `hash` (12) and
/// `revoked_at` (13). One statement, so it needs no transaction around it.
pub const KEY_CANDIDATES_SELECT: &str = concat!(
    instance_columns!(),
    ", k.hash, k.revoked_at FROM api_keys k JOIN instances i ON i.id = k.instance_id WHERE k.lookup = ?1"
);

pub fn instance_from_row(row: &mut Row) -> Result<Instance, DbError> {
    let env: String = row.take(1)?;
    let modes: String = row.take(10)?;
    Ok(Instance {
        id: row.take(0)?,
        environment: Environment::parse(&env).unwrap_or(Environment::Development),
        name: row.take(2)?,
        created_at: row.take(3)?,
        settings: OrganizationSettings {
            enabled: row.take(4)?,
            max_allowed_memberships: row.take(5)?,
            creator_role: row.take(6)?,
            admin_delete_enabled: row.take(7)?,
            domains_enabled: row.take(8)?,
            slug_disabled: row.take(9)?,
            domains_enrollment_modes: serde_json::from_str(&modes).unwrap_or_default(),
            domains_default_role: row.take(11)?,
        },
    })
}

pub fn load_instance(c: &dyn Db, instance_id: &str) -> Tx<Instance> {
    c.query_opt(&format!("{INSTANCE_SELECT} WHERE i.id = ?1"), vals![instance_id])?
        .map(|mut r| instance_from_row(&mut r))
        .transpose()?
        .ok_or_else(|| DomainError::Internal(format!("instance {instance_id} vanished")).into())
}

/// Every role of the instance with its permissions, ordered by creation.
pub fn load_roles(c: &dyn Db, instance_id: &str) -> Tx<Vec<Role>> {
    let mut roles: Vec<Role> = c
        .query(
            "SELECT id, key, name, description, is_creator_eligible, created_at, updated_at \
             FROM roles WHERE instance_id = ?1 ORDER BY created_at, id",
            vals![instance_id],
        )?
        .into_iter()
        .map(|mut r| {
            Ok(Role {
                id: r.take(0)?,
                key: r.take(1)?,
                name: r.take(2)?,
                description: r.take(3)?,
                is_creator_eligible: r.take(4)?,
                permissions: Vec::new(),
                created_at: r.take(5)?,
                updated_at: r.take(6)?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    let rows = c.query(
        "SELECT rp.role_id, p.id, p.key, p.name, p.description, p.type, p.created_at, p.updated_at \
         FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id \
         WHERE p.instance_id = ?1 ORDER BY p.created_at, p.key",
        vals![instance_id],
    )?;
    let mut by_role: HashMap<String, Vec<Permission>> = HashMap::new();
    for mut r in rows {
        let role_id: String = r.take(0)?;
        by_role.entry(role_id).or_default().push(permission_from_row(&mut r, 1)?);
    }
    for role in &mut roles {
        role.permissions = by_role.remove(&role.id).unwrap_or_default();
    }
    Ok(roles)
}

/// Columns of `permissions p`, in the order `permission_from_row` reads them.
pub const PERMISSION_COLUMNS: &str = "p.id, p.key, p.name, p.description, p.type, p.created_at, p.updated_at";

pub fn permission_from_row(r: &mut Row, at: usize) -> Result<Permission, DbError> {
    Ok(Permission {
        id: r.take(at)?,
        key: r.take(at + 1)?,
        name: r.take(at + 2)?,
        description: r.take(at + 3)?,
        kind: r.take(at + 4)?,
        created_at: r.take(at + 5)?,
        updated_at: r.take(at + 6)?,
    })
}

/// A role map shared by readers.
pub type RoleMap = std::sync::Arc<HashMap<String, Role>>;

/// Per-instance role maps for the read path, so a membership list does not reload every role and permission.
///
/// - Where this process is the only writer (SQLite), entries carry the process generation they were loaded at;
///   every role or permission write bumps the generation once it has committed, which makes older entries stale
///   (a reader that loaded during the write reloads next time).
/// - Where other processes write the same database (PostgreSQL), entries carry the instance's `roles_version`,
///   which every role or permission write bumps in its own transaction; a reader reads it (one indexed row) in its
///   snapshot and reloads when it moved. Reading the version before the roles means a map is never older than
///   the version it is filed under.
#[derive(Default)]
pub struct RolesCache {
    versioned: bool,
    generation: std::sync::atomic::AtomicU64,
    entries: std::sync::Mutex<HashMap<String, (u64, RoleMap)>>,
}

impl RolesCache {
    /// A cache checked against the database's `roles_version`, for databases other processes write too.
    pub fn versioned() -> Self {
        Self { versioned: true, ..Default::default() }
    }

    /// The instance's roles: from the cache when current, else loaded on `c` (inside the caller's snapshot).
    pub fn roles(&self, c: &dyn Db, instance_id: &str) -> Tx<RoleMap> {
        use std::sync::atomic::Ordering;
        let current = if self.versioned {
            let version: i64 =
                c.query_one("SELECT roles_version FROM instances WHERE id = ?1", vals![instance_id])?.get(0)?;
            version as u64
        } else {
            self.generation.load(Ordering::Acquire)
        };
        if let Some((g, map)) = self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(instance_id) {
            if *g == current {
                return Ok(map.clone());
            }
        }
        let map: RoleMap = std::sync::Arc::new(roles_by_id(c, instance_id)?);
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(instance_id.to_owned(), (current, map.clone()));
        Ok(map)
    }

    /// Call after a role or permission write has committed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// Mark the instance's roles changed, inside the transaction that changes them (see `RolesCache`).
///
/// The new version is random rather than the old one plus one: a cache may have filed a map under a version
/// that was never committed (a membership write later in the same SQLite batch as the role write, the batch then
/// failing to commit), and such a version must never come round again for different roles.
pub fn bump_roles_version(c: &dyn Db, instance_id: &str) -> Tx<()> {
    let version = rand::random::<i64>() & i64::MAX;
    c.execute("UPDATE instances SET roles_version = ?2 WHERE id = ?1", vals![instance_id, version])?;
    Ok(())
}

/// The roles of an instance indexed by id, for decorating membership rows.
pub fn roles_by_id(c: &dyn Db, instance_id: &str) -> Tx<HashMap<String, Role>> {
    Ok(load_roles(c, instance_id)?.into_iter().map(|r| (r.id.clone(), r)).collect())
}

/// Find a role by key in the instance, or 404 "Organization role not found".
pub fn role_by_key(c: &dyn Db, instance_id: &str, key: &str) -> Tx<Role> {
    load_roles(c, instance_id)?.into_iter().find(|r| r.key == key).ok_or_else(|| DomainError::role_not_found().into())
}

/// Ids of the instance's roles that hold `org:sys_memberships:manage`.
pub fn manager_role_ids(c: &dyn Db, instance_id: &str) -> Tx<Vec<String>> {
    Ok(load_roles(c, instance_id)?.into_iter().filter(|r| r.can_manage_memberships()).map(|r| r.id).collect())
}
