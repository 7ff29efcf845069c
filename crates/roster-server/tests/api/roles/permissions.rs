//! System and custom permissions

use super::*;

#[tokio::test]
async fn system_permissions_are_fixed_custom_ones_change_and_go() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    // System permissions: neither updated nor deleted.
    for key in SYSTEM_PERMISSIONS {
        let id = app.permission_id(key).await;
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
    let read_members = app.permission_id("org:sys_memberships:read").await;
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
    let admin = app.role_id("org:admin").await;
    let member_role = app.role_id("org:member").await;

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
