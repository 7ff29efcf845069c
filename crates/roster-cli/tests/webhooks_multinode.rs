//! Two Roster nodes on one PostgreSQL database deliver to one endpoint (made with `POST /v1/webhook_endpoints`
//! and a secret the test chose) while writes are spread over both. Nothing fails and nothing is killed, so every
//! event is delivered exactly once: the nodes' leases keep them off each other's runs. Both nodes deliver
//! (`roster_webhook_attempts_total{outcome="succeeded"}` on each node's `GET /metrics`).
//!
//! Needs `ROSTER_TEST_POSTGRES_URL` (required under CI); without it the test says so and passes.

mod harness;

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::json;
use tokio::sync::Notify;

use harness::load::{organization, Load};
use harness::webhooks::{attempt_metrics, check, drained, new_secret, Receiver, Write};
use harness::{random_hex, roster_at, serve};

const NODES: usize = 2;
const WORKERS: usize = 8;
const ORGS: usize = 4;
const ITERATIONS: usize = 60;
const DRAIN: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_every_event_once() {
    let Some(db) = roster_testdb::postgres_or_skip("webhooks_multinode") else { return };
    let began = Instant::now();
    let key = format!("sk_test_webhooks_{}", random_hex());
    let starts = (0..NODES).map(|_| {
        let mut cmd = roster_at(&db.url);
        // No failures here: a timeout long enough that a busy machine never turns an answer into a retry.
        cmd.env("ROSTER_SECRET_KEY", &key)
            .env("ROSTER_WEBHOOK_TIMEOUT", "5s")
            .env("ROSTER_WEBHOOK_RETRY_SCHEDULE", "100ms,200ms,500ms,1s")
            .env("ROSTER_DATABASE_POOL_SIZE", "8");
        serve(cmd)
    });
    let nodes = join_all(starts).await;
    let apis: Vec<_> = nodes.iter().map(|n| n.api(&key)).collect();

    let receiver = Receiver::start().await;
    let secret = new_secret();
    let created = apis[0]
        .post("/webhook_endpoints", json!({"url": receiver.url, "secret": secret, "description": "two nodes"}))
        .await;
    assert_eq!(created.ok()["secret"], secret.as_str(), "the endpoint signs with the secret given");
    let endpoint = created.ok()["id"].as_str().unwrap().to_owned();
    for api in &apis {
        api.get(&format!("/webhook_endpoints/{endpoint}")).await.ok();
    }

    let acked: Arc<Mutex<Vec<Write>>> = Arc::default();
    let mut orgs = Vec::new();
    for i in 0..ORGS {
        orgs.push(organization(&apis[i % NODES], &format!("Two nodes {i}"), &acked).await);
    }
    let load = Load {
        client: reqwest::Client::new(),
        bases: nodes.iter().map(|n| n.base()).collect(),
        key: key.clone(),
        orgs: orgs.clone(),
        iterations: ITERATIONS,
        acked: acked.clone(),
        count: Arc::new(AtomicUsize::new(0)),
        kill: Arc::new(Notify::new()),
        kill_after: usize::MAX,
    };
    let (sent, finished) = load.run(WORKERS).await;
    assert!(finished, "every write of the load was answered");
    for (i, org) in orgs.iter().enumerate() {
        apis[(i + 1) % NODES]
            .patch(&format!("/organizations/{org}"), json!({"name": format!("{org} renamed")}))
            .await
            .ok();
        acked.lock().unwrap().push(Write::new("organization.updated", org));
    }

    let expected = acked.lock().unwrap().clone();
    let (log, attempts) = drained(&apis[1], &endpoint, &receiver, &expected, DRAIN).await;
    let deliveries = receiver.deliveries();
    let summary = check(&log, &deliveries, &attempts, &secret, &expected);
    let metrics = join_all(nodes.iter().map(|n| attempt_metrics(&n.origin))).await;
    let split: Vec<u64> = metrics.iter().map(|m| m.0).collect();
    println!(
        "webhooks_multinode: {sent} requests, {} acknowledged writes, {} events, {} deliveries, {} duplicates, \
         {} failed attempts; succeeded attempts per node {split:?}; {:.1} s",
        expected.len(),
        summary.events,
        summary.deliveries,
        summary.duplicates.len(),
        summary.failed_attempts,
        began.elapsed().as_secs_f64()
    );

    // The normal case: no attempt failed, so each event went out exactly once, from one node or the other.
    assert_eq!(summary.failed_attempts, 0, "no attempt fails against a receiver that answers 200 at once");
    assert!(metrics.iter().all(|m| m.1 == 0), "failed attempts on a node's /metrics: {metrics:?}");
    assert!(summary.duplicates.is_empty(), "events delivered more than once by two nodes: {:?}", summary.duplicates);
    assert_eq!(deliveries.len(), log.len(), "one delivery per event");
    assert_eq!(split.iter().sum::<u64>(), deliveries.len() as u64, "the nodes' counters add up to the deliveries");
    assert!(split.iter().all(|n| *n > 0), "both nodes delivered: {split:?}");
}
