//! Rate limits (`ROSTER_RATE_LIMITS`): off by default; per instance and per organization membership when on.
//! The windows here are an hour long, so no test depends on how fast it runs: each counts answers, never time.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;
use roster_server::ratelimit::RateLimits;
use roster_server::Config;

use roster_testkit::{Resp, TestApp};

const HOUR: u64 = 3600;

async fn spawn(limits: &str) -> TestApp {
    let rate_limits: RateLimits = limits.parse().expect("rate limits");
    TestApp::spawn_with(Config { rate_limits, ..Config::default() }).await
}

/// Assert Clerk's 429: `too_many_requests`, `Retry-After` in whole seconds (1 to the window), the same number in
/// `meta.resets_in`.
#[track_caller]
fn assert_limited(r: &Resp, window_secs: u64) {
    let e = r.err(429, "too_many_requests");
    assert_eq!(e["message"], "Too many requests");
    assert_eq!(e["long_message"], "Too many requests, retry later");
    let retry_after: u64 = r.headers["retry-after"].to_str().unwrap().parse().expect("integer Retry-After");
    assert!((1..=window_secs).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(e["meta"]["resets_in"], retry_after, "{}", r.text);
}

async fn get_as(app: &TestApp, key: &str) -> Resp {
    app.call_as(key, Method::GET, "/users", None).await
}

#[tokio::test]
async fn development_instance_limit_then_429_with_retry_after() {
    let app = spawn("instance_development=5/1h").await;
    // Unauthenticated requests are refused before they are counted.
    for _ in 0..10 {
        get_as(&app, "sk_test_not_a_key_of_anyone").await.err(401, "clerk_key_invalid");
    }
    for i in 0..5 {
        assert_eq!(app.get("/users").await.status, 200, "request {i}");
    }
    let refused = app.get("/users").await;
    assert_limited(&refused, HOUR);
    // Every route of the instance shares the budget, writes included.
    assert_limited(&app.post("/users", json!({})).await, HOUR);
    assert_limited(&app.get("/organizations").await, HOUR);

    // Another development instance has its own budget.
    let other = app.other_instance(Environment::Development).await;
    for i in 0..5 {
        assert_eq!(get_as(&app, &other).await.status, 200, "other instance request {i}");
    }
    assert_limited(&get_as(&app, &other).await, HOUR);

    // Production instances have no limit in this configuration.
    let prod = app.other_instance(Environment::Production).await;
    for i in 0..30 {
        assert_eq!(get_as(&app, &prod).await.status, 200, "production request {i}");
    }
    // The first instance is still limited.
    assert_limited(&app.get("/users").await, HOUR);
}

#[tokio::test]
async fn production_instance_limit() {
    let app = spawn("instance_production=3/1h,instance_development=50/1h").await;
    let prod = app.other_instance(Environment::Production).await;
    for i in 0..3 {
        assert_eq!(get_as(&app, &prod).await.status, 200, "request {i}");
    }
    assert_limited(&get_as(&app, &prod).await, HOUR);
    // The development instance is under its own, larger limit.
    for i in 0..10 {
        assert_eq!(app.get("/users").await.status, 200, "development request {i}");
    }
}

#[tokio::test]
async fn concurrent_requests_exactly_the_limit_succeed() {
    let app = spawn("instance_development=7/1h").await;
    let responses = join_all((0..25).map(|_| app.get("/users"))).await;
    let ok = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 7, "{:?}", responses.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in responses.iter().filter(|r| r.status != 200) {
        assert_limited(r, HOUR);
    }
}

/// Alice (admin), Bob and Carol (members) in one organization; Bob also in a second one.
struct Org {
    org: String,
    other_org: String,
    bob: String,
    carol: String,
}

async fn setup(app: &TestApp) -> Org {
    let alice = app.user_with_email("alice@example.com").await;
    let bob = app.user_with_email("bob@example.com").await;
    let carol = app.user_with_email("carol@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": alice})).await;
    let other_org = app.org(json!({"name": "Other", "created_by": alice})).await;
    app.add_member(&org, &bob, "org:member").await;
    app.add_member(&org, &carol, "org:member").await;
    app.add_member(&other_org, &bob, "org:member").await;
    Org { org, other_org, bob, carol }
}

fn membership(org: &str, user: &str) -> String {
    format!("/organizations/{org}/memberships/{user}")
}

fn metadata(org: &str, user: &str) -> String {
    format!("/organizations/{org}/memberships/{user}/metadata")
}

#[tokio::test]
async fn membership_patch_limit_is_per_membership() {
    let app = spawn("membership_patch=3/1h").await;
    let Org { org, other_org, bob, carol } = setup(&app).await;

    // The role PATCH and the metadata PATCH share one budget per membership.
    app.patch(&membership(&org, &bob), json!({"role": "org:admin"})).await.ok();
    app.patch(&metadata(&org, &bob), json!({"public_metadata": {"n": 1}})).await.ok();
    app.patch(&membership(&org, &bob), json!({"role": "org:member"})).await.ok();
    assert_limited(&app.patch(&metadata(&org, &bob), json!({"public_metadata": {"n": 2}})).await, HOUR);
    assert_limited(&app.patch(&membership(&org, &bob), json!({"role": "org:admin"})).await, HOUR);

    // A refused request changed nothing.
    let bobs = app.get(&format!("/organizations/{org}/memberships?user_id={bob}")).await;
    let m: &Value = &bobs.ok()["data"][0];
    assert_eq!(m["role"], "org:member");
    assert_eq!(m["public_metadata"], json!({"n": 1}));

    // Another member of the same organization is not affected...
    for i in 0..3 {
        app.patch(&metadata(&org, &carol), json!({"public_metadata": {"i": i}})).await.ok();
    }
    assert_limited(&app.patch(&membership(&org, &carol), json!({"role": "org:admin"})).await, HOUR);
    // ...nor the same user's membership of another organization...
    for _ in 0..3 {
        app.patch(&membership(&other_org, &bob), json!({"role": "org:member"})).await.ok();
    }
    // ...nor the other routes of the membership, nor the instance.
    for _ in 0..5 {
        app.get(&format!("/organizations/{org}/memberships")).await.ok();
        app.patch(&format!("/organizations/{org}"), json!({"name": "Acme Corp"})).await.ok();
    }
    app.delete(&membership(&org, &bob)).await.ok();
}

#[tokio::test]
async fn membership_limit_is_per_instance() {
    let app = spawn("membership_patch=2/1h").await;
    let Org { org, bob, .. } = setup(&app).await;
    for _ in 0..2 {
        app.patch(&membership(&org, &bob), json!({"role": "org:member"})).await.ok();
    }
    assert_limited(&app.patch(&membership(&org, &bob), json!({"role": "org:member"})).await, HOUR);
    // Another instance addressing the same ids has its own budget: 404s (no such membership there), not 429s.
    let other = app.other_instance(Environment::Development).await;
    for _ in 0..2 {
        let path = membership(&org, &bob);
        app.call_as(&other, Method::PATCH, &path, Some(json!({"role": "org:member"})))
            .await
            .err(404, "resource_not_found");
    }
}

#[tokio::test]
async fn off_never_limits() {
    let app = TestApp::spawn().await;
    let Org { org, bob, .. } = setup(&app).await;
    // More than Clerk's 100 requests per 10 s for a development instance, and its 10 per membership.
    for i in 0..120 {
        assert_eq!(app.get("/users").await.status, 200, "request {i}");
    }
    for i in 0..30 {
        app.patch(&metadata(&org, &bob), json!({"public_metadata": {"i": i}})).await.ok();
    }
    let explicit = spawn("off").await;
    let responses = join_all((0..110).map(|_| explicit.get("/users"))).await;
    assert!(responses.iter().all(|r| r.status == 200));
}
