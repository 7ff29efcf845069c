//! Which database a URL names, and opening it with its concrete store type.

use roster_core::DomainError;

use crate::{postgres, sqlite};

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
