//! What the webhook tests share: a receiver in the test process that records every delivery and answers 200, the
//! test's own check of the Standard Webhooks (Svix) signature, the event log and an endpoint's attempts read
//! whole over the API, waiting for the deliveries to drain, and the checks every webhook test makes of what
//! arrived.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value;

use super::Api;

/// An acknowledged write: the event it must have appended (its type and `data.id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Write {
    pub event_type: String,
    pub id: String,
}

impl Write {
    pub fn new(event_type: &str, id: &str) -> Self {
        Self { event_type: event_type.to_owned(), id: id.to_owned() }
    }
}

/// One request the receiver got, whole.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Its place in the order of arrival (0, 1, …).
    pub arrival: usize,
    pub svix_id: String,
    pub svix_timestamp: String,
    pub svix_signature: String,
    pub body: String,
    /// The body's `type` and `data.id` ("" when the body is not such JSON).
    pub event_type: String,
    pub data_id: String,
}

/// A webhook secret the test knows: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", B64.encode(bytes))
}

type Recorded = Arc<Mutex<Vec<Delivery>>>;

/// An HTTP server on `127.0.0.1:0` in the test process: every POST to `/hook` is recorded, then answered 200.
pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`
    pub url: String,
    recorded: Recorded,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let recorded = Recorded::default();
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(recorded.clone());
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, recorded, task }
    }

    /// Every delivery so far, in the order of arrival.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.recorded.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.recorded.lock().unwrap().len()
    }

    /// The events (type, `data.id`) delivered so far.
    pub fn delivered(&self) -> HashSet<Write> {
        self.recorded.lock().unwrap().iter().map(|d| Write::new(&d.event_type, &d.data_id)).collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(recorded): State<Recorded>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = String::from_utf8_lossy(&body).into_owned();
    let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let mut all = recorded.lock().unwrap();
    let delivery = Delivery {
        arrival: all.len(),
        svix_id: header("svix-id"),
        svix_timestamp: header("svix-timestamp"),
        svix_signature: header("svix-signature"),
        event_type: json["type"].as_str().unwrap_or("").to_owned(),
        data_id: json["data"]["id"].as_str().unwrap_or("").to_owned(),
        body,
    };
    all.push(delivery);
    StatusCode::OK
}

/// The organization whose order an event follows, for organization and membership events.
pub fn org_of(event: &Value) -> Option<String> {
    let t = event["type"].as_str()?;
    let id = if t.starts_with("organization.") {
        &event["data"]["id"]
    } else if t.starts_with("organizationMembership.") {
        &event["data"]["organization"]["id"]
    } else {
        return None;
    };
    id.as_str().map(str::to_owned)
}

/// The delivery's `svix-signature` holds `v1,<base64 HMAC-SHA256 of "{svix-id}.{svix-timestamp}.{body}">` under
/// `secret`, and its timestamp is within five minutes of now.
pub fn verify_signature(secret: &str, d: &Delivery) -> Result<(), String> {
    let key = B64.decode(secret.strip_prefix("whsec_").expect("a whsec_ secret")).expect("base64 secret");
    let signed = format!("{}.{}.{}", d.svix_id, d.svix_timestamp, d.body);
    let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key), signed.as_bytes());
    let expected = format!("v1,{}", B64.encode(tag.as_ref()));
    if !d.svix_signature.split(' ').any(|s| s == expected) {
        return Err(format!("{}: svix-signature {:?} is not {expected}", d.svix_id, d.svix_signature));
    }
    let sent: i64 =
        d.svix_timestamp.parse().map_err(|_| format!("{}: svix-timestamp {:?}", d.svix_id, d.svix_timestamp))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    if (now - sent).abs() > 300 {
        return Err(format!("{}: svix-timestamp {sent} is not within 5 minutes of {now}", d.svix_id));
    }
    Ok(())
}

/// The whole event log, oldest first, through `GET /v1/events`.
pub async fn all_events(api: &Api) -> Vec<Value> {
    let mut events: Vec<Value> = Vec::new();
    loop {
        let path = match events.last() {
            None => "/events?limit=500".to_owned(),
            Some(e) => format!("/events?limit=500&after={}", e["id"].as_str().unwrap()),
        };
        let page = api.get(&path).await;
        let page = page.ok();
        events.extend(page["data"].as_array().unwrap().iter().cloned());
        if page["has_more"] != true {
            return events;
        }
    }
}

/// Every attempt recorded for the endpoint.
pub async fn all_attempts(api: &Api, endpoint: &str) -> Vec<Value> {
    let mut attempts = Vec::new();
    loop {
        let page =
            api.get(&format!("/webhook_endpoints/{endpoint}/attempts?limit=500&offset={}", attempts.len())).await;
        let data = page.ok()["data"].as_array().unwrap().clone();
        let total = page.ok()["total_count"].as_u64().unwrap() as usize;
        let empty = data.is_empty();
        attempts.extend(data);
        if attempts.len() >= total || empty {
            return attempts;
        }
    }
}

/// The id of the endpoint delivering to `url`.
pub async fn endpoint_for(api: &Api, url: &str) -> String {
    let list = api.get("/webhook_endpoints?limit=100").await;
    let found = list.ok()["data"].as_array().unwrap().iter().find(|e| e["url"] == url).cloned();
    found.unwrap_or_else(|| panic!("no endpoint for {url}: {}", list.text))["id"].as_str().unwrap().to_owned()
}

/// `roster_webhook_attempts_total` by outcome on one node's `GET /metrics`: (succeeded, failed).
pub async fn attempt_metrics(origin: &str) -> (u64, u64) {
    let text = reqwest::get(format!("{origin}/metrics")).await.unwrap().text().await.unwrap();
    let read = |outcome: &str| {
        let name = format!("roster_webhook_attempts_total{{outcome=\"{outcome}\"}} ");
        text.lines().find_map(|l| l.strip_prefix(&name)).map_or(0, |v| v.trim().parse::<f64>().unwrap() as u64)
    };
    (read("succeeded"), read("failed"))
}

/// Wait (at most `within`) until the deliveries are drained: every write of `expected` is in the log and was
/// delivered, and every event of the log was delivered and has a succeeded attempt (so nothing is queued or in
/// flight). Returns the log and the attempts.
pub async fn drained(
    api: &Api,
    endpoint: &str,
    receiver: &Receiver,
    expected: &[Write],
    within: Duration,
) -> (Vec<Value>, Vec<Value>) {
    let deadline = tokio::time::Instant::now() + within;
    // The writes first (cheap, in memory), then the log and the attempts.
    loop {
        let delivered = receiver.delivered();
        let missing: Vec<&Write> = expected.iter().filter(|w| !delivered.contains(w)).collect();
        if missing.is_empty() {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{} of {} acknowledged writes never delivered within {within:?} ({} deliveries received), e.g. {:?}",
                missing.len(),
                expected.len(),
                receiver.count(),
                &missing[..missing.len().min(20)]
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    loop {
        let log = all_events(api).await;
        let attempts = all_attempts(api, endpoint).await;
        let delivered: HashSet<String> = receiver.deliveries().into_iter().map(|d| d.svix_id).collect();
        let succeeded: HashSet<&str> =
            attempts.iter().filter(|a| a["status"] == "succeeded").filter_map(|a| a["event_id"].as_str()).collect();
        let pending: Vec<&str> = log
            .iter()
            .filter_map(|e| e["id"].as_str())
            .filter(|id| !delivered.contains(*id) || !succeeded.contains(id))
            .collect();
        if pending.is_empty() {
            return (log, attempts);
        }
        if tokio::time::Instant::now() > deadline {
            let never: Vec<&&str> = pending.iter().filter(|id| !delivered.contains(**id)).collect();
            panic!(
                "not drained within {within:?}: of {} events, {} never delivered (e.g. {:?}), {} without a succeeded \
                 attempt (e.g. {:?})",
                log.len(),
                never.len(),
                &never[..never.len().min(20)],
                pending.len(),
                &pending[..pending.len().min(20)]
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the checks found (after asserting everything that must hold).
#[derive(Debug)]
pub struct Summary {
    pub events: usize,
    pub deliveries: usize,
    /// Events delivered more than once, with how many times.
    pub duplicates: BTreeMap<String, usize>,
    pub failed_attempts: usize,
}

/// Check the drained state: the log lists each acknowledged write's event exactly once, in increasing id order;
/// every event of the log was delivered at least once and every delivery is an event of the log (same type and
/// `data.id`, the same body on every delivery of it) signed with `secret`; per organization the first deliveries
/// follow the log's order; each event has exactly one succeeded attempt. Panics listing every problem found.
pub fn check(log: &[Value], deliveries: &[Delivery], attempts: &[Value], secret: &str, acked: &[Write]) -> Summary {
    let mut problems: Vec<String> = Vec::new();

    // The log: unique ids in increasing order; each acknowledged write's event exactly once.
    let ids: Vec<&str> = log.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for pair in ids.windows(2) {
        if pair[0] >= pair[1] {
            problems.push(format!("GET /v1/events lists {} before {}", pair[0], pair[1]));
        }
    }
    let position: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut in_log: HashMap<Write, usize> = HashMap::new();
    for e in log {
        let w = Write::new(e["type"].as_str().unwrap_or(""), e["data"]["id"].as_str().unwrap_or(""));
        *in_log.entry(w).or_default() += 1;
    }
    let mut seen_acked = HashSet::new();
    for w in acked {
        assert!(seen_acked.insert(w), "the load acknowledged {w:?} twice (a bug of the test)");
        match in_log.get(w).copied().unwrap_or(0) {
            1 => {}
            n => problems.push(format!("acknowledged {w:?} is in GET /v1/events {n} times, not once")),
        }
    }

    // The deliveries: each an event of the log, signed, with one body per event.
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    let mut bodies: HashMap<&str, &str> = HashMap::new();
    for d in deliveries {
        *times.entry(d.svix_id.clone()).or_default() += 1;
        if let Err(e) = verify_signature(secret, d) {
            problems.push(format!("bad signature: {e}"));
        }
        match position.get(d.svix_id.as_str()) {
            None => {
                problems.push(format!("delivered {} ({} {}) is not in the log", d.svix_id, d.event_type, d.data_id))
            }
            Some(&i) => {
                let e = &log[i];
                if e["type"] != d.event_type.as_str() || e["data"]["id"] != d.data_id.as_str() {
                    problems.push(format!(
                        "delivery {} is {} {} but the log's {} is {} {}",
                        d.svix_id, d.event_type, d.data_id, d.svix_id, e["type"], e["data"]["id"]
                    ));
                }
            }
        }
        if let Some(first) = bodies.insert(&d.svix_id, &d.body) {
            if first != d.body {
                problems.push(format!("{} delivered with two bodies:\n  {first}\n  {}", d.svix_id, d.body));
            }
        }
    }
    let delivered: HashSet<Write> = deliveries.iter().map(|d| Write::new(&d.event_type, &d.data_id)).collect();
    for w in acked {
        if !delivered.contains(w) {
            problems.push(format!("acknowledged {w:?} was never delivered"));
        }
    }
    for id in &ids {
        if !times.contains_key(*id) {
            problems.push(format!("event {id} of the log was never delivered"));
        }
    }

    // Per organization, first deliveries in log order.
    let mut first_seen = HashSet::new();
    let mut last_of_org: HashMap<String, (usize, String)> = HashMap::new();
    for d in deliveries {
        if !first_seen.insert(d.svix_id.as_str()) {
            continue;
        }
        let Some(&i) = position.get(d.svix_id.as_str()) else { continue };
        let Some(org) = org_of(&log[i]) else { continue };
        if let Some((before, before_id)) = last_of_org.get(&org) {
            if *before > i {
                problems.push(format!(
                    "{org}: {} ({}) first delivered after {before_id} ({}), out of log order",
                    d.svix_id, d.event_type, log[*before]["type"]
                ));
            }
        }
        last_of_org.insert(org, (i, d.svix_id.clone()));
    }

    // Each event delivered has exactly one succeeded attempt: no delivery was finished twice.
    let mut succeeded: HashMap<&str, usize> = HashMap::new();
    let mut failed_attempts = 0;
    for a in attempts {
        if a["status"] == "succeeded" {
            *succeeded.entry(a["event_id"].as_str().unwrap()).or_default() += 1;
        } else {
            failed_attempts += 1;
        }
    }
    for id in &ids {
        match succeeded.get(id).copied().unwrap_or(0) {
            1 => {}
            n => problems.push(format!("event {id} has {n} succeeded attempts recorded, not 1")),
        }
    }

    if !problems.is_empty() {
        let shown = problems.iter().take(40).cloned().collect::<Vec<_>>().join("\n");
        panic!("{} problems with the deliveries (first 40):\n{shown}", problems.len());
    }
    let duplicates: BTreeMap<String, usize> = times.into_iter().filter(|(_, n)| *n > 1).collect();
    Summary { events: log.len(), deliveries: deliveries.len(), duplicates, failed_attempts }
}
