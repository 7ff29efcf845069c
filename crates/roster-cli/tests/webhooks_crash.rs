//! Webhook deliveries survive SIGKILL: the real binary, delivering to a receiver in the test process
//! (`ROSTER_WEBHOOK_URL`), under concurrent write load (users, organizations, memberships) is killed with SIGKILL
//! at random points, several rounds, restarted on the same database each time. Once the last server has drained:
//! every acknowledged write's event is in `GET /v1/events` exactly once and was delivered at least once, every
//! event of the log was delivered, every delivery carries a valid signature, and per organization the first
//! deliveries follow the log's order. Duplicates (an event sent by a process killed before it recorded the
//! success, sent again once its lease ran out) are allowed, counted and printed.
//!
//! On a SQLite file, and on PostgreSQL when `ROSTER_TEST_POSTGRES_URL` is set (required under CI). The two run one
//! after the other. `ROSTER_TEST_SEED` replays a run's kill points.

mod harness;

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::sync::Notify;

use harness::load::{organization, Load};
use harness::webhooks::{check, drained, endpoint_for, new_secret, Receiver, Write};
use harness::{roster_at, serve, Server};
use roster_testdb::TestDb;

const KEY: &str = "sk_test_webhook_crash";
/// Short waits before retries, so that a failed attempt does not hold a run back for long.
const SCHEDULE: &str = "100ms,200ms,500ms,1s,1s,1s,1s,1s,1s,1s";
/// Rounds ended by a SIGKILL; a last round runs to its end and the server then drains.
const KILLS: usize = 5;
const WORKERS: usize = 8;
const ORGS_PER_ROUND: usize = 3;
/// Iterations per worker in a killed round: far more than the kill lets run.
const KILLED_ITERATIONS: usize = 200;
const LAST_ITERATIONS: usize = 10;
/// The round's kill comes once this many of its writes are acknowledged (a random number in the range).
const KILL_AFTER: std::ops::RangeInclusive<usize> = 80..=320;
const WAIT: Duration = Duration::from_secs(30);
/// A dead process's leases end 4 x 1 s + 5 s after they were taken: the last one's work is redelivered well
/// within this.
const DRAIN: Duration = Duration::from_secs(30);

/// One variant at a time: each has the machine to itself.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start(url: &str, receiver: &str, secret: &str) -> Server {
    let mut cmd = roster_at(url);
    cmd.env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_WEBHOOK_URL", receiver)
        .env("ROSTER_WEBHOOK_SECRET", secret)
        .env("ROSTER_WEBHOOK_TIMEOUT", "1s")
        .env("ROSTER_WEBHOOK_RETRY_SCHEDULE", SCHEDULE)
        .env("ROSTER_DATABASE_POOL_SIZE", "8");
    serve(cmd).await
}

fn seed() -> u64 {
    std::env::var("ROSTER_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random)
}

async fn deliveries_survive_sigkill(db: TestDb, backend: &str) {
    let _serial = SERIAL.lock().await;
    let began = Instant::now();
    let seed = seed();
    println!("{backend}: ROSTER_TEST_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let receiver = Receiver::start().await;
    let secret = new_secret();
    let client = reqwest::Client::new();
    let acked: Arc<Mutex<Vec<Write>>> = Arc::default();
    let mut server = start(&db.url, &receiver.url, &secret).await;
    let mut orgs: Vec<String> = Vec::new();

    for round in 0..=KILLS {
        let last = round == KILLS;
        let api = server.api(KEY);
        // The previous round's organizations renamed once each; this round's made.
        for org in &orgs {
            api.patch(&format!("/organizations/{org}"), json!({"name": format!("{org} renamed")})).await.ok();
            acked.lock().unwrap().push(Write::new("organization.updated", org));
        }
        orgs.clear();
        for i in 0..ORGS_PER_ROUND {
            orgs.push(organization(&api, &format!("Round {round} org {i}"), &acked).await);
        }
        let load = Load {
            client: client.clone(),
            bases: vec![server.base()],
            key: KEY.to_owned(),
            orgs: orgs.clone(),
            iterations: if last { LAST_ITERATIONS } else { KILLED_ITERATIONS },
            acked: acked.clone(),
            count: Arc::new(AtomicUsize::new(0)),
            kill: Arc::new(Notify::new()),
            kill_after: if last { usize::MAX } else { rng.random_range(KILL_AFTER) },
        };
        let running = tokio::spawn({
            let load = load.clone();
            async move { load.run(WORKERS).await }
        });
        if last {
            let (sent, finished) = running.await.unwrap();
            assert!(finished, "the last round's load ran to its end");
            println!("{backend}: last round: {sent} requests, all acknowledged");
            break;
        }
        tokio::time::timeout(WAIT, load.kill.notified()).await.expect("the load got going");
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..30))).await;
        server.signal("KILL");
        let exit = server.exit(WAIT).await;
        assert!(!exit.success(), "killed, not exited: {exit:?}");
        let (sent, finished) = running.await.unwrap();
        assert!(!finished, "the kill came mid-load");
        println!(
            "{backend}: round {round}: killed after {} acknowledged writes ({sent} requests sent), {} deliveries so far",
            load.kill_after,
            receiver.count()
        );
        server = start(&db.url, &receiver.url, &secret).await;
    }

    let api = server.api(KEY);
    let endpoints = api.get("/webhook_endpoints").await;
    assert_eq!(
        endpoints.ok()["total_count"],
        1,
        "one ROSTER_WEBHOOK_URL endpoint, kept over restarts: {}",
        endpoints.text
    );
    let endpoint = endpoint_for(&api, &receiver.url).await;
    let expected = acked.lock().unwrap().clone();
    let (log, attempts) = drained(&api, &endpoint, &receiver, &expected, DRAIN).await;
    let deliveries = receiver.deliveries();
    let summary = check(&log, &deliveries, &attempts, &secret, &expected);
    println!(
        "{backend}: {KILLS} SIGKILLs; {} acknowledged writes, {} events in the log, {} deliveries, {} events \
         delivered more than once, {} failed attempts; {:.1} s",
        expected.len(),
        summary.events,
        summary.deliveries,
        summary.duplicates.len(),
        summary.failed_attempts,
        began.elapsed().as_secs_f64()
    );
    for (id, times) in &summary.duplicates {
        println!("{backend}: duplicate: {id} delivered {times} times");
    }
    server.signal("TERM");
    assert!(server.exit(WAIT).await.success());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deliveries_survive_sigkill() {
    deliveries_survive_sigkill(TestDb::sqlite(), "sqlite").await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deliveries_survive_sigkill() {
    let Some(db) = roster_testdb::postgres_or_skip("webhooks_crash") else { return };
    deliveries_survive_sigkill(db, "postgres").await;
}
