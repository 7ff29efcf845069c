//! Organization roles and permissions over real HTTP: the seeded defaults, list query/order/pagination,
//! key validation, duplicates, assigning and removing permissions, system permissions that cannot change,
//! the refusals of role deletion, the permissions the creator role must keep, and the last-manager rule
//! following permissions rather than role keys. Memberships read their role live, so every change to a
//! role or permission shows on existing memberships at once.

mod changes;
mod create;
mod defaults;
mod instances;
mod managers;
mod permissions;

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::json::{data, sorted, str_of};
use roster_testkit::TestApp;

const SYSTEM_PERMISSIONS: [&str; 9] = [
    "org:sys_billing:manage",
    "org:sys_billing:read",
    "org:sys_domains:manage",
    "org:sys_domains:read",
    "org:sys_entconns:manage",
    "org:sys_memberships:manage",
    "org:sys_memberships:read",
    "org:sys_profile:delete",
    "org:sys_profile:manage",
];

const CREATOR_PERMISSIONS: [&str; 3] =
    ["org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:delete"];

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// The permission keys of a role object, sorted.
fn role_permission_keys(role: &Value) -> Vec<String> {
    let keys: Vec<String> = role["permissions"].as_array().unwrap().iter().map(|p| str_of(p, "key")).collect();
    sorted(&keys)
}

/// The `permissions` of a membership object, sorted.
fn membership_permissions(m: &Value) -> Vec<String> {
    let keys: Vec<String> = m["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("no permissions: {m}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    sorted(&keys)
}

/// The keys of a page of roles or permissions, in order.
fn keys(body: &Value) -> Vec<String> {
    data(body).iter().map(|r| str_of(r, "key")).collect()
}

/// Every role of the instance.
async fn all_roles(app: &TestApp) -> Vec<Value> {
    data(app.get("/organization_roles?limit=500").await.ok()).clone()
}

/// The role with this key.
async fn role(app: &TestApp, key: &str) -> Value {
    all_roles(app).await.into_iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no role {key}"))
}

async fn create_permission(app: &TestApp, key: &str, name: &str) -> Value {
    app.post("/organization_permissions", json!({"name": name, "key": key, "description": format!("{name}.")}))
        .await
        .ok()
        .clone()
}

async fn create_role(app: &TestApp, key: &str, name: &str, permissions: &[&str]) -> Value {
    app.post("/organization_roles", json!({"name": name, "key": key, "permissions": permissions})).await.ok().clone()
}

/// The membership of `user` in `org`, re-read through the organization's list.
async fn stored(app: &TestApp, org: &str, user: &str) -> Value {
    let r = app.get(&format!("/organizations/{org}/memberships?user_id={user}")).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 1, "{page}");
    page["data"][0].clone()
}

/// The membership of `user` in `org`, as the user's own list reports it.
async fn stored_for_user(app: &TestApp, org: &str, user: &str) -> Value {
    let r = app.get(&format!("/users/{user}/organization_memberships?limit=500")).await;
    data(r.ok())
        .iter()
        .find(|m| m["organization"]["id"] == org)
        .cloned()
        .unwrap_or_else(|| panic!("{user} is not listed in {org}"))
}

/// Assert the role object has every key the spec's `Role` schema requires, with the right shapes.
fn assert_role_shape(r: &Value) {
    for key in
        ["object", "id", "name", "key", "description", "is_creator_eligible", "permissions", "created_at", "updated_at"]
    {
        assert!(r.get(key).is_some(), "role lacks {key}: {r}");
    }
    assert_eq!(r["object"], "role");
    assert!(str_of(r, "id").starts_with("role_"), "{r}");
    assert!(r["is_creator_eligible"].is_boolean() && r["created_at"].is_i64() && r["updated_at"].is_i64());
    for p in r["permissions"].as_array().unwrap() {
        assert_permission_shape(p);
    }
}

fn assert_permission_shape(p: &Value) {
    for key in ["object", "id", "name", "key", "description", "type", "created_at", "updated_at"] {
        assert!(p.get(key).is_some(), "permission lacks {key}: {p}");
    }
    assert_eq!(p["object"], "permission");
    assert!(str_of(p, "id").starts_with("perm_"), "{p}");
    assert!(p["description"].is_string() && p["created_at"].is_i64() && p["updated_at"].is_i64());
}

/// Ids sorted by `(created_at, id)` ascending, as the store breaks ties.
fn by_created(items: &[Value]) -> Vec<String> {
    let mut keyed: Vec<(i64, String)> =
        items.iter().map(|o| (o["created_at"].as_i64().unwrap(), str_of(o, "id"))).collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}
