//! Moving a whole database between backends: `export` writes every row as JSON lines, `import` loads such a
//! file into a fresh database and then proves the load by exporting the target again.
//!
//! The format is backend-neutral so that identical data gives byte-identical files from SQLite and PostgreSQL:
//! flags are JSON booleans (SQLite stores 0/1), columns come in the order of `TABLES`, tables in dependency
//! order, rows in key order compared bytewise (SQLite's BINARY collation; PostgreSQL's columns are
//! `COLLATE "C"`). The file is
//!
//! ```text
//! {"roster_export":1,"schema_version":1}
//! {"table":"instances","row":{"id":"ins_…","environment":"development",…}}
//! …
//! {"summary":{"instances":{"count":1,"sha256":"…"},…,"sessions":{"count":0,"sha256":"…"}}}
//! ```
//!
//! where each table's `sha256` is taken over its row lines exactly as written, each followed by `\n`. The
//! summary comes last, so a file cut short has none and is refused.
//!
//! Both directions stream in constant memory: export pages through each table by key inside one read snapshot
//! and hands pages of lines over a bounded channel to the thread writing the output; import reads one line at a
//! time and inserts in small batches inside one write transaction, so a refused file leaves nothing behind.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use roster_core::DomainError;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::database::{Database, Opened};
use crate::logic::{StoreError, Tx};
use crate::sql::{Db, DbError, DbErrorKind, Dialect, Row, Value};
use crate::store::Backend;

/// The version of the file format (the header's `roster_export`).
pub const FORMAT_VERSION: i64 = 1;

/// Rows read per query while exporting.
const PAGE_ROWS: usize = 1000;
/// Pages in flight between the snapshot and the output: bounds export memory to a few thousand rows.
const CHANNEL_PAGES: usize = 4;
/// Rows per multi-row INSERT while importing: one round trip per batch instead of per row.
const INSERT_BATCH_ROWS: usize = 100;
/// The longest line import accepts. A row is far smaller (each metadata field is at most 8 KB); the bound
/// keeps a corrupt file without newlines from filling memory.
const MAX_LINE_BYTES: usize = 1 << 20;

mod export;
mod import;
mod spec;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_enrollment;
#[cfg(test)]
mod tests_seed;

pub use export::export;
pub use import::{import, Input};
use spec::*;
pub use spec::{Column, Kind, Table, NOT_EXPORTED, TABLES};

// --- summaries, progress, errors -----------------------------------------------------------------------------

/// One table's rows in an export: how many, and the SHA-256 of their lines (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    pub table: &'static str,
    pub count: u64,
    pub sha256: String,
}

/// Every table's summary, in `TABLES` order.
pub type Summary = Vec<TableSummary>;

/// Told how far an export or import has come, table by table (tables come one after another), so a caller
/// can draw a progress bar. Called from the thread doing the work.
pub trait Progress: Send + Sync {
    /// `table` starts; `total` is its row count where known (export counts first; import cannot know).
    fn start(&self, table: &'static str, total: Option<u64>) {
        let _ = (table, total);
    }

    /// `done` rows of `table` so far.
    fn advance(&self, table: &'static str, done: u64) {
        let _ = (table, done);
    }

    /// `table` is complete with `done` rows.
    fn finish(&self, table: &'static str, done: u64) {
        let _ = (table, done);
    }
}

/// Progress nobody watches.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Why an export or import failed. Each message is whole (it carries its cause's text), so no variant chains
/// a `source`: a caller printing the chain (anyhow's `{:#}`) would repeat it.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// A line that is not what the format allows at its place.
    #[error("line {line}: {message}")]
    Format { line: u64, message: String },
    #[error("the input is empty: not a Roster export")]
    Empty,
    #[error("the input ends without its summary line: the export is incomplete (cut short, or still being written)")]
    Truncated,
    #[error("{table}: the summary says {count} rows with sha256 {sha256}, but the file holds {found} rows with sha256 {found_sha256}")]
    Checksum { table: &'static str, count: u64, sha256: String, found: u64, found_sha256: String },
    #[error("the export is of schema version {file}, this database is at version {database}: export and import with the same Roster version")]
    SchemaVersion { file: i64, database: i64 },
    #[error("the target database already holds instances: import only into a fresh database (a new SQLite file, or an empty PostgreSQL database or schema)")]
    NotEmpty,
    /// The rows of a batch were refused by the database (a duplicate key, a reference to a missing row, …).
    #[error("lines {first_line}-{last_line} ({table}): {error}")]
    Insert { table: &'static str, first_line: u64, last_line: u64, error: DbError },
    #[error("the import committed, but the database does not match the file: {0}")]
    Verification(String),
    #[error("{context}: {error}")]
    Input { context: String, error: io::Error },
    #[error("the input stream was already consumed by an earlier attempt of the import transaction; import from a file (--input FILE) instead")]
    InputConsumed,
    #[error("writing the export: {0}")]
    Output(io::Error),
    #[error("the database snapshot had to be read again mid-export; run the export again")]
    Restarted,
    #[error("the export stopped before its end")]
    Aborted,
    #[error("database: {0}")]
    Database(DbError),
    #[error("{0}")]
    Store(DomainError),
}

impl From<DbError> for TransferError {
    fn from(e: DbError) -> Self {
        Self::Database(e)
    }
}

impl From<DomainError> for TransferError {
    fn from(e: DomainError) -> Self {
        Self::Store(e)
    }
}

/// Carries a `TransferError` out of work run by a backend, whose error type is the store's: the work parks
/// its error here and returns an error that aborts (and rolls back) the transaction without a retry (a
/// `Domain` error is never retried); the caller then takes the parked error back, typed.
#[derive(Clone, Default)]
struct ErrorSlot(Arc<Mutex<Option<TransferError>>>);

impl ErrorSlot {
    fn park<T>(&self, out: Result<T, TransferError>) -> Tx<T> {
        out.map_err(|e| {
            let message = e.to_string();
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
            StoreError::Domain(DomainError::Internal(message))
        })
    }

    fn take<T>(&self, out: Result<T, DomainError>) -> Result<T, TransferError> {
        out.map_err(|e| self.0.lock().unwrap_or_else(PoisonError::into_inner).take().unwrap_or(TransferError::Store(e)))
    }
}

/// Running counts and SHA-256 of each table's row lines.
struct Tally(Vec<(u64, Sha256)>);

impl Tally {
    fn new() -> Self {
        Self(TABLES.iter().map(|_| (0, Sha256::new())).collect())
    }

    fn add(&mut self, index: usize, line: &[u8]) {
        if let Some((count, hasher)) = self.0.get_mut(index) {
            *count += 1;
            hasher.update(line);
            hasher.update(b"\n");
        }
    }

    fn count(&self, index: usize) -> u64 {
        self.0.get(index).map_or(0, |(count, _)| *count)
    }

    fn summary(self) -> Summary {
        TABLES
            .iter()
            .zip(self.0)
            .map(|(t, (count, hasher))| TableSummary { table: t.name, count, sha256: hex::encode(hasher.finalize()) })
            .collect()
    }
}

/// The schema version of the database `c` is connected to.
fn schema_version(c: &dyn Db) -> Result<i64, DbError> {
    let sql = match c.dialect() {
        Dialect::Sqlite => "PRAGMA user_version",
        Dialect::Postgres => "SELECT coalesce(max(version), 0) FROM schema_migrations",
    };
    c.query_one(sql, &[])?.get(0)
}

fn header_line(schema_version: i64) -> Vec<u8> {
    format!("{{\"roster_export\":{FORMAT_VERSION},\"schema_version\":{schema_version}}}").into_bytes()
}

fn summary_line(summary: &[TableSummary]) -> Vec<u8> {
    let tables: Vec<String> = summary
        .iter()
        .map(|s| format!("\"{}\":{{\"count\":{},\"sha256\":\"{}\"}}", s.table, s.count, s.sha256))
        .collect();
    format!("{{\"summary\":{{{}}}}}", tables.join(",")).into_bytes()
}

// --- by URL --------------------------------------------------------------------------------------------------

/// Export the database `url` names (as `crate::open` reads it) into `out`. A SQLite file must exist: opening
/// a missing one would create an empty database and export nothing.
pub async fn export_url<W: Write + Send + 'static>(
    url: &str,
    options: crate::sqlite::Options,
    pg: crate::postgres::Options,
    out: W,
    progress: Arc<dyn Progress>,
) -> Result<(Summary, W), TransferError> {
    let database = Database::of(url);
    if let Database::Sqlite(path) = database {
        if !std::path::Path::new(path).exists() {
            let error = io::Error::new(io::ErrorKind::NotFound, "no such database file");
            return Err(TransferError::Input { context: format!("opening {path}"), error });
        }
    }
    match database.open(options, pg).await? {
        Opened::Postgres(store) => export(store.backend(), out, progress).await,
        Opened::Sqlite(store) => export(store.backend(), out, progress).await,
    }
}

/// Import into the database `url` names (created and migrated if need be), which must hold no instance.
pub async fn import_url(
    url: &str,
    options: crate::sqlite::Options,
    pg: crate::postgres::Options,
    input: Input,
    progress: Arc<dyn Progress>,
) -> Result<Summary, TransferError> {
    match Database::of(url).open(options, pg).await? {
        Opened::Postgres(store) => import(store.backend(), input, progress).await,
        Opened::Sqlite(store) => {
            let summary = import(store.backend(), input, progress).await?;
            // Fold the write-ahead log (the whole import) into the database file, as a server's clean stop does.
            store.backend().close().await?;
            Ok(summary)
        }
    }
}
