//! Embedded migrations, applied in order at open. The applied version is SQLite's `user_version`; each
//! migration runs in its own transaction with the version bump, so a crash leaves a whole version or none.

use rusqlite::Connection;

/// (version, SQL). Versions match the PostgreSQL migrations.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_shared_state.sql")),
    (3, include_str!("../../migrations/sqlite/0003_idempotency_keys.sql")),
    (4, include_str!("../../migrations/sqlite/0004_idempotency_keys_rowid.sql")),
    (5, include_str!("../../migrations/sqlite/0005_signing_keys_and_jwt_templates.sql")),
    (6, include_str!("../../migrations/sqlite/0006_events_and_webhooks.sql")),
    (7, include_str!("../../migrations/sqlite/0007_invitations_and_domains.sql")),
    (8, include_str!("../../migrations/sqlite/0008_scim.sql")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_4_keeps_the_idempotency_keys_of_version_3_in_an_ordinary_table() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= 3) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO instances (id, environment, name, created_at) VALUES ('ins', 'development', 'dev', 1);
             INSERT INTO idempotency_keys VALUES ('ins', 'k', 'h', 200, '{\"id\":1}', 5);",
        )
        .unwrap();
        run(&mut conn).unwrap();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, latest());
        let row: (String, i64, String, i64) = conn
            .query_row("SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE key = 'k'", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(row, ("h".into(), 200, "{\"id\":1}".into(), 5));
        let sql: String =
            conn.query_row("SELECT sql FROM sqlite_master WHERE name = 'idempotency_keys'", [], |r| r.get(0)).unwrap();
        assert!(!sql.contains("WITHOUT ROWID"), "{sql}");
        let indexes: i64 =
            conn.query_row("SELECT count(*) FROM pragma_index_list('idempotency_keys')", [], |r| r.get(0)).unwrap();
        assert_eq!(indexes, 2, "the key's unique index and created_at's");
        // The key is still unique per instance.
        assert!(conn.execute("INSERT INTO idempotency_keys VALUES ('ins', 'k', 'x', 200, '', 6)", []).is_err());
    }
}
