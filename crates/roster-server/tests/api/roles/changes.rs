//! The key scenario: role changes show on existing memberships at once

use super::*;

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
    let billing_read = app.permission_id("org:sys_billing:read").await;
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
    let admin = app.role_id("org:admin").await;
    let manage = app.permission_id("org:sys_memberships:manage").await;
    let r = app.post(&format!("/organization_roles/{admin}/permissions/{manage}"), json!({})).await;
    r.err(409, "organization_role_permission_association_exists");

    // Not assigned.
    let r = app.delete(&format!("/organization_roles/{billing}/permissions/{write}")).await;
    r.err(404, "organization_role_permission_association_not_found");
    let member = app.role_id("org:member").await;
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
