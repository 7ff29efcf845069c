//! What operators ask of the SQLite store: its counters for metrics, a trivial read for readiness, and
//! `PRAGMA integrity_check` on a database file (`roster check`).

use std::sync::atomic::Ordering;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use roster_core::store::{Result, StoreStats};
use roster_core::DomainError;

use super::writer::BATCH_SIZE_BOUNDS;
use super::Sqlite;
use crate::store::Backend;

impl Sqlite {
    /// The writer's counters and the read pool's state, without touching the database.
    pub(crate) fn collect_stats(&self) -> StoreStats {
        let w = self.writer.stats();
        let pool = self.readers.state();
        let sizes = BATCH_SIZE_BOUNDS.iter().zip(&w.batch_sizes).map(|(b, n)| (*b, n.load(Ordering::Relaxed)));
        StoreStats {
            write_batches: Some(w.batches.load(Ordering::Relaxed)),
            write_requests: Some(w.requests.load(Ordering::Relaxed)),
            largest_write_batch: Some(w.largest_batch.load(Ordering::Relaxed)),
            queued_writes: Some(w.queued.load(Ordering::Relaxed)),
            write_batch_sizes: Some(sizes.collect()),
            read_connections: Some(pool.connections),
            idle_read_connections: Some(pool.idle_connections),
            max_read_connections: Some(self.readers.max_size()),
        }
    }

    /// One indexed read on a pooled read connection: the path every read request takes.
    pub(crate) async fn ping_db(&self) -> Result<()> {
        self.read(|c| Ok(c.query_opt("SELECT 1 FROM instances LIMIT 1", &[]).map(|_| ())?)).await
    }
}

/// Run `PRAGMA integrity_check` and `PRAGMA foreign_key_check` on the database file at `path`: `["ok"]` for
/// a sound database, else one line per problem. The file must exist (it is never created) and is opened
/// read-only, so the check is safe while a server runs on it.
pub fn integrity_check(path: &str) -> Result<Vec<String>> {
    let internal = |e: rusqlite::Error| DomainError::Internal(format!("{path}: {e}"));
    if !std::path::Path::new(path).is_file() {
        return Err(DomainError::Internal(format!("{path}: no such database file")));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(internal)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(internal)?;
    match problems(&conn) {
        Ok(found) if found.is_empty() => Ok(vec!["ok".to_owned()]),
        Ok(found) => Ok(found),
        // Damage bad enough that the checks cannot even run is a finding too, not a failure to check.
        Err(e) if matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)) => {
            Ok(vec![e.to_string()])
        }
        Err(e) => Err(internal(e)),
    }
}

fn problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let mut found: Vec<String> = stmt.query_map([], |row| row.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
    if found == ["ok"] {
        found.clear();
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let violations = stmt.query_map([], |row| {
        let (table, rowid, parent) =
            (row.get::<_, String>(0)?, row.get::<_, Option<i64>>(1)?, row.get::<_, String>(2)?);
        Ok(format!("foreign key violation: {table} row {} refers to a missing {parent}", rowid.unwrap_or(-1)))
    })?;
    for violation in violations {
        found.push(violation?);
    }
    Ok(found)
}
