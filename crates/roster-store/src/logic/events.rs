//! The event log's reads and upkeep: listing an instance's events after a cursor, the PostgreSQL sequencer,
//! and the purge of old events (their deliveries and attempts with them). Appending is `rows::events`.

use roster_core::events::{Event, EventQuery, Payload};
use roster_core::DomainError;

use super::filter::Sql;
use super::Tx;
use crate::sql::{vals, Db, Dialect, Row};

/// The columns `event_from_row` reads, of `events e`.
pub const EVENT_COLUMNS: &str = "e.seq, e.instance_id, e.type, e.created_at, e.payload";

pub fn event_from_row(r: &mut Row) -> Tx<Event> {
    let payload: String = r.take(4)?;
    let payload: Payload = serde_json::from_str(&payload)
        .map_err(|e| DomainError::Internal(format!("an event's payload does not decode: {e}")))?;
    Ok(Event {
        seq: r.get(0)?,
        instance_id: r.take(1)?,
        event_type: r.take(2)?,
        created_at: r.get(3)?,
        data: payload.data,
        previous: payload.previous,
    })
}

pub fn list(c: &dyn Db, instance_id: &str, q: &EventQuery) -> Tx<Vec<Event>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let after = sql.bind(q.after);
    // `seq IS NOT NULL` is implied by the comparison: unsequenced PostgreSQL events are not read.
    if !q.types.is_empty() {
        let list = sql.bind_list(&q.types);
        sql.clause(format!("e.type IN {list}"));
    }
    if let Some(org) = &q.organization_id {
        let org = sql.bind(org.clone());
        sql.clause(format!("e.organization_id = {org}"));
    }
    let limit = sql.bind(q.limit);
    let text = format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.instance_id = {ins} AND e.seq > {after}{} \
         ORDER BY e.seq LIMIT {limit}",
        sql.where_sql()
    );
    c.query(&text, &sql.params)?.into_iter().map(|mut r| event_from_row(&mut r)).collect()
}

/// The most events one sequencer transaction places.
const SEQUENCE_BATCH: i64 = 10_000;

/// Whether committed events wait for their place (PostgreSQL only; SQLite places them as they are written).
pub fn unsequenced(c: &dyn Db) -> Tx<bool> {
    if c.dialect() == Dialect::Sqlite {
        return Ok(false);
    }
    Ok(c.query_opt("SELECT 1 FROM events WHERE seq IS NULL LIMIT 1", &[])?.is_some())
}

/// Give committed events their `seq`, in the order they were inserted, after the last position given: how many
/// were placed. One sequencer at a time: the high-water mark's row is locked to the end of the transaction (which
/// fans out too, when the worker runs it), and a second sequencer waits for it. On SQLite there is nothing to
/// place.
pub fn sequence(c: &dyn Db) -> Tx<u64> {
    if c.dialect() == Dialect::Sqlite {
        return Ok(0);
    }
    let last: i64 = c.query_one("SELECT last_seq FROM event_sequencer WHERE id = 1 FOR UPDATE", &[])?.get(0)?;
    // A statement of its own after the lock: its snapshot sees every sequencer transaction before this one.
    let placed = c.execute(
        "WITH batch AS (SELECT pos, row_number() OVER (ORDER BY pos) AS n FROM \
                        (SELECT pos FROM events WHERE seq IS NULL ORDER BY pos LIMIT ?2) unplaced) \
         UPDATE events e SET seq = ?1 + batch.n FROM batch WHERE e.pos = batch.pos",
        vals![last, SEQUENCE_BATCH],
    )? as i64;
    if placed > 0 {
        c.execute("UPDATE event_sequencer SET last_seq = ?1 WHERE id = 1", vals![last + placed])?;
    }
    Ok(placed as u64)
}

/// Delete events written before `before_ms`, with their deliveries and attempts.
pub fn purge(c: &dyn Db, before_ms: i64) -> Tx<u64> {
    let Some(row) = c.query_opt("SELECT max(seq) FROM events WHERE created_at < ?1", vals![before_ms])? else {
        return Ok(0);
    };
    let Some(through) = row.get::<Option<i64>>(0)? else { return Ok(0) };
    c.execute("DELETE FROM webhook_attempts WHERE event_seq <= ?1", vals![through])?;
    c.execute("DELETE FROM webhook_deliveries WHERE event_seq <= ?1", vals![through])?;
    Ok(c.execute("DELETE FROM events WHERE seq <= ?1", vals![through])? as u64)
}
