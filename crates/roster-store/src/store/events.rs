//! `EventLog` for every SQL backend: the event log's reads and upkeep, webhook endpoints, and the delivery
//! machinery the server's workers drive.

use async_trait::async_trait;

use roster_core::events::{Event, EventQuery};
use roster_core::model::Page;
use roster_core::query::Pagination;
use roster_core::store::Result;
use roster_core::webhooks::{
    Attempt, Claimed, EndpointUpdate, EventLog, Finished, LeaseRequest, NewEndpoint, RetryPolicy, SecretRotation,
    WebhookEndpoint,
};
use roster_core::InstanceId;

use super::{Backend, SqlStore};
use crate::logic::{events, webhooks};

#[async_trait]
impl<B: Backend> EventLog for SqlStore<B> {
    async fn list_events(&self, instance_id: &InstanceId, query: EventQuery) -> Result<Vec<Event>> {
        let ins = instance_id.to_owned();
        self.backend.read_statement(move |c| events::list(c, &ins, &query)).await
    }

    async fn advance_events(&self) -> Result<u64> {
        // Reads first: an idle log costs no write transaction.
        let (unplaced, behind) =
            self.backend.read(|c| Ok((events::unsequenced(c)?, webhooks::delivery::behind(c)?))).await?;
        if !unplaced && !behind {
            return Ok(0);
        }
        let now = roster_core::now_millis();
        self.backend
            .write(move |c| {
                // Under the sequencer's lock (PostgreSQL), so two nodes never queue the same events at once.
                events::sequence(c)?;
                webhooks::delivery::fan_out(c, now)
            })
            .await
    }

    async fn place_events(&self) -> Result<()> {
        if self.backend.read(|c| events::unsequenced(c)).await? {
            self.backend.write(|c| events::sequence(c).map(|_| ())).await?;
        }
        Ok(())
    }

    async fn purge_events(&self, before_ms: i64) -> Result<u64> {
        self.backend.write(move |c| events::purge(c, before_ms)).await
    }

    async fn create_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint: NewEndpoint,
    ) -> Result<WebhookEndpoint> {
        let ins = instance_id.to_owned();
        self.backend.write(move |c| webhooks::create(c, &ins, endpoint)).await
    }

    async fn list_webhook_endpoints(
        &self,
        instance_id: &InstanceId,
        page: Pagination,
    ) -> Result<Page<WebhookEndpoint>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| webhooks::list(c, &ins, page)).await
    }

    async fn get_webhook_endpoint(&self, instance_id: &InstanceId, id: &str) -> Result<WebhookEndpoint> {
        let (ins, id) = (instance_id.to_owned(), id.to_owned());
        self.backend.read_small(move |c| webhooks::get(c, &ins, &id)).await
    }

    async fn update_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        id: &str,
        update: EndpointUpdate,
    ) -> Result<WebhookEndpoint> {
        let (ins, id) = (instance_id.to_owned(), id.to_owned());
        self.backend.write(move |c| webhooks::update(c, &ins, &id, update)).await
    }

    async fn delete_webhook_endpoint(&self, instance_id: &InstanceId, id: &str) -> Result<WebhookEndpoint> {
        let (ins, id) = (instance_id.to_owned(), id.to_owned());
        self.backend.write(move |c| webhooks::delete(c, &ins, &id)).await
    }

    async fn rotate_webhook_secret(
        &self,
        instance_id: &InstanceId,
        id: &str,
        rotation: SecretRotation,
    ) -> Result<WebhookEndpoint> {
        let (ins, id) = (instance_id.to_owned(), id.to_owned());
        self.backend.write(move |c| webhooks::rotate_secret(c, &ins, &id, rotation)).await
    }

    async fn webhook_secrets(&self, instance_id: &InstanceId, id: &str, now: i64) -> Result<Vec<String>> {
        let (ins, id) = (instance_id.to_owned(), id.to_owned());
        self.backend.read_small(move |c| webhooks::secrets(c, &ins, &id, now)).await
    }

    async fn list_webhook_attempts(
        &self,
        instance_id: &InstanceId,
        id: &str,
        page: Pagination,
    ) -> Result<Page<Attempt>> {
        let (ins, id) = (instance_id.to_owned(), id.to_owned());
        self.backend.read(move |c| webhooks::attempts(c, &ins, &id, page)).await
    }

    async fn recover_webhook_deliveries(&self, instance_id: &InstanceId, id: &str, since_ms: i64) -> Result<u64> {
        let (ins, id, now) = (instance_id.to_owned(), id.to_owned(), roster_core::now_millis());
        self.backend.write(move |c| webhooks::delivery::recover(c, &ins, &id, since_ms, now)).await
    }

    async fn claim_deliveries(&self, lease: LeaseRequest) -> Result<Vec<Claimed>> {
        // Only the lease is a write: what is due is read before it, the events it leased after it (decoding
        // their payloads off SQLite's one writer).
        let now = lease.now;
        let ask = lease.clone();
        let wanted = self.backend.read_statement(move |c| webhooks::delivery::candidates(c, &ask)).await?;
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let kept = self.backend.write(move |c| webhooks::delivery::lease(c, &lease, wanted)).await?;
        self.backend.read(move |c| webhooks::delivery::load(c, kept, now)).await
    }

    async fn finish_deliveries(
        &self,
        policy: &RetryPolicy,
        finished: Vec<Finished>,
        released: Vec<(String, i64)>,
    ) -> Result<()> {
        let policy = policy.clone();
        self.backend
            .write(move |c| {
                webhooks::delivery::finish(c, &policy, &finished)?;
                webhooks::delivery::release(c, &released)
            })
            .await
    }
}
