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

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)
}

/// Open the store a database URL names: `postgres://…` (or `postgresql://…`), or `sqlite://PATH` (or a bare
/// path). Pending migrations are applied.
pub async fn open(url: &str, options: sqlite::Options, pg: postgres::Options) -> Result<Arc<dyn Store>, DomainError> {
    if is_postgres(url) {
        return Ok(Arc::new(postgres::PostgresStore::open(url, pg).await?));
    }
    Ok(Arc::new(sqlite::SqliteStore::open(sqlite_path(url), options).await?))
}

/// Check the database a URL names without opening it as a store (no migrations, nothing created):
/// `["ok"]`, or one line per problem found.
pub async fn check(url: &str) -> Result<Vec<String>, DomainError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        if is_postgres(&url) {
            postgres::check(&url)
        } else {
            sqlite::integrity_check(sqlite_path(&url))
        }
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))?
}
