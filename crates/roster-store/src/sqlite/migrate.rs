//! Embedded migrations, applied in order at open. The applied version is SQLite's `user_version`; each
//! migration runs in its own transaction with the version bump, so a crash leaves a whole version or none.

use rusqlite::Connection;

/// (version, SQL). Versions match the PostgreSQL migrations.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_shared_state.sql")),
    (3, include_str!("../../migrations/sqlite/0003_idempotency_keys.sql")),
];

pub fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied migration");
    }
    Ok(())
}

/// The newest schema version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0)
}
