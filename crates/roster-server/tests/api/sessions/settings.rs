//! Organization settings

use super::*;

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
    let delete_perm = app.permission_id("org:sys_profile:delete").await;
    let r = app.delete(&format!("/organization_roles/{owner}/permissions/{delete_perm}")).await;
    r.err(422, "organization_missing_creator_role_permissions");
    let admin = app.role_id("org:admin").await;
    let r = app.delete(&format!("/organization_roles/{admin}/permissions/{delete_perm}")).await;
    assert_eq!(r.ok()["is_creator_eligible"], false);

    // A role lacking the creator permissions cannot become the creator role.
    let member = app.role_id("org:member").await;
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
