//! The event log and webhook deliveries over real HTTP: every write's one event (its data equal to the GET
//! that follows), the Events API's cursor and filters, and deliveries to a real receiver on port 0: Svix
//! signatures, retries with the same `svix-id`, per-organization order while a receiver fails, the endpoint's
//! type filter, disable, delete, secret rotation, recovery, and automatic disabling.

mod deliveries;
mod log;

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use roster_core::webhooks::RetryPolicy;
use roster_server::webhooks::WebhookSettings;
use roster_server::Config;
use roster_testkit::http::Api;
use roster_testkit::json::{data, str_of};
use roster_testkit::TestApp;

/// A server whose deliveries retry quickly: `schedule_ms` between attempts.
async fn app_with(schedule_ms: Vec<i64>, disable_after_ms: i64) -> TestApp {
    let webhooks = WebhookSettings {
        policy: RetryPolicy { schedule_ms, disable_after_ms },
        timeout: Duration::from_secs(2),
        poll: Duration::from_millis(20),
        ..WebhookSettings::default()
    };
    TestApp::spawn_with(Config { webhooks, ..Config::default() }).await
}

/// Every event of the instance after `after` (an event id, or the start), following `has_more`.
async fn events_after(api: &Api, after: Option<&str>) -> Vec<Value> {
    let mut cursor = after.map(str::to_owned);
    let mut all = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/events?limit=500&after={c}"),
            None => "/events?limit=500".to_owned(),
        };
        let page = api.get(&path).await.ok().clone();
        let items = data(&page).clone();
        if let Some(last) = items.last() {
            cursor = Some(str_of(last, "id"));
        }
        all.extend(items);
        if page["has_more"] != true {
            return all;
        }
    }
}

/// The newest event's id (`None` when there is none yet).
async fn newest(api: &Api) -> Option<String> {
    events_after(api, None).await.last().map(|e| str_of(e, "id"))
}

/// Create an endpoint for `url` taking `types` (all when empty); returns its JSON (with the secret).
async fn endpoint(api: &Api, url: &str, types: &[&str]) -> Value {
    let body = if types.is_empty() { json!({"url": url}) } else { json!({"url": url, "event_types": types}) };
    api.post("/webhook_endpoints", body).await.ok().clone()
}

/// Whether `signature_header` holds a `v1,` signature of the delivery made with `secret` (the Standard
/// Webhooks scheme, computed here independently of the server's code).
fn signed_with(secret: &str, id: &str, timestamp: i64, body: &str, signature_header: &str) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64.decode(secret.strip_prefix("whsec_").expect("a whsec_ secret")).expect("base64");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    signature_header.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| {
        b64.decode(sig)
            .is_ok_and(|sig| ring::hmac::verify(&key, format!("{id}.{timestamp}.{body}").as_bytes(), &sig).is_ok())
    })
}
