//! The requests Microsoft Entra ID's provisioning service sends, in its shapes (learn.microsoft.com, "Tutorial:
//! Develop and plan provisioning for a SCIM endpoint"): the enterprise extension, capitalized ops, value-filter
//! paths, string booleans, and members added and removed by value lists.

use reqwest::Method;
use serde_json::json;

use roster_testkit::TestApp;

use super::{directory, role_of, roster_user, GROUP, USER};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test]
async fn an_entra_id_lifecycle_decides_membership_and_role() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@contoso.test").await;
    let org = app.org(json!({"name": "Contoso", "created_by": owner})).await;
    let admin = app.role_id("org:admin").await;
    // Entra groups are mapped by their object id, which Entra sends as externalId.
    let mappings = json!([{"scim_group_id": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "role_id": admin}]);
    let dir = directory(&app, &org, json!({"provider": "entra_id", "group_role_mappings": mappings})).await;

    let user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1";
    let found = dir.scim.get(&format!("/Users?filter=userName+eq+%22{user_name}%22")).await;
    assert_eq!(found.body["totalResults"], 0);
    let body = json!({
        "schemas": [USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.test"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE: {"department": "Sales", "employeeNumber": "701984", "manager": "26118915-6090-4610-87a4-1b2c9ef9d0f1"}
    });
    let r = dir.scim.post("/Users", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let uid = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body[ENTERPRISE]["department"], "Sales");
    assert_eq!(r.body[ENTERPRISE]["manager"]["value"], "26118915-6090-4610-87a4-1b2c9ef9d0f1");
    let user = roster_user(&app, "Test_User_fd0ea19b@testuser.test").await;
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));

    // Entra's updates: capitalized ops, a value-filter path, a sub-attribute, an extension attribute.
    let r = dir
        .patch(
            &format!("/Users/{uid}"),
            json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@testuser.test"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
                {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Marketing"}
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["emails"][0]["value"], "updatedEmail@testuser.test");
    assert_eq!(r.body[ENTERPRISE]["department"], "Marketing");
    assert_eq!(app.get(&format!("/users/{user}")).await.ok()["last_name"], "updatedFamilyName");
    let by_email = dir.scim.get("/Users?filter=emails.value%20eq%20%22UPDATEDEMAIL%40testuser.test%22").await;
    assert_eq!(by_email.body["totalResults"], 1, "{}", by_email.text);

    // A group, then its members by value lists.
    let r = dir
        .scim
        .post(
            "/Groups",
            json!({
                "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
                "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                "displayName": "Sales Leads",
                "meta": {"resourceType": "Group"}
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let gid = r.body["id"].as_str().unwrap().to_owned();
    let found = dir
        .scim
        .get("/Groups?filter=externalId+eq+%228aa1a0c0-c4c3-4bc0-b4a5-2ef676900159%22&excludedAttributes=members")
        .await;
    assert_eq!(found.body["Resources"][0]["id"], gid.as_str());
    assert!(found.body["Resources"][0].get("members").is_none());
    let r = dir
        .patch(&format!("/Groups/{gid}"), json!([{"op": "Add", "path": "members", "value": [{"value": uid}]}]))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));
    let r = dir
        .patch(&format!("/Groups/{gid}"), json!([{"op": "Remove", "path": "members", "value": [{"value": uid}]}]))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
    dir.patch(&format!("/Groups/{gid}"), json!([{"op": "Add", "path": "members", "value": [{"value": uid}]}]))
        .await
        .ok();

    // Entra deactivates with a string boolean.
    let r = dir.patch(&format!("/Users/{uid}"), json!([{"op": "Replace", "path": "active", "value": "False"}])).await;
    assert_eq!((r.status, r.body["active"].as_bool()), (200, Some(false)), "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await, None);
    let r = dir.patch(&format!("/Users/{uid}"), json!([{"op": "Replace", "path": "active", "value": "True"}])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));

    // Deleting the group drops the role it gave; deleting the user drops the membership.
    assert_eq!(dir.call(Method::DELETE, &format!("/Groups/{gid}"), None).await.status, 204);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
    assert_eq!(dir.call(Method::DELETE, &format!("/Users/{uid}"), None).await.status, 204);
    assert_eq!(role_of(&app, &org, &user).await, None);
}

#[tokio::test]
async fn the_lowest_precedence_mapping_wins_and_mapping_changes_re_role_members() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@acme.test").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let (admin, member) = (app.role_id("org:admin").await, app.role_id("org:member").await);
    let dir = directory(&app, &org, json!({})).await;
    let uid = dir.user("ann@acme.test", "ann@acme.test").await["id"].as_str().unwrap().to_owned();
    let user = roster_user(&app, "ann@acme.test").await;
    let eng = dir.group("Engineering", &[&uid]).await["id"].as_str().unwrap().to_owned();
    dir.group("Leads", &[&uid]).await;
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));

    let path = format!("/scim_directories/{}/group_role_mappings", dir.id);
    // Mapped by SCIM id and by display name; the lower precedence number wins, whichever order they came in.
    app.post(&path, json!({"scim_group_id": eng, "role_id": member, "precedence": 2})).await.ok();
    app.post(&path, json!({"scim_group_id": "Leads", "role_id": admin, "precedence": 1})).await.ok();
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));
    let swapped =
        json!({"mappings": [{"scim_group_id": eng, "role_id": member}, {"scim_group_id": "Leads", "role_id": admin}]});
    app.put(&path, swapped).await.ok();
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
    // Mapping off: everyone gets the default role; a default role of the directory's own counts.
    let dir_path = format!("/scim_directories/{}", dir.id);
    app.put(&path, json!({"mappings": [{"scim_group_id": "Leads", "role_id": admin}]})).await.ok();
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));
    app.patch(&dir_path, json!({"group_role_mapping_enabled": false})).await.ok();
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
    let r = app.patch(&dir_path, json!({"default_role": "org:admin"})).await;
    assert_eq!(r.ok()["default_role"], "org:admin");
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));
    app.patch(&dir_path, json!({"default_role": null})).await.ok();
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
}
