//! The load generator: `connections` tasks, each with its own HTTP connection, issuing requests back to
//! back for a fixed duration. Latencies go into one HDR histogram; non-2xx answers count as errors
//! unless the workload expects them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use reqwest::{Client, Method};
use tokio::sync::Mutex;

/// One request to make: method, URL, optional JSON body.
pub struct Req {
    pub method: Method,
    pub url: String,
    pub body: Option<serde_json::Value>,
    /// An `Idempotency-Key` to send.
    pub idempotency_key: Option<String>,
}

pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50_us: u64,
    pub p99_us: u64,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Run `next(i)` (i counts requests across all connections) on `connections` connections for `duration`.
pub async fn run<F>(connections: usize, duration: Duration, auth: Option<String>, next: F) -> Outcome
where
    F: Fn(u64) -> Req + Send + Sync + 'static,
{
    let next = Arc::new(next);
    let counter = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let hist = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram")));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (next, counter, errors, hist, auth) =
            (next.clone(), counter.clone(), errors.clone(), hist.clone(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let client = Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let mut local = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let req = next(i);
                let mut rb = client.request(req.method, &req.url);
                if let Some(key) = &auth {
                    rb = rb.bearer_auth(key).header("Clerk-API-Version", "2026-05-12");
                }
                if let Some(body) = &req.body {
                    rb = rb.json(body);
                }
                if let Some(k) = &req.idempotency_key {
                    rb = rb.header("Idempotency-Key", k);
                }
                let t = Instant::now();
                let ok = match rb.send().await {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        let _ = r.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                let _ = local.record(t.elapsed().as_micros().max(1) as u64);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            hist.lock().await.add(&local).expect("merge histograms");
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    let hist = hist.lock().await;
    Outcome {
        requests: hist.len(),
        errors: errors.load(Ordering::Relaxed),
        elapsed,
        p50_us: hist.value_at_quantile(0.50),
        p99_us: hist.value_at_quantile(0.99),
    }
}

/// A duration argument in seconds, with or without a trailing `s` (`5`, `2.5s`).
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    s.trim_end_matches('s').parse::<f64>().map(Duration::from_secs_f64).map_err(|e| e.to_string())
}
