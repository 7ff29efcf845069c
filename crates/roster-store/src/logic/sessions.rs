//! Sessions and the active organization. A new session's active organization is the one asked for, else
//! the organization the user joined most recently; leaving an organization moves the user's sessions to
//! their latest remaining one; deleting an organization clears it from every session.

use roster_core::events::{EventType, NewEvent, Record};
use roster_core::ids::{new_id, prefix};
use roster_core::model::{Page, Session};
use roster_core::query::{Pagination, SessionFilter};
use roster_core::store::DEFAULT_SESSION_LIFETIME_MS;
use roster_core::{now_millis, DomainError};

use super::filter::Sql;
use super::rows::events::append;
use super::rows::orgs::org_by_id;
use super::rows::sessions::{latest_organization, session_from_row, SESSION_COLUMNS};
use super::rows::users::user_by_id;
use super::Tx;
use crate::sql::{vals, Db};

/// Sessions are abandoned after 30 days, Clerk's default (they expire after their lifetime, a week by default).
const ABANDON_AFTER_MS: i64 = 30 * 24 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

pub fn get(c: &dyn Db, instance_id: &str, session_id: &str) -> Tx<Session> {
    c.query_opt(
        &format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.instance_id = ?1 AND s.id = ?2"),
        vals![instance_id, session_id],
    )?
    .map(|mut r| session_from_row(&mut r, now_millis()))
    .transpose()?
    .ok_or_else(|| DomainError::SessionNotFound(session_id.to_owned()).into())
}

/// `org_id` can be `user_id`'s active organization: it exists (else 404) and they are a member (else 422).
fn check_member(c: &dyn Db, instance_id: &str, user_id: &str, org_id: &str) -> Tx<()> {
    org_by_id(c, instance_id, org_id)?;
    let member =
        c.query_opt("SELECT 1 FROM memberships WHERE organization_id = ?1 AND user_id = ?2", vals![org_id, user_id])?;
    if member.is_none() {
        return Err(DomainError::invalid(
            "active_organization_id",
            format!("{user_id} is not a member of {org_id}, so it cannot be their active organization."),
        )
        .into());
    }
    Ok(())
}

/// Set (or clear) the active organization of an active session.
pub fn set_active_organization(c: &dyn Db, instance_id: &str, session_id: &str, org_id: Option<&str>) -> Tx<Session> {
    change_active(c, instance_id, session_id, "update", EventType::SessionUpdated, |c, session| {
        if let Some(org_id) = org_id {
            check_member(c, instance_id, &session.user_id, org_id)?;
        }
        session.last_active_organization_id = org_id.map(str::to_owned);
        Ok(())
    })
}

/// Revoke an active session: it keeps its active organization and timestamps, its status becomes `revoked`.
pub fn revoke(c: &dyn Db, instance_id: &str, session_id: &str) -> Tx<Session> {
    change_active(c, instance_id, session_id, "revoke", EventType::SessionRevoked, |_, session| {
        session.status = "revoked".into();
        Ok(())
    })
}

/// Apply `change` to an active session and store it. The update is conditional, so that of two changes racing
/// on PostgreSQL the second finds what the first left: a session no longer active (revoked, ended, expired)
/// is `SessionActionInvalid` for `action`.
fn change_active(
    c: &dyn Db,
    instance_id: &str,
    session_id: &str,
    action: &'static str,
    event_type: EventType,
    change: impl FnOnce(&dyn Db, &mut Session) -> Tx<()>,
) -> Tx<Session> {
    let mut session = get(c, instance_id, session_id)?;
    let before = session.clone();
    change(c, &mut session)?;
    session.updated_at = now_millis();
    let changed = c.execute(
        "UPDATE sessions SET status = ?2, last_active_organization_id = ?3, updated_at = ?4 \
         WHERE id = ?1 AND status = 'active' AND expire_at > ?4",
        vals![session_id, &session.status, &session.last_active_organization_id, session.updated_at],
    )?;
    if changed == 0 {
        return Err(DomainError::SessionActionInvalid { action, session_id: session_id.to_owned() }.into());
    }
    let event = match event_type {
        EventType::SessionUpdated => {
            NewEvent::updated(event_type, Record::Session(before), Record::Session(session.clone()))
        }
        _ => NewEvent::new(event_type, Record::Session(session.clone())),
    };
    append(c, instance_id, event)?;
    Ok(session)
}

pub fn list(c: &dyn Db, instance_id: &str, f: &SessionFilter, page: Pagination) -> Tx<Page<Session>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    for (column, value) in [("s.client_id", &f.client_id), ("s.user_id", &f.user_id)] {
        if let Some(v) = value {
            let p = sql.bind(v.clone());
            sql.clause(format!("{column} = {p}"));
        }
    }
    let now = now_millis();
    match f.status.as_deref() {
        None => {}
        Some("active") => {
            let at = sql.bind(now);
            sql.clause(format!("s.status = 'active' AND s.expire_at > {at}"));
        }
        Some("expired") => {
            let at = sql.bind(now);
            sql.clause(format!("(s.status = 'expired' OR (s.status = 'active' AND s.expire_at <= {at}))"));
        }
        Some(other) => {
            let p = sql.bind(other.to_owned());
            sql.clause(format!("s.status = {p}"));
        }
    }
    let filters = format!("s.instance_id = {ins}{}", sql.where_sql());
    let total_count: i64 =
        c.query_one(&format!("SELECT count(*) FROM sessions s WHERE {filters}"), &sql.params)?.get(0)?;
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let data = c
        .query(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions s WHERE {filters} ORDER BY s.created_at DESC, s.rowid DESC \
                 LIMIT {limit} OFFSET {offset}"
            ),
            &sql.params,
        )?
        .into_iter()
        .map(|mut r| session_from_row(&mut r, now))
        .collect::<Result<_, _>>()?;
    Ok(Page { data, total_count })
}

pub fn create(
    c: &dyn Db,
    instance_id: &str,
    user_id: &str,
    active_org: Option<String>,
    lifetime_ms: Option<i64>,
) -> Tx<Session> {
    user_by_id(c, instance_id, user_id)?;
    let active = match active_org {
        Some(org_id) => {
            check_member(c, instance_id, user_id, &org_id)?;
            Some(org_id)
        }
        None => latest_organization(c, user_id)?,
    };
    let now = now_millis();
    let id = new_id(prefix::SESSION);
    c.execute(
        "INSERT INTO sessions (id, instance_id, user_id, client_id, status, last_active_organization_id, \
         last_active_at, expire_at, abandon_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?7, ?8, ?6, ?6)",
        vals![
            id,
            instance_id,
            user_id,
            new_id(prefix::CLIENT),
            active,
            now,
            now + lifetime_ms.unwrap_or(DEFAULT_SESSION_LIFETIME_MS),
            now + ABANDON_AFTER_MS
        ],
    )?;
    // The user's last_active_at has day precision, as Clerk documents it.
    c.execute(
        "UPDATE users SET last_active_at = ?2, last_sign_in_at = ?3 WHERE id = ?1",
        vals![user_id, now - now.rem_euclid(DAY_MS), now],
    )?;
    let session = get(c, instance_id, &id)?;
    append(c, instance_id, NewEvent::new(EventType::SessionCreated, Record::Session(session.clone())))?;
    Ok(session)
}
