//! Membership rows: the insert every use case that makes a member shares.

use roster_core::ids::{new_id, prefix};
use roster_core::metadata::Metadata;

use super::to_json;
use crate::logic::Tx;
use crate::sql::{vals, Db};

/// Insert a membership row and count it. Callers have checked the rules.
#[allow(clippy::too_many_arguments)]
pub fn insert_membership(
    c: &dyn Db,
    instance_id: &str,
    org_id: &str,
    user_id: &str,
    role_id: &str,
    public: &Metadata,
    private: &Metadata,
    now: i64,
) -> Tx<String> {
    let id = insert_membership_row(c, instance_id, org_id, user_id, role_id, public, private, now)?;
    c.execute("UPDATE organizations SET members_count = members_count + 1 WHERE id = ?1", vals![org_id])?;
    Ok(id)
}

/// Insert a membership row only: the caller keeps the organization's `members_count` (a bulk write sets it
/// once for all its items).
#[allow(clippy::too_many_arguments)]
pub fn insert_membership_row(
    c: &dyn Db,
    instance_id: &str,
    org_id: &str,
    user_id: &str,
    role_id: &str,
    public: &Metadata,
    private: &Metadata,
    now: i64,
) -> Tx<String> {
    let id = new_id(prefix::MEMBERSHIP);
    c.execute(
        "INSERT INTO memberships (id, instance_id, organization_id, user_id, role_id, public_metadata, \
         private_metadata, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        vals![&id, instance_id, org_id, user_id, role_id, to_json(public), to_json(private), now],
    )?;
    Ok(id)
}

/// Store the organization's `members_count` as counted by a transaction that holds the organization locked.
pub fn set_members_count(c: &dyn Db, org_id: &str, members_count: i64) -> Tx<()> {
    c.execute("UPDATE organizations SET members_count = ?2 WHERE id = ?1", vals![org_id, members_count])?;
    Ok(())
}
