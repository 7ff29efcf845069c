//! Deliveries (see `roster_core::webhooks` for the model): queueing new events for each endpoint, leasing the
//! runs that are due, and recording what the attempts came to.

use std::collections::HashMap;

use roster_core::webhooks::{Claimed, Finished, LeaseRequest, RetryPolicy};

use super::super::events::{event_from_row, EVENT_COLUMNS};
use super::super::filter::Sql;
use super::super::Tx;
use crate::sql::{vals, Db};

/// The most events one fan-out moves an endpoint's cursor by.
const FAN_OUT_BATCH: i64 = 10_000;
/// The cursor of the enabled endpoint furthest behind.
const LOWEST_CURSOR: &str = "SELECT min(s.cursor_seq) FROM webhook_endpoint_state s \
     JOIN webhook_endpoints w ON w.id = s.endpoint_id WHERE w.disabled = FALSE";

/// Queue a delivery of every event after each enabled endpoint's cursor that is of its types, and move the
/// cursors. Events of other instances and other types only move the cursor.
pub fn fan_out(c: &dyn Db, now: i64) -> Tx<u64> {
    let row = c.query_one(&format!("SELECT (SELECT max(seq) FROM events), ({LOWEST_CURSOR})"), &[])?;
    let (newest, lowest): (Option<i64>, Option<i64>) = (row.get(0)?, row.get(1)?);
    let (Some(newest), Some(lowest)) = (newest, lowest) else { return Ok(0) };
    if newest <= lowest {
        return Ok(0);
    }
    let upto = newest.min(lowest.saturating_add(FAN_OUT_BATCH));
    let queued = c.execute(
        "INSERT INTO webhook_deliveries (endpoint_id, event_seq, order_key, state, attempts, next_attempt_at, \
         lease_until, updated_at) \
         SELECT w.id, e.seq, e.order_key, 0, 0, ?1, 0, ?1 FROM webhook_endpoints w \
         JOIN webhook_endpoint_state s ON s.endpoint_id = w.id \
         JOIN events e ON e.instance_id = w.instance_id AND e.seq > s.cursor_seq AND e.seq <= ?2 \
         WHERE w.disabled = FALSE AND (w.event_types = '' OR w.event_types LIKE '%,' || e.type || ',%') \
         ON CONFLICT (endpoint_id, event_seq) DO NOTHING",
        vals![now, upto],
    )?;
    c.execute(
        "UPDATE webhook_endpoint_state SET cursor_seq = ?1 WHERE cursor_seq < ?1 \
         AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled = FALSE)",
        vals![upto],
    )?;
    Ok(queued as u64)
}

/// Whether `fan_out` has anything to do.
pub fn behind(c: &dyn Db) -> Tx<bool> {
    let row = c.query_one(&format!("SELECT (SELECT max(seq) FROM events) > ({LOWEST_CURSOR})"), &[])?;
    Ok(row.get::<Option<bool>>(0)?.unwrap_or(false))
}

/// Whether any pending delivery is due and free at `now` (a read, before `claim`'s write).
pub fn due(c: &dyn Db, now: i64) -> Tx<bool> {
    let found = c.query_opt(
        "SELECT 1 FROM webhook_deliveries WHERE state = 0 AND next_attempt_at <= ?1 AND lease_until <= ?1 LIMIT 1",
        vals![now],
    )?;
    Ok(found.is_some())
}

/// Lease what is due: for each order key of each enabled endpoint whose first pending delivery is due and free,
/// that delivery and up to `run - 1` right behind it.
pub fn claim(c: &dyn Db, lease: &LeaseRequest) -> Tx<Vec<Claimed>> {
    let candidates = c.query(
        "SELECT x.endpoint_id, x.event_seq, x.order_key FROM ( \
           SELECT d.endpoint_id, d.event_seq, d.order_key, row_number() OVER lane AS n, \
                  first_value(d.lease_until) OVER lane AS head_lease, \
                  first_value(d.next_attempt_at) OVER lane AS head_due \
           FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
           WHERE d.state = 0 AND w.disabled = FALSE \
           WINDOW lane AS (PARTITION BY d.endpoint_id, d.order_key ORDER BY d.event_seq)) x \
         WHERE x.n <= ?1 AND x.head_lease <= ?2 AND x.head_due <= ?2 ORDER BY x.event_seq LIMIT ?3",
        vals![lease.run, lease.now, lease.max],
    )?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    // Lease them in one statement; on PostgreSQL a row another node leased first (its lease now in the future)
    // drops out when this statement re-reads it after that node's commit.
    let mut sql = Sql::new(c.dialect());
    let owner = sql.bind(lease.owner.clone());
    let until = sql.bind(lease.now.saturating_add(lease.lease_ms));
    let now = sql.bind(lease.now);
    let mut pairs = Vec::with_capacity(candidates.len());
    let mut wanted = Vec::with_capacity(candidates.len());
    for row in &candidates {
        let (endpoint, seq, key): (String, i64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        pairs.push(format!("({}, CAST({} AS BIGINT))", sql.bind(endpoint.clone()), sql.bind(seq)));
        wanted.push((endpoint, seq, key));
    }
    let leased = c.query(
        &format!(
            "UPDATE webhook_deliveries SET lease_owner = {owner}, lease_until = {until} \
             WHERE state = 0 AND lease_until <= {now} AND (endpoint_id, event_seq) IN (VALUES {}) \
             RETURNING endpoint_id, event_seq, attempts",
            pairs.join(", ")
        ),
        &sql.params,
    )?;
    let mut attempts: HashMap<(String, i64), i64> = HashMap::with_capacity(leased.len());
    for row in &leased {
        attempts.insert((row.get(0)?, row.get(1)?), row.get(2)?);
    }
    // A run is its lane's deliveries in order up to the first one this claim did not get.
    let mut broken: Vec<(String, String)> = Vec::new();
    let mut kept = Vec::with_capacity(wanted.len());
    let mut released = Vec::new();
    for (endpoint, seq, key) in wanted {
        let lane = (endpoint.clone(), key.clone());
        match attempts.get(&(endpoint.clone(), seq)) {
            Some(&n) if !broken.contains(&lane) => kept.push((endpoint, seq, key, n)),
            Some(_) => released.push((endpoint, seq)),
            None => broken.push(lane),
        }
    }
    release(c, &released)?;
    load(c, kept, lease.now)
}

/// The events and endpoints of the leased deliveries.
fn load(c: &dyn Db, kept: Vec<(String, i64, String, i64)>, now: i64) -> Tx<Vec<Claimed>> {
    if kept.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(c.dialect());
    let seqs: Vec<String> = kept.iter().map(|k| k.1.to_string()).collect();
    // Integers from this process, not input: listed as literals so one statement serves any number of them.
    let events = c.query(&format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.seq IN ({})", seqs.join(", ")), &[])?;
    let mut by_seq = HashMap::with_capacity(events.len());
    for mut row in events {
        let event = event_from_row(&mut row)?;
        by_seq.insert(event.seq, event);
    }
    let mut ids: Vec<String> = kept.iter().map(|k| k.0.clone()).collect();
    ids.sort();
    ids.dedup();
    let list = sql.bind_list(&ids);
    let mut endpoints = HashMap::with_capacity(ids.len());
    for row in c.query(
        &format!(
            "SELECT id, url, secret, previous_secret, previous_secret_until FROM webhook_endpoints WHERE id IN {list}"
        ),
        &sql.params,
    )? {
        let (id, url, secret): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let mut secrets = vec![secret];
        let until: Option<i64> = row.get(4)?;
        if let (Some(previous), true) = (row.get::<Option<String>>(3)?, until.is_some_and(|u| u > now)) {
            secrets.push(previous);
        }
        endpoints.insert(id, (url, secrets));
    }
    let mut claimed = Vec::with_capacity(kept.len());
    for (endpoint_id, seq, order_key, attempts) in kept {
        // One event can go to several endpoints. Purged or deleted meanwhile: released, nothing to send.
        let (Some(event), Some((url, secrets))) = (by_seq.get(&seq), endpoints.get(&endpoint_id)) else {
            release(c, &[(endpoint_id, seq)])?;
            continue;
        };
        let event = event.clone();
        claimed.push(Claimed { url: url.clone(), secrets: secrets.clone(), endpoint_id, order_key, attempts, event });
    }
    Ok(claimed)
}

/// End the leases of claimed deliveries that were not attempted.
pub fn release(c: &dyn Db, released: &[(String, i64)]) -> Tx<()> {
    for (endpoint, seq) in released {
        c.execute(
            "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = 0 \
             WHERE endpoint_id = ?1 AND event_seq = ?2 AND state = 0",
            vals![endpoint, seq],
        )?;
    }
    Ok(())
}

/// Record attempts: a success delivers, a failure waits for its retry or, with the schedule used up, fails; an
/// endpoint failing for `policy.disable_after_ms` since its last success is disabled.
pub fn finish(c: &dyn Db, policy: &RetryPolicy, finished: &[Finished]) -> Tx<()> {
    for f in finished {
        let (state, next) = match (f.succeeded, policy.next_attempt_at(f.attempt, f.at)) {
            (true, _) => (1, f.at),
            (false, Some(next)) => (0, next),
            (false, None) => (2, f.at),
        };
        c.execute(
            "UPDATE webhook_deliveries SET state = ?3, attempts = ?4, next_attempt_at = ?5, lease_owner = NULL, \
             lease_until = 0, updated_at = ?6 WHERE endpoint_id = ?1 AND event_seq = ?2",
            vals![f.endpoint_id, f.event_seq, state, f.attempt, next, f.at],
        )?;
        c.execute(
            "INSERT INTO webhook_attempts (endpoint_id, event_seq, attempt, succeeded, status_code, error, \
             duration_ms, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            vals![f.endpoint_id, f.event_seq, f.attempt, f.succeeded, f.status_code, f.error, f.duration_ms, f.at],
        )?;
        if f.succeeded {
            c.execute(
                "UPDATE webhook_endpoint_state SET failing_since = NULL \
                 WHERE endpoint_id = ?1 AND failing_since IS NOT NULL",
                vals![f.endpoint_id],
            )?;
        } else {
            c.execute(
                "UPDATE webhook_endpoint_state SET failing_since = coalesce(failing_since, ?2) WHERE endpoint_id = ?1",
                vals![f.endpoint_id, f.at],
            )?;
            c.execute(
                "UPDATE webhook_endpoints SET disabled = TRUE, disabled_reason = 'failing', updated_at = ?2 \
                 WHERE id = ?1 AND disabled = FALSE AND EXISTS (SELECT 1 FROM webhook_endpoint_state s \
                 WHERE s.endpoint_id = ?1 AND s.failing_since <= ?3)",
                vals![f.endpoint_id, f.at, f.at.saturating_sub(policy.disable_after_ms)],
            )?;
        }
    }
    Ok(())
}

/// Queue again the endpoint's failed deliveries of events written at or after `since_ms`.
pub fn recover(c: &dyn Db, instance_id: &str, endpoint_id: &str, since_ms: i64, now: i64) -> Tx<u64> {
    super::get(c, instance_id, endpoint_id)?;
    let n = c.execute(
        "UPDATE webhook_deliveries SET state = 0, attempts = 0, next_attempt_at = ?3, lease_owner = NULL, \
         lease_until = 0, updated_at = ?3 WHERE endpoint_id = ?1 AND state = 2 AND event_seq IN \
         (SELECT seq FROM events WHERE instance_id = ?4 AND created_at >= ?2)",
        vals![endpoint_id, since_ms, now, instance_id],
    )?;
    Ok(n as u64)
}
