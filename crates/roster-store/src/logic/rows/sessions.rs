//! Session rows: their columns and decoding, the active organization a session falls back to, and how sessions follow membership and
//! organization deletions.

use roster_core::model::Session;
use roster_core::now_millis;

use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

pub const SESSION_COLUMNS: &str =
    "s.id, s.user_id, s.client_id, s.status, s.last_active_organization_id, s.last_active_at, \
    s.expire_at, s.abandon_at, s.created_at, s.updated_at";

/// A session as read at `now`: an active one past its `expire_at` is `expired` (the row is not rewritten; every
/// read and every status filter derives it the same way).
pub fn session_from_row(r: &mut Row, now: i64) -> Result<Session, DbError> {
    let status: String = r.take(3)?;
    let expire_at: i64 = r.take(6)?;
    let status = if status == "active" && expire_at <= now { "expired".to_owned() } else { status };
    Ok(Session {
        id: r.take(0)?,
        user_id: r.take(1)?,
        client_id: r.take(2)?,
        status,
        last_active_organization_id: r.take(4)?,
        last_active_at: r.take(5)?,
        expire_at,
        abandon_at: r.take(7)?,
        created_at: r.take(8)?,
        updated_at: r.take(9)?,
    })
}

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
