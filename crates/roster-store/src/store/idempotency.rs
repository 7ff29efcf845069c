//! Every write of `SqlStore` goes through `SqlStore::write`: where the request being handled carries an
//! idempotency key (`roster_core::idempotency`), the key is claimed, the work runs and the response rendered
//! from its result is stored, in one transaction.

use std::any::Any;

use roster_core::idempotency::{self, Recorded};
use roster_core::store::Result;
use roster_core::{DomainError, InstanceId};

use super::{Backend, SqlStore};
use crate::logic::{self, Tx};
use crate::sql::Db;

impl<B: Backend> SqlStore<B> {
    /// Run `work` as a write transaction, with the idempotency claim of the current request if it has one.
    pub(super) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Tx<T> + Clone + Send + 'static,
    {
        let Some(claim) = idempotency::claim_for_write() else {
            return self.backend.write(work).await;
        };
        self.backend
            .write(move |c| {
                logic::idempotency::claim(c, &claim, roster_core::now_millis())?;
                let value = work(c)?;
                let response = (claim.render)(&value as &dyn Any).ok_or_else(|| {
                    DomainError::Internal("idempotency: the handler's renderer does not take this result".into())
                })?;
                logic::idempotency::complete(c, &claim, &response)?;
                Ok(value)
            })
            .await
    }

    pub(super) async fn find_idempotency_key(
        &self,
        instance_id: &InstanceId,
        key: &str,
        expired_before_ms: i64,
    ) -> Result<Option<Recorded>> {
        let (ins, key) = (instance_id.to_owned(), key.to_owned());
        self.backend.read_statement(move |c| logic::idempotency::find(c, &ins, &key, expired_before_ms)).await
    }

    pub(super) async fn purge_expired_idempotency_keys(&self, before_ms: i64) -> Result<u64> {
        self.backend.write(move |c| logic::idempotency::purge(c, before_ms)).await
    }
}
