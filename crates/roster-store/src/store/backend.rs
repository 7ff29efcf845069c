//! `Backend`: how a SQL backend runs the shared logic's work on its connections (SQLite's writer and read pool,
//! PostgreSQL's connection pool).

use std::future::Future;

use roster_core::store::{Result, StoreStats};

use crate::logic::Tx;
use crate::sql::Db;

/// How a backend runs the logic's work on its connections.
pub trait Backend: Send + Sync + 'static {
    /// Run `work` in one read-only snapshot.
    fn read<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static;

    /// Run a small indexed read (a point lookup of a few rows). Defaults to `read`.
    fn read_small<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        self.read(work)
    }

    /// Run a read made of one statement: it is its own snapshot, so a backend may skip the transaction around
    /// it. Defaults to `read_small`.
    fn read_statement<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        self.read_small(work)
    }

    /// Run `work` in a write transaction; resolves once it has committed durably (or failed, changing nothing).
    fn write<T, F>(&self, work: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static;

    /// Flush what the backend holds before the process exits.
    fn close(&self) -> impl Future<Output = Result<()>> + Send;

    /// Counters for metrics, without touching the database.
    fn stats(&self) -> StoreStats;

    /// One trivial read on the path every read request takes.
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    /// Whether this process sees every role write (one process per database), so roles may be cached between
    /// requests. False where other processes write the same database.
    fn sole_writer(&self) -> bool;
}
