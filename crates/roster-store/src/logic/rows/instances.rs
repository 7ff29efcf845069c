//! Instance rows: the instance with its organization settings, and the key candidates of a lookup tag.

use roster_core::model::{Environment, Instance, OrganizationSettings};
use roster_core::DomainError;

use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

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
