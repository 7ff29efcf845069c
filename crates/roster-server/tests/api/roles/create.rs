//! Creating permissions and roles

use super::*;

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
        creator_perms.push(app.permission_id(key).await);
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
