//! Embedded PostgreSQL migrations, with the same version numbers as SQLite's. Applied versions are rows of
//! `schema_migrations`; each migration runs in one transaction with its row. Processes starting together
//! serialize on an advisory lock, so each version is applied once.

use postgres::Client;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_shared_state.sql")),
    (3, include_str!("../../migrations/postgres/0003_idempotency_keys.sql")),
    (4, include_str!("../../migrations/postgres/0004_idempotency_keys_rowid.sql")),
    (5, include_str!("../../migrations/postgres/0005_signing_keys_and_jwt_templates.sql")),
    (6, include_str!("../../migrations/postgres/0006_events_and_webhooks.sql")),
    (7, include_str!("../../migrations/postgres/0007_invitations_and_domains.sql")),
    (8, include_str!("../../migrations/postgres/0008_scim.sql")),
];

/// The advisory lock key the migrations run under ("roster" in ASCII).
const LOCK_KEY: i64 = 0x726f_7374_6572;

pub fn run(client: &mut Client) -> Result<(), postgres::Error> {
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])?;
    let outcome = apply(client);
    let unlock = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]);
    outcome.and(unlock.map(|_| ()))
}

fn apply(client: &mut Client) -> Result<(), postgres::Error> {
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    let current = applied_version(client)?.unwrap_or(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let mut tx = client.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &roster_core::now_millis()],
        )?;
        tx.commit()?;
        tracing::info!(version, "applied migration");
    }
    Ok(())
}

/// The newest version applied, or `None` where no Roster schema exists.
pub fn applied_version(client: &mut Client) -> Result<Option<i64>, postgres::Error> {
    let exists: bool = client.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?.get(0);
    if !exists {
        return Ok(None);
    }
    Ok(client.query_one("SELECT max(version) FROM schema_migrations", &[])?.get(0))
}

/// The newest schema version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0)
}
