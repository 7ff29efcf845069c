//! Session rows: the active organization a session falls back to, and how sessions follow membership and
//! organization deletions.

use roster_core::now_millis;

use crate::logic::Tx;
use crate::sql::{vals, Db};

/// The organization `user_id` joined most recently, if any.
pub fn latest_organization(c: &dyn Db, user_id: &str) -> Tx<Option<String>> {
    Ok(c.query_opt(
        "SELECT organization_id FROM memberships WHERE user_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1",
        vals![user_id],
    )?
    .map(|r| r.get(0))
    .transpose()?)
}

/// After `user_id` left `org_id`: their active sessions on it move to their latest remaining organization.
pub fn after_membership_removed(c: &dyn Db, org_id: &str, user_id: &str) -> Tx<()> {
    let next = latest_organization(c, user_id)?;
    c.execute(
        "UPDATE sessions SET last_active_organization_id = ?3, updated_at = ?4 \
         WHERE user_id = ?1 AND last_active_organization_id = ?2 AND status = 'active'",
        vals![user_id, org_id, next, now_millis()],
    )?;
    Ok(())
}

/// After `org_id` was deleted: no session keeps it active.
pub fn after_organization_deleted(c: &dyn Db, org_id: &str) -> Tx<()> {
    c.execute(
        "UPDATE sessions SET last_active_organization_id = NULL, updated_at = ?2 WHERE last_active_organization_id = ?1",
        vals![org_id, now_millis()],
    )?;
    Ok(())
}
