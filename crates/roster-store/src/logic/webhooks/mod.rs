//! Webhook endpoints: their records and secrets. The deliveries to them are `delivery`.

use roster_core::model::Page;
use roster_core::query::Pagination;
use roster_core::webhooks::{Attempt, EndpointUpdate, NewEndpoint, SecretRotation, WebhookEndpoint};
use roster_core::{now_millis, DomainError};

use super::Tx;
use crate::sql::{vals, Db, Row};

pub mod delivery;

const COLUMNS: &str =
    "id, instance_id, url, description, event_types, disabled, disabled_reason, created_at, updated_at";

/// `,a,b,` for a list of types; empty for all of them. The form `LIKE '%,' || type || ',%'` matches.
fn types_column(types: &[String]) -> String {
    if types.is_empty() {
        String::new()
    } else {
        format!(",{},", types.join(","))
    }
}

fn endpoint_from_row(r: &mut Row) -> Tx<WebhookEndpoint> {
    let types: String = r.take(4)?;
    Ok(WebhookEndpoint {
        id: r.take(0)?,
        instance_id: r.take(1)?,
        url: r.take(2)?,
        description: r.take(3)?,
        event_types: types.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        disabled: r.get(5)?,
        disabled_reason: r.take(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

pub fn get(c: &dyn Db, instance_id: &str, id: &str) -> Tx<WebhookEndpoint> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE instance_id = ?1 AND id = ?2"),
        vals![instance_id, id],
    )?
    .map(|mut r| endpoint_from_row(&mut r))
    .transpose()?
    .ok_or_else(|| DomainError::NotFound.into())
}

pub fn list(c: &dyn Db, instance_id: &str, page: Pagination) -> Tx<Page<WebhookEndpoint>> {
    let total_count: i64 =
        c.query_one("SELECT count(*) FROM webhook_endpoints WHERE instance_id = ?1", vals![instance_id])?.get(0)?;
    let data = c
        .query(
            &format!(
                "SELECT {COLUMNS} FROM webhook_endpoints WHERE instance_id = ?1 ORDER BY created_at DESC, id DESC \
                 LIMIT ?2 OFFSET ?3"
            ),
            vals![instance_id, page.limit, page.offset],
        )?
        .into_iter()
        .map(|mut r| endpoint_from_row(&mut r))
        .collect::<Tx<_>>()?;
    Ok(Page { data, total_count })
}

/// A new endpoint takes the events written after it: its cursor starts at the newest placed event.
pub fn create(c: &dyn Db, instance_id: &str, new: NewEndpoint) -> Tx<WebhookEndpoint> {
    let id = new.id;
    let now = now_millis();
    c.execute(
        "INSERT INTO webhook_endpoints (id, instance_id, url, description, event_types, secret, disabled, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, FALSE, ?7, ?7)",
        vals![id, instance_id, new.url, new.description, types_column(&new.event_types), new.secret, now],
    )?;
    c.execute(
        "INSERT INTO webhook_endpoint_state (endpoint_id, cursor_seq) SELECT ?1, coalesce(max(seq), 0) FROM events",
        vals![id],
    )?;
    get(c, instance_id, &id)
}

pub fn update(c: &dyn Db, instance_id: &str, id: &str, u: EndpointUpdate) -> Tx<WebhookEndpoint> {
    let mut endpoint = get(c, instance_id, id)?;
    if let Some(url) = u.url {
        endpoint.url = url;
    }
    if let Some(description) = u.description {
        endpoint.description = description;
    }
    if let Some(types) = u.event_types {
        endpoint.event_types = types;
    }
    let enabling = u.disabled == Some(false) && endpoint.disabled;
    if let Some(disabled) = u.disabled {
        endpoint.disabled_reason = disabled.then(|| "manual".to_owned());
        endpoint.disabled = disabled;
    }
    endpoint.updated_at = now_millis().max(endpoint.updated_at);
    c.execute(
        "UPDATE webhook_endpoints SET url = ?3, description = ?4, event_types = ?5, disabled = ?6, \
         disabled_reason = ?7, updated_at = ?8 WHERE instance_id = ?1 AND id = ?2",
        vals![
            instance_id,
            id,
            endpoint.url,
            endpoint.description,
            types_column(&endpoint.event_types),
            endpoint.disabled,
            endpoint.disabled_reason,
            endpoint.updated_at
        ],
    )?;
    if enabling {
        // Enabled again: it has failed for no time yet.
        c.execute("UPDATE webhook_endpoint_state SET failing_since = NULL WHERE endpoint_id = ?1", vals![id])?;
    }
    Ok(endpoint)
}

pub fn delete(c: &dyn Db, instance_id: &str, id: &str) -> Tx<WebhookEndpoint> {
    let endpoint = get(c, instance_id, id)?;
    c.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?1", vals![id])?;
    c.execute("DELETE FROM webhook_attempts WHERE endpoint_id = ?1", vals![id])?;
    c.execute("DELETE FROM webhook_endpoint_state WHERE endpoint_id = ?1", vals![id])?;
    c.execute("DELETE FROM webhook_endpoints WHERE id = ?1", vals![id])?;
    Ok(endpoint)
}

pub fn rotate_secret(c: &dyn Db, instance_id: &str, id: &str, rotation: SecretRotation) -> Tx<WebhookEndpoint> {
    get(c, instance_id, id)?;
    c.execute(
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = ?3, secret = ?4, \
         updated_at = ?5 WHERE instance_id = ?1 AND id = ?2",
        vals![instance_id, id, rotation.previous_valid_until, rotation.secret, now_millis()],
    )?;
    get(c, instance_id, id)
}

/// The columns `signing_secrets` reads.
pub const SECRET_COLUMNS: &str = "secret, previous_secret, previous_secret_until";

/// The secrets that sign at `now`, from `SECRET_COLUMNS` starting at column `at`: the current one, then the
/// previous one while it is valid.
pub fn signing_secrets(row: &mut Row, at: usize, now: i64) -> Tx<Vec<String>> {
    let mut secrets = vec![row.take::<String>(at)?];
    let until: Option<i64> = row.get(at + 2)?;
    if let (Some(previous), true) = (row.take::<Option<String>>(at + 1)?, until.is_some_and(|u| u > now)) {
        secrets.push(previous);
    }
    Ok(secrets)
}

/// The secrets that sign for an endpoint at `now`.
pub fn secrets(c: &dyn Db, instance_id: &str, id: &str, now: i64) -> Tx<Vec<String>> {
    let row = c.query_opt(
        &format!("SELECT {SECRET_COLUMNS} FROM webhook_endpoints WHERE instance_id = ?1 AND id = ?2"),
        vals![instance_id, id],
    )?;
    let Some(mut row) = row else { return Err(DomainError::NotFound.into()) };
    signing_secrets(&mut row, 0, now)
}

/// The endpoint's attempts, newest first: its failed attempts, and the last attempt of each delivered event
/// (kept on the delivery's row).
pub fn attempts(c: &dyn Db, instance_id: &str, id: &str, page: Pagination) -> Tx<Page<Attempt>> {
    get(c, instance_id, id)?;
    let total_count: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM webhook_attempts WHERE endpoint_id = ?1) \
             + (SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?1 AND state = 1)",
            vals![id],
        )?
        .get(0)?;
    let data = c
        .query(
            "SELECT x.event_seq, coalesce(e.type, ''), x.attempt, x.succeeded, x.status_code, x.error, x.duration_ms, \
             x.created_at FROM ( \
               SELECT event_seq, attempt, succeeded, status_code, error, duration_ms, created_at \
               FROM webhook_attempts WHERE endpoint_id = ?1 \
               UNION ALL \
               SELECT event_seq, attempts, TRUE, status_code, NULL, coalesce(duration_ms, 0), updated_at \
               FROM webhook_deliveries WHERE endpoint_id = ?1 AND state = 1) x \
             LEFT JOIN events e ON e.seq = x.event_seq \
             ORDER BY x.created_at DESC, x.event_seq DESC, x.attempt DESC LIMIT ?2 OFFSET ?3",
            vals![id, page.limit, page.offset],
        )?
        .into_iter()
        .map(|mut r| -> Tx<Attempt> {
            Ok(Attempt {
                event_seq: r.get(0)?,
                event_type: r.take(1)?,
                attempt: r.get(2)?,
                succeeded: r.get(3)?,
                status_code: r.get(4)?,
                error: r.take(5)?,
                duration_ms: r.get(6)?,
                created_at: r.get(7)?,
            })
        })
        .collect::<Tx<_>>()?;
    Ok(Page { data, total_count })
}
