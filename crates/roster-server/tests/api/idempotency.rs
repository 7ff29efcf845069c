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

/// Every write of invitations, domains and role sets under a key: it succeeds, and its repeat is the first answer
/// byte for byte (a handler whose renderer did not take the store's result answered 500 here).
#[tokio::test]
async fn every_enrollment_write_keeps_its_answer_under_a_key() {
    let app = TestApp::spawn().await;
    let body = json!({"domains_enabled": true, "domains_enrollment_modes": ["automatic_invitation"]});
    app.patch("/instance/organization_settings", body).await.ok();
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let joiner = app.user_with_email("joiner@example.com").await;
    let once = |method: Method, path: String, key: &'static str, body: Option<Value>| {
        let app = &app;
        async move {
            let first = keyed(app, method.clone(), &path, key, body.clone()).await;
            assert_eq!(first.status, 200, "{key}: {}", first.text);
            let again = keyed(app, method, &path, key, body).await;
            assert_eq!((again.status, again.text.as_str()), (200, first.text.as_str()), "{key}");
            assert_eq!(again.headers["idempotent-replayed"], "true", "{key}");
            first.body
        }
    };
    let invitations = format!("/organizations/{org}/invitations");
    let inv = once(
        Method::POST,
        invitations.clone(),
        "inv",
        Some(json!({"email_address": "joiner@example.com", "role": "org:member"})),
    )
    .await;
    let id = inv["id"].as_str().unwrap().to_owned();
    let bulk = json!([{"email_address": "b@example.com", "role": "org:member"}]);
    let bulk = once(Method::POST, format!("{invitations}/bulk"), "bulk", Some(bulk)).await;
    let m = once(Method::POST, format!("{invitations}/{id}/accept"), "accept", Some(json!({"user_id": joiner}))).await;
    assert_eq!(m["object"], "organization_membership");
    let other = bulk["data"][0]["id"].as_str().unwrap().to_owned();
    once(Method::POST, format!("{invitations}/{other}/revoke"), "revoke", None).await;
    let domains = format!("/organizations/{org}/domains");
    let d = once(Method::POST, domains.clone(), "domain", Some(json!({"name": "acme.example"}))).await;
    let did = d["id"].as_str().unwrap().to_owned();
    once(
        Method::PATCH,
        format!("{domains}/{did}"),
        "domain-patch",
        Some(json!({"enrollment_mode": "automatic_invitation"})),
    )
    .await;
    once(Method::POST, format!("{domains}/{did}/verify_ownership"), "domain-verify", None).await;
    once(Method::DELETE, format!("{domains}/{did}"), "domain-delete", None).await;
    let set = json!({"name": "A", "key": "role_set:a", "roles": ["org:member", "org:admin"], "default_role_key": "org:member", "creator_role_key": "org:admin"});
    once(Method::POST, "/role_sets".into(), "set", Some(set)).await;
    let set = json!({"name": "B", "key": "role_set:b", "roles": ["org:member", "org:admin"], "default_role_key": "org:member", "creator_role_key": "org:admin"});
    once(Method::POST, "/role_sets".into(), "set-b", Some(set)).await;
    once(Method::PATCH, "/role_sets/role_set:a".into(), "set-patch", Some(json!({"name": "A2"}))).await;
    once(Method::POST, "/role_sets/role_set:a/roles".into(), "set-roles", Some(json!({"role_keys": ["org:member"]})))
        .await;
    let swap = json!({"role_key": "org:member", "to_role_key": "org:admin"});
    once(Method::POST, "/role_sets/role_set:a/roles/replace".into(), "set-swap", Some(swap)).await;
    let replace = json!({"dest_role_set_key": "role_set:b"});
    once(Method::POST, "/role_sets/role_set:a/replace".into(), "set-replace", Some(replace)).await;
    // Each ran once.
    let page = app.get(&format!("/organizations/{org}/memberships")).await;
    assert_eq!(page.ok()["total_count"], 2);
    assert_eq!(app.get("/organization_invitations").await.ok()["total_count"], 2);
}
