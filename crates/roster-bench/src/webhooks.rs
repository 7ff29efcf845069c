//! Webhooks (issue 16): membership creates on a Roster with no webhook endpoint beside the same creates on a
//! Roster with one (`ROSTER_WEBHOOK_URL`, every event), in alternating rounds of the run's duration (goal: the
//! rate with the endpoint at least 0.9 of the rate without), and the delivery lag under that load: the arrival
//! time at a receiver in this process (answering 200 at once) less the event's `timestamp` (goal: p99 <= 1 s),
//! the deliveries against the events written, and how long the backlog takes to drain once the load stops.
//!
//! Each variant has its own server and database, seeded alike (users and organizations; their events are
//! delivered before the first round). A round with the endpoint is followed by its drain, so the next round
//! without one does not share the machine with deliveries.

use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hdrhistogram::Histogram;
use serde_json::Value;

use crate::common::{self, measured, row, RunArgs, KEY};
use crate::load::Outcome;
use crate::procs::{self, Proc};
use crate::seed::{self, Api};

/// The endpoint's secret (`whsec_` and 24 bytes in base64), so the server prints none.
const SECRET: &str = "whsec_cm9zdGVyLWJlbmNoLXdlYmhvb2tzLTI0";
/// The largest lag recorded (larger ones count as this).
const MAX_LAG_MS: u64 = 3_600_000;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn lag_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LAG_MS, 3).expect("histogram")
}

/// The bench process's own CPU time: the load generator's and the receiver's.
fn own_cpu() -> Option<Duration> {
    procs::cpu_time_of(std::process::id())
}

/// What the receiver has been sent.
struct Seen {
    /// The distinct events (`svix-id`).
    ids: HashSet<String>,
    /// Every request, repeats of an event included.
    posts: u64,
    /// Requests without the Standard Webhooks headers.
    unsigned: u64,
    /// The lag (ms) of each event's first arrival since the last `take_lag`.
    lag: Histogram<u64>,
    /// When the latest event not seen before arrived.
    last_new: Option<Instant>,
}

/// A minimal webhook receiver on 127.0.0.1: records each delivery and answers 200 with no body.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Seen>>,
}

impl Receiver {
    async fn start() -> Result<Self> {
        let seen = Arc::new(Mutex::new(Seen {
            ids: HashSet::new(),
            posts: 0,
            unsigned: 0,
            lag: lag_histogram(),
            last_new: None,
        }));
        let app = axum::Router::new().route("/webhook", axum::routing::post(receive)).with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/webhook", listener.local_addr()?);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("webhook receiver: {e}");
            }
        });
        Ok(Self { url, seen })
    }

    fn lock(&self) -> MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn distinct(&self) -> usize {
        self.lock().ids.len()
    }

    /// The lags recorded since the last call, and a fresh histogram in their place.
    fn take_lag(&self) -> Histogram<u64> {
        std::mem::replace(&mut self.lock().lag, lag_histogram())
    }

    /// Wait until `expected` distinct events have arrived: the arrival of the last new one, or `None` once
    /// `timeout` has passed.
    async fn wait_for(&self, expected: usize, timeout: Duration) -> Option<Instant> {
        let start = Instant::now();
        loop {
            {
                let seen = self.lock();
                if seen.ids.len() >= expected {
                    return Some(seen.last_new.unwrap_or(start));
                }
            }
            if start.elapsed() > timeout {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn receive(State(seen): State<Arc<Mutex<Seen>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let arrived = now_ms();
    let timestamp = event_timestamp(&body);
    let id = headers.get("svix-id").and_then(|v| v.to_str().ok());
    let signed = headers.contains_key("svix-signature") && headers.contains_key("svix-timestamp");
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    seen.posts += 1;
    if !signed {
        seen.unsigned += 1;
    }
    if let Some(id) = id {
        if seen.ids.insert(id.to_owned()) {
            seen.last_new = Some(Instant::now());
            if let Some(t) = timestamp {
                let lag = arrived.saturating_sub(t).clamp(0, MAX_LAG_MS as i64) as u64;
                let _ = seen.lag.record(lag);
            }
        }
    }
    StatusCode::OK
}

/// The top-level `timestamp` (ms) of a delivery's body. Roster writes its fields in the order `data`, `object`,
/// `type`, `timestamp`, `instance_id`, so the last `"timestamp":` is the event's, found without parsing the
/// record (the receiver shares the cores with the server); any other body is parsed whole.
fn event_timestamp(body: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(at) = text.rfind("\"timestamp\":") {
        let rest = text[at + "\"timestamp\":".len()..].trim_start();
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if let Ok(t) = rest[..end].parse() {
            return Some(t);
        }
    }
    serde_json::from_str::<Value>(text).ok()?["timestamp"].as_i64()
}

/// One variant's server, seeded, and the pairs its creates have used.
struct Side {
    roster: Proc,
    api: Arc<Api>,
    base: String,
    orgs: Arc<Vec<String>>,
    users: Arc<Vec<String>>,
    created: Arc<AtomicU64>,
    /// Dropped after the server (fields drop in order).
    _db: roster_testdb::TestDb,
}

impl Side {
    async fn start(args: &RunArgs, db: roster_testdb::TestDb, webhook_url: Option<&str>) -> Result<Self> {
        let mut cmd = common::roster_command(args, &db);
        if let Some(url) = webhook_url {
            cmd.env("ROSTER_WEBHOOK_URL", url).env("ROSTER_WEBHOOK_SECRET", SECRET);
        }
        let roster = procs::start(cmd, "roster listening on ").await?;
        let base = format!("{}/v1", roster.base);
        let api = Arc::new(Api { client: reqwest::Client::new(), base: base.clone(), key: KEY.into() });
        let users = Arc::new(seed::users(api.clone(), args.users).await?);
        let orgs = Arc::new(seed::organizations(api.clone(), args.orgs, "Bench Org").await?);
        Ok(Self { roster, api, base, orgs, users, created: Arc::new(AtomicU64::new(0)), _db: db })
    }

    async fn creates(&self, conns: usize, duration: Duration) -> Outcome {
        common::creates(&self.base, conns, duration, self.orgs.clone(), self.users.clone(), self.created.clone()).await
    }

    /// The events in the server's log, counted through `GET /v1/events`.
    async fn events(&self) -> Result<usize> {
        let (mut count, mut after) = (0, None::<String>);
        loop {
            let path = match &after {
                Some(id) => format!("/events?limit=500&after={id}"),
                None => "/events?limit=500".to_owned(),
            };
            let page = self.api.get(&path).await?;
            let data = page["data"].as_array().context("events")?;
            count += data.len();
            if let Some(last) = data.last() {
                after = Some(last["id"].as_str().context("an event id")?.to_owned());
            }
            if page["has_more"] != Value::Bool(true) || data.is_empty() {
                return Ok(count);
            }
        }
    }
}

/// Both variants' servers and the receiver, for the rounds at every connection count.
pub struct Bench {
    duration: Duration,
    rounds: usize,
    drain_timeout: Duration,
    receiver: Receiver,
    plain: Side,
    hooked: Side,
    /// The distinct events the receiver should have by now: the seeding's and the successful creates'.
    expected: usize,
    /// The seeding's events, delivered before the first round.
    seeded: usize,
}

impl Bench {
    /// Start the receiver and both servers, seed them, and wait for the seeding's events to be delivered.
    pub async fn start(args: &RunArgs, new_db: &dyn Fn() -> roster_testdb::TestDb) -> Result<Self> {
        let receiver = Receiver::start().await?;
        let t = Instant::now();
        let plain = Side::start(args, new_db(), None).await?;
        let hooked = Side::start(args, new_db(), Some(&receiver.url)).await?;
        let seeding = t.elapsed();
        // Until the log holds no event the receiver lacks (on PostgreSQL events are placed a step after their
        // commit, so the count is taken again after a pause).
        let mut seeded = hooked.events().await?;
        loop {
            receiver
                .wait_for(seeded, args.webhook_drain_timeout)
                .await
                .with_context(|| format!("the seeding's {seeded} events were not all delivered"))?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = hooked.events().await?;
            if now == seeded && receiver.distinct() == seeded {
                break;
            }
            seeded = now;
        }
        receiver.take_lag();
        eprintln!(
            "webhooks: seeded two servers (pid {} without an endpoint, {} with one) with {} users and {} \
             organizations each in {:.1}s; the {seeded} events of the one with an endpoint delivered after {:.1}s",
            plain.roster.pid.unwrap_or_default(),
            hooked.roster.pid.unwrap_or_default(),
            args.users,
            args.orgs,
            seeding.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        Ok(Self {
            duration: args.duration,
            rounds: args.webhook_rounds,
            drain_timeout: args.webhook_drain_timeout,
            receiver,
            plain,
            hooked,
            expected: seeded,
            seeded,
        })
    }

    /// Alternate rounds without and with the endpoint at `conns` connections; print each, then the ratio and
    /// the lag over the rounds.
    pub async fn run(&mut self, conns: usize, ceiling: f64) -> Result<()> {
        let (mut without, mut with) = (Vec::new(), Vec::new());
        let mut lag = lag_histogram();
        for _ in 0..self.rounds {
            let own = own_cpu();
            let (out, cpu) = measured(&self.plain.roster, self.plain.creates(conns, self.duration)).await;
            let own_plain = own_cpu().zip(own).map(|(a, b)| a.saturating_sub(b));
            row("create, no endpoint", conns, &out, ceiling, cpu);
            without.push(out.rps());
            let plain_requests = out.requests;

            self.receiver.take_lag();
            let (own, server) = (own_cpu(), self.hooked.roster.cpu_time());
            let before = self.receiver.distinct();
            let (out, cpu) = measured(&self.hooked.roster, self.hooked.creates(conns, self.duration)).await;
            let ended = Instant::now();
            let at_end = self.receiver.distinct();
            row("create, 1 endpoint", conns, &out, ceiling, cpu);
            with.push(out.rps());
            let written = (out.requests - out.errors) as usize;
            self.expected += written;
            let last = self.receiver.wait_for(self.expected, self.drain_timeout).await;
            let server = self.hooked.roster.cpu_time().zip(server).map(|(a, b)| a.saturating_sub(b));
            let own_hooked = own_cpu().zip(own).map(|(a, b)| a.saturating_sub(b));
            let round_lag = self.receiver.take_lag();
            lag.add(&round_lag).expect("merge histograms");
            let delivered = self.receiver.distinct() - before;
            let during = at_end - before;
            let per = |cpu: Option<Duration>, n: u64| {
                cpu.map_or("-".into(), |c| format!("{:.0}", c.as_micros() as f64 / n.max(1) as f64))
            };
            let drain = match last {
                Some(at) => {
                    let drain = at.saturating_duration_since(ended);
                    format!(
                        "drained {:.2}s after the load ({:.0}/s)",
                        drain.as_secs_f64(),
                        (self.expected - at_end) as f64 / drain.as_secs_f64().max(0.001)
                    )
                }
                None => format!("NOT drained {:.0}s after the load", self.drain_timeout.as_secs_f64()),
            };
            println!(
                "{:<22} {conns:>5} {delivered} of {written} events delivered, {during} during the load ({:.0}/s), \
                 {drain}; lag p50 {} p99 {} max {} ms",
                "  (deliveries)",
                during as f64 / out.elapsed.as_secs_f64(),
                round_lag.value_at_quantile(0.5),
                round_lag.value_at_quantile(0.99),
                round_lag.max(),
            );
            println!(
                "{:<22} {conns:>5} server µs/create with its deliveries {}; bench (load + receiver) µs/create: \
                 without {}, with {}",
                "  (cpu)",
                per(server, out.requests),
                per(own_plain, plain_requests),
                per(own_hooked, out.requests),
            );
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let ratios: Vec<String> = without.iter().zip(&with).map(|(a, b)| format!("{:.2}", b / a)).collect();
        println!(
            "{:<22} {conns:>5} creates with an endpoint at {:.2} of without ({:.0} vs {:.0} req/s; rounds {}); \
             lag p50 {} p99 {} max {} ms",
            "  (webhooks)",
            mean(&with) / mean(&without),
            mean(&with),
            mean(&without),
            ratios.join(", "),
            lag.value_at_quantile(0.5),
            lag.value_at_quantile(0.99),
            lag.max(),
        );
        Ok(())
    }

    /// Check the receiver against the log, and stop the servers.
    pub async fn finish(self) -> Result<()> {
        let logged = self.hooked.events().await?;
        let (distinct, posts, unsigned) = {
            let seen = self.receiver.lock();
            (seen.ids.len(), seen.posts, seen.unsigned)
        };
        println!(
            "webhooks: {} events written in the rounds ({logged} in the log, {} of them the seeding's), {} \
             delivered; {posts} requests ({} repeats), {unsigned} without svix headers",
            logged - self.seeded,
            self.seeded,
            distinct - self.seeded,
            posts - distinct as u64,
        );
        if self.expected != logged {
            println!("webhooks: the creates answered {} events, the log holds {logged}", self.expected);
        }
        self.plain.roster.stop().await?;
        self.hooked.roster.stop().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_come_from_the_top_level() {
        let body = br#"{"data":{"object":"organization_membership","public_metadata":{"timestamp":1}},"object":"event","type":"organizationMembership.created","timestamp":1765100000123,"instance_id":"ins_1"}"#;
        assert_eq!(event_timestamp(body), Some(1765100000123));
        assert_eq!(event_timestamp(br#"{"timestamp": 42}"#), Some(42));
        assert_eq!(event_timestamp(br#"{"instance_id":"x","timestamp":7}"#), Some(7));
        assert_eq!(event_timestamp(b"nonsense"), None);
    }
}
