//! The instance's organization settings and sessions over real HTTP: settings defaults and updates (the
//! membership default, the creator role, turning organizations off), `POST /sessions` and its active
//! organization through joins, leaves and deletions, the user's `last_active_at`, and the session list.

mod activity;
mod create;
mod lifecycle;
mod settings;

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::json::str_of;
use roster_testkit::TestApp;

const DAY_MS: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Create a session for `user`; returns the session object.
async fn session(app: &TestApp, user: &str) -> Value {
    app.post("/sessions", json!({"user_id": user})).await.ok().clone()
}

/// Create a session for `user` with an explicit active organization.
async fn session_in(app: &TestApp, user: &str, org: &str) -> Value {
    app.post("/sessions", json!({"user_id": user, "active_organization_id": org})).await.ok().clone()
}

/// A session's active organization, re-read by id.
async fn active_org(app: &TestApp, session: &Value) -> Value {
    app.get(&format!("/sessions/{}", str_of(session, "id"))).await.ok()["last_active_organization_id"].clone()
}

/// The ids of a plain session array.
fn ids(body: &Value) -> Vec<String> {
    body.as_array().unwrap_or_else(|| panic!("not an array: {body}")).iter().map(|s| str_of(s, "id")).collect()
}

/// A custom role holding exactly the permissions with these keys; returns its id.
async fn custom_role(app: &TestApp, key: &str, permission_keys: &[&str]) -> String {
    let mut ids = Vec::new();
    for k in permission_keys {
        ids.push(app.permission_id(k).await);
    }
    let r = app.post("/organization_roles", json!({"name": key, "key": key, "permissions": ids})).await;
    str_of(r.ok(), "id")
}

/// The user ids of an organization's memberships matching `query`.
async fn member_ids(app: &TestApp, org: &str, query: String) -> Vec<String> {
    let r = app.get(&format!("/organizations/{org}/memberships?{query}")).await;
    let page = r.ok();
    let ids: Vec<String> =
        page["data"].as_array().unwrap().iter().map(|m| str_of(&m["public_user_data"], "user_id")).collect();
    assert_eq!(page["total_count"], ids.len() as i64, "{query}: {page}");
    ids
}

async fn settings(app: &TestApp) -> Value {
    app.get("/instance/organization_settings").await.ok().clone()
}
