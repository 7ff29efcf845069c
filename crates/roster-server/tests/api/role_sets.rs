//! Role sets over real HTTP: their shape and bad input, the bound a set puts on an organization's roles
//! (members, invitations, its creator), the initial set new organizations get, and replacing a role in a set or a
//! set by another, which moves members in the same transaction.

use serde_json::{json, Value};

use roster_testkit::TestApp;

/// A custom role `org:<name>` with the permissions a creator role needs; its key.
async fn role(app: &TestApp, name: &str) -> String {
    let mut permissions = Vec::new();
    for key in ["org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:delete"] {
        permissions.push(app.permission_id(key).await);
    }
    let key = format!("org:{name}");
    let body = json!({"name": name, "key": key, "permissions": permissions});
    app.post("/organization_roles", body).await.ok();
    key
}

async fn role_set(app: &TestApp, key: &str, roles: &[&str], default: &str, creator: &str) -> Value {
    let body =
        json!({"name": key, "key": key, "roles": roles, "default_role_key": default, "creator_role_key": creator});
    app.post("/role_sets", body).await.ok().clone()
}

fn role_keys(set: &Value) -> Vec<String> {
    set["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_role_set_has_clerks_shape_and_its_rules() {
    let app = TestApp::spawn().await;
    let lead = role(&app, "lead").await;
    let body = json!({"name": "Engineering Team", "roles": ["org:member", lead], "default_role_key": "org:member", "creator_role_key": lead, "description": "Eng"});
    let set = app.post("/role_sets", body).await.ok().clone();
    assert_eq!(set["object"], "role_set");
    assert!(set["id"].as_str().unwrap().starts_with("rs_"));
    assert_eq!(set["key"], "role_set:engineering_team", "the key comes from the name");
    assert_eq!((set["type"].as_str(), set["description"].as_str()), (Some("custom"), Some("Eng")));
    assert_eq!(role_keys(&set), ["org:member", lead.as_str()]);
    assert_eq!(set["roles"][0]["object"], "role_set_item");
    assert_eq!(
        (set["default_role"]["key"].as_str(), set["creator_role"]["key"].as_str()),
        (Some("org:member"), Some(lead.as_str()))
    );
    assert_eq!(set["roles"][0]["members_count"], 0);
    assert_eq!(app.get("/role_sets/role_set:engineering_team").await.ok(), &set);
    assert_eq!(app.get(&format!("/role_sets/{}", set["id"].as_str().unwrap())).await.ok(), &set);
    app.get("/role_sets/role_set:nope").await.err(404, "resource_not_found");

    let good = json!({"name": "X", "roles": ["org:member"], "default_role_key": "org:member", "creator_role_key": "org:admin"});
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    // org:admin (the creator role) is not among the roles; the creator role must manage the organization.
    app.post("/role_sets", good.clone()).await.err(422, "form_param_value_invalid");
    let cases = [
        (with("creator_role_key", json!("org:member")), 422, "organization_missing_creator_role_permissions"),
        (with("roles", json!([])), 422, "form_param_missing"),
        (with("roles", json!(["org:nope"])), 404, "resource_not_found"),
        (with("key", json!("Bad Key")), 422, "form_param_format_invalid"),
        (with("key", json!("role_set:engineering_team")), 400, "duplicate_record"),
        (with("type", json!("system")), 422, "form_param_value_invalid"),
        (json!({"name": "X"}), 422, "form_param_missing"),
    ];
    for (body, status, code) in cases {
        let mut body = body;
        if body["roles"] == json!(["org:member"]) && code != "form_param_missing" {
            body["roles"] = json!(["org:member", "org:admin"]);
        }
        app.post("/role_sets", body.clone()).await.err(status, code);
    }
    let many: Vec<String> = (0..10).map(|i| format!("org:r{i}")).collect();
    for key in &many {
        app.post("/organization_roles", json!({"name": key, "key": key, "permissions": []})).await.ok();
    }
    let mut eleven = many.clone();
    eleven.push("org:member".into());
    let body = json!({"name": "Big", "roles": eleven, "default_role_key": "org:member", "creator_role_key": lead});
    app.post("/role_sets", body).await.err(422, "form_param_array_size_exceeded");
    assert_eq!(app.get("/role_sets").await.ok()["total_count"], 1);

    // Update: rename, re-key (organizations follow), make initial.
    let r = app
        .patch(
            "/role_sets/role_set:engineering_team",
            json!({"name": "Eng", "description": null, "key": "role_set:eng", "type": "initial"}),
        )
        .await;
    let updated = r.ok();
    assert_eq!(
        (updated["name"].as_str(), updated["key"].as_str(), updated["type"].as_str()),
        (Some("Eng"), Some("role_set:eng"), Some("initial"))
    );
    assert!(updated["description"].is_null());
    app.patch("/role_sets/role_set:eng", json!({"type": "custom"})).await.err(422, "form_param_value_invalid");
    app.patch("/role_sets/role_set:eng", json!({"default_role_key": "org:admin"}))
        .await
        .err(422, "form_param_value_invalid");
    let added = app
        .post("/role_sets/role_set:eng/roles", json!({"role_keys": ["org:admin"], "default_role_key": "org:admin"}))
        .await;
    assert_eq!(role_keys(added.ok()), ["org:member", lead.as_str(), "org:admin"]);
    assert_eq!(added.ok()["default_role"]["key"], "org:admin");
    let list = app.get("/role_sets?query=eng&order_by=name").await;
    assert_eq!(list.ok()["total_count"], 1);
}

#[tokio::test]
async fn an_organizations_role_set_bounds_its_roles_and_new_organizations_get_the_initial_one() {
    let app = TestApp::spawn().await;
    let lead = role(&app, "lead").await;
    let outside = role(&app, "outside").await;
    role_set(&app, "role_set:team", &["org:member", &lead], "org:member", &lead).await;
    let founder = app.user_with_email("founder@example.com").await;
    let org = app.org(json!({"name": "Bound", "created_by": founder, "role_set_key": "role_set:team"})).await;
    // The creator gets the set's creator role.
    let founder_membership = app.get(&format!("/organizations/{org}/memberships?user_id={founder}")).await;
    assert_eq!(founder_membership.ok()["data"][0]["role"], lead.as_str());
    let m = app.user_with_email("m@example.com").await;
    let memberships = format!("/organizations/{org}/memberships");
    for role in ["org:admin", outside.as_str()] {
        let r = app.post(&memberships, json!({"user_id": m, "role": role})).await;
        r.err(404, "resource_not_found");
        assert_eq!(r.param(), "role");
        let r = app
            .post(&format!("/organizations/{org}/invitations"), json!({"email_address": "i@example.com", "role": role}))
            .await;
        r.err(404, "resource_not_found");
    }
    app.post(&memberships, json!({"user_id": m, "role": "org:member"})).await.ok();
    app.patch(&format!("{memberships}/{m}"), json!({"role": "org:admin"})).await.err(404, "resource_not_found");
    app.patch(&format!("{memberships}/{m}"), json!({"role": lead})).await.ok();
    let r =
        app.post(&format!("{memberships}/bulk"), json!({"items": [{"user_id": founder, "role": "org:admin"}]})).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // An organization without a set may give any role (the default set); moving it into a set its members'
    // roles are not in is refused.
    let free = app.org(json!({"name": "Free", "created_by": founder})).await;
    app.post(&format!("/organizations/{free}/memberships"), json!({"user_id": m, "role": outside})).await.ok();
    let r = app.patch(&format!("/organizations/{free}"), json!({"role_set_key": "role_set:team"})).await;
    r.err(422, "organization_role_set_reassignment_mappings_missing");
    app.patch(&format!("/organizations/{free}"), json!({"role_set_key": "role_set:nope"}))
        .await
        .err(422, "form_param_value_invalid");
    app.post("/organizations", json!({"name": "Nope", "role_set_key": "role_set:nope"}))
        .await
        .err(422, "form_param_value_invalid");

    // The initial set goes to organizations created without one.
    app.patch("/role_sets/role_set:team", json!({"type": "initial"})).await.ok();
    let next = app.post("/organizations", json!({"name": "Next", "created_by": founder})).await.ok().clone();
    assert_eq!(next["role_set_key"], "role_set:team");
    let set = app.get("/role_sets/role_set:team").await.ok().clone();
    let counts: Vec<i64> =
        set["roles"].as_array().unwrap().iter().map(|r| r["members_count"].as_i64().unwrap()).collect();
    assert_eq!(counts, [0, 3], "founder twice as lead, m promoted to lead; nobody left as member");
}

#[tokio::test]
async fn replacing_a_role_or_a_set_moves_the_members() {
    let app = TestApp::spawn().await;
    let lead = role(&app, "lead").await;
    let senior = role(&app, "senior").await;
    role_set(&app, "role_set:old", &["org:member", &lead], "org:member", &lead).await;
    role_set(&app, "role_set:new", &["org:member", &senior], "org:member", &senior).await;
    let founder = app.user_with_email("founder@example.com").await;
    let org = app.org(json!({"name": "Moving", "created_by": founder, "role_set_key": "role_set:old"})).await;
    let m = app.user_with_email("m@example.com").await;
    app.add_member(&org, &m, "org:member").await;
    let inv = app
        .post(&format!("/organizations/{org}/invitations"), json!({"email_address": "i@example.com", "role": lead}))
        .await
        .ok()
        .clone();

    // Replace lead by senior in the old set: the founder and the invitation follow.
    let body = json!({"role_key": lead, "to_role_key": senior});
    let set = app.post("/role_sets/role_set:old/roles/replace", body).await.ok().clone();
    assert_eq!(role_keys(&set), ["org:member", senior.as_str()]);
    assert_eq!(set["creator_role"]["key"], senior.as_str());
    let founder_role = app.get(&format!("/organizations/{org}/memberships?user_id={founder}")).await;
    assert_eq!(founder_role.ok()["data"][0]["role"], senior.as_str());
    let inv = app.get(&format!("/organizations/{org}/invitations/{}", inv["id"].as_str().unwrap())).await;
    assert_eq!(inv.ok()["role"], senior.as_str());
    app.post("/role_sets/role_set:old/roles/replace", json!({"role_key": lead, "to_role_key": senior}))
        .await
        .err(422, "form_param_value_invalid");

    // Replace the old set by one lacking senior: a mapping is needed, must point into the destination.
    role_set(&app, "role_set:plain", &["org:member", "org:admin"], "org:member", "org:admin").await;
    let r = app.post("/role_sets/role_set:old/replace", json!({"dest_role_set_key": "role_set:plain"})).await;
    let e = r.err(422, "organization_role_set_reassignment_mappings_missing");
    assert!(e["long_message"].as_str().unwrap().contains(&senior));
    let bad = json!({"dest_role_set_key": "role_set:plain", "reassignment_mappings": {senior.clone(): "org:nope"}});
    app.post("/role_sets/role_set:old/replace", bad)
        .await
        .err(422, "organization_role_set_reassignment_mappings_invalid");
    let good = json!({"dest_role_set_key": "role_set:plain", "reassignment_mappings": {senior.clone(): "org:admin"}});
    let deleted = app.post("/role_sets/role_set:old/replace", good).await.ok().clone();
    assert_eq!((deleted["object"].as_str(), deleted["deleted"].as_bool()), (Some("role_set"), Some(true)));
    app.get("/role_sets/role_set:old").await.err(404, "resource_not_found");
    let org_now = app.get(&format!("/organizations/{org}")).await.ok().clone();
    assert_eq!(org_now["role_set_key"], "role_set:plain");
    let founder_role = app.get(&format!("/organizations/{org}/memberships?user_id={founder}")).await;
    assert_eq!(founder_role.ok()["data"][0]["role"], "org:admin");
    let member_role = app.get(&format!("/organizations/{org}/memberships?user_id={m}")).await;
    assert_eq!(member_role.ok()["data"][0]["role"], "org:member", "a role the destination has stays");

    // The initial set cannot be replaced.
    app.patch("/role_sets/role_set:plain", json!({"type": "initial"})).await.ok();
    let r = app.post("/role_sets/role_set:plain/replace", json!({"dest_role_set_key": "role_set:new"})).await;
    r.err(403, "cannot_delete_initial_role_set");
}
