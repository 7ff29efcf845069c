//! Store implementations of `roster_core::Store`. `sqlite` is the embedded default: one writer thread
//! that group-commits concurrent writes, and a pool of read connections. The use-case logic (`logic`) is
//! written against the small SQL access layer `sql`, so another backend reuses it by implementing `sql::Db`.
#![forbid(unsafe_code)]

mod logic;
pub mod sql;
pub mod sqlite;

pub use logic::{StoreError, Tx};

use roster_core::{DomainError, Store};
use std::sync::Arc;

/// Open the store a database URL names: `sqlite://PATH` (or a bare path).
pub async fn open(url: &str, options: sqlite::Options) -> Result<Arc<dyn Store>, DomainError> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(DomainError::Internal("PostgreSQL support is not built into this version of Roster".into()));
    }
    let store = sqlite::SqliteStore::open(path, options).await?;
    Ok(Arc::new(store))
}

/// Check the database a URL names without opening it as a store (no migrations, nothing created):
/// `["ok"]`, or one line per problem found.
pub async fn check(url: &str) -> Result<Vec<String>, DomainError> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url).to_owned();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(DomainError::Internal("PostgreSQL support is not built into this version of Roster".into()));
    }
    tokio::task::spawn_blocking(move || sqlite::integrity_check(&path))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
}
