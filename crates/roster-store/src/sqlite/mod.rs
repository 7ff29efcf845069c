//! The embedded SQLite store. WAL mode; writes go through the group-commit `Writer` (one connection,
//! one thread), reads through a pool of read-only connections on the blocking thread pool. With the
//! default `Durability::Full` every commit is fsynced before any request in it is answered.
//!
//! The use-case logic is the backend-neutral `crate::logic`, run here on a `rusqlite::Connection` as `&dyn Db`
//! (`db.rs`); this module holds what is SQLite's own: the writer thread, the read pool, pragmas, migrations,
//! and the operator's stats and integrity check.

mod db;
mod migrate;
mod ops;
pub mod writer;

use std::path::Path;

use std::future::Future;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

use roster_core::store::{Result, StoreStats};
use roster_core::DomainError;

pub use crate::logic::{StoreError, Tx};
use crate::sql::Db;
use crate::store::{Backend, SqlStore};

pub use migrate::latest as latest_schema_version;
pub use ops::integrity_check;
pub use writer::Writer;

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a write is acknowledged only once fsynced. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: WAL is fsynced at checkpoints only; a power loss can lose the last commits.
    Normal,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub durability: Durability,
    pub read_connections: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self { durability: Durability::Full, read_connections: 8 }
    }
}

/// A SQLite error as a store error.
pub(crate) fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Sql(e.into())
}

/// Run `work` in one read transaction (one snapshot for a list and its count).
fn snapshot<T>(conn: &Connection, work: impl FnOnce(&dyn Db) -> Tx<T>) -> Result<T> {
    let begin = conn.prepare_cached("BEGIN").and_then(|mut s| s.execute([]));
    begin.map_err(|e| DomainError::from(db(e)))?;
    let out = work(conn);
    let _ = conn.prepare_cached("COMMIT").and_then(|mut s| s.execute([]));
    out.map_err(DomainError::from)
}

/// The embedded store: the shared `SqlStore` over SQLite.
pub type SqliteStore = SqlStore<Sqlite>;

/// SQLite's way of running work: the group-commit writer and a read pool.
pub struct Sqlite {
    path: String,
    writer: Writer,
    readers: r2d2::Pool<SqliteConnectionManager>,
}

fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    // The query planner stability guarantee: plans never depend on bound values. Without it SQLite reads a bound
    // `LIMIT ?` while planning and marks the statement to be prepared again whenever that parameter is bound,
    // so every page query was parsed and planned afresh (44% of the server's CPU in a profile of `get`).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let sync = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    Ok(())
}

impl SqlStore<Sqlite> {
    /// Open (creating if needed) the database at `path`, apply migrations, start the writer.
    pub async fn open(path: &str, options: Options) -> Result<Self> {
        let path = path.to_owned();
        let backend = tokio::task::spawn_blocking(move || Sqlite::open_blocking(&path, options))
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))??;
        Ok(SqlStore::new(backend))
    }

    /// The group-commit writer (its counters, or to run custom work in its transactions).
    pub fn writer(&self) -> &Writer {
        &self.backend().writer
    }
}

impl Sqlite {
    fn open_blocking(path: &str, options: Options) -> Result<Self> {
        let internal = |e: rusqlite::Error| DomainError::Internal(format!("opening {path}: {e}"));
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() && !parent.exists() {
                std::fs::create_dir_all(parent).map_err(|e| DomainError::Internal(e.to_string()))?;
            }
        }
        let mut conn = Connection::open(path).map_err(internal)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(internal)?;
        configure(&conn, options.durability).map_err(internal)?;
        // The writer touches the pages of every index a write changes: a page cache of 32 MiB (not the default
        // 2 MiB) keeps the hot ones in memory. It fills only as pages are read.
        conn.pragma_update(None, "cache_size", -32 * 1024).map_err(internal)?;
        // The writer's statement journals (a savepoint per request) stay in memory: on disk, every batch opened,
        // wrote and unlinked a temporary file (10% of the writer's time in a profile). Only the writer: a reader's
        // large sort (a list of a million users by name) still spills to a temporary file, not to memory.
        conn.pragma_update(None, "temp_store", "MEMORY").map_err(internal)?;
        migrate::run(&mut conn).map_err(internal)?;

        let durability = options.durability;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI)
            .with_init(move |c| configure(c, durability));
        let readers = r2d2::Pool::builder()
            .max_size(options.read_connections.max(1))
            // A local file connection does not go stale: skip the per-checkout probe.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| DomainError::Internal(format!("read pool: {e}")))?;
        let checkpoints = Connection::open(path).map_err(internal)?;
        configure(&checkpoints, durability).map_err(internal)?;
        let writer = Writer::start(conn, checkpoints).map_err(internal)?;
        Ok(Self { path: path.to_owned(), writer, readers })
    }
}

impl Backend for Sqlite {
    fn sole_writer(&self) -> bool {
        // The writer thread is the only one writing this file (another process would find it locked).
        true
    }

    /// Run a small indexed read (a point lookup of a few rows) right here on the async thread when a pooled
    /// connection is idle: microseconds of work that a trip to the blocking pool would multiply. Falls back to
    /// `read` when every connection is busy, so an async thread never waits for the pool.
    fn read_small<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        let now = self.readers.try_get();
        async move {
            match now {
                Some(conn) => snapshot(&conn, work),
                None => self.read(work).await,
            }
        }
    }

    /// Run a read on a pooled connection, off the async threads, in one snapshot.
    fn read<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        let pool = self.readers.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let conn = pool.get().map_err(|e| DomainError::Internal(format!("read pool: {e}")))?;
                snapshot(&conn, work)
            })
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?
        }
    }

    fn write<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        self.writer.write(move |c: &Connection| work(c))
    }

    fn close(&self) -> impl Future<Output = Result<()>> + Send {
        // Fold the write-ahead log into the database and truncate it, so the next start has no log to replay.
        // A checkpoint cannot run inside the writer's batch transaction, so it runs on a connection of its own.
        let path = self.path.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let conn = Connection::open(&path).map_err(|e| DomainError::Internal(e.to_string()))?;
                conn.busy_timeout(std::time::Duration::from_secs(5))
                    .map_err(|e| DomainError::Internal(e.to_string()))?;
                conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").map_err(|e| DomainError::Internal(e.to_string()))
            })
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?
        }
    }

    fn stats(&self) -> StoreStats {
        self.collect_stats()
    }

    fn ping(&self) -> impl Future<Output = Result<()>> + Send {
        self.ping_db()
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, StatementStatus};

    use super::{configure, Durability};

    /// How often SQLite prepared a cached `LIMIT ?` statement again over three runs with different bounds.
    fn reprepares(conn: &Connection) -> i32 {
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);").unwrap();
        for limit in [1, 2, 3] {
            let mut stmt = conn.prepare_cached("SELECT x FROM t ORDER BY x LIMIT ?1 OFFSET ?2").unwrap();
            let n = stmt.query_map([limit, 0], |r| r.get::<_, i64>(0)).unwrap().count();
            assert_eq!(n, limit as usize);
        }
        let stmt = conn.prepare_cached("SELECT x FROM t ORDER BY x LIMIT ?1 OFFSET ?2").unwrap();
        stmt.get_status(StatementStatus::RePrepare)
    }

    #[test]
    fn bound_limits_do_not_make_sqlite_prepare_statements_again() {
        // SQLite's default: the statement is prepared again on every new bound LIMIT.
        let plain = Connection::open_in_memory().unwrap();
        assert!(reprepares(&plain) >= 2, "the default should re-prepare, or this test proves nothing");
        // Roster's connections plan once.
        let configured = Connection::open_in_memory().unwrap();
        configure(&configured, Durability::Full).unwrap();
        assert_eq!(reprepares(&configured), 0);
    }
}
