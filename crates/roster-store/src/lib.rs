//! Store implementations of `roster_core::Store`. `sqlite` is the embedded default: one writer thread
//! that group-commits concurrent writes, and a pool of read connections. `postgres` serves several Roster
//! processes over one database: a transaction per request on a connection pool. Both run the same use-case
//! logic (`logic`), written against the small SQL access layer `sql`, through the one `Store` implementation
//! in `store`.
#![forbid(unsafe_code)]

mod keycache;
mod logic;
pub mod postgres;
pub mod sql;
pub mod sqlite;
pub mod store;
pub mod transfer;

pub use logic::{StoreError, Tx};

use roster_core::{DomainError, Store};
use std::sync::Arc;

/// Whether a database URL names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The database a URL names, told apart once for every entry point (`open`, `check`, `transfer::*_url`):
/// `postgres://…` (or `postgresql://…`), else a SQLite file, `sqlite://PATH`, `sqlite:PATH` or a bare path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Database<'a> {
    /// The URL, as the PostgreSQL client takes it.
    Postgres(&'a str),
    /// The SQLite file's path.
    Sqlite(&'a str),
}

/// A store opened by `Database::open`, with its concrete type (the transfer works on its backend).
pub(crate) enum Opened {
    Postgres(postgres::PostgresStore),
    Sqlite(sqlite::SqliteStore),
}

impl<'a> Database<'a> {
    pub(crate) fn of(url: &'a str) -> Self {
        if is_postgres(url) {
            Self::Postgres(url)
        } else {
            Self::Sqlite(url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url))
        }
    }

    /// Open the store, applying pending migrations.
    pub(crate) async fn open(self, options: sqlite::Options, pg: postgres::Options) -> Result<Opened, DomainError> {
        Ok(match self {
            Self::Postgres(url) => Opened::Postgres(postgres::PostgresStore::open(url, pg).await?),
            Self::Sqlite(path) => Opened::Sqlite(sqlite::SqliteStore::open(path, options).await?),
        })
    }
}

/// Open the store a database URL names: `postgres://…` (or `postgresql://…`), or `sqlite://PATH` (or a bare
/// path). Pending migrations are applied.
pub async fn open(url: &str, options: sqlite::Options, pg: postgres::Options) -> Result<Arc<dyn Store>, DomainError> {
    Ok(match Database::of(url).open(options, pg).await? {
        Opened::Postgres(store) => Arc::new(store),
        Opened::Sqlite(store) => Arc::new(store),
    })
}

/// Check the database a URL names without opening it as a store (no migrations, nothing created):
/// `["ok"]`, or one line per problem found.
pub async fn check(url: &str) -> Result<Vec<String>, DomainError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || match Database::of(&url) {
        Database::Postgres(url) => postgres::check(url),
        Database::Sqlite(path) => sqlite::integrity_check(path),
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))?
}
