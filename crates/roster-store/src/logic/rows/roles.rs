//! Role and permission rows: the instance's roles with their permissions, the roles cache of the read path,
//! and the version that tells other processes the roles changed.

use std::collections::HashMap;

use roster_core::model::{Permission, Role};
use roster_core::DomainError;

use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

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
        self.roles_at(c, instance_id, None)
    }

    /// The same, with the instance's `roles_version` already read by the caller (in the statement that needs the
    /// roles, saving a round trip); read here when `None`. A map loaded on a miss is read after that version, so
    /// it is never older than the version it is filed under.
    pub fn roles_at(&self, c: &dyn Db, instance_id: &str, version: Option<i64>) -> Tx<RoleMap> {
        use std::sync::atomic::Ordering;
        let current = if self.versioned {
            let version: i64 = match version {
                Some(v) => v,
                None => c.query_one("SELECT roles_version FROM instances WHERE id = ?1", vals![instance_id])?.get(0)?,
            };
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

/// Load the instance's roles and find the one with this key, or 404 "Organization role not found".
pub fn load_role_by_key(c: &dyn Db, instance_id: &str, key: &str) -> Tx<Role> {
    load_roles(c, instance_id)?.into_iter().find(|r| r.key == key).ok_or_else(|| DomainError::role_not_found().into())
}

/// Ids of the instance's roles that hold `org:sys_memberships:manage`.
pub fn manager_role_ids(c: &dyn Db, instance_id: &str) -> Tx<Vec<String>> {
    Ok(load_roles(c, instance_id)?.into_iter().filter(|r| r.can_manage_memberships()).map(|r| r.id).collect())
}
