//! The use-case logic of the store, written once against `sql::Db` and shared by every backend: the rules
//! checked inside a write transaction, the SQL of lists and filters, and the decoding of rows. The few
//! statements that differ between dialects go through small helpers matching on `Db::dialect`.

pub mod filter;
pub mod instances;
pub mod memberships;
pub mod orgs;
pub mod roles;
pub mod rows;
pub mod sessions;
pub mod users;

use roster_core::DomainError;

use crate::sql::DbError;

/// Errors inside a store transaction: a rule the domain reports, or a database failure.
#[derive(Debug)]
pub enum StoreError {
    Domain(DomainError),
    Sql(DbError),
}

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> Self {
        Self::Domain(e)
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        Self::Sql(e)
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d,
            StoreError::Sql(e) => DomainError::Internal(e.to_string()),
        }
    }
}

/// The result of work inside a store transaction.
pub type Tx<T> = std::result::Result<T, StoreError>;
