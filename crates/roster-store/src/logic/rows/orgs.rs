//! Organization rows: the column list, decoding, and reading one by id (optionally locked).

use roster_core::model::Organization;
use roster_core::DomainError;

use super::json;
use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Dialect, Row};

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
        pending_invitations_count: None,
        created_at: row.take(at + 10)?,
        updated_at: row.take(at + 11)?,
    })
}

/// The organization with this id in the instance, or 404.
pub fn org_by_id(c: &dyn Db, instance_id: &str, org_id: &str) -> Tx<Organization> {
    c.query_opt(
        &format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.instance_id = ?1 AND o.id = ?2"),
        vals![instance_id, org_id],
    )?
    .map(|mut r| org_from_row(&mut r, 0))
    .transpose()?
    .ok_or_else(|| DomainError::OrganizationNotFound.into())
}

/// `org_by_id`, locking the organization's row until the transaction ends where the backend has row locks
/// (PostgreSQL: `FOR UPDATE`), so membership writes of one organization run one after another and their rule
/// checks (uniqueness, quota, last manager) see each other. SQLite's single writer serializes every write already.
pub fn org_by_id_for_update(c: &dyn Db, instance_id: &str, org_id: &str) -> Tx<Organization> {
    let lock = match c.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE",
    };
    c.query_opt(
        &format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.instance_id = ?1 AND o.id = ?2{lock}"),
        vals![instance_id, org_id],
    )?
    .map(|mut r| org_from_row(&mut r, 0))
    .transpose()?
    .ok_or_else(|| DomainError::OrganizationNotFound.into())
}
