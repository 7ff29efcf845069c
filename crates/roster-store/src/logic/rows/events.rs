//! Appending to the event log (`roster_core::events`), in the transaction of the write that changed the
//! record: every use case that changes a user, organization, membership, role, permission or session calls
//! `append` once its change is made (after the row locks it took, so two writes of one record append in the
//! order they commit).

use roster_core::events::{NewEvent, Payload};

use crate::logic::filter::Sql;
use roster_core::{now_millis, DomainError};

use crate::logic::Tx;
use crate::sql::{vals, Db};

/// Append `event` to `instance_id`'s log. On SQLite its row gets its place (`seq`) now; on PostgreSQL the
/// sequencer gives it one once it has committed (see the migration).
pub fn append(c: &dyn Db, instance_id: &str, event: NewEvent) -> Tx<()> {
    let [organization_id, order_key, event_type, payload] = columns(event)?;
    c.execute(
        "INSERT INTO events (instance_id, type, organization_id, order_key, payload, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        vals![instance_id, event_type, organization_id, order_key, payload, now_millis()],
    )?;
    Ok(())
}

/// Append several events in order (a bulk write's), a hundred rows per statement.
pub fn append_all(c: &dyn Db, instance_id: &str, events: Vec<NewEvent>) -> Tx<()> {
    let now = now_millis();
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let mut sql = Sql::new(c.dialect());
        let (ins, at) = (sql.bind(instance_id.to_owned()), sql.bind(now));
        let mut rows = Vec::new();
        for event in events.by_ref().take(100) {
            let [organization_id, order_key, event_type, payload] = columns(event)?;
            let (t, o, k, p) =
                (sql.bind(event_type), sql.bind(organization_id), sql.bind(order_key), sql.bind(payload));
            rows.push(format!("({ins}, {t}, {o}, {k}, {p}, {at})"));
        }
        c.execute(
            &format!(
                "INSERT INTO events (instance_id, type, organization_id, order_key, payload, created_at) VALUES {}",
                rows.join(", ")
            ),
            &sql.params,
        )?;
    }
    Ok(())
}

/// An event's column values: organization, order key, type and payload.
fn columns(event: NewEvent) -> Tx<[crate::sql::Value; 4]> {
    let organization_id = event.data.organization_id().map(str::to_owned).into();
    let order_key = event.data.order_key().to_owned().into();
    let event_type = event.event_type.as_str().into();
    let payload = Payload { v: Payload::VERSION, data: event.data, previous: event.previous };
    let payload =
        serde_json::to_string(&payload).map_err(|e| DomainError::Internal(format!("encoding an event: {e}")))?;
    Ok([organization_id, order_key, event_type, payload.into()])
}
