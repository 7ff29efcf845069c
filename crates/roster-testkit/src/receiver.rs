//! A webhook receiver on `127.0.0.1:0` for delivery tests: it records every request (headers and body, in
//! arrival order) and answers with the status a test's rule picks, so a test can fail some deliveries on
//! purpose and watch the retries.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub svix_id: String,
    pub svix_timestamp: i64,
    pub svix_signature: String,
    pub body: String,
    pub json: Value,
    /// What the receiver answered.
    pub status: u16,
    pub received_at: Instant,
}

impl Delivery {
    pub fn event_type(&self) -> &str {
        self.json["type"].as_str().unwrap_or_default()
    }
}

/// Picks the status for a request, given it and the deliveries before it.
pub type Rule = Box<dyn Fn(&Delivery, &[Delivery]) -> u16 + Send + Sync>;

struct Inner {
    got: Mutex<Vec<Delivery>>,
    rule: Mutex<Rule>,
}

/// A running receiver; `url()` is where to point an endpoint.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
    url: String,
}

impl Receiver {
    /// A receiver answering 200 to everything.
    pub async fn start() -> Self {
        Self::with_rule(Box::new(|_, _| 200)).await
    }

    pub async fn with_rule(rule: Rule) -> Self {
        let inner = Arc::new(Inner { got: Mutex::new(Vec::new()), rule: Mutex::new(rule) });
        let app = Router::new().route("/hook", post(receive)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { inner, url: format!("http://{addr}/hook") }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Change how it answers from now on.
    pub fn set_rule(&self, rule: Rule) {
        *self.inner.rule.lock().unwrap() = rule;
    }

    /// Every request so far, in arrival order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.got.lock().unwrap().clone()
    }

    /// The requests it answered with 2xx, in arrival order.
    pub fn accepted(&self) -> Vec<Delivery> {
        self.deliveries().into_iter().filter(|d| (200..300).contains(&d.status)).collect()
    }

    /// Wait (up to `within`) until `done` holds for the requests so far; panics with them when it does not.
    pub async fn wait_until(&self, within: Duration, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.deliveries();
            if done(&got) {
                return got;
            }
            if Instant::now() > deadline {
                let seen: Vec<(String, String, u16)> =
                    got.iter().map(|d| (d.svix_id.clone(), d.event_type().to_owned(), d.status)).collect();
                panic!("the receiver did not get what was expected within {within:?}; it got {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Wait until `n` requests were accepted; returns the accepted ones.
    pub async fn wait_accepted(&self, n: usize) -> Vec<Delivery> {
        self.wait_until(Duration::from_secs(20), |got| {
            got.iter().filter(|d| (200..300).contains(&d.status)).count() >= n
        })
        .await;
        self.accepted()
    }
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = String::from_utf8_lossy(&body).into_owned();
    let mut delivery = Delivery {
        svix_id: header("svix-id"),
        svix_timestamp: header("svix-timestamp").parse().unwrap_or_default(),
        svix_signature: header("svix-signature"),
        json: serde_json::from_str(&body).unwrap_or(Value::Null),
        body,
        status: 0,
        received_at: Instant::now(),
    };
    let mut got = inner.got.lock().unwrap();
    delivery.status = (inner.rule.lock().unwrap())(&delivery, &got);
    got.push(delivery.clone());
    StatusCode::from_u16(delivery.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
