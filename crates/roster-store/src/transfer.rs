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

// --- the table spec ------------------------------------------------------------------------------------------

/// What a column holds, as the file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    /// INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL, `true`/`false` in the file.
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

/// A table as export and import see it.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// In file order. Where `rowid` is true, the first column is `rowid`.
    pub columns: &'static [Column],
    /// The primary key: the export's order and its pages' keyset.
    pub key: &'static [&'static str],
    /// The logic orders these tables' rows by insertion (`rowid`) within a millisecond, so the rowid is carried
    /// over: SQLite's implicit one, PostgreSQL's identity column.
    pub rowid: bool,
}

const fn column(name: &'static str, kind: Kind, nullable: bool) -> Column {
    Column { name, kind, nullable }
}
const fn text(name: &'static str) -> Column {
    column(name, Kind::Text, false)
}
const fn text_or_null(name: &'static str) -> Column {
    column(name, Kind::Text, true)
}
const fn int(name: &'static str) -> Column {
    column(name, Kind::Int, false)
}
const fn int_or_null(name: &'static str) -> Column {
    column(name, Kind::Int, true)
}
const fn flag(name: &'static str) -> Column {
    column(name, Kind::Bool, false)
}

/// Every table of the schema, in dependency order (a table's foreign keys point only at tables before it).
/// `instances` names roles without a foreign key, so it can come first. See `NOT_EXPORTED` for the rest.
pub static TABLES: &[Table] = &[
    Table {
        name: "instances",
        columns: &[
            text("id"),
            text("environment"),
            text("name"),
            flag("org_enabled"),
            int("org_max_allowed_memberships"),
            text_or_null("org_creator_role_id"),
            text_or_null("org_domains_default_role_id"),
            flag("org_admin_delete_enabled"),
            flag("org_domains_enabled"),
            flag("org_slug_disabled"),
            text("org_domains_enrollment_modes"),
            int("created_at"),
            int("roles_version"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "api_keys",
        columns: &[
            text("id"),
            text("instance_id"),
            text("lookup"),
            text("hash"),
            text("hint"),
            int("created_at"),
            int_or_null("revoked_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "permissions",
        columns: &[
            text("id"),
            text("instance_id"),
            text("key"),
            text("name"),
            text("description"),
            text("type"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "roles",
        columns: &[
            text("id"),
            text("instance_id"),
            text("key"),
            text("name"),
            text_or_null("description"),
            flag("is_creator_eligible"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "role_permissions",
        columns: &[text("role_id"), text("permission_id")],
        key: &["role_id", "permission_id"],
        rowid: false,
    },
    Table {
        name: "users",
        columns: &[
            text("id"),
            text("instance_id"),
            text_or_null("external_id"),
            text_or_null("username"),
            text_or_null("username_lower"),
            text_or_null("first_name"),
            text_or_null("last_name"),
            text_or_null("locale"),
            text_or_null("primary_email_address_id"),
            text_or_null("primary_phone_number_id"),
            text_or_null("primary_web3_wallet_id"),
            text_or_null("primary_email"),
            text_or_null("primary_phone"),
            text_or_null("primary_web3"),
            flag("password_enabled"),
            text("public_metadata"),
            text("private_metadata"),
            text("unsafe_metadata"),
            flag("banned"),
            flag("locked"),
            flag("delete_self_enabled"),
            flag("create_organization_enabled"),
            int_or_null("create_organizations_limit"),
            flag("bypass_client_trust"),
            int_or_null("last_active_at"),
            int_or_null("last_sign_in_at"),
            int_or_null("legal_accepted_at"),
            int("created_at"),
            int("updated_at"),
            text("search_text"),
            text("name_text"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "identifications",
        columns: &[
            int("rowid"),
            text("id"),
            text("instance_id"),
            text("user_id"),
            text("kind"),
            text("value"),
            text("value_lower"),
            flag("reserved"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: true,
    },
    Table {
        name: "organizations",
        columns: &[
            text("id"),
            text("instance_id"),
            text("name"),
            text("name_lower"),
            text("slug"),
            int("max_allowed_memberships"),
            flag("admin_delete_enabled"),
            text("public_metadata"),
            text("private_metadata"),
            text_or_null("created_by"),
            text_or_null("role_set_key"),
            int("members_count"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "memberships",
        columns: &[
            int("rowid"),
            text("id"),
            text("instance_id"),
            text("organization_id"),
            text("user_id"),
            text("role_id"),
            text("public_metadata"),
            text("private_metadata"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: true,
    },
    Table {
        name: "sessions",
        columns: &[
            int("rowid"),
            text("id"),
            text("instance_id"),
            text("user_id"),
            text("client_id"),
            text("status"),
            text_or_null("last_active_organization_id"),
            int("last_active_at"),
            int("expire_at"),
            int("abandon_at"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: true,
    },
];

/// Tables the export leaves out, with why: `rate_limits` holds rate-limit windows of the last seconds, which
/// restart empty on a new database as they do after any restart; SQLite's `users_search*` (FTS5) tables are
/// derived from `users` by triggers, and filled again as the import inserts users.
pub const NOT_EXPORTED: &[&str] = &["rate_limits", "users_search*"];

fn table_index(name: &str) -> Option<usize> {
    TABLES.iter().position(|t| t.name == name)
}

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

// --- export --------------------------------------------------------------------------------------------------

/// What the snapshot hands the output thread.
enum Msg {
    Header(Vec<u8>),
    Table {
        index: usize,
        total: u64,
    },
    Rows {
        index: usize,
        lines: Vec<Vec<u8>>,
    },
    /// Every table was read: the output may write the summary. Without it the output writes none, so an
    /// export that failed midway can never pass for a complete one.
    Done,
}

/// Export every row of the database `backend` runs on into `out`, as JSON lines; returns the summary (also
/// written as the last line) and `out`, flushed. One read snapshot: the file is a consistent copy even while
/// servers write to the database.
pub async fn export<B, W>(backend: &B, out: W, progress: Arc<dyn Progress>) -> Result<(Summary, W), TransferError>
where
    B: Backend,
    W: Write + Send + 'static,
{
    export_paged(backend, out, progress, PAGE_ROWS).await
}

async fn export_paged<B, W>(
    backend: &B,
    mut out: W,
    progress: Arc<dyn Progress>,
    page_rows: usize,
) -> Result<(Summary, W), TransferError>
where
    B: Backend,
    W: Write + Send + 'static,
{
    let (tx, rx) = sync_channel(CHANNEL_PAGES);
    let slot = ErrorSlot::default();
    let started = Arc::new(AtomicBool::new(false));
    let work = {
        let slot = slot.clone();
        move |c: &dyn Db| slot.park(produce(c, &tx, &started, page_rows))
    };
    let writer = tokio::task::spawn_blocking(move || consume(&rx, &mut out, &*progress).map(|summary| (summary, out)));
    let (produced, written) = tokio::join!(backend.read(work), writer);
    let written = written.map_err(|e| DomainError::Internal(format!("export output thread: {e}")))?;
    match (slot.take(produced), written) {
        // The output failing first makes the snapshot fail too (its pages have nowhere to go): report the cause.
        (_, Err(e @ TransferError::Output(_))) => Err(e),
        (Err(e), _) => Err(e),
        (Ok(()), written) => written,
    }
}

/// The snapshot side: header, then each table page by page, then `Done`.
fn produce(c: &dyn Db, tx: &SyncSender<Msg>, started: &AtomicBool, page_rows: usize) -> Result<(), TransferError> {
    // A backend may run read work again from the start (PostgreSQL after a lost race). The lines already
    // sent cannot be taken back, so a second run fails instead of writing rows twice.
    if started.swap(true, Ordering::SeqCst) {
        return Err(TransferError::Restarted);
    }
    send(tx, Msg::Header(header_line(schema_version(c)?)))?;
    for (index, table) in TABLES.iter().enumerate() {
        let total = c.query_one(&format!("SELECT count(*) FROM {}", table.name), &[])?.get::<i64>(0)?;
        send(tx, Msg::Table { index, total: u64::try_from(total).unwrap_or(0) })?;
        export_table(c, tx, index, page_rows)?;
    }
    send(tx, Msg::Done)
}

fn send(tx: &SyncSender<Msg>, msg: Msg) -> Result<(), TransferError> {
    // Fails only when the output thread has stopped, on an error of its own that the caller reports.
    tx.send(msg).map_err(|_| TransferError::Aborted)
}

/// One table, in key order, through keyset pages: each page starts after the last key of the one before, so
/// every query is an index range scan however deep into the table it is.
fn export_table(c: &dyn Db, tx: &SyncSender<Msg>, index: usize, page_rows: usize) -> Result<(), TransferError> {
    let table = &TABLES[index];
    let (first, next) = (select_sql(table, false, page_rows), select_sql(table, true, page_rows));
    let mut after: Option<Vec<Value>> = None;
    loop {
        let rows = match &after {
            None => c.query(&first, &[])?,
            Some(key) => c.query(&next, key)?,
        };
        let Some(last) = rows.last() else { return Ok(()) };
        after = Some(key_of(table, last)?);
        let full = rows.len() == page_rows;
        let lines = rows.into_iter().map(|r| encode_row(table, r)).collect::<Result<Vec<_>, _>>()?;
        send(tx, Msg::Rows { index, lines })?;
        if !full {
            return Ok(());
        }
    }
}

/// The page query. `rowid` is named explicitly: SQLite's implicit rowid is not part of `*`, and on
/// PostgreSQL it is a real column, so the same text serves both.
fn select_sql(table: &Table, after: bool, page_rows: usize) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let keys = table.key.join(", ");
    let filter = if after {
        let params: Vec<String> = (1..=table.key.len()).map(|i| format!("?{i}")).collect();
        // A row-value comparison: lexicographic over the key, as ORDER BY sorts (both engines support it).
        format!(" WHERE ({keys}) > ({})", params.join(", "))
    } else {
        String::new()
    };
    format!("SELECT {} FROM {}{filter} ORDER BY {keys} LIMIT {page_rows}", columns.join(", "), table.name)
}

/// The key columns' values of `row`, to start the next page after.
fn key_of(table: &Table, row: &Row) -> Result<Vec<Value>, DbError> {
    table
        .key
        .iter()
        .map(|key| {
            let i = table.columns.iter().position(|c| c.name == *key).unwrap_or(usize::MAX);
            match table.columns.get(i).map(|c| c.kind) {
                Some(Kind::Int) => row.get::<i64>(i).map(Value::Int),
                _ => row.get::<String>(i).map(Value::Text),
            }
        })
        .collect()
}

/// `{"table":…,"row":{…}}` with the columns in spec order and each value normalized to its kind.
fn encode_row(table: &Table, mut row: Row) -> Result<Vec<u8>, TransferError> {
    let mut line = Vec::with_capacity(256);
    line.extend_from_slice(b"{\"table\":\"");
    line.extend_from_slice(table.name.as_bytes());
    line.extend_from_slice(b"\",\"row\":{");
    for (i, column) in table.columns.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.push(b'"');
        line.extend_from_slice(column.name.as_bytes());
        line.extend_from_slice(b"\":");
        encode_value(&mut line, column, &mut row, i)
            .map_err(|e| DbError::new(DbErrorKind::Other, "export", format!("{}.{}: {e}", table.name, column.name)))?;
    }
    line.extend_from_slice(b"}}");
    Ok(line)
}

/// Column `i` of `row` as JSON. Decoding by kind is what normalizes the backends: `bool` reads SQLite's 0/1
/// and PostgreSQL's booleans alike.
fn encode_value(line: &mut Vec<u8>, column: &Column, row: &mut Row, i: usize) -> Result<(), String> {
    let present = match column.kind {
        Kind::Bool => row.get::<Option<bool>>(i).map_err(|e| e.to_string())?.map(|b| {
            line.extend_from_slice(if b { b"true" } else { b"false" });
        }),
        Kind::Int => row.get::<Option<i64>>(i).map_err(|e| e.to_string())?.map(|n| {
            line.extend_from_slice(n.to_string().as_bytes());
        }),
        Kind::Text => match row.take::<Option<String>>(i).map_err(|e| e.to_string())? {
            Some(s) => Some(serde_json::to_writer(&mut *line, &s).map_err(|e| e.to_string())?),
            None => None,
        },
    };
    match present {
        Some(()) => Ok(()),
        None if column.nullable => {
            line.extend_from_slice(b"null");
            Ok(())
        }
        None => Err("NULL in a NOT NULL column".into()),
    }
}

/// The output side: writes each line, tallies each table's rows, and writes the summary once told `Done`.
fn consume(rx: &Receiver<Msg>, out: &mut dyn Write, progress: &dyn Progress) -> Result<Summary, TransferError> {
    let mut tally = Tally::new();
    let mut current: Option<usize> = None;
    let finish = |current: Option<usize>, tally: &Tally| {
        if let Some(index) = current {
            progress.finish(TABLES[index].name, tally.count(index));
        }
    };
    for msg in rx {
        match msg {
            Msg::Header(line) => write_line(out, &line)?,
            Msg::Table { index, total } => {
                finish(current, &tally);
                current = Some(index);
                progress.start(TABLES[index].name, Some(total));
            }
            Msg::Rows { index, lines } => {
                for line in &lines {
                    write_line(out, line)?;
                    tally.add(index, line);
                }
                progress.advance(TABLES[index].name, tally.count(index));
            }
            Msg::Done => {
                finish(current, &tally);
                let summary = tally.summary();
                write_line(out, &summary_line(&summary))?;
                out.flush().map_err(TransferError::Output)?;
                return Ok(summary);
            }
        }
    }
    Err(TransferError::Aborted)
}

fn write_line(out: &mut dyn Write, line: &[u8]) -> Result<(), TransferError> {
    out.write_all(line).and_then(|()| out.write_all(b"\n")).map_err(TransferError::Output)
}

// --- import --------------------------------------------------------------------------------------------------

/// Where an import reads from.
#[derive(Clone)]
pub struct Input(Source);

#[derive(Clone)]
enum Source {
    File(PathBuf),
    /// A stream can be read only once: taken by the first run of the import transaction.
    Stream(Arc<Mutex<Option<Box<dyn Read + Send>>>>),
}

impl Input {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self(Source::File(path.into()))
    }

    /// A stream such as stdin. Should the backend run the import transaction a second time (PostgreSQL
    /// does after a lost race, which an import into a fresh database does not meet in practice), that run
    /// fails: the stream cannot be read again.
    pub fn stream(reader: impl Read + Send + 'static) -> Self {
        Self(Source::Stream(Arc::new(Mutex::new(Some(Box::new(reader))))))
    }

    fn open(&self) -> Result<Box<dyn BufRead>, TransferError> {
        match &self.0 {
            Source::File(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|error| TransferError::Input { context: format!("opening {}", path.display()), error })?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
            Source::Stream(stream) => {
                let taken = stream.lock().unwrap_or_else(PoisonError::into_inner).take();
                let reader = taken.ok_or(TransferError::InputConsumed)?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, reader)))
            }
        }
    }
}

/// Import the export `input` holds into the database `backend` runs on, which must hold no instance yet.
/// The rows are inserted in one transaction, committed only when the file is complete and every table's
/// count and checksum match its summary line. After the commit the database is exported again (to nowhere)
/// and its summary compared with the file's: the result is the verified summary.
pub async fn import<B: Backend>(
    backend: &B,
    input: Input,
    progress: Arc<dyn Progress>,
) -> Result<Summary, TransferError> {
    let slot = ErrorSlot::default();
    let work = {
        let slot = slot.clone();
        move |c: &dyn Db| slot.park(load(c, &input, &*progress))
    };
    let expected = slot.take(backend.write(work).await)?;
    let (found, _) = export(backend, io::sink(), Arc::new(NoProgress)).await?;
    verify(&expected, &found)?;
    Ok(found)
}

/// The import transaction: checks, then every row, then the summary.
fn load(c: &dyn Db, input: &Input, progress: &dyn Progress) -> Result<Summary, TransferError> {
    if c.query_opt("SELECT 1 FROM instances LIMIT 1", &[])?.is_some() {
        return Err(TransferError::NotEmpty);
    }
    let mut lines = Lines::new(input.open()?);
    let (number, header) = lines.next()?.ok_or(TransferError::Empty)?;
    check_header(number, header, schema_version(c)?)?;
    let mut loader = Loader::new(c, progress);
    let expected = loop {
        let (number, line) = lines.next()?.ok_or(TransferError::Truncated)?;
        match parse_line(number, line)? {
            Parsed::Row { index, values } => loader.add(number, index, values, line)?,
            Parsed::Summary(summary) => break summary,
        }
    };
    if let Some((number, _)) = lines.next()? {
        return Err(format_error(number, "a line after the summary line (two exports concatenated?)"));
    }
    let found = loader.finish()?;
    compare(&expected, &found)?;
    Ok(expected)
}

fn format_error(line: u64, message: impl Into<String>) -> TransferError {
    TransferError::Format { line, message: message.into() }
}

/// Lines of the input, one buffer reused, each checked for UTF-8 and length.
struct Lines {
    reader: Box<dyn BufRead>,
    buf: String,
    number: u64,
}

impl Lines {
    fn new(reader: Box<dyn BufRead>) -> Self {
        Self { reader, buf: String::new(), number: 0 }
    }

    /// The next line without its terminator (`\n`, or `\r\n` from a tool that converted the file), and its
    /// number counted from 1.
    fn next(&mut self) -> Result<Option<(u64, &str)>, TransferError> {
        self.buf.clear();
        self.number += 1;
        let number = self.number;
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = self.reader.by_ref().take(limit).read_line(&mut self.buf).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => format_error(number, "not valid UTF-8"),
            _ => TransferError::Input { context: format!("reading line {number}"), error: e },
        })?;
        if read == 0 {
            return Ok(None);
        }
        if read > MAX_LINE_BYTES && !self.buf.ends_with('\n') {
            return Err(format_error(number, format!("longer than {MAX_LINE_BYTES} bytes")));
        }
        let line = self.buf.strip_suffix('\n').unwrap_or(&self.buf);
        Ok(Some((number, line.strip_suffix('\r').unwrap_or(line))))
    }
}

fn check_header(number: u64, line: &str, database: i64) -> Result<(), TransferError> {
    let not_header = || format_error(number, "not a Roster export header ({\"roster_export\":1,\"schema_version\":N})");
    let json: Json = serde_json::from_str(line).map_err(|_| not_header())?;
    let (Some(format), Some(file)) =
        (json.get("roster_export").and_then(Json::as_i64), json.get("schema_version").and_then(Json::as_i64))
    else {
        return Err(not_header());
    };
    if format != FORMAT_VERSION {
        return Err(format_error(number, format!("export format {format}; this build reads format {FORMAT_VERSION}")));
    }
    if file != database {
        return Err(TransferError::SchemaVersion { file, database });
    }
    Ok(())
}

/// A line after the header: a row, or the summary.
enum Parsed {
    Row { index: usize, values: Vec<Value> },
    Summary(Summary),
}

fn parse_line(number: u64, line: &str) -> Result<Parsed, TransferError> {
    let json: Json = serde_json::from_str(line)
        .map_err(|e| format_error(number, format!("not valid JSON ({e}); the file may be damaged")))?;
    let Json::Object(mut object) = json else {
        return Err(format_error(number, "expected a JSON object"));
    };
    let parsed = match object.remove("summary") {
        Some(summary) if object.is_empty() => parse_summary(summary).map(Parsed::Summary),
        Some(_) => Err("unexpected fields beside \"summary\"".to_owned()),
        None => parse_row(object),
    };
    parsed.map_err(|message| format_error(number, message))
}

fn parse_row(mut object: Map<String, Json>) -> Result<Parsed, String> {
    let (table, row) = (object.remove("table"), object.remove("row"));
    let (Some(Json::String(name)), Some(Json::Object(row)), true) = (table, row, object.is_empty()) else {
        return Err("expected {\"table\":…,\"row\":{…}} or the summary line".to_owned());
    };
    let index = table_index(&name).ok_or_else(|| format!("unknown table {name:?}"))?;
    let table = &TABLES[index];
    if let Some(unknown) = row.keys().find(|k| !table.columns.iter().any(|c| c.name == k.as_str())) {
        return Err(format!("unknown column {unknown:?} in a row of {}", table.name));
    }
    let values = table
        .columns
        .iter()
        .map(|column| {
            decode_value(column, row.get(column.name)).map_err(|e| format!("{}.{}: {e}", table.name, column.name))
        })
        .collect::<Result<_, _>>()?;
    Ok(Parsed::Row { index, values })
}

fn decode_value(column: &Column, json: Option<&Json>) -> Result<Value, String> {
    match (column.kind, json) {
        (_, None) => Err("missing".into()),
        (_, Some(Json::Null)) if column.nullable => Ok(Value::Null),
        (_, Some(Json::Null)) => Err("null, but the column is NOT NULL".into()),
        (Kind::Bool, Some(Json::Bool(b))) => Ok(Value::Bool(*b)),
        (Kind::Int, Some(Json::Number(n))) => {
            n.as_i64().map(Value::Int).ok_or_else(|| format!("{n} is not a 64-bit integer"))
        }
        (Kind::Text, Some(Json::String(s))) => Ok(Value::Text(s.clone())),
        (kind, Some(other)) => Err(format!("expected {kind:?}, found {other}")),
    }
}

fn parse_summary(json: Json) -> Result<Summary, String> {
    let Json::Object(mut tables) = json else { return Err("the summary is not an object".into()) };
    if let Some(unknown) = tables.keys().find(|k| table_index(k).is_none()) {
        return Err(format!("unknown table {unknown:?} in the summary"));
    }
    TABLES
        .iter()
        .map(|t| {
            let entry = tables.remove(t.name).ok_or_else(|| format!("the summary lacks table {}", t.name))?;
            let count = entry.get("count").and_then(Json::as_u64);
            let sha256 = entry.get("sha256").and_then(Json::as_str).filter(|s| s.len() == 64 && hex::decode(s).is_ok());
            match (count, sha256) {
                (Some(count), Some(sha256)) => Ok(TableSummary { table: t.name, count, sha256: sha256.to_owned() }),
                _ => Err(format!("the summary of {} needs \"count\" and a hex \"sha256\"", t.name)),
            }
        })
        .collect()
}

/// Inserts rows in multi-row batches of one table at a time, tallying each line as read.
struct Loader<'a> {
    c: &'a dyn Db,
    progress: &'a dyn Progress,
    tally: Tally,
    /// The table being loaded; tables must come in `TABLES` order, each once.
    current: Option<usize>,
    params: Vec<Value>,
    rows: usize,
    lines: (u64, u64),
}

impl<'a> Loader<'a> {
    fn new(c: &'a dyn Db, progress: &'a dyn Progress) -> Self {
        Self { c, progress, tally: Tally::new(), current: None, params: Vec::new(), rows: 0, lines: (0, 0) }
    }

    fn add(&mut self, number: u64, index: usize, values: Vec<Value>, line: &str) -> Result<(), TransferError> {
        match self.current {
            Some(current) if index < current => {
                return Err(format_error(
                    number,
                    format!(
                        "a row of {} after rows of {}: tables must come in dependency order",
                        TABLES[index].name, TABLES[current].name
                    ),
                ))
            }
            Some(current) if index == current => {}
            _ => self.switch_to(index)?,
        }
        if self.c.dialect() == Dialect::Postgres {
            check_no_nul(number, &values)?;
        }
        self.tally.add(index, line.as_bytes());
        if self.rows == 0 {
            self.lines.0 = number;
        }
        self.lines.1 = number;
        self.params.extend(values);
        self.rows += 1;
        if self.rows == INSERT_BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn switch_to(&mut self, index: usize) -> Result<(), TransferError> {
        self.flush()?;
        if let Some(previous) = self.current {
            self.progress.finish(TABLES[previous].name, self.tally.count(previous));
        }
        self.current = Some(index);
        self.progress.start(TABLES[index].name, None);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), TransferError> {
        let Some(index) = self.current.filter(|_| self.rows > 0) else { return Ok(()) };
        let table = &TABLES[index];
        self.c.execute(&insert_sql(table, self.rows), &self.params).map_err(|error| TransferError::Insert {
            table: table.name,
            first_line: self.lines.0,
            last_line: self.lines.1,
            error,
        })?;
        self.params.clear();
        self.rows = 0;
        self.progress.advance(table.name, self.tally.count(index));
        Ok(())
    }

    /// The last batch in, identity sequences moved past the loaded rowids; the tally of what was read.
    fn finish(mut self) -> Result<Summary, TransferError> {
        self.flush()?;
        if let Some(current) = self.current {
            self.progress.finish(TABLES[current].name, self.tally.count(current));
        }
        reset_rowid_sequences(self.c)?;
        Ok(self.tally.summary())
    }
}

/// PostgreSQL text cannot hold U+0000 (the driver would substitute it and the verification would fail after
/// the commit): refuse such a row before inserting anything. Roster never stores U+0000 itself.
fn check_no_nul(number: u64, values: &[Value]) -> Result<(), TransferError> {
    if values.iter().any(|v| matches!(v, Value::Text(s) if s.contains('\0'))) {
        return Err(format_error(number, "text holding U+0000, which PostgreSQL cannot store"));
    }
    Ok(())
}

fn insert_sql(table: &Table, rows: usize) -> String {
    let width = table.columns.len();
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|i| format!("?{}", r * width + i)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!("INSERT INTO {} ({}) VALUES {}", table.name, columns.join(", "), tuples.join(", "))
}

/// Rows inserted with explicit rowids leave PostgreSQL's identity sequences behind: move each past the largest
/// rowid so the next insert does not collide. SQLite takes max(rowid) + 1 by itself.
fn reset_rowid_sequences(c: &dyn Db) -> Result<(), DbError> {
    if c.dialect() != Dialect::Postgres {
        return Ok(());
    }
    for table in TABLES.iter().filter(|t| t.rowid) {
        let name = table.name;
        c.query(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{name}', 'rowid'), coalesce(max(rowid), 0) + 1, false) FROM {name}"
            ),
            &[],
        )?;
    }
    Ok(())
}

/// The rows read against the file's summary, table by table.
fn compare(expected: &[TableSummary], found: &[TableSummary]) -> Result<(), TransferError> {
    for (e, f) in expected.iter().zip(found) {
        if e != f {
            return Err(TransferError::Checksum {
                table: e.table,
                count: e.count,
                sha256: e.sha256.clone(),
                found: f.count,
                found_sha256: f.sha256.clone(),
            });
        }
    }
    Ok(())
}

/// The target's export against the file's summary, every table that differs named.
fn verify(expected: &[TableSummary], found: &[TableSummary]) -> Result<(), TransferError> {
    let differ: Vec<String> = expected
        .iter()
        .zip(found)
        .filter(|(e, f)| e != f)
        .map(|(e, f)| {
            format!(
                "{}: {} rows expected, {} found, sha256 {} expected, {} found",
                e.table, e.count, f.count, e.sha256, f.sha256
            )
        })
        .collect();
    if differ.is_empty() {
        Ok(())
    } else {
        Err(TransferError::Verification(differ.join("; ")))
    }
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
    if crate::is_postgres(url) {
        let store = crate::postgres::PostgresStore::open(url, pg).await?;
        return export(store.backend(), out, progress).await;
    }
    let path = crate::sqlite_path(url);
    if !std::path::Path::new(path).exists() {
        let error = io::Error::new(io::ErrorKind::NotFound, "no such database file");
        return Err(TransferError::Input { context: format!("opening {path}"), error });
    }
    let store = crate::sqlite::SqliteStore::open(path, options).await?;
    export(store.backend(), out, progress).await
}

/// Import into the database `url` names (created and migrated if need be), which must hold no instance.
pub async fn import_url(
    url: &str,
    options: crate::sqlite::Options,
    pg: crate::postgres::Options,
    input: Input,
    progress: Arc<dyn Progress>,
) -> Result<Summary, TransferError> {
    if crate::is_postgres(url) {
        let store = crate::postgres::PostgresStore::open(url, pg).await?;
        return import(store.backend(), input, progress).await;
    }
    let store = crate::sqlite::SqliteStore::open(crate::sqlite_path(url), options).await?;
    let summary = import(store.backend(), input, progress).await?;
    // Fold the write-ahead log (the whole import) into the database file, as a server's clean stop does.
    store.backend().close().await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use roster_core::model::Environment;
    use roster_core::store::{
        MetadataUpdate, NewIdentification, NewMembership, NewOrganization, NewPermission, NewRole, NewUser,
        SettingsUpdate,
    };
    use roster_core::Store;

    use super::*;
    use crate::sqlite::{Durability, Options, SqliteStore};

    const SECRET: &str = "sk_test_transfer_unit_key";

    async fn sqlite(dir: &Path, name: &str) -> SqliteStore {
        let path = dir.join(name);
        let options = Options { durability: Durability::Normal, read_connections: 2 };
        SqliteStore::open(path.to_str().expect("utf-8 temp path"), options).await.expect("open sqlite")
    }

    fn object(value: serde_json::Value) -> roster_core::metadata::Metadata {
        value.as_object().cloned().expect("a JSON object")
    }

    fn email(value: &str) -> Vec<NewIdentification> {
        vec![NewIdentification { value: value.into(), reserved: false }]
    }

    /// Something of every table: two instances, a revoked key, a custom permission and role, users with
    /// non-ASCII names and nested metadata, an organization and its memberships, a session.
    async fn seed(store: &impl Store) -> String {
        store.bootstrap(Some(SECRET)).await.unwrap();
        let ins = store.list_instances().await.unwrap().remove(0).id;
        let prod = store.create_instance(Environment::Production, "Prod — ünïcode").await.unwrap();
        let (key, _) = store.create_key(&prod.id, None).await.unwrap();
        store.revoke_key(&key.id).await.unwrap();
        let settings =
            SettingsUpdate { domains_enabled: Some(true), max_allowed_memberships: Some(50), ..Default::default() };
        store.update_organization_settings(&ins, settings).await.unwrap();

        let perm =
            NewPermission { name: "Read docs".into(), key: "org:docs:read".into(), description: "Lesen 📄".into() };
        let perm = store.create_permission(&ins, perm).await.unwrap();
        let role =
            NewRole { name: "Editor".into(), key: "org:editor".into(), description: None, permissions: vec![perm.id] };
        store.create_role(&ins, role).await.unwrap();

        let alice = NewUser {
            first_name: Some("Zoë".into()),
            last_name: Some("Ångström \"quoted\" \\ 日本".into()),
            email_addresses: email("alice@example.com"),
            public_metadata: object(serde_json::json!({"team": {"name": "core", "tags": ["a", "ü", null]}, "n": 1.5})),
            delete_self_enabled: true,
            create_organization_enabled: true,
            ..Default::default()
        };
        let alice = store.create_user(&ins, alice).await.unwrap();
        let bob = NewUser {
            username: Some("bobby".into()),
            email_addresses: email("bob@example.com"),
            banned: true,
            ..Default::default()
        };
        let bob = store.create_user(&ins, bob).await.unwrap();

        let org = NewOrganization {
            name: "Acme\tTab\nNewline".into(),
            created_by: Some(alice.id.clone()),
            private_metadata: object(serde_json::json!({"billing": {"plan": "pro", "seats": [1, 2, 3]}})),
            ..Default::default()
        };
        let org = store.create_organization(&ins, org).await.unwrap();
        let membership = NewMembership {
            organization_id: org.id.clone(),
            user_id: bob.id.clone(),
            role: "org:editor".into(),
            public_metadata: object(serde_json::json!({"seat": "A12"})),
            ..Default::default()
        };
        store.create_membership(&ins, membership).await.unwrap();
        let update = MetadataUpdate { private: Some(object(serde_json::json!({"note": "ß"}))), ..Default::default() };
        store.update_membership_metadata(&ins, &org.id, &bob.id, update).await.unwrap();
        store.create_session(&ins, &bob.id, Some(org.id.clone())).await.unwrap();
        ins
    }

    async fn export_bytes<B: Backend>(backend: &B, page_rows: usize) -> Vec<u8> {
        export_paged(backend, Vec::new(), Arc::new(NoProgress), page_rows).await.expect("export").1
    }

    /// A seeded SQLite store and its export.
    async fn seeded(dir: &Path) -> (SqliteStore, Vec<u8>) {
        let store = sqlite(dir, "source.db").await;
        seed(&store).await;
        let bytes = export_bytes(store.backend(), PAGE_ROWS).await;
        (store, bytes)
    }

    async fn import_bytes(target: &SqliteStore, bytes: Vec<u8>) -> Result<Summary, TransferError> {
        import(target.backend(), Input::stream(io::Cursor::new(bytes)), Arc::new(NoProgress)).await
    }

    fn lines(bytes: &[u8]) -> Vec<String> {
        String::from_utf8(bytes.to_vec()).expect("utf-8").lines().map(str::to_owned).collect()
    }

    #[tokio::test]
    async fn transfer_round_trip_is_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let (_source, exported) = seeded(dir.path()).await;
        let file = dir.path().join("export.jsonl");
        std::fs::write(&file, &exported).unwrap();

        let target = sqlite(dir.path(), "target.db").await;
        let summary = import(target.backend(), Input::file(&file), Arc::new(NoProgress)).await.unwrap();
        assert_eq!(
            summary.iter().map(|s| s.table).collect::<Vec<_>>(),
            TABLES.iter().map(|t| t.name).collect::<Vec<_>>()
        );
        assert_eq!(export_bytes(target.backend(), PAGE_ROWS).await, exported, "export of the import is identical");

        let text = lines(&exported);
        assert_eq!(
            text[0],
            format!("{{\"roster_export\":1,\"schema_version\":{}}}", crate::sqlite::latest_schema_version())
        );
        assert!(text.last().unwrap().starts_with("{\"summary\":{\"instances\":{\"count\":2,"));
        assert!(text.iter().any(|l| l.contains("\"org_enabled\":true,") && l.contains("\"org_domains_enabled\":true")));
        assert!(text.iter().any(|l| l.starts_with("{\"table\":\"memberships\",\"row\":{\"rowid\":")));
        assert!(text.iter().any(|l| l.contains("\"first_name\":\"Zoë\"")), "non-ASCII text is written as is");
        assert!(text.iter().any(|l| l.contains("\\\"quoted\\\" \\\\ 日本")), "quotes and backslashes are escaped");
        assert!(text.iter().any(|l| l.contains("\"name\":\"Acme\\tTab\\nNewline\"")));
        assert!(!text.iter().any(|l| l.contains("users_search")));
    }

    #[tokio::test]
    async fn transfer_page_size_does_not_change_the_export() {
        let dir = tempfile::tempdir().unwrap();
        let (source, exported) = seeded(dir.path()).await;
        // Pages of one and two rows walk every keyset boundary, role_permissions' two-column key included.
        assert_eq!(export_bytes(source.backend(), 1).await, exported);
        assert_eq!(export_bytes(source.backend(), 2).await, exported);
    }

    #[tokio::test]
    async fn transfer_imported_store_serves_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let (source, exported) = seeded(dir.path()).await;
        let target = sqlite(dir.path(), "target.db").await;
        import_bytes(&target, exported).await.unwrap();

        let instance = target.authenticate(SECRET).await.unwrap().expect("the hashed key came along");
        let before =
            source.list_memberships(&instance.id, None, Default::default(), Default::default(), Default::default());
        let after =
            target.list_memberships(&instance.id, None, Default::default(), Default::default(), Default::default());
        let (before, after) = (before.await.unwrap(), after.await.unwrap());
        assert_eq!(before, after);
        assert_eq!(after.total_count, 2);
        // New rows get rowids past the imported ones: a new member lists after the imported ones.
        let user = target.create_user(&instance.id, NewUser::default()).await.unwrap();
        let org = after.data[0].organization.id.clone();
        let member =
            NewMembership { organization_id: org, user_id: user.id, role: "org:member".into(), ..Default::default() };
        target.create_membership(&instance.id, member).await.unwrap();
    }

    #[tokio::test]
    async fn transfer_truncated_file_is_refused_and_leaves_the_target_empty() {
        let dir = tempfile::tempdir().unwrap();
        let (_source, exported) = seeded(dir.path()).await;
        let text = lines(&exported);
        let cut = text[..text.len() - 1].join("\n") + "\n";
        let target = sqlite(dir.path(), "target.db").await;
        let err = import_bytes(&target, cut.into_bytes()).await.unwrap_err();
        assert!(matches!(err, TransferError::Truncated), "{err}");
        assert!(target.list_instances().await.unwrap().is_empty(), "nothing was imported");
        // Cut inside a row: that line is damaged JSON, named by its number.
        let half = String::from_utf8_lossy(&exported[..exported.len() / 2]).into_owned();
        let err = import_bytes(&target, half.into_bytes()).await.unwrap_err();
        assert!(matches!(err, TransferError::Format { .. } | TransferError::Truncated), "{err}");
        assert!(target.list_instances().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn transfer_tampered_row_is_refused_and_leaves_the_target_empty() {
        let dir = tempfile::tempdir().unwrap();
        let (_source, exported) = seeded(dir.path()).await;
        let tampered = String::from_utf8(exported).unwrap().replace("\"username\":\"bobby\"", "\"username\":\"robby\"");
        let target = sqlite(dir.path(), "target.db").await;
        let err = import_bytes(&target, tampered.into_bytes()).await.unwrap_err();
        assert!(matches!(err, TransferError::Checksum { table: "users", count: 2, found: 2, .. }), "{err}");
        assert!(target.list_instances().await.unwrap().is_empty(), "rolled back");
    }

    #[tokio::test]
    async fn transfer_into_a_database_with_instances_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (source, exported) = seeded(dir.path()).await;
        let err = import_bytes(&source, exported.clone()).await.unwrap_err();
        assert!(matches!(err, TransferError::NotEmpty), "{err}");
        assert!(err.to_string().contains("already holds instances"));
        assert_eq!(export_bytes(source.backend(), PAGE_ROWS).await, exported, "unchanged");
    }

    #[tokio::test]
    async fn transfer_malformed_lines_are_named_by_number() {
        let dir = tempfile::tempdir().unwrap();
        let (_source, exported) = seeded(dir.path()).await;
        let text = lines(&exported);
        let target = sqlite(dir.path(), "target.db").await;
        let with = |at: usize, line: &str| {
            let mut edited = text.clone();
            edited[at] = line.to_owned();
            (edited.join("\n") + "\n").into_bytes()
        };
        let row = |table: &str, row: &str| format!("{{\"table\":\"{table}\",\"row\":{row}}}");
        let users_line = text.iter().position(|l| l.starts_with("{\"table\":\"users\"")).unwrap();
        // Alice and Bob differ in `banned`; which comes first depends on their random ids.
        let banned =
            ["\"banned\":false", "\"banned\":true"].into_iter().find(|b| text[users_line].contains(b)).unwrap();
        let cases = [
            (with(0, "{\"hello\":1}"), 1, "not a Roster export header"),
            (with(2, "not json"), 3, "not valid JSON"),
            (with(2, &row("nope", "{}")), 3, "unknown table \"nope\""),
            (with(1, "[1,2]"), 2, "expected a JSON object"),
            (
                with(users_line, &text[users_line].replace(banned, "\"banned\":0")),
                users_line as u64 + 1,
                "users.banned: expected Bool",
            ),
            (
                with(users_line, &text[users_line].replace(&format!("{banned},"), "")),
                users_line as u64 + 1,
                "users.banned: missing",
            ),
            (
                with(users_line, &text[users_line].replace("\"banned\":", "\"bann\":")),
                users_line as u64 + 1,
                "unknown column \"bann\"",
            ),
            (
                with(users_line, &text[users_line].replace("\"created_at\":", "\"created_at\":null,\"x\":")),
                users_line as u64 + 1,
                "unknown column",
            ),
            (with(users_line, &text[1]), users_line as u64 + 1, "a row of instances after rows of"),
            ([exported.clone(), exported.clone()].concat(), text.len() as u64 + 1, "after the summary line"),
        ];
        for (bytes, line, needle) in cases {
            let err = import_bytes(&target, bytes).await.unwrap_err();
            assert!(matches!(&err, TransferError::Format { line: l, .. } if *l == line), "{needle}: {err}");
            assert!(err.to_string().contains(needle), "{err}");
        }
        let err = import_bytes(&target, Vec::new()).await.unwrap_err();
        assert!(matches!(err, TransferError::Empty), "{err}");
        let err = import_bytes(&target, vec![0xff, b'\n']).await.unwrap_err();
        assert!(err.to_string().contains("line 1: not valid UTF-8"), "{err}");
        let future = with(0, "{\"roster_export\":1,\"schema_version\":99}");
        let err = import_bytes(&target, future).await.unwrap_err();
        assert!(matches!(err, TransferError::SchemaVersion { file: 99, .. }), "{err}");
        assert!(target.list_instances().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn transfer_reports_progress_per_table() {
        #[derive(Default)]
        struct Record(Mutex<Vec<String>>);
        impl Progress for Record {
            fn start(&self, table: &'static str, total: Option<u64>) {
                self.0.lock().unwrap().push(format!("start {table} {total:?}"));
            }
            fn finish(&self, table: &'static str, done: u64) {
                self.0.lock().unwrap().push(format!("finish {table} {done}"));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let (source, _) = seeded(dir.path()).await;
        let record = Arc::new(Record::default());
        export(source.backend(), io::sink(), record.clone()).await.unwrap();
        let seen = record.0.lock().unwrap().clone();
        assert_eq!(seen.len(), 2 * TABLES.len());
        assert_eq!(seen[0], "start instances Some(2)");
        assert_eq!(seen[1], "finish instances 2");
    }

    /// The spec names every column of every table, with the schema's nullability and primary key: a
    /// migration that adds a column fails here until the spec (and so the export) carries it.
    #[tokio::test]
    async fn transfer_spec_matches_the_sqlite_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite(dir.path(), "schema.db").await;
        let tables: Vec<String> = store
            .backend()
            .read(|c| {
                let sql =
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
                Ok(c.query(sql, &[])?.iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap();
        let left_out = |t: &String| {
            NOT_EXPORTED.iter().any(|n| n.strip_suffix('*').map_or(t == n, |prefix| t.starts_with(prefix)))
        };
        let tables: Vec<String> = tables.into_iter().filter(|t| !left_out(t)).collect();
        let mut spec: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        spec.sort_unstable();
        assert_eq!(tables, spec, "every table is exported or listed in NOT_EXPORTED");
        for table in TABLES {
            let name = table.name;
            let columns = store
                .backend()
                .read(move |c| {
                    Ok(c.query(&format!("SELECT name, \"notnull\", pk FROM pragma_table_info('{name}')"), &[])?)
                })
                .await
                .unwrap();
            // SQLite reports a TEXT PRIMARY KEY without NOT NULL as nullable (a legacy quirk); Roster never
            // stores a NULL id, and PostgreSQL's primary keys are NOT NULL.
            let nullable = |r: &Row| r.get::<i64>(1).unwrap() == 0 && r.get::<i64>(2).unwrap() == 0;
            let mut found: Vec<(String, bool)> =
                columns.iter().map(|r| (r.get::<String>(0).unwrap(), nullable(r))).collect();
            if table.rowid {
                found.push(("rowid".into(), false));
            }
            let mut wanted: Vec<(String, bool)> =
                table.columns.iter().map(|c| (c.name.to_owned(), c.nullable)).collect();
            found.sort();
            wanted.sort();
            assert_eq!(found, wanted, "{name}");
            let mut key: Vec<(i64, String)> = columns
                .iter()
                .filter(|r| r.get::<i64>(2).unwrap() > 0)
                .map(|r| (r.get::<i64>(2).unwrap(), r.get::<String>(0).unwrap()))
                .collect();
            key.sort();
            assert_eq!(key.into_iter().map(|(_, k)| k).collect::<Vec<_>>(), table.key, "{name}");
        }
    }

    /// The same on PostgreSQL, where the column types tell flags from integers. Runs where
    /// `ROSTER_TEST_POSTGRES_URL` names a server.
    #[tokio::test]
    async fn transfer_spec_matches_the_postgres_schema() {
        let Some(db) = roster_testdb::postgres_or_skip("the PostgreSQL schema check") else { return };
        let store = crate::postgres::PostgresStore::open(&db.url, Default::default()).await.unwrap();
        let tables = store
            .backend()
            .read(|c| {
                let sql =
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                           AND table_name NOT IN ('schema_migrations', 'rate_limits') ORDER BY table_name";
                Ok(c.query(sql, &[])?.iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap();
        let mut spec: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        spec.sort_unstable();
        assert_eq!(tables, spec);
        for table in TABLES {
            let name = table.name;
            let columns = store
                .backend()
                .read(move |c| {
                    let sql =
                        "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
                               WHERE table_schema = current_schema() AND table_name = ?1";
                    Ok(c.query(sql, crate::vals![name])?)
                })
                .await
                .unwrap();
            let mut found: Vec<(String, Kind, bool)> = columns
                .iter()
                .map(|r| {
                    let kind = match r.get::<String>(1).unwrap().as_str() {
                        "bigint" => Kind::Int,
                        "boolean" => Kind::Bool,
                        "text" => Kind::Text,
                        other => panic!("{name}: unexpected type {other}"),
                    };
                    (r.get::<String>(0).unwrap(), kind, r.get::<String>(2).unwrap() == "YES")
                })
                .collect();
            let mut wanted: Vec<(String, Kind, bool)> =
                table.columns.iter().map(|c| (c.name.to_owned(), c.kind, c.nullable)).collect();
            found.sort_by(|a, b| a.0.cmp(&b.0));
            wanted.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(found, wanted, "{name}");
        }
    }

    /// SQLite to PostgreSQL and back to an export: byte-identical, and PostgreSQL's identity sequences moved
    /// past the imported rowids (a new membership would otherwise collide with an imported one). Runs where
    /// `ROSTER_TEST_POSTGRES_URL` names a server.
    #[tokio::test]
    async fn transfer_sqlite_to_postgres_is_byte_identical() {
        let Some(db) = roster_testdb::postgres_or_skip("the SQLite to PostgreSQL round trip") else { return };
        let dir = tempfile::tempdir().unwrap();
        let (_source, exported) = seeded(dir.path()).await;
        let target = crate::postgres::PostgresStore::open(&db.url, Default::default()).await.unwrap();
        let input = Input::stream(io::Cursor::new(exported.clone()));
        import(target.backend(), input, Arc::new(NoProgress)).await.unwrap();
        assert_eq!(export_bytes(target.backend(), 2).await, exported);

        // Each identity sequence hands out a rowid past the imported ones. (Checked on the sequence itself: a
        // colliding insert would be retried by the backend, each retry advancing the sequence, and so hide it.)
        for table in TABLES.iter().filter(|t| t.rowid) {
            let name = table.name;
            let (next, max) = target
                .backend()
                .write(move |c| {
                    let sql = format!(
                        "SELECT nextval(pg_get_serial_sequence('{name}', 'rowid')), (SELECT coalesce(max(rowid), 0) FROM {name})"
                    );
                    let row = c.query_one(&sql, &[])?;
                    Ok((row.get::<i64>(0)?, row.get::<i64>(1)?))
                })
                .await
                .unwrap();
            assert!(max > 0 && next == max + 1, "{name}: next rowid {next}, imported up to {max}");
        }
        let instance = target.authenticate(SECRET).await.unwrap().expect("the hashed key came along");
        let org = target.list_organizations(&instance.id, Default::default(), Default::default(), Default::default());
        let org = org.await.unwrap().data.remove(0).id;
        let user = target.create_user(&instance.id, NewUser::default()).await.unwrap().id;
        let member = NewMembership {
            organization_id: org,
            user_id: user.clone(),
            role: "org:member".into(),
            ..Default::default()
        };
        target.create_membership(&instance.id, member).await.unwrap();
        target.create_session(&instance.id, &user, None).await.unwrap();
        let err = import(target.backend(), Input::stream(io::Cursor::new(exported)), Arc::new(NoProgress)).await;
        assert!(matches!(err, Err(TransferError::NotEmpty)), "{err:?}");
    }
}
