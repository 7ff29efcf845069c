//! The kinds of write `SqlStore` runs besides plain ones (`SqlStore::write`, in `idempotency`): role writes,
//! which move the roles' version, and writes that can change a key, which end the cached keys.

use roster_core::store::Result;

use super::{rows, Backend, SqlStore};
use crate::logic::Tx;
use crate::sql::Db;

impl<B: Backend> SqlStore<B> {
    /// A role or permission write: bumps the instance's `roles_version` in the same transaction and, once
    /// committed, this process's role cache generation.
    pub(super) async fn role_write<T, F>(&self, instance_id: &str, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        let ins = instance_id.to_owned();
        let out = self
            .write(move |c| {
                let value = work(c)?;
                rows::roles::bump_roles_version(c, &ins)?;
                Ok(value)
            })
            .await;
        self.roles.invalidate();
        // The instance's settings name roles by key.
        self.keys_changed();
        out
    }

    /// A write that can change a key or an instance (committed or not) has finished.
    pub(super) fn keys_changed(&self) {
        if let Some(keys) = &self.keys {
            keys.invalidate();
        }
    }

    /// Run a write that can change a key or an instance, then end the cached keys.
    pub(super) async fn key_write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        let out = self.write(work).await;
        self.keys_changed();
        out
    }
}
