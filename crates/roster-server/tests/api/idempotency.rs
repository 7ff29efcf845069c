//! `Idempotency-Key` on writes: a repeat gets the first response byte for byte, another request under the same
//! key is refused, a failed write keeps nothing, keys are per instance, and racing repeats write once. Runs on
//! SQLite and, in the PostgreSQL pass, on PostgreSQL.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;
use roster_testkit::{Api, Resp, TestApp};

async fn keyed(api: &Api, method: Method, path: &str, key: &str, body: Option<Value>) -> Resp {
    let mut rb = api.request(method, path).header("Idempotency-Key", key);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    api.send(rb).await
}

async fn members(app: &TestApp, org: &str) -> i64 {
    app.get(&format!("/organizations/{org}/memberships")).await.ok()["total_count"].as_i64().unwrap()
}

#[tokio::test]
async fn a_repeated_write_gets_the_first_response_byte_for_byte_and_runs_once() {
    let app = TestApp::spawn().await;
    let (org, user) = (app.org(json!({ "name": "Acme" })).await, app.user_with_email("a@example.com").await);
    let path = format!("/organizations/{org}/memberships");
    let body = json!({ "user_id": user, "role": "org:member" });
    let first = keyed(&app, Method::POST, &path, "create-a", Some(body.clone())).await;
    first.ok();
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = keyed(&app, Method::POST, &path, "create-a", Some(body)).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.text, first.text, "byte for byte");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.headers["content-type"], "application/json");
    assert_eq!(members(&app, &org).await, 1);

    // A delete repeated answers with the deleted membership, not a 404.
    let path = format!("/organizations/{org}/memberships/{user}");
    let deleted = keyed(&app, Method::DELETE, &path, "delete-a", None).await;
    deleted.ok();
    let again = keyed(&app, Method::DELETE, &path, "delete-a", None).await;
    assert_eq!((again.status, again.text.as_str()), (200, deleted.text.as_str()));
    // Without the key, the same delete runs and finds nothing.
    app.delete(&path).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn the_same_key_with_another_request_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({ "name": "Acme" })).await;
    let (a, b) = (app.user_with_email("a@example.com").await, app.user_with_email("b@example.com").await);
    let path = format!("/organizations/{org}/memberships");
    keyed(&app, Method::POST, &path, "k", Some(json!({ "user_id": a, "role": "org:member" }))).await.ok();
    let other_body = keyed(&app, Method::POST, &path, "k", Some(json!({ "user_id": b, "role": "org:member" }))).await;
    other_body.err(422, "idempotency_key_reused");
    let other_path = keyed(&app, Method::POST, "/users", "k", Some(json!({}))).await;
    other_path.err(422, "idempotency_key_reused");
    let other_version = app
        .send(
            app.request_version(Method::POST, &path, Some("2025-11-10"))
                .header("Idempotency-Key", "k")
                .json(&json!({ "user_id": a, "role": "org:member" })),
        )
        .await;
    other_version.err(422, "idempotency_key_reused");
    assert_eq!(members(&app, &org).await, 1);
}

#[tokio::test]
async fn keys_must_be_1_to_255_printable_characters_and_reads_ignore_them() {
    let app = TestApp::spawn().await;
    keyed(&app, Method::POST, "/users", "", Some(json!({}))).await.err(400, "idempotency_key_invalid");
    keyed(&app, Method::POST, "/users", &"k".repeat(256), Some(json!({}))).await.err(400, "idempotency_key_invalid");
    keyed(&app, Method::POST, "/users", &"k".repeat(255), Some(json!({}))).await.ok();
    let read = keyed(&app, Method::GET, "/users", "", None).await;
    assert_eq!(read.status, 200, "{}", read.text);
}

#[tokio::test]
async fn a_failed_write_keeps_nothing_so_its_retry_runs() {
    let app = TestApp::spawn().await;
    let (org, user) = (app.org(json!({ "name": "Acme" })).await, app.user_with_email("a@example.com").await);
    let path = format!("/organizations/{org}/memberships");
    let body = json!({ "user_id": user, "role": "org:billing" });
    keyed(&app, Method::POST, &path, "k", Some(body.clone())).await.err(404, "resource_not_found");
    app.post("/organization_roles", json!({ "name": "Billing", "key": "org:billing", "permissions": [] })).await.ok();
    let retried = keyed(&app, Method::POST, &path, "k", Some(body)).await;
    assert_eq!(retried.ok()["role"], "org:billing");
    assert!(retried.headers.get("idempotent-replayed").is_none(), "it ran");
}

#[tokio::test]
async fn keys_belong_to_their_instance() {
    let app = TestApp::spawn().await;
    let other = app.with_key(&app.other_instance(Environment::Development).await);
    let mine = keyed(&app, Method::POST, "/users", "shared", Some(json!({}))).await;
    let theirs = keyed(&other, Method::POST, "/users", "shared", Some(json!({}))).await;
    assert_ne!(mine.ok()["id"], theirs.ok()["id"]);
    assert!(theirs.headers.get("idempotent-replayed").is_none());
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 1);
    assert_eq!(other.get("/users/count").await.ok()["total_count"], 1);
}

#[tokio::test]
async fn racing_repeats_of_one_key_write_once_and_all_get_the_first_response() {
    let app = TestApp::spawn().await;
    let attempts =
        join_all((0..16).map(|_| keyed(&app, Method::POST, "/users", "race", Some(json!({ "first_name": "R" })))))
            .await;
    let bodies: Vec<&str> = attempts.iter().map(|r| r.text.as_str()).collect();
    assert!(attempts.iter().all(|r| r.status == 200), "{bodies:?}");
    assert!(bodies.iter().all(|b| *b == bodies[0]), "one response for all: {bodies:?}");
    let ran = attempts.iter().filter(|r| r.headers.get("idempotent-replayed").is_none()).count();
    assert_eq!(ran, 1, "exactly one attempt ran");
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 1);
}

#[tokio::test]
async fn a_key_past_its_retention_runs_its_request_again() {
    let config =
        roster_server::Config { idempotency_retention: std::time::Duration::from_millis(200), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    keyed(&app, Method::POST, "/users", "k", Some(json!({}))).await.ok();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let later = keyed(&app, Method::POST, "/users", "k", Some(json!({}))).await;
    later.ok();
    assert!(later.headers.get("idempotent-replayed").is_none());
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 2);
    let purged = app.store.purge_idempotency_keys(roster_core::now_millis() + 1).await.unwrap();
    assert_eq!(purged, 1, "the expired row was replaced, the live one is purged");
}

#[tokio::test]
async fn a_request_that_fails_before_its_write_still_answers_as_its_key_says() {
    let app = TestApp::spawn().await;
    let (org, user) = (app.org(json!({ "name": "Acme" })).await, app.user_with_email("a@example.com").await);
    let path = format!("/organizations/{org}/memberships");
    let body = json!({ "user_id": user, "role": "org:member" });
    let first = keyed(&app, Method::POST, &path, "k", Some(body.clone())).await;
    first.ok();
    // Another request under the key that its handler refuses before any write (a bad body) is still a reuse.
    keyed(&app, Method::POST, &path, "k", Some(json!({ "role": 5 }))).await.err(422, "idempotency_key_reused");
    // With organizations turned off the handler refuses the retry before its write; the key still replays it.
    app.patch("/instance/organization_settings", json!({ "enabled": false })).await.ok();
    let again = keyed(&app, Method::POST, &path, "k", Some(body.clone())).await;
    assert_eq!((again.status, again.text.as_str()), (200, first.text.as_str()));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // A fresh key on the refused request gets the refusal, and keeps nothing.
    let refused = keyed(&app, Method::POST, &path, "fresh", Some(body.clone())).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    app.patch("/instance/organization_settings", json!({ "enabled": true })).await.ok();
    let other = app.user_with_email("b@example.com").await;
    let ran = keyed(&app, Method::POST, &path, "fresh", Some(json!({ "user_id": other, "role": "org:member" }))).await;
    assert_eq!(ran.ok()["public_user_data"]["user_id"], other.as_str());
    assert_eq!(members(&app, &org).await, 2);
}
