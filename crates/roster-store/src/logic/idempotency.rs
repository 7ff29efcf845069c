//! Idempotency keys in the database (see `roster_core::idempotency`): the check before a request, the claim
//! and the stored response inside the write's transaction, and the purge of expired keys.
//!
//! The claim inserts the key's row before the work runs, so on PostgreSQL a second transaction with the same
//! key waits on the primary key until the first has committed (or rolled back), then finds its row (or makes
//! its own). The row gets its response before the transaction commits: no other transaction ever sees a
//! claimed key without one.

use roster_core::idempotency::{Claim, Recorded, StoredResponse};
use roster_core::DomainError;

use super::Tx;
use crate::sql::{vals, Db};

/// What `instance_id`'s key holds, unless absent or expired.
pub fn find(c: &dyn Db, instance_id: &str, key: &str, expired_before_ms: i64) -> Tx<Option<Recorded>> {
    let row = c.query_opt(
        "SELECT request_hash, status, body FROM idempotency_keys \
         WHERE instance_id = ?1 AND key = ?2 AND created_at >= ?3",
        vals![instance_id, key, expired_before_ms],
    )?;
    let Some(mut row) = row else { return Ok(None) };
    let status: i64 = row.get(1)?;
    Ok(Some(Recorded {
        request_hash: row.take(0)?,
        response: StoredResponse { status: u16::try_from(status).unwrap_or(500), body: row.take(2)? },
    }))
}

/// Claim the key for this transaction's write. A key another request completed answers with its response
/// (the same request) or `IdempotencyKeyReused` (another one); either rolls this transaction back.
pub fn claim(c: &dyn Db, claim: &Claim, now: i64) -> Tx<()> {
    // A new key, or an expired one taken over; a live row of the key is left as it is (0 rows).
    let inserted = c.execute(
        "INSERT INTO idempotency_keys (instance_id, key, request_hash, status, body, created_at) \
         VALUES (?1, ?2, ?3, 0, '', ?4) ON CONFLICT (instance_id, key) DO UPDATE \
         SET request_hash = excluded.request_hash, status = 0, body = '', created_at = excluded.created_at \
         WHERE idempotency_keys.created_at < ?5",
        vals![&claim.instance_id, &claim.key, &claim.request_hash, now, claim.expired_before_ms],
    )?;
    if inserted == 1 {
        return Ok(());
    }
    match find(c, &claim.instance_id, &claim.key, claim.expired_before_ms)? {
        Some(found) if found.request_hash == claim.request_hash => {
            Err(DomainError::IdempotentReplay(Box::new(found.response)).into())
        }
        Some(_) => Err(DomainError::IdempotencyKeyReused.into()),
        // Purged by another node between the claim and this read: the key is free again, but not in this
        // transaction's view.
        None => Err(DomainError::Internal("idempotency key changed during its claim".into()).into()),
    }
}

/// Keep the response of the claimed write.
pub fn complete(c: &dyn Db, claim: &Claim, response: &StoredResponse) -> Tx<()> {
    c.execute(
        "UPDATE idempotency_keys SET status = ?3, body = ?4 WHERE instance_id = ?1 AND key = ?2",
        vals![&claim.instance_id, &claim.key, i64::from(response.status), &response.body],
    )?;
    Ok(())
}

/// Delete every key used before `before_ms`.
pub fn purge(c: &dyn Db, before_ms: i64) -> Tx<u64> {
    Ok(c.execute("DELETE FROM idempotency_keys WHERE created_at < ?1", vals![before_ms])? as u64)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn db() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE instances (id TEXT PRIMARY KEY);
             INSERT INTO instances VALUES ('ins');",
        )
        .unwrap();
        c.execute_batch(include_str!("../../migrations/sqlite/0003_idempotency_keys.sql")).unwrap();
        c.execute_batch(include_str!("../../migrations/sqlite/0004_idempotency_keys_rowid.sql")).unwrap();
        c
    }

    fn claim_of(hash: &str, expired_before_ms: i64) -> Claim {
        Claim {
            instance_id: "ins".into(),
            key: "k".into(),
            request_hash: hash.into(),
            expired_before_ms,
            render: Arc::new(|_| None),
        }
    }

    fn err(r: Tx<()>) -> DomainError {
        match r {
            Err(crate::logic::StoreError::Domain(e)) => e,
            other => panic!("expected a domain error, got {other:?}"),
        }
    }

    #[test]
    fn a_completed_key_replays_its_request_refuses_others_and_expires() {
        let c = db();
        let response = StoredResponse { status: 200, body: "{\"id\":1}".into() };
        claim(&c, &claim_of("h1", 0), 1_000).unwrap();
        complete(&c, &claim_of("h1", 0), &response).unwrap();
        assert_eq!(
            err(claim(&c, &claim_of("h1", 0), 2_000)),
            DomainError::IdempotentReplay(Box::new(response.clone()))
        );
        assert_eq!(err(claim(&c, &claim_of("h2", 0), 2_000)), DomainError::IdempotencyKeyReused);
        assert_eq!(find(&c, "ins", "k", 0).unwrap().unwrap().response, response);
        // Past its retention the key is absent, and a new request may claim it.
        assert_eq!(find(&c, "ins", "k", 1_001).unwrap(), None);
        claim(&c, &claim_of("h2", 1_001), 3_000).unwrap();
        assert_eq!(find(&c, "ins", "k", 1_001).unwrap().unwrap().request_hash, "h2");
        assert_eq!(purge(&c, 3_001).unwrap(), 1);
        assert_eq!(find(&c, "ins", "k", 0).unwrap(), None);
    }
}
