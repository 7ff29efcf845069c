//! Webhook endpoints and the deliveries of the event log to them (`crate::events`), as a store keeps them.
//!
//! Each enabled endpoint has a cursor in the log: `EventLog::advance_events` queues a delivery for every later
//! event of its instance whose type it takes, and moves the cursor. A delivery is pending until an attempt
//! succeeds (2xx) or the retry schedule is used up (then `failed`, replayable with `recover`). Deliveries of one
//! endpoint with the same order key (`Record::order_key`: the organization, for organization and membership
//! events) go out one after another: a worker claims the head of each key's queue and the pending deliveries
//! right behind it (a *run*) under a lease, sends them in order, stops at the first failure, and reports.
//! A lease that runs out (its node died) gives the run back to every worker.

use async_trait::async_trait;

use crate::events::{Event, EventQuery};
use crate::model::Page;
use crate::query::Pagination;
use crate::{DomainError, InstanceId};

type Result<T> = std::result::Result<T, DomainError>;

/// A webhook endpoint, without its secret (shown only when created or rotated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub instance_id: String,
    pub url: String,
    pub description: String,
    /// The event types it takes; empty: all of them.
    pub event_types: Vec<String>,
    pub disabled: bool,
    /// Why it is disabled: `manual` (by a request) or `failing` (its deliveries kept failing).
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An endpoint to create. `secret` is stored as given (the server seals it first, to its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub secret: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointUpdate {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// Enabling an endpoint resumes its deliveries where its cursor stopped.
    pub disabled: Option<bool>,
}

/// A new secret for an endpoint; the old one keeps signing beside it until `previous_valid_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRotation {
    pub secret: String,
    pub previous_valid_until: i64,
}

/// One attempt to deliver an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub event_seq: i64,
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    pub succeeded: bool,
    /// The receiver's status, when it answered.
    pub status_code: Option<i64>,
    /// Why it failed, when it did: a status that is not 2xx, a timeout, a refused connection.
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

/// What a worker asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRequest {
    /// Who holds the lease (a node's id), for operators reading the table.
    pub owner: String,
    pub now: i64,
    /// How long the claimed deliveries are the worker's.
    pub lease_ms: i64,
    /// At most this many deliveries in all…
    pub max: i64,
    /// …and at most this many of one order key.
    pub run: i64,
}

/// A claimed delivery: the event, where it goes and how to sign it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub endpoint_id: String,
    pub url: String,
    /// The endpoint's secrets as stored (sealed): the current one first, then the previous one while valid.
    pub secrets: Vec<String>,
    pub order_key: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub event: Event,
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub endpoint_id: String,
    pub event_seq: i64,
    /// The number of this attempt (1 for the first).
    pub attempt: i64,
    pub succeeded: bool,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: i64,
}

/// How failures are handled, the same on every node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before each retry, in milliseconds: after failed attempt `n` (1-based) the next is due
    /// `schedule[n - 1]` later; when the schedule is used up the delivery is `failed`.
    pub schedule_ms: Vec<i64>,
    /// An endpoint with no successful delivery for this long while its deliveries fail is disabled
    /// (`disabled_reason: failing`).
    pub disable_after_ms: i64,
}

impl RetryPolicy {
    /// Svix's schedule: the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later.
    pub const SVIX_SCHEDULE_MS: [i64; 7] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    /// Svix disables an endpoint that has been failing for five days.
    pub const DISABLE_AFTER_MS: i64 = 5 * 24 * 3600 * 1000;

    /// When the attempt after failed attempt `attempt` is due, or `None` when there is none left.
    pub fn next_attempt_at(&self, attempt: i64, at: i64) -> Option<i64> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        self.schedule_ms.get(index).map(|wait| at.saturating_add(*wait))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { schedule_ms: Self::SVIX_SCHEDULE_MS.to_vec(), disable_after_ms: Self::DISABLE_AFTER_MS }
    }
}

/// The event log and its deliveries: a part of every `Store`.
#[async_trait]
pub trait EventLog: Send + Sync {
    /// The instance's events after `query.after`, oldest first.
    async fn list_events(&self, instance_id: &InstanceId, query: EventQuery) -> Result<Vec<Event>>;
    /// Give committed events their place in the log where the backend needs a sequencer (PostgreSQL), and
    /// queue deliveries of new events to every enabled endpoint. Returns how many deliveries were queued.
    async fn advance_events(&self) -> Result<u64>;
    /// Give committed events their place in the log now (PostgreSQL; nothing to do on SQLite), so a read of the
    /// log that follows sees every write acknowledged before it.
    async fn place_events(&self) -> Result<()>;
    /// Delete events written before `before_ms`, with their deliveries and attempts; how many events went.
    async fn purge_events(&self, before_ms: i64) -> Result<u64>;

    async fn create_webhook_endpoint(&self, instance_id: &InstanceId, endpoint: NewEndpoint)
        -> Result<WebhookEndpoint>;
    async fn list_webhook_endpoints(&self, instance_id: &InstanceId, page: Pagination)
        -> Result<Page<WebhookEndpoint>>;
    async fn get_webhook_endpoint(&self, instance_id: &InstanceId, id: &str) -> Result<WebhookEndpoint>;
    async fn update_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        id: &str,
        update: EndpointUpdate,
    ) -> Result<WebhookEndpoint>;
    /// Delete an endpoint and every delivery queued for it.
    async fn delete_webhook_endpoint(&self, instance_id: &InstanceId, id: &str) -> Result<WebhookEndpoint>;
    async fn rotate_webhook_secret(
        &self,
        instance_id: &InstanceId,
        id: &str,
        rotation: SecretRotation,
    ) -> Result<WebhookEndpoint>;
    /// The secrets of an endpoint as stored: the current one first, then the previous one while valid at `now`.
    async fn webhook_secrets(&self, instance_id: &InstanceId, id: &str, now: i64) -> Result<Vec<String>>;
    /// The endpoint's attempts, newest first.
    async fn list_webhook_attempts(
        &self,
        instance_id: &InstanceId,
        id: &str,
        page: Pagination,
    ) -> Result<Page<Attempt>>;
    /// Queue again, due now, the endpoint's failed deliveries of events written at or after `since_ms`; how many.
    async fn recover_webhook_deliveries(&self, instance_id: &InstanceId, id: &str, since_ms: i64) -> Result<u64>;

    /// Lease the deliveries due now: the head of each order key's queue and the ones right behind it.
    async fn claim_deliveries(&self, lease: LeaseRequest) -> Result<Vec<Claimed>>;
    /// Record attempts, and end the leases of the claimed deliveries that were not attempted (`released`).
    async fn finish_deliveries(
        &self,
        policy: &RetryPolicy,
        finished: Vec<Finished>,
        released: Vec<(String, i64)>,
    ) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_runs_out_after_its_last_wait() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_attempt_at(1, 1000), Some(6000));
        assert_eq!(policy.next_attempt_at(7, 0), Some(36_000_000));
        assert_eq!(policy.next_attempt_at(8, 0), None, "eight attempts in all");
        assert_eq!(policy.next_attempt_at(0, 0), None);
    }
}
