//! Instances

use super::*;

#[tokio::test]
async fn roles_and_permissions_belong_to_their_instance() {
    let app = TestApp::spawn().await;
    let other = app.other_instance(Environment::Development).await;
    let read = str_of(&create_permission(&app, "org:invoices:read", "Read invoices").await, "id");
    let billing = str_of(&create_role(&app, "org:billing", "Billing", &[&read]).await, "id");
    let admin = app.role_id("org:admin").await;

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
