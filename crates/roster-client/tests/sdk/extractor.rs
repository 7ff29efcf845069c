//! The axum extractor over real HTTP, with tokens of a live Roster: a protected route of a tiny app, and the
//! README's "Protect your app" example itself (examples/protect_your_app.rs, included as it is).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::routing::get;
use axum::{Json, Router};
use roster_client::tokens::{Auth, Validation, Verifier};
use serde_json::{json, Value};

use crate::support::Roster;
use crate::tokens::{custom_role, session_in, token_for, user_token};

#[allow(dead_code)] // its `main` is the example's, not the test's
#[path = "../../examples/protect_your_app.rs"]
mod protect_your_app;

/// Serve `router` on an ephemeral port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// GET `url` with an optional bearer token; returns the status and JSON body.
async fn get_json(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut rb = reqwest::Client::new().get(url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let resp = rb.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
}

#[track_caller]
fn assert_error(reply: &(u16, Value), status: u16, code: &str) {
    assert_eq!(reply.0, status, "{}", reply.1);
    let error = &reply.1["errors"][0];
    assert_eq!(error["code"], code, "{}", reply.1);
    assert!(error["message"].is_string() && error["long_message"].is_string(), "{}", reply.1);
}

async fn me(auth: Auth) -> Json<Value> {
    Json(json!({"sub": auth.user_id(), "sid": auth.session_id(), "org": auth.org_id()}))
}

async fn maybe(auth: Option<Auth>) -> Json<Value> {
    Json(json!({"signed_in": auth.is_some()}))
}

fn tiny_app(verifier: Arc<Verifier>) -> Router {
    Router::new().route("/me", get(me)).route("/maybe", get(maybe)).with_state(verifier)
}

#[tokio::test]
async fn a_protected_route_needs_a_valid_session_token() {
    let r = Roster::spawn().await;
    let user = r.user("a@example.com", "Ann", None).await;
    let session = session_in(&r.app, &user, None).await;
    let jwt = token_for(&r.app, &session, 60).await;
    let verifier = Arc::new(Verifier::from_client(&r.clerk));
    let base = serve(tiny_app(verifier.clone())).await;

    let missing = get_json(&format!("{base}/me"), None).await;
    assert_error(&missing, 401, "authentication_invalid");
    let garbage = get_json(&format!("{base}/me"), Some("garbage")).await;
    assert_error(&garbage, 401, "authentication_invalid");
    assert_eq!(garbage.1["errors"][0]["meta"]["reason"], "token-invalid");
    let foreign = user_token(&Roster::spawn().await.app, "b@example.com").await;
    let unknown = get_json(&format!("{base}/me"), Some(&foreign)).await;
    assert_error(&unknown, 401, "authentication_invalid");
    assert_eq!(unknown.1["errors"][0]["meta"]["reason"], "jwk-remote-missing");
    let tampered = format!("{}x", &jwt[..jwt.len() - 1]);
    assert_error(&get_json(&format!("{base}/me"), Some(&tampered)).await, 401, "authentication_invalid");

    let (status, body) = get_json(&format!("{base}/me"), Some(&jwt)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"sub": user, "sid": session, "org": null}));
    // The __session cookie works as well.
    let resp = reqwest::Client::new()
        .get(format!("{base}/me"))
        .header("cookie", format!("theme=dark; __session={jwt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // Option<Auth>: no token is fine, an invalid one is still refused.
    assert_eq!(get_json(&format!("{base}/maybe"), None).await, (200, json!({"signed_in": false})));
    assert_eq!(get_json(&format!("{base}/maybe"), Some(&jwt)).await, (200, json!({"signed_in": true})));
    assert_error(&get_json(&format!("{base}/maybe"), Some("garbage")).await, 401, "authentication_invalid");

    // An expired token (verified as of two minutes from now) is told apart.
    let later = Validation { now: Some(SystemTime::now() + Duration::from_secs(120)), ..Validation::default() };
    let base_later =
        serve(tiny_app(Arc::new(Verifier::with_cache(verifier.cache().clone()).with_validation(later)))).await;
    let expired = get_json(&format!("{base_later}/me"), Some(&jwt)).await;
    assert_error(&expired, 401, "token_expired");
    assert_eq!(expired.1["errors"][0]["meta"]["reason"], "token-expired");

    // Keys that cannot be fetched: 503, not the client's fault.
    let base_down = serve(tiny_app(Arc::new(Verifier::from_client(&r.bad_key())))).await;
    assert_error(&get_json(&format!("{base_down}/me"), Some(&jwt)).await, 503, "authentication_unavailable");
}

#[tokio::test]
async fn the_readme_example_protects_invoices_with_a_permission() {
    let r = Roster::spawn().await;
    let owner = r.user("owner@example.com", "Olive", None).await;
    let accountant = r.user("acc@example.com", "Abe", None).await;
    let member = r.user("member@example.com", "Mel", None).await;
    let org = r.org("Acme", Some(&owner)).await;
    custom_role(&r.app, "org:accountant", &["org:invoices:read"]).await;
    r.add(&org, &accountant, "org:accountant").await;
    r.add(&org, &member, "org:member").await;
    let token_of = |user: String, org: Option<String>| {
        let app = &r.app;
        async move { token_for(app, &session_in(app, &user, org.as_deref()).await, 60).await }
    };
    let base = serve(protect_your_app::app(Arc::new(Verifier::from_client(&r.clerk)))).await;
    let invoices = format!("{base}/invoices");

    let (status, body) = get_json(&invoices, Some(&token_of(accountant.clone(), Some(org.clone())).await)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"user_id": accountant, "organization_id": org, "invoices": []}));

    let forbidden = get_json(&invoices, Some(&token_of(member.clone(), Some(org.clone())).await)).await;
    assert_error(&forbidden, 403, "authorization_invalid");
    // A user of no organization holds no organization permission.
    let outsider = r.user("out@example.com", "Otto", None).await;
    assert_error(&get_json(&invoices, Some(&token_of(outsider, None).await)).await, 403, "authorization_invalid");
    assert_error(&get_json(&invoices, None).await, 401, "authentication_invalid");
}
