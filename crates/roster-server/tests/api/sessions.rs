//! The instance's organization settings and sessions over real HTTP: settings defaults and updates (the
//! membership default, the creator role, turning organizations off), `POST /sessions` and its active
//! organization through joins, leaves and deletions, the user's `last_active_at`, and the session list.

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::TestApp;

const DAY_MS: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no string {key} in {v}")).to_owned()
}

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

async fn role_id(app: &TestApp, key: &str) -> String {
    let r = app.get("/organization_roles?limit=500").await;
    let found = r.ok()["data"].as_array().unwrap().iter().find(|r| r["key"] == key).cloned();
    str_of(&found.unwrap_or_else(|| panic!("no role {key}")), "id")
}

async fn permission_id(app: &TestApp, key: &str) -> String {
    let r = app.get("/organization_permissions?limit=500").await;
    let found = r.ok()["data"].as_array().unwrap().iter().find(|p| p["key"] == key).cloned();
    str_of(&found.unwrap_or_else(|| panic!("no permission {key}")), "id")
}

/// A custom role holding exactly the permissions with these keys; returns its id.
async fn custom_role(app: &TestApp, key: &str, permission_keys: &[&str]) -> String {
    let mut ids = Vec::new();
    for k in permission_keys {
        ids.push(permission_id(app, k).await);
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

// ---------------------------------------------------------------------------------------------------
// Organization settings
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn organization_settings_defaults() {
    let app = TestApp::spawn().await;
    let s = settings(&app).await;
    // Every key the spec's OrganizationSettings schema requires.
    for key in [
        "object",
        "enabled",
        "max_allowed_memberships",
        "max_allowed_roles",
        "max_allowed_domains",
        "creator_role",
        "admin_delete_enabled",
        "domains_enabled",
        "domains_enrollment_modes",
        "domains_default_role",
    ] {
        assert!(s.get(key).is_some(), "settings lack {key}: {s}");
    }
    assert_eq!(s["object"], "organization_settings");
    assert_eq!(s["enabled"], true);
    assert_eq!(s["creator_role"], "org:admin");
    assert_eq!(s["domains_default_role"], "org:member");
    assert_eq!(s["max_allowed_memberships"], 0);
    assert_eq!(s["admin_delete_enabled"], true);
    assert!(s["max_allowed_roles"].is_i64() && s["max_allowed_domains"].is_i64());
    assert!(s["domains_enrollment_modes"].is_array());
}

#[tokio::test]
async fn settings_update_membership_default_and_creator_role() {
    let app = TestApp::spawn().await;
    let founder = app.user_with_email("founder@example.com").await;
    let old_org = app.org(json!({"name": "Old", "created_by": founder})).await;

    // max_allowed_memberships is the default of new organizations only.
    let r = app.patch("/instance/organization_settings", json!({"max_allowed_memberships": 3})).await;
    assert_eq!(r.ok()["max_allowed_memberships"], 3);
    assert_eq!(r.ok()["object"], "organization_settings");
    assert_eq!(settings(&app).await["max_allowed_memberships"], 3);
    let new_org = app.org(json!({"name": "New", "created_by": founder})).await;
    assert_eq!(app.get(&format!("/organizations/{new_org}")).await.ok()["max_allowed_memberships"], 3);
    assert_eq!(app.get(&format!("/organizations/{old_org}")).await.ok()["max_allowed_memberships"], 0);
    // An explicit value still wins.
    let explicit = app.org(json!({"name": "Explicit", "max_allowed_memberships": 7})).await;
    assert_eq!(app.get(&format!("/organizations/{explicit}")).await.ok()["max_allowed_memberships"], 7);
    // And the default is enforced: the founder plus two more fill it.
    for i in 0..2 {
        let u = app.user_with_email(&format!("m{i}@example.com")).await;
        app.add_member(&new_org, &u, "org:member").await;
    }
    let late = app.user_with_email("late@example.com").await;
    let r = app
        .post(&format!("/organizations/{new_org}/memberships"), json!({"user_id": late, "role": "org:member"}))
        .await;
    r.err(403, "organization_membership_quota_exceeded");
    app.add_member(&old_org, &late, "org:member").await;

    let r = app.patch("/instance/organization_settings", json!({"max_allowed_memberships": -1})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "max_allowed_memberships");
    let r = app.patch("/instance/organization_settings", json!({"max_allowed_memberships": "3"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "max_allowed_memberships");

    // The creator role: a custom, eligible role.
    let owner = custom_role(
        &app,
        "org:owner",
        &["org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:delete", "org:sys_profile:manage"],
    )
    .await;
    let r = app.patch("/instance/organization_settings", json!({"creator_role_id": owner})).await;
    assert_eq!(r.ok()["creator_role"], "org:owner");
    assert_eq!(settings(&app).await["creator_role"], "org:owner");
    let creator = app.user_with_email("creator@example.com").await;
    let org = app.org(json!({"name": "Owned", "max_allowed_memberships": 0, "created_by": creator})).await;
    let r = app.get(&format!("/organizations/{org}/memberships?user_id={creator}")).await;
    assert_eq!(r.ok()["data"][0]["role"], "org:owner");
    assert_eq!(r.ok()["data"][0]["role_name"], "org:owner");
    // Existing creators keep their role.
    let r = app.get(&format!("/organizations/{old_org}/memberships?user_id={founder}")).await;
    assert_eq!(r.ok()["data"][0]["role"], "org:admin");

    // The creator role now is org:owner: it cannot be deleted or lose the creator permissions; org:admin
    // no longer is, so it can lose them.
    let r = app.delete(&format!("/organization_roles/{owner}")).await;
    r.err(422, "organization_role_default_creator_role");
    let delete_perm = permission_id(&app, "org:sys_profile:delete").await;
    let r = app.delete(&format!("/organization_roles/{owner}/permissions/{delete_perm}")).await;
    r.err(422, "organization_missing_creator_role_permissions");
    let admin = role_id(&app, "org:admin").await;
    let r = app.delete(&format!("/organization_roles/{admin}/permissions/{delete_perm}")).await;
    assert_eq!(r.ok()["is_creator_eligible"], false);

    // A role lacking the creator permissions cannot become the creator role.
    let member = role_id(&app, "org:member").await;
    for refused in [&member, &admin] {
        let r = app.patch("/instance/organization_settings", json!({"creator_role_id": refused})).await;
        let e = r.err(422, "organization_missing_creator_role_permissions");
        assert!(e["long_message"].as_str().unwrap().contains("org:sys_profile:delete"), "{}", r.text);
    }
    let r = app.patch("/instance/organization_settings", json!({"creator_role_id": "role_doesnotexist"})).await;
    r.err(404, "resource_not_found");
    let r = app.patch("/instance/organization_settings", json!({"domains_default_role_id": "role_doesnotexist"})).await;
    r.err(404, "resource_not_found");
    // A refused PATCH changes nothing, not even its other fields.
    let r = app
        .patch("/instance/organization_settings", json!({"max_allowed_memberships": 9, "creator_role_id": member}))
        .await;
    r.err(422, "organization_missing_creator_role_permissions");
    let s = settings(&app).await;
    assert_eq!((s["creator_role"].clone(), s["max_allowed_memberships"].clone()), (json!("org:owner"), json!(3)));

    // The body has `additionalProperties: false`.
    let r = app.patch("/instance/organization_settings", json!({"max_allowed_roles": 5})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "max_allowed_roles");
    let r = app.patch("/instance/organization_settings", json!({"creator_role": "org:admin"})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "creator_role");

    // Renaming the creator role's key shows in the settings.
    let r = app.patch(&format!("/organization_roles/{owner}"), json!({"key": "org:founder"})).await;
    assert_eq!(r.ok()["key"], "org:founder");
    assert_eq!(settings(&app).await["creator_role"], "org:founder");
    // And creators keep getting it.
    let org2 = app.org(json!({"name": "Owned 2", "created_by": creator})).await;
    let r = app.get(&format!("/organizations/{org2}/memberships?user_id={creator}")).await;
    assert_eq!(r.ok()["data"][0]["role"], "org:founder");

    // The domains default role, by id, and its rename.
    let r = app.patch("/instance/organization_settings", json!({"domains_default_role_id": owner})).await;
    assert_eq!(r.ok()["domains_default_role"], "org:founder");
    // org:member is now neither the creator nor the domains default role.
    let r = app.patch("/instance/organization_settings", json!({"domains_default_role_id": member})).await;
    assert_eq!(r.ok()["domains_default_role"], "org:member");

    // Other settings round-trip.
    let r = app
        .patch(
            "/instance/organization_settings",
            json!({"domains_enabled": true, "slug_disabled": true, "domains_enrollment_modes": ["automatic_invitation"]}),
        )
        .await;
    let s = r.ok();
    assert_eq!(s["domains_enabled"], true);
    assert_eq!(s["slug_disabled"], true);
    assert_eq!(s["domains_enrollment_modes"], json!(["automatic_invitation"]));
    assert_eq!(&settings(&app).await, s);
    let r = app.patch("/instance/organization_settings", json!({"domains_enrollment_modes": ["sometimes"]})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "domains_enrollment_modes");
}

#[tokio::test]
async fn disabled_organizations_answer_403_users_and_sessions_keep_working() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &member, "org:member").await;
    let perm =
        app.post("/organization_permissions", json!({"name": "Read invoices", "key": "org:invoices:read"})).await;
    let perm = str_of(perm.ok(), "id");
    let role =
        app.post("/organization_roles", json!({"name": "Billing", "key": "org:billing", "permissions": [perm]})).await;
    let role = str_of(role.ok(), "id");
    let members_before = app.get(&format!("/organizations/{org}/memberships")).await.ok().clone();

    let r = app.patch("/instance/organization_settings", json!({"enabled": false})).await;
    assert_eq!(r.ok()["enabled"], false);
    assert_eq!(settings(&app).await["enabled"], false);

    let newcomer = app.user_with_email("newcomer@example.com").await;
    let refused: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/organizations".into(), None),
        (Method::POST, "/organizations".into(), Some(json!({"name": "Nope"}))),
        (Method::GET, format!("/organizations/{org}"), None),
        (Method::PATCH, format!("/organizations/{org}"), Some(json!({"name": "Renamed"}))),
        (Method::PATCH, format!("/organizations/{org}/metadata"), Some(json!({"public_metadata": {"a": 1}}))),
        (Method::DELETE, format!("/organizations/{org}"), None),
        (Method::GET, format!("/organizations/{org}/memberships"), None),
        (
            Method::POST,
            format!("/organizations/{org}/memberships"),
            Some(json!({"user_id": newcomer, "role": "org:member"})),
        ),
        (Method::PATCH, format!("/organizations/{org}/memberships/{member}"), Some(json!({"role": "org:admin"}))),
        (Method::DELETE, format!("/organizations/{org}/memberships/{member}"), None),
        (Method::GET, "/organization_memberships".into(), None),
        (Method::GET, format!("/users/{member}/organization_memberships"), None),
        (Method::GET, "/organization_roles".into(), None),
        (Method::POST, "/organization_roles".into(), Some(json!({"name": "X", "key": "org:x"}))),
        (Method::GET, format!("/organization_roles/{role}"), None),
        (Method::PATCH, format!("/organization_roles/{role}"), Some(json!({"name": "Y"}))),
        (Method::DELETE, format!("/organization_roles/{role}"), None),
        (Method::POST, format!("/organization_roles/{role}/permissions/{perm}"), Some(json!({}))),
        (Method::GET, "/organization_permissions".into(), None),
        (Method::POST, "/organization_permissions".into(), Some(json!({"name": "W", "key": "org:invoices:write"}))),
        (Method::GET, format!("/organization_permissions/{perm}"), None),
        (Method::DELETE, format!("/organization_permissions/{perm}"), None),
    ];
    for (method, path, body) in &refused {
        let r = app.call(method.clone(), path, body.clone()).await;
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
        r.err(403, "organization_not_enabled_in_instance");
    }

    // Users and sessions keep working.
    let r = app.get(&format!("/users/{member}")).await;
    assert_eq!(r.ok()["id"], member.as_str());
    app.user_with_email("another@example.com").await;
    let r = app.patch(&format!("/users/{member}"), json!({"first_name": "Mem"})).await;
    assert_eq!(r.ok()["first_name"], "Mem");
    let s = session(&app, &member).await;
    assert_eq!(s["status"], "active");
    let r = app.get(&format!("/sessions?user_id={member}")).await;
    assert_eq!(ids(r.ok()), vec![str_of(&s, "id")]);
    app.get(&format!("/sessions/{}", str_of(&s, "id"))).await.ok();

    // Back on: everything is as it was.
    let r = app.patch("/instance/organization_settings", json!({"enabled": true})).await;
    assert_eq!(r.ok()["enabled"], true);
    let org_now = app.get(&format!("/organizations/{org}?include_members_count=true")).await;
    assert_eq!(org_now.ok()["name"], "Acme");
    assert_eq!(org_now.ok()["members_count"], 2);
    let members_after = app.get(&format!("/organizations/{org}/memberships")).await;
    // Only the member's first name changed meanwhile.
    let mut expected = members_before.clone();
    for m in expected["data"].as_array_mut().unwrap() {
        if m["public_user_data"]["user_id"] == member.as_str() {
            m["public_user_data"]["first_name"] = json!("Mem");
        }
    }
    assert_eq!(members_after.ok(), &expected);
    let r = app.get(&format!("/organization_roles/{role}")).await;
    assert_eq!(r.ok()["permissions"][0]["id"], perm.as_str());
    app.get(&format!("/organization_permissions/{perm}")).await.ok();
    app.add_member(&org, &newcomer, "org:billing").await;
}

#[tokio::test]
async fn admin_delete_disabled_does_not_block_the_backend_api() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let r = app.patch(&format!("/organizations/{org}"), json!({"admin_delete_enabled": false})).await;
    assert_eq!(r.ok()["admin_delete_enabled"], false);
    // Roster's documented decision: organization_admin_delete_not_enabled is a Frontend API error.
    let r = app.delete(&format!("/organizations/{org}")).await;
    let body = r.ok();
    assert_eq!(body["object"], "organization");
    assert_eq!(body["id"], org.as_str());
    assert_eq!(body["deleted"], true);
    app.get(&format!("/organizations/{org}")).await.err(404, "resource_not_found");

    // The instance setting is the default of new organizations; they can be deleted all the same.
    let r = app.patch("/instance/organization_settings", json!({"admin_delete_enabled": false})).await;
    assert_eq!(r.ok()["admin_delete_enabled"], false);
    let org = app.org(json!({"name": "Acme 2", "created_by": owner})).await;
    assert_eq!(app.get(&format!("/organizations/{org}")).await.ok()["admin_delete_enabled"], false);
    assert_eq!(app.delete(&format!("/organizations/{org}")).await.ok()["deleted"], true);
}

// ---------------------------------------------------------------------------------------------------
// Creating sessions
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_session_shape_and_errors() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("user@example.com").await;
    let before = now_ms();
    let s = session(&app, &user).await;
    // Every key the spec's Session schema requires.
    for key in [
        "object",
        "id",
        "user_id",
        "client_id",
        "status",
        "last_active_at",
        "expire_at",
        "abandon_at",
        "updated_at",
        "created_at",
    ] {
        assert!(s.get(key).is_some(), "session lacks {key}: {s}");
    }
    assert_eq!(s["object"], "session");
    let id = str_of(&s, "id");
    assert!(id.starts_with("sess_") && id.len() == "sess_".len() + 27, "{id}");
    assert!(id["sess_".len()..].bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(s["user_id"], user.as_str());
    assert_eq!(s["status"], "active");
    let client = str_of(&s, "client_id");
    assert!(client.starts_with("client_") && client.len() == "client_".len() + 27, "{client}");
    assert_eq!(s["last_active_organization_id"], Value::Null);
    let created = s["created_at"].as_i64().unwrap();
    assert!(created >= before - 1000 && created <= now_ms(), "{s}");
    assert!(s["last_active_at"].as_i64().unwrap() >= created);
    assert!(s["expire_at"].as_i64().unwrap() > created);
    assert!(s["abandon_at"].as_i64().unwrap() >= s["expire_at"].as_i64().unwrap());
    assert!(s["updated_at"].is_i64());
    assert_eq!(app.get(&format!("/sessions/{id}")).await.ok(), &s);
    // Each session has its own client.
    let s2 = session(&app, &user).await;
    assert_ne!(s2["client_id"], s["client_id"]);
    assert_ne!(s2["id"], s["id"]);

    let r = app.post("/sessions", json!({"user_id": "user_doesnotexist"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "No user was found with id user_doesnotexist");
    let r = app.post("/sessions", json!({})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "user_id");
    let r = app.post("/sessions", json!({"user_id": ""})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "user_id");
    let r = app.post("/sessions", json!({"user_id": 5})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "user_id");

    // A user of another instance is unknown here.
    let other = app.other_instance(Environment::Development).await;
    let foreign = app.call_as(&other, Method::POST, "/users", Some(json!({}))).await;
    let foreign = str_of(foreign.ok(), "id");
    app.post("/sessions", json!({"user_id": foreign})).await.err(404, "resource_not_found");
    // Nor can the other instance read this one's sessions.
    let r = app.call_as(&other, Method::GET, &format!("/sessions/{id}"), None).await;
    r.err(404, "resource_not_found");

    // Production instances do not create sessions.
    let prod = app.other_instance(Environment::Production).await;
    let prod_user = app.call_as(&prod, Method::POST, "/users", Some(json!({}))).await;
    let prod_user = str_of(prod_user.ok(), "id");
    let r = app.call_as(&prod, Method::POST, "/sessions", Some(json!({"user_id": prod_user}))).await;
    r.err(400, "request_invalid_for_environment");
    let r = app.call_as(&prod, Method::GET, &format!("/sessions?user_id={prod_user}"), None).await;
    assert_eq!(r.ok(), &json!([]));
}

// ---------------------------------------------------------------------------------------------------
// The active organization
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn active_organization_follows_joins_leaves_and_deletions() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let user = app.user_with_email("user@example.com").await;
    let loner = app.user_with_email("loner@example.com").await;
    let a = app.org(json!({"name": "A", "created_by": owner})).await;
    let b = app.org(json!({"name": "B", "created_by": owner})).await;
    let c = app.org(json!({"name": "C", "created_by": owner})).await;

    // No memberships: no active organization.
    assert_eq!(session(&app, &loner).await["last_active_organization_id"], Value::Null);
    assert_eq!(session(&app, &user).await["last_active_organization_id"], Value::Null);

    // Joining A, then B: the latest joined is active on the next session.
    app.add_member(&a, &user, "org:member").await;
    let s_a = session(&app, &user).await;
    assert_eq!(s_a["last_active_organization_id"], a.as_str());
    app.add_member(&b, &user, "org:member").await;
    let s_b = session(&app, &user).await;
    assert_eq!(s_b["last_active_organization_id"], b.as_str());
    // Existing sessions are not moved by a join.
    assert_eq!(active_org(&app, &s_a).await, a.as_str());
    // An explicit choice wins.
    let s_chosen = session_in(&app, &user, &a).await;
    assert_eq!(s_chosen["last_active_organization_id"], a.as_str());
    let s_b2 = session_in(&app, &user, &b).await;
    assert_eq!(s_b2["last_active_organization_id"], b.as_str());
    // An empty choice is no choice.
    let s_default = app.post("/sessions", json!({"user_id": user, "active_organization_id": ""})).await;
    assert_eq!(s_default.ok()["last_active_organization_id"], b.as_str());

    // Not a member of C; an unknown organization.
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": c})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "active_organization_id");
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": "org_doesnotexist"})).await;
    r.err(404, "resource_not_found");
    let r = app.get(&format!("/sessions?user_id={user}")).await;
    assert_eq!(r.ok().as_array().unwrap().len(), 6, "refused sessions were not stored");

    // Creating an organization with created_by counts as joining it.
    let s_owner = session(&app, &owner).await;
    assert_eq!(s_owner["last_active_organization_id"], c.as_str());
    let founder = app.user_with_email("founder@example.com").await;
    let d = app.org(json!({"name": "D", "created_by": founder})).await;
    assert_eq!(session(&app, &founder).await["last_active_organization_id"], d.as_str());
    let s_owner_a = session_in(&app, &owner, &a).await;

    // Leaving B: the sessions on B move to A, the latest remaining organization; the others stay.
    app.delete(&format!("/organizations/{b}/memberships/{user}")).await.ok();
    assert_eq!(active_org(&app, &s_b).await, a.as_str());
    assert_eq!(active_org(&app, &s_b2).await, a.as_str());
    assert_eq!(active_org(&app, &s_a).await, a.as_str());
    assert_eq!(active_org(&app, &s_chosen).await, a.as_str());
    // Other users' sessions on B are not touched.
    let s_owner_b = session_in(&app, &owner, &b).await;
    assert_eq!(active_org(&app, &s_owner_b).await, b.as_str());
    assert_eq!(session(&app, &user).await["last_active_organization_id"], a.as_str());

    // Deleting A: no session keeps it, whoever's it is.
    app.delete(&format!("/organizations/{a}")).await.ok();
    for s in [&s_a, &s_b, &s_b2, &s_chosen, &s_owner_a] {
        assert_eq!(active_org(&app, s).await, Value::Null, "session {}", s["id"]);
    }
    assert_eq!(active_org(&app, &s_owner_b).await, b.as_str());
    assert_eq!(active_org(&app, &s_owner).await, c.as_str());
    // The user now belongs to nothing.
    assert_eq!(session(&app, &user).await["last_active_organization_id"], Value::Null);
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": a})).await;
    r.err(404, "resource_not_found");

    // Leaving the last organization leaves the session without one.
    app.add_member(&c, &user, "org:member").await;
    let s_c = session(&app, &user).await;
    assert_eq!(s_c["last_active_organization_id"], c.as_str());
    app.delete(&format!("/organizations/{c}/memberships/{user}")).await.ok();
    assert_eq!(active_org(&app, &s_c).await, Value::Null);
}

// ---------------------------------------------------------------------------------------------------
// The user's last_active_at
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn session_sets_last_active_at_and_membership_filters_see_it() {
    let app = TestApp::spawn().await;
    let active = app.user_with_email("active@example.com").await;
    let idle = app.user_with_email("idle@example.com").await;
    let org = app.org(json!({"name": "Acme"})).await;
    app.add_member(&org, &active, "org:member").await;
    app.add_member(&org, &idle, "org:member").await;
    assert_eq!(app.get(&format!("/users/{active}")).await.ok()["last_active_at"], Value::Null);

    session(&app, &active).await;
    let now = now_ms();
    let u = app.get(&format!("/users/{active}")).await;
    let last_active = u.ok()["last_active_at"].as_i64().unwrap_or_else(|| panic!("last_active_at not set: {}", u.text));
    assert_eq!(last_active % DAY_MS, 0, "day precision: {last_active}");
    assert!(last_active <= now && last_active > now - DAY_MS, "{last_active} vs {now}");
    assert!(u.ok()["last_sign_in_at"].is_i64(), "{}", u.text);
    assert_eq!(app.get(&format!("/users/{idle}")).await.ok()["last_active_at"], Value::Null);

    assert_eq!(member_ids(&app, &org, format!("last_active_at_after={}", last_active - 1)).await, vec![active.clone()]);
    assert_eq!(
        member_ids(&app, &org, format!("last_active_at_before={}", last_active + 1)).await,
        vec![active.clone()]
    );
    assert_eq!(member_ids(&app, &org, format!("last_active_at_before={}", now + DAY_MS)).await, vec![active.clone()]);
    assert_eq!(
        member_ids(
            &app,
            &org,
            format!("last_active_at_after={}&last_active_at_before={}", last_active - 1, last_active + 1)
        )
        .await,
        vec![active.clone()]
    );
    assert_eq!(
        member_ids(&app, &org, format!("last_active_at_after={}", last_active + DAY_MS)).await,
        Vec::<String>::new()
    );
    assert_eq!(
        member_ids(&app, &org, format!("last_active_at_before={}", last_active - DAY_MS)).await,
        Vec::<String>::new()
    );
}

// ---------------------------------------------------------------------------------------------------
// Listing sessions
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_sessions_filters_and_pagination() {
    let app = TestApp::spawn().await;
    let alice = app.user_with_email("alice@example.com").await;
    let bob = app.user_with_email("bob@example.com").await;
    let mut alice_sessions = Vec::new();
    for _ in 0..3 {
        alice_sessions.push(session(&app, &alice).await);
    }
    let bob_session = session(&app, &bob).await;
    let newest_first: Vec<String> = alice_sessions.iter().rev().map(|s| str_of(s, "id")).collect();

    let r = app.get(&format!("/sessions?user_id={alice}")).await;
    assert!(r.ok().is_array(), "without paginated: a plain array: {}", r.text);
    assert_eq!(ids(r.ok()), newest_first);
    let r = app.get(&format!("/sessions?user_id={bob}")).await;
    assert_eq!(ids(r.ok()), vec![str_of(&bob_session, "id")]);
    let r = app.get("/sessions?user_id=user_nobody").await;
    assert_eq!(r.ok(), &json!([]));

    // client_id.
    let client = str_of(&alice_sessions[1], "client_id");
    let r = app.get(&format!("/sessions?client_id={client}")).await;
    assert_eq!(ids(r.ok()), vec![str_of(&alice_sessions[1], "id")]);
    let r = app.get(&format!("/sessions?client_id={client}&user_id={bob}")).await;
    assert_eq!(r.ok(), &json!([]));

    // status.
    let r = app.get(&format!("/sessions?user_id={alice}&status=active")).await;
    assert_eq!(ids(r.ok()), newest_first);
    let r = app.get(&format!("/sessions?user_id={alice}&status=revoked")).await;
    assert_eq!(r.ok(), &json!([]));
    let r = app.get(&format!("/sessions?user_id={alice}&status=sleeping")).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "status");

    // Every session of the instance, newest first.
    let r = app.get("/sessions").await;
    let mut all = vec![str_of(&bob_session, "id")];
    all.extend(newest_first.clone());
    assert_eq!(ids(r.ok()), all);

    // paginated=true: {data, total_count}.
    let r = app.get(&format!("/sessions?user_id={alice}&paginated=true&limit=2")).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 3, "{page}");
    let data: Vec<String> = page["data"].as_array().unwrap().iter().map(|s| str_of(s, "id")).collect();
    assert_eq!(data, newest_first[..2]);
    let r = app.get(&format!("/sessions?user_id={alice}&paginated=true&limit=2&offset=2")).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 3);
    let data: Vec<String> = page["data"].as_array().unwrap().iter().map(|s| str_of(s, "id")).collect();
    assert_eq!(data, newest_first[2..]);
    let r = app.get(&format!("/sessions?user_id={alice}&paginated=false&limit=1&offset=1")).await;
    assert_eq!(ids(r.ok()), newest_first[1..2]);
    let r = app.get("/sessions?paginated=maybe").await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "paginated");
    let r = app.get("/sessions?limit=0").await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "limit");

    // By id.
    for s in alice_sessions.iter().chain([&bob_session]) {
        assert_eq!(app.get(&format!("/sessions/{}", str_of(s, "id"))).await.ok(), s);
    }
    let r = app.get("/sessions/sess_doesnotexist").await;
    r.err(404, "resource_not_found");
}

#[tokio::test]
async fn deleting_a_user_deletes_their_sessions() {
    let app = TestApp::spawn().await;
    let gone = app.user_with_email("gone@example.com").await;
    let stays = app.user_with_email("stays@example.com").await;
    let s1 = session(&app, &gone).await;
    let s2 = session(&app, &gone).await;
    let kept = session(&app, &stays).await;

    let r = app.delete(&format!("/users/{gone}")).await;
    assert_eq!(r.ok()["deleted"], true);
    for s in [&s1, &s2] {
        app.get(&format!("/sessions/{}", str_of(s, "id"))).await.err(404, "resource_not_found");
    }
    let r = app.get(&format!("/sessions?user_id={gone}")).await;
    assert_eq!(r.ok(), &json!([]));
    assert_eq!(app.get(&format!("/sessions/{}", str_of(&kept, "id"))).await.ok(), &kept);
    let r = app.get("/sessions").await;
    assert_eq!(ids(r.ok()), vec![str_of(&kept, "id")]);
}
