//! Organization roles and permissions over real HTTP: the seeded defaults, list query/order/pagination,
//! key validation, duplicates, assigning and removing permissions, system permissions that cannot change,
//! the refusals of role deletion, the permissions the creator role must keep, and the last-manager rule
//! following permissions rather than role keys. Memberships read their role live, so every change to a
//! role or permission shows on existing memberships at once.

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

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

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no string {key} in {v}")).to_owned()
}

fn data(body: &Value) -> &Vec<Value> {
    body["data"].as_array().unwrap_or_else(|| panic!("no data array: {body}"))
}

fn sorted<S: AsRef<str>>(v: &[S]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.as_ref().to_owned()).collect();
    v.sort();
    v
}

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

async fn role_id(app: &TestApp, key: &str) -> String {
    str_of(&role(app, key).await, "id")
}

/// The id of the permission with this key.
async fn permission_id(app: &TestApp, key: &str) -> String {
    let page = app.get("/organization_permissions?limit=500").await;
    let found = data(page.ok()).iter().find(|p| p["key"] == key).cloned();
    str_of(&found.unwrap_or_else(|| panic!("no permission {key}")), "id")
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

// ---------------------------------------------------------------------------------------------------
// Listing the defaults
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn default_roles_and_system_permissions_are_seeded() {
    let app = TestApp::spawn().await;

    let r = app.get("/organization_roles").await;
    let page = r.ok();
    assert_eq!(page["total_count"], 2, "{page}");
    assert_eq!(data(page).len(), 2);
    for r in data(page) {
        assert_role_shape(r);
        for p in r["permissions"].as_array().unwrap() {
            assert_eq!(p["type"], "system", "{p}");
        }
    }

    let admin = role(&app, "org:admin").await;
    assert_eq!(admin["name"], "Admin");
    assert_eq!(admin["is_creator_eligible"], true);
    assert_eq!(role_permission_keys(&admin), sorted(&SYSTEM_PERMISSIONS));

    let member = role(&app, "org:member").await;
    assert_eq!(member["name"], "Member");
    assert_eq!(member["is_creator_eligible"], false);
    assert_eq!(role_permission_keys(&member), vec!["org:sys_billing:read", "org:sys_memberships:read"]);

    // Each role is readable by id.
    for r in [&admin, &member] {
        let got = app.get(&format!("/organization_roles/{}", str_of(r, "id"))).await;
        assert_eq!(got.ok(), r);
    }

    let r = app.get("/organization_permissions?limit=500").await;
    let page = r.ok();
    assert_eq!(page["total_count"], 9, "{page}");
    for p in data(page) {
        assert_permission_shape(p);
        assert_eq!(p["type"], "system", "{p}");
        let got = app.get(&format!("/organization_permissions/{}", str_of(p, "id"))).await;
        assert_eq!(got.ok(), p);
    }
    assert_eq!(sorted(&keys(page)), sorted(&SYSTEM_PERMISSIONS));

    // Permissions take the same query as roles.
    let r = app.get("/organization_permissions?query=BILLING&order_by=key").await;
    assert_eq!(keys(r.ok()), vec!["org:sys_billing:manage", "org:sys_billing:read"]);
    assert_eq!(r.ok()["total_count"], 2);

    // Unknown ids.
    let r = app.get("/organization_roles/role_doesnotexist").await;
    r.err(404, "resource_not_found");
    let r = app.get("/organization_permissions/perm_doesnotexist").await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Organization permission not found");
}

#[tokio::test]
async fn role_list_query_order_and_pagination() {
    let app = TestApp::spawn().await;
    // Names chosen so a case-sensitive sort would differ from a case-insensitive one.
    create_role(&app, "org:billing", "Billing manager", &[]).await;
    create_role(&app, "org:zeta", "auditor", &[]).await;
    create_role(&app, "org:alpha", "Zed", &[]).await;

    let all = all_roles(&app).await;
    assert_eq!(all.len(), 5);

    // query: case-insensitive substring of name or key.
    for (query, expected) in [
        ("BILL", vec!["org:billing"]),
        ("manager", vec!["org:billing"]),
        ("org:ad", vec!["org:admin"]),
        ("ADMIN", vec!["org:admin"]),
        ("AUDIT", vec!["org:zeta"]),
        ("zE", vec!["org:alpha", "org:zeta"]),
        ("nothing-matches", vec![]),
    ] {
        let r = app.get(&format!("/organization_roles?query={query}&order_by=key")).await;
        let page = r.ok();
        assert_eq!(keys(page), expected, "query {query}: {page}");
        assert_eq!(page["total_count"], expected.len() as i64, "query {query}");
    }

    // order_by key and name, both directions.
    let by_key = ["org:admin", "org:alpha", "org:billing", "org:member", "org:zeta"];
    for (order, expected) in [("key", by_key.to_vec()), ("%2Bkey", by_key.to_vec())] {
        let r = app.get(&format!("/organization_roles?order_by={order}")).await;
        assert_eq!(keys(r.ok()), expected, "order_by={order}");
    }
    let r = app.get("/organization_roles?order_by=-key").await;
    assert_eq!(keys(r.ok()), by_key.iter().rev().map(|s| s.to_string()).collect::<Vec<_>>());

    // Names sort case-insensitively: Admin, auditor, Billing manager, Member, Zed.
    let by_name = ["org:admin", "org:zeta", "org:billing", "org:member", "org:alpha"];
    let r = app.get("/organization_roles?order_by=name").await;
    assert_eq!(keys(r.ok()), by_name, "{}", r.text);
    let r = app.get("/organization_roles?order_by=-name").await;
    assert_eq!(keys(r.ok()), by_name.iter().rev().map(|s| s.to_string()).collect::<Vec<_>>(), "{}", r.text);

    // created_at, ties broken by id in the same direction; the default is -created_at.
    let asc = by_created(&all);
    let ids = |body: &Value| data(body).iter().map(|r| str_of(r, "id")).collect::<Vec<_>>();
    let r = app.get("/organization_roles?order_by=created_at").await;
    assert_eq!(ids(r.ok()), asc);
    let desc: Vec<String> = asc.iter().rev().cloned().collect();
    let r = app.get("/organization_roles?order_by=-created_at").await;
    assert_eq!(ids(r.ok()), desc);
    let r = app.get("/organization_roles").await;
    assert_eq!(ids(r.ok()), desc);

    // limit / offset / total_count.
    let r = app.get("/organization_roles?order_by=key&limit=2&offset=1").await;
    let page = r.ok();
    assert_eq!(keys(page), vec!["org:alpha", "org:billing"]);
    assert_eq!(page["total_count"], 5);
    let r = app.get("/organization_roles?order_by=key&limit=2&offset=4").await;
    assert_eq!(keys(r.ok()), vec!["org:zeta"]);
    assert_eq!(r.ok()["total_count"], 5);
    let r = app.get("/organization_roles?order_by=key&offset=10").await;
    assert_eq!(keys(r.ok()), Vec::<String>::new());
    assert_eq!(r.ok()["total_count"], 5);

    // Bad list parameters.
    for (query, param) in
        [("order_by=members_count", "order_by"), ("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset")]
    {
        let r = app.get(&format!("/organization_roles?{query}")).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), param, "{query}: {}", r.text);
    }
}

// ---------------------------------------------------------------------------------------------------
// Creating permissions and roles
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_permission_validates_its_key() {
    let app = TestApp::spawn().await;

    let p = create_permission(&app, "org:invoices:read", "Read invoices").await;
    assert_permission_shape(&p);
    assert_eq!(p["type"], "user");
    assert_eq!(p["key"], "org:invoices:read");
    assert_eq!(p["name"], "Read invoices");
    assert_eq!(p["description"], "Read invoices.");
    let got = app.get(&format!("/organization_permissions/{}", str_of(&p, "id"))).await;
    assert_eq!(got.ok(), &p);
    let r = app.get("/organization_permissions?limit=500").await;
    assert_eq!(r.ok()["total_count"], 10);

    // A description is optional.
    let p2 = app.post("/organization_permissions", json!({"name": "Write", "key": "org:invoices:write"})).await;
    assert_eq!(p2.ok()["type"], "user");
    assert_eq!(p2.ok()["description"], "");

    for key in [
        "org:invoices",
        "invoices:read",
        "org:Invoices:read",
        "org:invoices:read:all",
        "org::read",
        "org:invoices:",
        "org:in voices:read",
    ] {
        let r = app.post("/organization_permissions", json!({"name": "Bad", "key": key})).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), "key", "key {key}: {}", r.text);
    }

    // The org:sys_ namespace is reserved.
    for key in ["org:sys_x:y", "org:sys_profile:manage"] {
        let r = app.post("/organization_permissions", json!({"name": "System", "key": key})).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "key", "key {key}: {}", r.text);
    }

    let r = app.post("/organization_permissions", json!({"name": "Again", "key": "org:invoices:read"})).await;
    r.err(400, "duplicate_record");

    let r = app.post("/organization_permissions", json!({"key": "org:invoices:list"})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "name");
    let r = app.post("/organization_permissions", json!({"name": "No key"})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "key");
    let r = app.post("/organization_permissions", json!({"name": "  ", "key": "org:invoices:list"})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "name");

    // Nothing of the refused requests was stored.
    let r = app.get("/organization_permissions?limit=500").await;
    assert_eq!(r.ok()["total_count"], 11);
}

#[tokio::test]
async fn create_role_with_a_custom_permission() {
    let app = TestApp::spawn().await;
    let read = create_permission(&app, "org:invoices:read", "Read invoices").await;
    let read_id = str_of(&read, "id");

    let r = app
        .post(
            "/organization_roles",
            json!({"name": "Billing", "key": "org:billing", "description": "Handles invoices", "permissions": [read_id]}),
        )
        .await;
    let billing = r.ok().clone();
    assert_role_shape(&billing);
    assert_eq!(billing["key"], "org:billing");
    assert_eq!(billing["name"], "Billing");
    assert_eq!(billing["description"], "Handles invoices");
    assert_eq!(billing["is_creator_eligible"], false);
    assert_eq!(billing["permissions"], json!([read]));
    let got = app.get(&format!("/organization_roles/{}", str_of(&billing, "id"))).await;
    assert_eq!(got.ok(), &billing);

    // No description: null.
    let plain = create_role(&app, "org:plain", "Plain", &[]).await;
    assert_eq!(plain["description"], Value::Null);
    assert_eq!(plain["permissions"], json!([]));

    // A role with the creator permissions is creator-eligible.
    let mut creator_perms = Vec::new();
    for key in CREATOR_PERMISSIONS {
        creator_perms.push(permission_id(&app, key).await);
    }
    let perms: Vec<&str> = creator_perms.iter().map(String::as_str).collect();
    let owner = create_role(&app, "org:owner", "Owner", &perms).await;
    assert_eq!(owner["is_creator_eligible"], true);
    assert_eq!(role_permission_keys(&owner), sorted(&CREATOR_PERMISSIONS));

    for key in ["billing", "org:", "org:Billing", "org:bill-ing", "org:bill ing", "org:billing:x", "ORG:billing"] {
        let r = app.post("/organization_roles", json!({"name": "Bad", "key": key})).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), "key", "key {key}: {}", r.text);
    }

    for key in ["org:billing", "org:admin", "org:member"] {
        let r = app.post("/organization_roles", json!({"name": "Again", "key": key})).await;
        r.err(400, "duplicate_record");
    }

    let r = app
        .post(
            "/organization_roles",
            json!({"name": "Ghost", "key": "org:ghost", "permissions": [read_id, "perm_doesnotexist"]}),
        )
        .await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Organization permission not found");

    let r = app.post("/organization_roles", json!({"key": "org:nameless"})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "name");
    let r = app.post("/organization_roles", json!({"name": "Keyless"})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "key");

    // The create body has `additionalProperties: false`.
    let r = app.post("/organization_roles", json!({"name": "Extra", "key": "org:extra", "color": "red"})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "color");

    // Only the three good roles were stored.
    let keys: Vec<String> = all_roles(&app).await.iter().map(|r| str_of(r, "key")).collect();
    assert_eq!(sorted(&keys), vec!["org:admin", "org:billing", "org:member", "org:owner", "org:plain"]);
}

// ---------------------------------------------------------------------------------------------------
// The key scenario: role changes show on existing memberships at once
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn custom_role_changes_show_on_existing_memberships_at_once() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    let read = str_of(&create_permission(&app, "org:invoices:read", "Read invoices").await, "id");
    let write = str_of(&create_permission(&app, "org:invoices:write", "Write invoices").await, "id");
    let billing = create_role(&app, "org:billing", "Billing", &[&read]).await;
    let role_id = str_of(&billing, "id");

    // Assign the custom role.
    let m = app.add_member(&org, &member, "org:billing").await;
    assert_eq!(m["role"], "org:billing");
    assert_eq!(m["role_name"], "Billing");
    assert_eq!(membership_permissions(&m), vec!["org:invoices:read"]);
    let m = stored(&app, &org, &member).await;
    assert_eq!((m["role"].clone(), m["role_name"].clone()), (json!("org:billing"), json!("Billing")));
    assert_eq!(membership_permissions(&m), vec!["org:invoices:read"]);

    // Add a permission to the role: the existing membership reports it at once, on every list.
    let r = app.post(&format!("/organization_roles/{role_id}/permissions/{write}"), json!({})).await;
    let updated = r.ok();
    assert_role_shape(updated);
    assert_eq!(role_permission_keys(updated), vec!["org:invoices:read", "org:invoices:write"]);
    assert!(updated["updated_at"].as_i64() >= billing["updated_at"].as_i64());
    assert_eq!(
        membership_permissions(&stored(&app, &org, &member).await),
        vec!["org:invoices:read", "org:invoices:write"]
    );
    assert_eq!(
        membership_permissions(&stored_for_user(&app, &org, &member).await),
        vec!["org:invoices:read", "org:invoices:write"]
    );
    let r = app.get("/organization_memberships?limit=500").await;
    let via_instance =
        data(r.ok()).iter().find(|m| m["public_user_data"]["user_id"] == member.as_str()).unwrap().clone();
    assert_eq!(membership_permissions(&via_instance), vec!["org:invoices:read", "org:invoices:write"]);

    // Remove it: gone at once.
    let r = app.delete(&format!("/organization_roles/{role_id}/permissions/{write}")).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:invoices:read"]);
    assert_eq!(membership_permissions(&stored(&app, &org, &member).await), vec!["org:invoices:read"]);
    assert_eq!(membership_permissions(&stored_for_user(&app, &org, &member).await), vec!["org:invoices:read"]);

    // Rename the role's name and key: the membership's role and role_name follow.
    let r =
        app.patch(&format!("/organization_roles/{role_id}"), json!({"name": "Finance", "key": "org:finance"})).await;
    let renamed = r.ok();
    assert_eq!((renamed["key"].clone(), renamed["name"].clone()), (json!("org:finance"), json!("Finance")));
    assert_eq!(renamed["description"], Value::Null);
    let m = stored(&app, &org, &member).await;
    assert_eq!((m["role"].clone(), m["role_name"].clone()), (json!("org:finance"), json!("Finance")));
    assert_eq!(membership_permissions(&m), vec!["org:invoices:read"]);
    let m = stored_for_user(&app, &org, &member).await;
    assert_eq!(m["role"], "org:finance");
    // The role filter uses the new key; the old key names nothing any more.
    let r = app.get(&format!("/organizations/{org}/memberships?role=org:finance")).await;
    assert_eq!(r.ok()["total_count"], 1);
    let r = app.get(&format!("/organizations/{org}/memberships?role=org:billing")).await;
    assert_eq!(r.ok()["total_count"], 0);
    let third = app.user_with_email("third@example.com").await;
    let r =
        app.post(&format!("/organizations/{org}/memberships"), json!({"user_id": third, "role": "org:billing"})).await;
    r.err(404, "resource_not_found");
    assert_eq!(r.param(), "role");
    let m = app.add_member(&org, &third, "org:finance").await;
    assert_eq!(m["role_name"], "Finance");

    // The old key is free again.
    create_role(&app, "org:billing", "New billing", &[]).await;

    // A description can be set and cleared.
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"description": "Money"})).await;
    assert_eq!(r.ok()["description"], "Money");
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"description": null})).await;
    assert_eq!(r.ok()["description"], Value::Null);
    assert_eq!(r.ok()["key"], "org:finance");

    // PATCH permissions replaces the set.
    let billing_read = permission_id(&app, "org:sys_billing:read").await;
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"permissions": [write, billing_read]})).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:invoices:write", "org:sys_billing:read"]);
    assert_eq!(
        membership_permissions(&stored(&app, &org, &member).await),
        vec!["org:invoices:write", "org:sys_billing:read"]
    );
    assert_eq!(
        membership_permissions(&stored(&app, &org, &third).await),
        vec!["org:invoices:write", "org:sys_billing:read"]
    );

    // A PATCH without permissions keeps them.
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"name": "Finance team"})).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:invoices:write", "org:sys_billing:read"]);
    assert_eq!(stored(&app, &org, &member).await["role_name"], "Finance team");

    // An empty set empties it.
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"permissions": []})).await;
    assert_eq!(r.ok()["permissions"], json!([]));
    assert_eq!(stored(&app, &org, &member).await["permissions"], json!([]));

    // Refused updates leave the role alone.
    let before = app.get(&format!("/organization_roles/{role_id}")).await.ok().clone();
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"key": "org:admin"})).await;
    r.err(400, "duplicate_record");
    let r = app.patch(&format!("/organization_roles/{role_id}"), json!({"key": "finance"})).await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "key");
    let r =
        app.patch(&format!("/organization_roles/{role_id}"), json!({"permissions": [read, "perm_doesnotexist"]})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Organization permission not found");
    assert_eq!(app.get(&format!("/organization_roles/{role_id}")).await.ok(), &before);
    let r = app.patch("/organization_roles/role_doesnotexist", json!({"name": "x"})).await;
    r.err(404, "resource_not_found");

    // The owner's membership never moved.
    let m = stored(&app, &org, &owner).await;
    assert_eq!(m["role"], "org:admin");
    assert_eq!(membership_permissions(&m), sorted(&SYSTEM_PERMISSIONS));
}

#[tokio::test]
async fn assigning_and_removing_role_permissions_errors() {
    let app = TestApp::spawn().await;
    let read = str_of(&create_permission(&app, "org:invoices:read", "Read invoices").await, "id");
    let write = str_of(&create_permission(&app, "org:invoices:write", "Write invoices").await, "id");
    let billing = str_of(&create_role(&app, "org:billing", "Billing", &[&read]).await, "id");

    // Already assigned.
    let r = app.post(&format!("/organization_roles/{billing}/permissions/{read}"), json!({})).await;
    r.err(409, "organization_role_permission_association_exists");
    // A system permission already on org:admin.
    let admin = role_id(&app, "org:admin").await;
    let manage = permission_id(&app, "org:sys_memberships:manage").await;
    let r = app.post(&format!("/organization_roles/{admin}/permissions/{manage}"), json!({})).await;
    r.err(409, "organization_role_permission_association_exists");

    // Not assigned.
    let r = app.delete(&format!("/organization_roles/{billing}/permissions/{write}")).await;
    r.err(404, "organization_role_permission_association_not_found");
    let member = role_id(&app, "org:member").await;
    let r = app.delete(&format!("/organization_roles/{member}/permissions/{manage}")).await;
    r.err(404, "organization_role_permission_association_not_found");

    // Unknown role or permission.
    let r = app.post(&format!("/organization_roles/role_doesnotexist/permissions/{write}"), json!({})).await;
    r.err(404, "resource_not_found");
    let r = app.post(&format!("/organization_roles/{billing}/permissions/perm_doesnotexist"), json!({})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Organization permission not found");
    let r = app.delete(&format!("/organization_roles/{billing}/permissions/perm_doesnotexist")).await;
    r.err(404, "resource_not_found");

    // The role is as it was.
    let r = app.get(&format!("/organization_roles/{billing}")).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:invoices:read"]);

    // A system permission can be given to a custom role and taken away again.
    let r = app.post(&format!("/organization_roles/{billing}/permissions/{manage}"), json!({})).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:invoices:read", "org:sys_memberships:manage"]);
    let r = app.delete(&format!("/organization_roles/{billing}/permissions/{manage}")).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:invoices:read"]);
}

// ---------------------------------------------------------------------------------------------------
// System and custom permissions
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn system_permissions_are_fixed_custom_ones_change_and_go() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    // System permissions: neither updated nor deleted.
    for key in SYSTEM_PERMISSIONS {
        let id = permission_id(&app, key).await;
        let before = app.get(&format!("/organization_permissions/{id}")).await.ok().clone();
        let r = app.patch(&format!("/organization_permissions/{id}"), json!({"name": "Renamed"})).await;
        r.err(403, "organization_system_permission_not_modifiable");
        let r = app.patch(&format!("/organization_permissions/{id}"), json!({"key": "org:renamed:thing"})).await;
        r.err(403, "organization_system_permission_not_modifiable");
        let r = app.delete(&format!("/organization_permissions/{id}")).await;
        r.err(403, "organization_system_permission_not_modifiable");
        assert_eq!(app.get(&format!("/organization_permissions/{id}")).await.ok(), &before);
    }
    let m = stored(&app, &org, &owner).await;
    assert_eq!(membership_permissions(&m), sorted(&SYSTEM_PERMISSIONS));

    // A custom permission held by a member through a custom role.
    let p = create_permission(&app, "org:invoices:read", "Read invoices").await;
    let pid = str_of(&p, "id");
    let read_members = permission_id(&app, "org:sys_memberships:read").await;
    let role = create_role(&app, "org:billing", "Billing", &[&pid, &read_members]).await;
    let role_id = str_of(&role, "id");
    app.add_member(&org, &member, "org:billing").await;

    // Update: name, key, description.
    let r = app
        .patch(
            &format!("/organization_permissions/{pid}"),
            json!({"name": "View invoices", "key": "org:invoices:view", "description": "See them"}),
        )
        .await;
    let updated = r.ok();
    assert_permission_shape(updated);
    assert_eq!(updated["id"], pid.as_str());
    assert_eq!(updated["name"], "View invoices");
    assert_eq!(updated["key"], "org:invoices:view");
    assert_eq!(updated["description"], "See them");
    assert_eq!(updated["type"], "user");
    assert_eq!(app.get(&format!("/organization_permissions/{pid}")).await.ok(), updated);
    // The membership reports the new key at once.
    assert_eq!(
        membership_permissions(&stored(&app, &org, &member).await),
        vec!["org:invoices:view", "org:sys_memberships:read"]
    );

    // Refused updates of a custom permission.
    create_permission(&app, "org:invoices:write", "Write invoices").await;
    let r = app.patch(&format!("/organization_permissions/{pid}"), json!({"key": "org:invoices:write"})).await;
    r.err(400, "duplicate_record");
    let r = app.patch(&format!("/organization_permissions/{pid}"), json!({"key": "org:invoices"})).await;
    r.err(422, "form_param_format_invalid");
    assert_eq!(r.param(), "key");
    let r = app.patch(&format!("/organization_permissions/{pid}"), json!({"key": "org:sys_invoices:view"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "key");
    assert_eq!(app.get(&format!("/organization_permissions/{pid}")).await.ok()["key"], "org:invoices:view");
    let r = app.patch("/organization_permissions/perm_doesnotexist", json!({"name": "x"})).await;
    r.err(404, "resource_not_found");

    // Delete: gone from the role and from the membership's permissions.
    let r = app.delete(&format!("/organization_permissions/{pid}")).await;
    assert_eq!(r.ok(), &json!({"object": "permission", "id": pid, "deleted": true}));
    let r = app.get(&format!("/organization_permissions/{pid}")).await;
    r.err(404, "resource_not_found");
    let r = app.get(&format!("/organization_roles/{role_id}")).await;
    assert_eq!(role_permission_keys(r.ok()), vec!["org:sys_memberships:read"]);
    assert_eq!(membership_permissions(&stored(&app, &org, &member).await), vec!["org:sys_memberships:read"]);
    let r = app.delete(&format!("/organization_permissions/{pid}")).await;
    r.err(404, "resource_not_found");
    let r = app.get("/organization_permissions?limit=500").await;
    assert_eq!(r.ok()["total_count"], 10);

    // Its key can be used again.
    create_permission(&app, "org:invoices:view", "View invoices again").await;
}

// ---------------------------------------------------------------------------------------------------
// Deleting roles
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_role_refusals_and_success() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let admin = role_id(&app, "org:admin").await;
    let member_role = role_id(&app, "org:member").await;

    let r = app.delete(&format!("/organization_roles/{admin}")).await;
    r.err(422, "organization_role_default_creator_role");
    let r = app.delete(&format!("/organization_roles/{member_role}")).await;
    r.err(422, "organization_role_domain_default_role");

    let held = str_of(&create_role(&app, "org:billing", "Billing", &[]).await, "id");
    app.add_member(&org, &member, "org:billing").await;
    let r = app.delete(&format!("/organization_roles/{held}")).await;
    r.err(422, "organization_role_assigned_members");
    assert_eq!(all_roles(&app).await.len(), 3);
    assert_eq!(stored(&app, &org, &member).await["role"], "org:billing");

    // An unused custom role goes.
    let unused = str_of(&create_role(&app, "org:unused", "Unused", &[]).await, "id");
    let r = app.delete(&format!("/organization_roles/{unused}")).await;
    assert_eq!(r.ok(), &json!({"object": "role", "id": unused, "deleted": true}));
    let r = app.get(&format!("/organization_roles/{unused}")).await;
    r.err(404, "resource_not_found");
    let r = app.delete(&format!("/organization_roles/{unused}")).await;
    r.err(404, "resource_not_found");
    let r = app.delete("/organization_roles/role_doesnotexist").await;
    r.err(404, "resource_not_found");

    // Once nobody holds it, the held role can go too; its key is then unknown to memberships.
    app.patch(&format!("/organizations/{org}/memberships/{member}"), json!({"role": "org:member"})).await.ok();
    let r = app.delete(&format!("/organization_roles/{held}")).await;
    assert_eq!(r.ok(), &json!({"object": "role", "id": held, "deleted": true}));
    let r = app.patch(&format!("/organizations/{org}/memberships/{member}"), json!({"role": "org:billing"})).await;
    r.err(404, "resource_not_found");
    assert_eq!(r.param(), "role");

    // Removing the member who held a role also frees it.
    let other = str_of(&create_role(&app, "org:other", "Other", &[]).await, "id");
    app.patch(&format!("/organizations/{org}/memberships/{member}"), json!({"role": "org:other"})).await.ok();
    app.delete(&format!("/organizations/{org}/memberships/{member}")).await.ok();
    app.delete(&format!("/organization_roles/{other}")).await.ok();

    let keys: Vec<String> = all_roles(&app).await.iter().map(|r| str_of(r, "key")).collect();
    assert_eq!(sorted(&keys), vec!["org:admin", "org:member"]);
}

// ---------------------------------------------------------------------------------------------------
// The creator role keeps the creator permissions
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn creator_role_keeps_the_creator_permissions() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let admin = role_id(&app, "org:admin").await;
    let before = app.get(&format!("/organization_roles/{admin}")).await.ok().clone();

    for key in CREATOR_PERMISSIONS {
        let pid = permission_id(&app, key).await;
        let r = app.delete(&format!("/organization_roles/{admin}/permissions/{pid}")).await;
        let e = r.err(422, "organization_missing_creator_role_permissions");
        assert!(e["long_message"].as_str().unwrap().contains(key), "{}", r.text);
        // Unchanged afterwards, updated_at included.
        assert_eq!(app.get(&format!("/organization_roles/{admin}")).await.ok(), &before, "after removing {key}");
    }

    // Replacing the set with one lacking them is refused the same way.
    let manage = permission_id(&app, "org:sys_memberships:manage").await;
    let r = app.patch(&format!("/organization_roles/{admin}"), json!({"permissions": [manage]})).await;
    r.err(422, "organization_missing_creator_role_permissions");
    let r = app.patch(&format!("/organization_roles/{admin}"), json!({"permissions": [], "name": "Boss"})).await;
    r.err(422, "organization_missing_creator_role_permissions");
    assert_eq!(app.get(&format!("/organization_roles/{admin}")).await.ok(), &before);
    let m = stored(&app, &org, &owner).await;
    assert_eq!(m["role_name"], "Admin");
    assert_eq!(membership_permissions(&m), sorted(&SYSTEM_PERMISSIONS));

    // Other permissions of the creator role can go and come back.
    let billing_manage = permission_id(&app, "org:sys_billing:manage").await;
    let r = app.delete(&format!("/organization_roles/{admin}/permissions/{billing_manage}")).await;
    let after = r.ok();
    assert_eq!(after["permissions"].as_array().unwrap().len(), 8);
    assert_eq!(after["is_creator_eligible"], true);
    let m = stored(&app, &org, &owner).await;
    assert!(!membership_permissions(&m).contains(&"org:sys_billing:manage".to_owned()));
    assert_eq!(membership_permissions(&m).len(), 8);
    let r = app.post(&format!("/organization_roles/{admin}/permissions/{billing_manage}"), json!({})).await;
    assert_eq!(role_permission_keys(r.ok()), sorted(&SYSTEM_PERMISSIONS));

    // A role that is not the creator role may lose them (and with them its eligibility).
    let mut ids = Vec::new();
    for key in CREATOR_PERMISSIONS {
        ids.push(permission_id(&app, key).await);
    }
    let eligible = create_role(&app, "org:owner", "Owner", &ids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(eligible["is_creator_eligible"], true);
    let r = app.delete(&format!("/organization_roles/{}/permissions/{}", str_of(&eligible, "id"), ids[2])).await;
    assert_eq!(r.ok()["is_creator_eligible"], false);
    let r =
        app.post(&format!("/organization_roles/{}/permissions/{}", str_of(&eligible, "id"), ids[2]), json!({})).await;
    assert_eq!(r.ok()["is_creator_eligible"], true);
}

// ---------------------------------------------------------------------------------------------------
// The last-manager rule follows permissions, not the org:admin key
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn last_manager_rule_applies_to_custom_managing_roles() {
    let app = TestApp::spawn().await;
    let manage = permission_id(&app, "org:sys_memberships:manage").await;
    let read = permission_id(&app, "org:sys_memberships:read").await;
    create_role(&app, "org:owner", "Owner", &[&manage, &read]).await;

    let alice = app.user_with_email("alice@example.com").await;
    let bob = app.user_with_email("bob@example.com").await;
    let carol = app.user_with_email("carol@example.com").await;
    // No created_by: Alice, holding org:owner, is the only member who can manage members.
    let org = app.org(json!({"name": "Acme"})).await;
    let m = app.add_member(&org, &alice, "org:owner").await;
    assert_eq!(m["role"], "org:owner");
    app.add_member(&org, &bob, "org:member").await;
    let r = app.get(&format!("/organizations/{org}?include_missing_member_with_elevated_permissions=true")).await;
    assert_eq!(r.ok()["missing_member_with_elevated_permissions"], false);

    let r = app.patch(&format!("/organizations/{org}/memberships/{alice}"), json!({"role": "org:member"})).await;
    r.err(400, "organization_minimum_permissions_needed");
    let r = app.delete(&format!("/organizations/{org}/memberships/{alice}")).await;
    r.err(400, "organization_minimum_permissions_needed");
    assert_eq!(stored(&app, &org, &alice).await["role"], "org:owner");

    // Moving between managing roles is fine.
    let r = app.patch(&format!("/organizations/{org}/memberships/{alice}"), json!({"role": "org:admin"})).await;
    assert_eq!(r.ok()["role"], "org:admin");
    let r = app.patch(&format!("/organizations/{org}/memberships/{alice}"), json!({"role": "org:owner"})).await;
    assert_eq!(r.ok()["role"], "org:owner");

    // With another org:admin present, the org:owner can be demoted.
    app.add_member(&org, &carol, "org:admin").await;
    let r = app.patch(&format!("/organizations/{org}/memberships/{alice}"), json!({"role": "org:member"})).await;
    let m = r.ok();
    assert_eq!(m["role"], "org:member");
    assert_eq!(membership_permissions(m), vec!["org:sys_billing:read", "org:sys_memberships:read"]);

    // Now Carol (org:admin) is the last manager.
    let r = app.patch(&format!("/organizations/{org}/memberships/{carol}"), json!({"role": "org:member"})).await;
    r.err(400, "organization_minimum_permissions_needed");
    // Promote Bob to org:owner: Carol may then go.
    app.patch(&format!("/organizations/{org}/memberships/{bob}"), json!({"role": "org:owner"})).await.ok();
    let r = app.delete(&format!("/organizations/{org}/memberships/{carol}")).await;
    assert_eq!(r.ok()["role"], "org:admin");
    let r = app.delete(&format!("/organizations/{org}/memberships/{bob}")).await;
    r.err(400, "organization_minimum_permissions_needed");
}

// ---------------------------------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn roles_and_permissions_belong_to_their_instance() {
    let app = TestApp::spawn().await;
    let other = app.other_instance(Environment::Development).await;
    let read = str_of(&create_permission(&app, "org:invoices:read", "Read invoices").await, "id");
    let billing = str_of(&create_role(&app, "org:billing", "Billing", &[&read]).await, "id");
    let admin = role_id(&app, "org:admin").await;

    // The other instance has its own defaults and sees none of this instance's records.
    let r = app.call_as(&other, Method::GET, "/organization_roles", None).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 2);
    assert!(data(page).iter().all(|r| r["id"] != admin.as_str() && r["id"] != billing.as_str()), "{page}");
    let r = app.call_as(&other, Method::GET, "/organization_permissions?limit=500", None).await;
    assert_eq!(r.ok()["total_count"], 9);
    for path in [format!("/organization_roles/{billing}"), format!("/organization_permissions/{read}")] {
        app.call_as(&other, Method::GET, &path, None).await.err(404, "resource_not_found");
        app.call_as(&other, Method::DELETE, &path, None).await.err(404, "resource_not_found");
    }
    // Nor can it use them.
    let r = app
        .call_as(
            &other,
            Method::POST,
            "/organization_roles",
            Some(json!({"name": "X", "key": "org:x", "permissions": [read]})),
        )
        .await;
    r.err(404, "resource_not_found");
    let other_admin = data(app.call_as(&other, Method::GET, "/organization_roles", None).await.ok())
        .iter()
        .find(|r| r["key"] == "org:admin")
        .map(|r| str_of(r, "id"))
        .unwrap();
    let r = app.post(&format!("/organization_roles/{other_admin}/permissions/{read}"), json!({})).await;
    r.err(404, "resource_not_found");
    let r = app
        .call_as(
            &other,
            Method::POST,
            &format!("/organization_roles/{other_admin}/permissions/{read}"),
            Some(json!({})),
        )
        .await;
    r.err(404, "resource_not_found");
    // The same keys are free in the other instance.
    let r = app
        .call_as(
            &other,
            Method::POST,
            "/organization_permissions",
            Some(json!({"name": "R", "key": "org:invoices:read"})),
        )
        .await;
    assert_eq!(r.ok()["type"], "user");
    let r = app
        .call_as(&other, Method::POST, "/organization_roles", Some(json!({"name": "B", "key": "org:billing"})))
        .await;
    assert_eq!(r.ok()["key"], "org:billing");
    // And this instance is untouched.
    assert_eq!(all_roles(&app).await.len(), 3);
    assert_eq!(role_permission_keys(&role(&app, "org:billing").await), vec!["org:invoices:read"]);
}
