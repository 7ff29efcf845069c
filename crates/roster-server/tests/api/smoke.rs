//! The basic create-list-delete path of memberships.

use serde_json::json;

use roster_testkit::TestApp;

#[tokio::test]
async fn create_list_update_delete_membership() {
    let app = TestApp::spawn().await;
    let owner = app.user(json!({"email_address": ["owner@example.com"], "first_name": "Olive"})).await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    let m = app.add_member(&org, &member, "org:member").await;
    assert_eq!(m["object"], "organization_membership");
    assert!(m["id"].as_str().unwrap().starts_with("orgmem_"));
    assert_eq!(m["role"], "org:member");
    assert_eq!(m["role_name"], "Member");
    assert_eq!(m["permissions"], json!(["org:sys_billing:read", "org:sys_memberships:read"]));
    assert_eq!(m["public_user_data"]["identifier"], "member@example.com");
    assert!(m.get("deleted").is_none());

    let list = app.get(&format!("/organizations/{org}/memberships")).await;
    assert_eq!(list.headers["content-type"], "application/json");
    assert_eq!(list.ok()["total_count"], 2);

    let updated = app.patch(&format!("/organizations/{org}/memberships/{member}"), json!({"role": "org:admin"})).await;
    assert_eq!(updated.ok()["role"], "org:admin");

    let deleted = app.delete(&format!("/organizations/{org}/memberships/{member}")).await;
    assert_eq!(deleted.ok()["id"], m["id"]);
    app.delete(&format!("/organizations/{org}/memberships/{member}")).await.err(404, "resource_not_found");
}
