//! Signing keys: sealed at rest with `ROSTER_KEY_ENCRYPTION_KEY`, rotated without a gap (`POST /jwks/rotate`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use roster_core::tokens::SigningKey;
use roster_server::Config;
use roster_testkit::TestApp;

const ENCRYPTION_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn sealed_config(key: &str) -> Config {
    Config { sealer: Arc::new(roster_jwt::Sealer::from_key_text(key).unwrap()), ..Config::default() }
}

async fn stored_keys(app: &TestApp) -> Vec<SigningKey> {
    let instance = app.store.authenticate(roster_testkit::KEY).await.unwrap().unwrap();
    app.store.signing_keys(&instance.id).await.unwrap()
}

#[tokio::test]
async fn private_keys_are_sealed_at_rest_and_need_their_encryption_key() {
    let app = TestApp::spawn_with(sealed_config(ENCRYPTION_KEY)).await;
    let user = app.user_with_email("a@example.com").await;
    let session = session_in(&app, &user, None).await;
    verify(&app, &token(&app, &session).await).await.unwrap();
    let keys = stored_keys(&app).await;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].private_key.starts_with("v1."), "sealed: {}", &keys[0].private_key[..8]);
    assert!(!app.get("/jwks").await.text.contains(&keys[0].private_key[3..40]));

    // A node without the key (or with another) cannot sign: an error, never a token or the key.
    let keyless = app.second_node(Config::default()).await;
    let r = keyless.post(&format!("/sessions/{session}/tokens"), json!({})).await;
    r.err(500, "signing_key_unavailable");
    assert!(!r.text.contains("v1."));
    let wrong = app.second_node(sealed_config(&ENCRYPTION_KEY.replace("1f", "00"))).await;
    wrong.post(&format!("/sessions/{session}/tokens"), json!({})).await.err(500, "signing_key_unavailable");
    let right = app.second_node(sealed_config(ENCRYPTION_KEY)).await;
    verify(&app, &token(&right, &session).await).await.unwrap();
}

#[tokio::test]
async fn without_an_encryption_key_keys_are_stored_plain_and_say_so() {
    let app = TestApp::spawn().await;
    app.get("/jwks").await.ok();
    assert!(stored_keys(&app).await[0].private_key.starts_with("plain."));
}

#[tokio::test]
async fn a_rotation_publishes_the_next_key_first_then_switches_and_keeps_the_old_one() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("a@example.com").await;
    let session = session_in(&app, &user, None).await;
    let before = token(&app, &session).await;
    let old = kid(&before);

    let r = app.post("/jwks/rotate", json!({"grace_period_seconds": 2, "retain_seconds": 3600})).await;
    let keys = r.ok()["data"].as_array().unwrap().clone();
    let statuses: Vec<(&str, &str)> =
        keys.iter().map(|k| (k["kid"].as_str().unwrap(), k["status"].as_str().unwrap())).collect();
    assert_eq!(statuses.len(), 2, "{keys:?}");
    assert_eq!(statuses[0], (old.as_str(), "current"));
    let next = statuses[1].0.to_owned();
    assert_eq!(statuses[1].1, "next");
    assert!(keys[0]["retire_at"].as_i64().unwrap() > keys[1]["active_at"].as_i64().unwrap());
    assert!(!r.text.contains("private") && !r.text.contains("plain."));

    // Published before it signs: verifiers can fetch it while tokens still come from the old key.
    assert!(jwks(&app).await.find(&next).is_some());
    assert_eq!(kid(&token(&app, &session).await), old);
    app.post("/jwks/rotate", json!({})).await.err(409, "signing_key_rotation_pending");

    tokio::time::sleep(Duration::from_millis(2200)).await;
    let after = token(&app, &session).await;
    assert_eq!(kid(&after), next);
    verify(&app, &after).await.unwrap();
    verify(&app, &before).await.expect("the old key stays published for tokens it signed");

    // A rotation retiring at once (retain 0) drops the old key from the JWKS after the switch.
    app.post("/jwks/rotate", json!({"grace_period_seconds": 0, "retain_seconds": 0})).await.ok();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let published = jwks(&app).await;
    assert!(published.find(&old).is_some(), "the first key keeps its earlier retirement");
    assert!(published.find(&next).is_none(), "retired at once: {published:?}");
    for bad in [json!({"grace_period_seconds": -1}), json!({"retain_seconds": "x"})] {
        app.post("/jwks/rotate", bad).await.err(422, "form_param_value_invalid");
    }
}

#[tokio::test]
async fn tokens_issued_before_during_and_after_a_rotation_verify_throughout() {
    let app = Arc::new(TestApp::spawn().await);
    let user = app.user_with_email("a@example.com").await;
    let session = Arc::new(session_in(&app, &user, None).await);
    // A verifier as apps run one: a cached JWKS, fetched again when a token names a key it does not know.
    let cache = Arc::new(tokio::sync::RwLock::new(KeySet::from(&jwks(&app).await)));
    let (issued, refetches) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (app, session, cache, issued, refetches, stop) =
            (app.clone(), session.clone(), cache.clone(), issued.clone(), refetches.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut kids = std::collections::BTreeSet::new();
            while !stop.load(Ordering::Relaxed) {
                let jwt = token(&app, &session).await;
                let k = kid(&jwt);
                if !cache.read().await.contains(&k) {
                    refetches.fetch_add(1, Ordering::Relaxed);
                    *cache.write().await = KeySet::from(&jwks(&app).await);
                }
                let keys = cache.read().await.clone();
                roster_jwt::verify::<SessionClaims>(&jwt, &keys, &Validation::default())
                    .unwrap_or_else(|e| panic!("a token of key {k} failed: {e}"));
                issued.fetch_add(1, Ordering::Relaxed);
                kids.insert(k);
            }
            kids
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.post("/jwks/rotate", json!({"grace_period_seconds": 2, "retain_seconds": 60})).await.ok();
    // Within the grace period the verifier refreshes its copy (as its cache's lifetime runs out) and so knows
    // the next key before any token is signed with it. At once, so a loaded machine cannot stretch the wait past
    // the grace period.
    *cache.write().await = KeySet::from(&jwks(&app).await);
    tokio::time::sleep(Duration::from_millis(2800)).await;
    stop.store(true, Ordering::Relaxed);
    let mut kids = std::collections::BTreeSet::new();
    for w in workers {
        kids.extend(w.await.expect("no verification failed"));
    }
    assert_eq!(kids.len(), 2, "tokens of both keys were issued and verified: {kids:?}");
    assert!(issued.load(Ordering::Relaxed) > 16);
    assert_eq!(refetches.load(Ordering::Relaxed), 0, "the next key was published before it signed");
}
