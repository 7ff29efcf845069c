//! Store implementations of `roster_core::Store`. `sqlite` is the embedded default: one writer thread
//! that group-commits concurrent writes, and a pool of read connections.
#![forbid(unsafe_code)]

pub mod sqlite;

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
