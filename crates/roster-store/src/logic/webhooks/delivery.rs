//! Deliveries (see `roster_core::webhooks` for the model): queueing new events for each endpoint, leasing the
//! runs that are due, and recording what the attempts came to.

use std::collections::HashMap;

use roster_core::webhooks::{Claimed, Finished, LeaseRequest, RetryPolicy};

use super::super::events::{event_from_row, EVENT_COLUMNS};
use super::super::filter::Sql;
use super::super::Tx;
use super::{signing_secrets, SECRET_COLUMNS};
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

/// A delivery a worker asks to lease: endpoint, event and order key.
pub type Candidate = (String, i64, String);
/// A leased delivery: endpoint, event, order key and the attempts made before.
pub type Leased = (String, i64, String, i64);

/// What is due now (a read; `lease` makes it the worker's): for each order key of each enabled endpoint whose
/// first pending delivery is due and free, that delivery and up to `run - 1` right behind it, oldest first.
pub fn candidates(c: &dyn Db, lease: &LeaseRequest) -> Tx<Vec<Candidate>> {
    let rows = c.query(
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
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).collect()
}

/// Lease the candidates still pending and free, in one statement: a row another worker leased since the read
/// (on PostgreSQL, one whose lease this statement finds after waiting for that worker's commit) drops out, and
/// with it the rest of its run, which is released.
pub fn lease(c: &dyn Db, lease: &LeaseRequest, wanted: Vec<Candidate>) -> Tx<Vec<Leased>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(c.dialect());
    let owner = sql.bind(lease.owner.clone());
    let until = sql.bind(lease.now.saturating_add(lease.lease_ms));
    let now = sql.bind(lease.now);
    let pairs: Vec<String> = wanted
        .iter()
        .map(|(endpoint, seq, _)| format!("({}, CAST({} AS BIGINT))", sql.bind(endpoint.clone()), sql.bind(*seq)))
        .collect();
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
    // A run is its lane's deliveries in order up to the first one this lease did not get.
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
    Ok(kept)
}

/// The events and endpoints of leased deliveries (a read, outside the lease's write). A delivery whose event or
/// endpoint is gone (purged, deleted) is left out; its lease runs out, and the purge or delete removed its row.
pub fn load(c: &dyn Db, kept: Vec<Leased>, now: i64) -> Tx<Vec<Claimed>> {
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
    for mut row in
        c.query(&format!("SELECT id, url, {SECRET_COLUMNS} FROM webhook_endpoints WHERE id IN {list}"), &sql.params)?
    {
        let secrets = signing_secrets(&mut row, 2, now)?;
        endpoints.insert(row.take::<String>(0)?, (row.take::<String>(1)?, secrets));
    }
    let mut claimed = Vec::with_capacity(kept.len());
    for (endpoint_id, seq, order_key, attempts) in kept {
        // One event can go to several endpoints.
        let (Some(event), Some((url, secrets))) = (by_seq.get(&seq), endpoints.get(&endpoint_id)) else { continue };
        let event = event.clone();
        claimed.push(Claimed { url: url.clone(), secrets: secrets.clone(), endpoint_id, order_key, attempts, event });
    }
    Ok(claimed)
}

/// End the leases of claimed deliveries that were not attempted.
pub fn release(c: &dyn Db, released: &[(String, i64)]) -> Tx<()> {
    for chunk in released.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(c.dialect());
        let pairs: Vec<String> = chunk
            .iter()
            .map(|(endpoint, seq)| format!("({}, CAST({} AS BIGINT))", sql.bind(endpoint.clone()), sql.bind(*seq)))
            .collect();
        c.execute(
            &format!(
                "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = 0 \
                 WHERE state = 0 AND (endpoint_id, event_seq) IN (VALUES {})",
                pairs.join(", ")
            ),
            &sql.params,
        )?;
    }
    Ok(())
}

/// Rows per statement of the set-based writes below.
const ROWS_PER_STATEMENT: usize = 100;

/// Record attempts, a few statements for any number of them: a success delivers, a failure waits for its retry
/// or, with the schedule used up, fails; an endpoint failing for `policy.disable_after_ms` since its last success
/// is disabled.
pub fn finish(c: &dyn Db, policy: &RetryPolicy, finished: &[Finished]) -> Tx<()> {
    for chunk in finished.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(c.dialect());
        let mut rows = Vec::with_capacity(chunk.len());
        for f in chunk {
            let (state, next) = match (f.succeeded, policy.next_attempt_at(f.attempt, f.at)) {
                (true, _) => (1, f.at),
                (false, Some(next)) => (0, next),
                (false, None) => (2, f.at),
            };
            let values = [
                sql.bind(f.event_seq),
                sql.bind(state),
                sql.bind(f.attempt),
                sql.bind(next),
                sql.bind(f.at),
                sql.bind(f.status_code),
                sql.bind(f.duration_ms),
            ]
            .map(|p| format!("CAST({p} AS BIGINT)"));
            rows.push(format!("({}, {})", sql.bind(f.endpoint_id.clone()), values.join(", ")));
        }
        // VALUES columns are column1, column2, … on both engines. A success is recorded on its row only.
        c.execute(
            &format!(
                "UPDATE webhook_deliveries SET state = v.column3, attempts = v.column4, next_attempt_at = v.column5, \
                 lease_owner = NULL, lease_until = 0, updated_at = v.column6, status_code = v.column7, \
                 duration_ms = v.column8 FROM (VALUES {}) AS v \
                 WHERE webhook_deliveries.endpoint_id = v.column1 AND webhook_deliveries.event_seq = v.column2",
                rows.join(", ")
            ),
            &sql.params,
        )?;
        let failed: Vec<&Finished> = chunk.iter().filter(|f| !f.succeeded).collect();
        if failed.is_empty() {
            continue;
        }
        let mut sql = Sql::new(c.dialect());
        let rows: Vec<String> = failed
            .iter()
            .map(|f| {
                let values = [
                    sql.bind(f.endpoint_id.clone()),
                    sql.bind(f.event_seq),
                    sql.bind(f.attempt),
                    sql.bind(f.succeeded),
                    sql.bind(f.status_code),
                    sql.bind(f.error.clone()),
                    sql.bind(f.duration_ms),
                    sql.bind(f.at),
                ];
                format!("({})", values.join(", "))
            })
            .collect();
        c.execute(
            &format!(
                "INSERT INTO webhook_attempts (endpoint_id, event_seq, attempt, succeeded, status_code, error, \
                 duration_ms, created_at) VALUES {}",
                rows.join(", ")
            ),
            &sql.params,
        )?;
    }
    // Each endpoint's failing state: since the first failure after its last success here, or as it was.
    let mut endpoints: HashMap<&str, (Option<i64>, Option<i64>, i64)> = HashMap::new();
    for f in finished {
        let (last_success, _, _) = endpoints.entry(&f.endpoint_id).or_insert((None, None, i64::MIN));
        if f.succeeded {
            *last_success = Some(last_success.map_or(f.at, |s| s.max(f.at)));
        }
    }
    for f in finished.iter().filter(|f| !f.succeeded) {
        let (last_success, first_failure, last_failure) = endpoints.get_mut(f.endpoint_id.as_str()).expect("seen");
        if last_success.is_none_or(|s| f.at > s) {
            *first_failure = Some(first_failure.map_or(f.at, |x| x.min(f.at)));
            *last_failure = (*last_failure).max(f.at);
        }
    }
    for (endpoint, (last_success, first_failure, last_failure)) in endpoints {
        match (last_success, first_failure) {
            (_, None) => {
                c.execute(
                    "UPDATE webhook_endpoint_state SET failing_since = NULL WHERE endpoint_id = ?1",
                    vals![endpoint],
                )?;
                continue;
            }
            (Some(_), Some(first)) => c.execute(
                "UPDATE webhook_endpoint_state SET failing_since = ?2 WHERE endpoint_id = ?1",
                vals![endpoint, first],
            )?,
            (None, Some(first)) => c.execute(
                "UPDATE webhook_endpoint_state SET failing_since = coalesce(failing_since, ?2) WHERE endpoint_id = ?1",
                vals![endpoint, first],
            )?,
        };
        c.execute(
            "UPDATE webhook_endpoints SET disabled = TRUE, disabled_reason = 'failing', updated_at = ?2 \
             WHERE id = ?1 AND disabled = FALSE AND EXISTS (SELECT 1 FROM webhook_endpoint_state s \
             WHERE s.endpoint_id = ?1 AND s.failing_since <= ?3)",
            vals![endpoint, last_failure, last_failure.saturating_sub(policy.disable_after_ms)],
        )?;
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
