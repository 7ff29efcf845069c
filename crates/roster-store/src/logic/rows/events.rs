//! Appending to the event log (`roster_core::events`), in the transaction of the write that changed the
//! record: every use case that changes a user, organization, membership, role, permission or session calls
//! `append` once its change is made (after the row locks it took, so two writes of one record append in the
//! order they commit).

use roster_core::events::{NewEvent, Payload};
use roster_core::{now_millis, DomainError};

use crate::logic::Tx;
use crate::sql::{vals, Db};

/// Append `event` to `instance_id`'s log. On SQLite its row gets its place (`seq`) now; on PostgreSQL the
/// sequencer gives it one once it has committed (see the migration).
pub fn append(c: &dyn Db, instance_id: &str, event: NewEvent) -> Tx<()> {
    let organization_id = event.data.organization_id().map(str::to_owned);
    let order_key = event.data.order_key().to_owned();
    let event_type = event.event_type.as_str();
    let payload = Payload { v: Payload::VERSION, data: event.data, previous: event.previous };
    let payload =
        serde_json::to_string(&payload).map_err(|e| DomainError::Internal(format!("encoding an event: {e}")))?;
    c.execute(
        "INSERT INTO events (instance_id, type, organization_id, order_key, payload, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        vals![instance_id, event_type, organization_id, order_key, payload, now_millis()],
    )?;
    Ok(())
}
