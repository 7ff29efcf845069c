//! The creator role keeps the creator permissions

use super::*;

#[tokio::test]
async fn creator_role_keeps_the_creator_permissions() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let admin = app.role_id("org:admin").await;
    let before = app.get(&format!("/organization_roles/{admin}")).await.ok().clone();

    for key in CREATOR_PERMISSIONS {
        let pid = app.permission_id(key).await;
        let r = app.delete(&format!("/organization_roles/{admin}/permissions/{pid}")).await;
        let e = r.err(422, "organization_missing_creator_role_permissions");
        assert!(e["long_message"].as_str().unwrap().contains(key), "{}", r.text);
        // Unchanged afterwards, updated_at included.
        assert_eq!(app.get(&format!("/organization_roles/{admin}")).await.ok(), &before, "after removing {key}");
    }

    // Replacing the set with one lacking them is refused the same way.
    let manage = app.permission_id("org:sys_memberships:manage").await;
    let r = app.patch(&format!("/organization_roles/{admin}"), json!({"permissions": [manage]})).await;
    r.err(422, "organization_missing_creator_role_permissions");
    let r = app.patch(&format!("/organization_roles/{admin}"), json!({"permissions": [], "name": "Boss"})).await;
    r.err(422, "organization_missing_creator_role_permissions");
    assert_eq!(app.get(&format!("/organization_roles/{admin}")).await.ok(), &before);
    let m = stored(&app, &org, &owner).await;
    assert_eq!(m["role_name"], "Admin");
    assert_eq!(membership_permissions(&m), sorted(&SYSTEM_PERMISSIONS));

    // Other permissions of the creator role can go and come back.
    let billing_manage = app.permission_id("org:sys_billing:manage").await;
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
        ids.push(app.permission_id(key).await);
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
    let manage = app.permission_id("org:sys_memberships:manage").await;
    let read = app.permission_id("org:sys_memberships:read").await;
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
