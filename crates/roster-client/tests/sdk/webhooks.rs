//! `webhooks::Webhook` against real deliveries: a receiver written as an app would write it (axum, the raw body,
//! `Webhook::verify`) gets Roster's deliveries of SDK writes, verifies each and reads its data as the SDK's wire
//! types, equal to what the SDK call returned; a delivery changed on the way, or checked with another secret, is
//! refused.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

use roster_client::webhooks::{Webhook, WebhookError, WebhookEvent};
use roster_client::{Clerk, OrganizationMembership};
use roster_testkit::TestApp;

type Got = Arc<Mutex<Vec<(HeaderMap, Bytes, Result<WebhookEvent, String>)>>>;

/// A receiver verifying with `secret` once it is set; answers 400 to what does not verify.
async fn receiver(secret: Arc<Mutex<Option<String>>>) -> (String, Got) {
    let got: Got = Arc::default();
    let state = (secret, got.clone());
    async fn receive(
        State((secret, got)): State<(Arc<Mutex<Option<String>>>, Got)>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let secret = secret.lock().unwrap().clone().unwrap_or_default();
        let verified = Webhook::new(&secret).and_then(|w| w.verify(&headers, &body)).map_err(|e| e.to_string());
        let status = if verified.is_ok() { StatusCode::NO_CONTENT } else { StatusCode::BAD_REQUEST };
        got.lock().unwrap().push((headers, body, verified));
        status
    }
    let app = Router::new().route("/hook", post(receive)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

#[tokio::test]
async fn deliveries_of_sdk_writes_verify_and_read_as_the_sdks_types() {
    let app = TestApp::spawn().await;
    let clerk = Clerk::builder().secret_key(&app.key).server_url(&app.base).build().unwrap();
    let secret = Arc::new(Mutex::new(None));
    let (url, got) = receiver(secret.clone()).await;
    let created = app
        .post("/webhook_endpoints", serde_json::json!({"url": url, "event_types": ["organizationMembership.created"]}))
        .await;
    *secret.lock().unwrap() = Some(created.ok()["secret"].as_str().unwrap().to_owned());

    let seed = super::support::Roster { clerk: clerk.clone(), app };
    let (org, user) = (seed.org("Acme", None).await, seed.user("ada@example.com", "Ada", None).await);
    let membership =
        clerk.organization_memberships().create(super::support::create_req(&org, &user, "org:member")).await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no delivery");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (headers, body, verified) = got.lock().unwrap()[0].clone();
    let event = verified.expect("the delivery verifies");
    assert_eq!(event.event_type, "organizationMembership.created");
    assert_eq!(event.id, headers["svix-id"].to_str().unwrap());
    let delivered: OrganizationMembership = event.data_as().unwrap();
    assert_eq!(delivered, membership, "the data is the membership as the SDK got it");

    // The same delivery, changed or checked with another secret, is refused.
    let webhook = Webhook::new(secret.lock().unwrap().as_deref().unwrap()).unwrap();
    let mut changed = body.to_vec();
    let at = changed.iter().position(|b| *b == b'{').unwrap() + 1;
    changed.insert(at, b' ');
    assert!(matches!(webhook.verify(&headers, &changed), Err(WebhookError::Signature)));
    let other = Webhook::new("whsec_c2Vjb25kIHNlY3JldCBvZiAyNCBieXRlcw==").unwrap();
    assert!(matches!(other.verify(&headers, &body), Err(WebhookError::Signature)));
    let mut stripped = headers.clone();
    stripped.remove("svix-timestamp");
    assert!(matches!(webhook.verify(&stripped, &body), Err(WebhookError::MissingHeader("svix-timestamp"))));
}
