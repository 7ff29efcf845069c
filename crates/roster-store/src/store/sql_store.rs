//! The store over a SQL backend, and the caches it keeps beside the database.

use std::sync::Arc;

use super::Backend;
use crate::keycache::KeyCache;
use crate::logic::rows;

/// A store over a SQL backend.
pub struct SqlStore<B> {
    pub(crate) backend: B,
    /// Role maps for reads (see `RolesCache` for how each backend keeps them current).
    pub(crate) roles: Arc<rows::roles::RolesCache>,
    /// Role maps for membership writes, always checked against `roles_version` inside the write's own
    /// transaction: a batch of the SQLite writer can hold a role write whose commit is still to come. Where reads
    /// check `roles_version` too (PostgreSQL), this is the same cache as `roles`.
    pub(crate) write_roles: Arc<rows::roles::RolesCache>,
    /// Keys for authentication, where this process is the database's only server (see `keycache`).
    pub(crate) keys: Option<KeyCache>,
}

impl<B: Backend> SqlStore<B> {
    pub fn new(backend: B) -> Self {
        let versioned = Arc::new(rows::roles::RolesCache::versioned());
        let (roles, write_roles) = if backend.sole_writer() {
            (Arc::new(rows::roles::RolesCache::default()), versioned)
        } else {
            (versioned.clone(), versioned)
        };
        let keys = backend.sole_writer().then(KeyCache::default);
        Self { backend, roles, write_roles, keys }
    }

    /// The backend (its counters, or to run custom work on it).
    pub fn backend(&self) -> &B {
        &self.backend
    }
}
