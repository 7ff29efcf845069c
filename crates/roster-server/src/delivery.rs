//! The delivery worker every node runs: it advances the log (sequencing on PostgreSQL, queueing deliveries),
//! leases the runs that are due, sends each run in order (runs of different order keys side by side), and
//! records what came of each attempt. Any number of nodes run it over one database: leases keep them off each
//! other's runs, and a node that dies leaves its runs to the others when their leases end. It also purges
//! events past their retention.

use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use roster_core::webhooks::{Claimed, Finished, LeaseRequest};
use roster_core::DomainError;

use crate::state::AppState;
use crate::webhooks::{open_keys, send, WebhookSettings};

/// The most deliveries one round leases, and the most of one order key.
const ROUND: i64 = 512;
const RUN: i64 = 32;
/// A lease covers this many requests that take the whole timeout (and 5 s more): a lane whose run takes
/// longer releases the rest of it, so a node that dies leaves its work to the others within a few timeouts.
const LEASED_TIMEOUTS: u32 = 4;
/// How often events past their retention are purged: a quarter of the retention, at most hourly.
fn purge_every(retention: Duration) -> Duration {
    (retention / 4).clamp(Duration::from_millis(100), Duration::from_secs(3600))
}

/// How many delivery loops a node runs side by side: while one sends, the other leases and records.
const DELIVERY_LOOPS: usize = 2;

/// Deliver until the task is dropped: one loop keeps the log moving (sequencing, queueing, purging), the others
/// lease and send, so neither waits for the other.
pub async fn run(state: AppState) {
    let settings = state.config.webhooks.clone();
    let client = send::client(settings.timeout);
    let owner = roster_core::ids::new_id("node");
    let mut loops = JoinSet::new();
    loops.spawn(advance(state.clone()));
    for _ in 0..DELIVERY_LOOPS {
        let (state, client, settings, owner) = (state.clone(), client.clone(), settings.clone(), owner.clone());
        loops.spawn(async move {
            loop {
                let worked = match round(&state, &client, &settings, &owner).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook deliveries: a round failed");
                        0
                    }
                };
                if worked == 0 {
                    tokio::time::sleep(settings.poll).await;
                }
            }
        });
    }
    // The loops never end; dropping this task (the server stopping) aborts them with the set.
    while loops.join_next().await.is_some() {}
}

/// Place committed events in the log (PostgreSQL), queue their deliveries, and purge what is past retention.
async fn advance(state: AppState) {
    let settings = state.config.webhooks.clone();
    let mut purged_at: Option<Instant> = None;
    loop {
        match state.store.advance_events().await {
            Ok(0) => tokio::time::sleep(settings.poll).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "webhook deliveries: queueing failed");
                tokio::time::sleep(settings.poll).await;
            }
        }
        if purged_at.is_none_or(|at| at.elapsed() >= purge_every(settings.retention)) {
            purged_at = Some(Instant::now());
            let retention = i64::try_from(settings.retention.as_millis()).unwrap_or(i64::MAX);
            match state.store.purge_events(roster_core::now_millis().saturating_sub(retention)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "purged events past their retention"),
                Err(e) => tracing::warn!(error = %e, "purging events"),
            }
        }
    }
}

/// One round: how many deliveries were attempted or released.
async fn round(
    state: &AppState,
    client: &reqwest::Client,
    settings: &WebhookSettings,
    owner: &str,
) -> Result<usize, DomainError> {
    let lease_for = settings.timeout * LEASED_TIMEOUTS + Duration::from_secs(5);
    let lease = LeaseRequest {
        owner: owner.to_owned(),
        now: roster_core::now_millis(),
        lease_ms: i64::try_from(lease_for.as_millis()).unwrap_or(i64::MAX),
        max: ROUND,
        run: RUN,
    };
    // The last instant a request may start and still end (timed out at worst) within the lease.
    let last_start = Instant::now() + lease_for - settings.timeout - Duration::from_secs(1);
    let claimed = state.store.claim_deliveries(lease).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let count = claimed.len();
    let mut lanes: Vec<Vec<Claimed>> = Vec::new();
    for delivery in claimed {
        match lanes
            .iter_mut()
            .find(|l| l[0].endpoint_id == delivery.endpoint_id && l[0].order_key == delivery.order_key)
        {
            Some(lane) => lane.push(delivery),
            None => lanes.push(vec![delivery]),
        }
    }
    let mut sending = JoinSet::new();
    for lane in lanes {
        sending.spawn(deliver_lane(state.clone(), client.clone(), lane, last_start));
    }
    let (mut finished, mut released) = (Vec::with_capacity(count), Vec::new());
    while let Some(done) = sending.join_next().await {
        if let Ok((f, r)) = done {
            finished.extend(f);
            released.extend(r);
        }
    }
    state.store.finish_deliveries(&settings.policy, finished, released).await?;
    Ok(count)
}

/// Send one lane's run in order, stopping at the first failure (the rest is released, to follow the failed
/// delivery once it succeeds) or when the next request could outlast the lease.
async fn deliver_lane(
    state: AppState,
    client: reqwest::Client,
    lane: Vec<Claimed>,
    last_start: Instant,
) -> (Vec<Finished>, Vec<(String, i64)>) {
    let mut finished = Vec::with_capacity(lane.len());
    let mut released = Vec::new();
    let mut run = lane.into_iter();
    while let Some(d) = run.next() {
        if Instant::now() > last_start {
            released.push((d.endpoint_id, d.event.seq));
            released.extend(run.map(|rest| (rest.endpoint_id, rest.event.seq)));
            break;
        }
        let keys = open_keys(&state.config.sealer, &d.endpoint_id, &d.secrets);
        let outcome = if keys.is_empty() {
            send::Outcome {
                succeeded: false,
                status_code: None,
                error: Some(
                    "the endpoint's secret cannot be opened (is ROSTER_KEY_ENCRYPTION_KEY the one it was \
                             sealed with?)"
                        .into(),
                ),
                duration_ms: 0,
            }
        } else {
            let body = crate::events::webhook_body(&d.event);
            send::post(&client, &d.url, &keys, &d.event.id(), body).await
        };
        let succeeded = outcome.succeeded;
        state.metrics.webhook_attempt(succeeded);
        if succeeded {
            let lag_ms = roster_core::now_millis().saturating_sub(d.event.created_at).max(0);
            state.metrics.webhook_delivered(Duration::from_millis(lag_ms as u64));
        }
        finished.push(Finished {
            endpoint_id: d.endpoint_id,
            event_seq: d.event.seq,
            attempt: d.attempts + 1,
            succeeded,
            status_code: outcome.status_code,
            error: outcome.error,
            duration_ms: outcome.duration_ms,
            at: roster_core::now_millis(),
        });
        if !succeeded {
            released.extend(run.map(|rest| (rest.endpoint_id, rest.event.seq)));
            break;
        }
    }
    (finished, released)
}
