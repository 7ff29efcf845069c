//! Store implementations of `roster_core::Store`. `sqlite` is the embedded default: one writer thread
//! that group-commits concurrent writes, and a pool of read connections. `postgres` serves several Roster
//! processes over one database: a transaction per request on a connection pool. Both run the same use-case
//! logic (`logic`), written against the small SQL access layer `sql`, through the one `Store` implementation
//! in `store`.
#![forbid(unsafe_code)]

mod database;
mod keycache;
mod logic;
pub mod postgres;
pub mod sql;
pub mod sqlite;
pub mod store;
pub mod transfer;

pub use database::is_postgres;
pub use logic::{StoreError, Tx};

use database::{Database, Opened};

use roster_core::{DomainError, Store};
use std::sync::Arc;

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
