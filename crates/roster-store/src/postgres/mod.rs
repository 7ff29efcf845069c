//! The PostgreSQL store, for several Roster processes over one database. Each request runs in its own
//! transaction on a pooled connection, on the blocking thread pool (the logic is synchronous): writes at READ
//! COMMITTED, reads in a `REPEATABLE READ READ ONLY` snapshot (a list and its count agree). Nothing that
//! decides an outcome lives in the process: rules are checked inside the transaction under row locks
//! (membership writes lock their organization row, `logic::rows::orgs::org_by_id_for_update`), and the unique indexes
//! settle races between check-then-insert requests. A request that loses such a race (a unique violation, a
//! deadlock, a serialization failure, a referenced row deleted under it) is rolled back and run again, so its
//! checks see the winner and it reports what it would have reported had it come second.

mod db;
mod migrate;

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use roster_core::store::{Result, StoreStats};
use roster_core::DomainError;

use crate::logic::{StoreError, Tx};
use crate::sql::{Db, DbErrorKind};
use crate::store::{Backend, SqlStore};

pub use db::{dollar_placeholders, PgConnection, PgManager};
pub use migrate::{applied_version, latest as latest_schema_version, run as migrate};

/// Runs of one request before its conflict is reported as an error.
const ATTEMPTS: u32 = 8;

#[derive(Debug, Clone)]
pub struct Options {
    /// Most connections this process opens: requests beyond it wait for one.
    pub max_connections: u32,
    /// How long a request waits for a free connection before failing.
    pub connection_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self { max_connections: 16, connection_timeout: Duration::from_secs(10) }
    }
}

/// The PostgreSQL-backed store.
pub type PostgresStore = SqlStore<Postgres>;

/// PostgreSQL's way of running work: a transaction per request on an r2d2 pool.
pub struct Postgres {
    pool: r2d2::Pool<PgManager>,
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

impl SqlStore<Postgres> {
    /// Connect to the database `url` names, apply pending migrations (under an advisory lock, so processes
    /// starting together apply each once), and build the pool.
    pub async fn open(url: &str, options: Options) -> Result<Self> {
        let url = url.to_owned();
        let backend =
            tokio::task::spawn_blocking(move || Postgres::open_blocking(&url, options)).await.map_err(internal)??;
        Ok(SqlStore::new(backend))
    }
}

impl Postgres {
    fn open_blocking(url: &str, options: Options) -> Result<Self> {
        let config: postgres::Config = url.parse().map_err(|e| internal(format!("database URL: {e}")))?;
        let manager = PgManager::new(config);
        {
            let mut conn =
                r2d2::ManageConnection::connect(&manager).map_err(|e| internal(format!("connecting: {e}")))?;
            migrate::run(conn.client()).map_err(|e| internal(format!("migrating: {e}")))?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(options.max_connections.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.connection_timeout)
            .test_on_check_out(false)
            .build_unchecked(manager);
        Ok(Self { pool })
    }

    /// Run `work` on a pooled connection, off the async threads.
    fn on_connection<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().map_err(|e| internal(format!("database pool: {e}")))?;
                work(&mut conn)
            })
            .await
            .map_err(internal)?
        }
    }
}

/// Run `work` in one transaction on `conn`, again from the start when it loses a race to another transaction.
fn transact<T>(conn: &mut PgConnection, read_only: bool, work: impl FnOnce(&dyn Db) -> Tx<T> + Clone) -> Result<T> {
    let begin = if read_only { "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" } else { "BEGIN" };
    let mut attempt = 0;
    loop {
        attempt += 1;
        conn.client().batch_execute(begin).map_err(internal)?;
        // Until COMMIT or ROLLBACK has run, the pool treats the connection as broken: a panic in `work` drops
        // it instead of handing the next request a connection inside this transaction.
        conn.set_in_transaction(true);
        let out = work.clone()(&db::PgDb::new(conn));
        let out = match out {
            Ok(value) => {
                let committed = conn.client().batch_execute("COMMIT");
                conn.set_in_transaction(false);
                committed.map(|()| value).map_err(|e| StoreError::Sql(e.into()))
            }
            Err(e) => {
                conn.client().batch_execute("ROLLBACK").map_err(internal)?;
                conn.set_in_transaction(false);
                Err(e)
            }
        };
        match out {
            Err(StoreError::Sql(e))
                if attempt < ATTEMPTS && matches!(e.kind(), DbErrorKind::Conflict | DbErrorKind::UniqueViolation) =>
            {
                tracing::debug!(attempt, error = %e, "transaction lost a race; running it again");
                // A short random pause so the same transactions do not collide again in lockstep.
                let pause = rand::rng().random_range(0..(1u64 << attempt.min(6)));
                std::thread::sleep(Duration::from_millis(pause));
            }
            out => return out.map_err(DomainError::from),
        }
    }
}

impl Backend for Postgres {
    fn sole_writer(&self) -> bool {
        // Other Roster processes may write the same database.
        false
    }

    fn read<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        self.on_connection(move |conn| transact(conn, true, work))
    }

    fn read_statement<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        // One statement in autocommit is its own snapshot: no BEGIN and COMMIT round trips.
        self.on_connection(move |conn| work(&db::PgDb::autocommit(conn)).map_err(DomainError::from))
    }

    fn write<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        self.on_connection(move |conn| transact(conn, false, work))
    }

    fn close(&self) -> impl Future<Output = Result<()>> + Send {
        // Every acknowledged write has committed; connections close as the pool drops.
        std::future::ready(Ok(()))
    }

    fn stats(&self) -> StoreStats {
        let state = self.pool.state();
        StoreStats {
            read_connections: Some(state.connections),
            idle_read_connections: Some(state.idle_connections),
            max_read_connections: Some(self.pool.max_size()),
            ..Default::default()
        }
    }

    fn ping(&self) -> impl Future<Output = Result<()>> + Send {
        self.read(|c| Ok(c.query_opt("SELECT 1 FROM instances LIMIT 1", &[]).map(|_| ())?))
    }
}

/// Check the database `url` names without changing it: reachable, and its schema at this build's version.
pub fn check(url: &str) -> Result<Vec<String>> {
    let config: postgres::Config = url.parse().map_err(|e| internal(format!("database URL: {e}")))?;
    let mut client = config.connect(postgres::NoTls).map_err(|e| internal(format!("connecting: {e}")))?;
    let applied = applied_version(&mut client).map_err(internal)?;
    let latest = migrate::latest();
    Ok(match applied {
        Some(v) if v == latest => vec!["ok".to_owned()],
        Some(v) => vec![format!("schema is at version {v}; this build expects {latest} (run `roster migrate`)")],
        None => vec!["no Roster schema in this database (run `roster migrate`)".to_owned()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::Store;

    /// A request whose work panics inside its transaction must not hand the connection, transaction still open,
    /// to the next request: the pool drops it.
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_not_reused() {
        let Some(db) = roster_testdb::postgres_or_skip("pool drops connections left in a transaction") else { return };
        let store = PostgresStore::open(&db.url, Options { max_connections: 1, ..Default::default() }).await.unwrap();
        store.ping().await.unwrap();
        assert_eq!(store.stats().read_connections, Some(1));
        let panicked = store
            .backend()
            .write(|c| -> Tx<()> {
                c.execute("SELECT 1 FROM instances FOR UPDATE", &[])?;
                panic!("work failed halfway")
            })
            .await;
        assert!(panicked.is_err());
        assert_eq!(store.stats().read_connections, Some(0), "the connection inside the transaction was dropped");
        // The next request gets a fresh connection and a transaction of its own.
        store.create_instance(roster_core::model::Environment::Production, "after").await.unwrap();
        assert_eq!(store.list_instances().await.unwrap().len(), 1);
    }
}
