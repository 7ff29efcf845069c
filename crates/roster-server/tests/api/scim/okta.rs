//! The requests Okta's SCIM 2.0 client sends, in its shapes (developer.okta.com, "SCIM 2.0 protocol reference"):
//! look up by `userName`, create, push a group and its members, move a user between groups, deactivate with a
//! pathless `replace`, reactivate, delete; and what each does to the organization's memberships.

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::TestApp;

use super::{directory, role_of, roster_user, USER};

fn okta_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "John", "familyName": "Doe"},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": "John Doe",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "1mz050nq",
        "active": true
    })
}

#[tokio::test]
async fn an_okta_lifecycle_decides_membership_and_role() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@acme.test").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let (admin, member) = (app.role_id("org:admin").await, app.role_id("org:member").await);
    let mappings =
        json!([{"scim_group_id": "Admins", "role_id": admin}, {"scim_group_id": "Staff", "role_id": member}]);
    let dir = directory(&app, &org, json!({"group_role_mappings": mappings})).await;

    // Okta looks the user up first, then creates it.
    let found = dir.scim.get("/Users?filter=userName%20eq%20%22jdoe%40acme.test%22&startIndex=1&count=100").await;
    assert_eq!((found.status, found.body["totalResults"].as_i64()), (200, Some(0)));
    let created = dir.scim.post("/Users", okta_user("jdoe@acme.test", "00ujl29u0le5T6Aj10h7")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let uid = created.body["id"].as_str().unwrap().to_owned();
    assert!(uid.starts_with("scimusr_"));
    assert_eq!(created.headers["location"], format!("{}/Users/{uid}", dir.scim.base));
    assert_eq!(created.headers["etag"], "W/\"1\"");
    assert!(created.body.get("password").is_none(), "never stored or returned: {}", created.body);
    assert_eq!(created.body["meta"]["resourceType"], "User");
    let user = roster_user(&app, "jdoe@acme.test").await;
    let u = app.get(&format!("/users/{user}")).await.ok().clone();
    assert_eq!((u["first_name"].as_str(), u["last_name"].as_str()), (Some("John"), Some("Doe")));
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"), "no group yet: the default role");
    let found = dir.scim.get("/Users?filter=userName%20eq%20%22JDOE%40acme.test%22").await;
    assert_eq!(found.body["Resources"][0]["id"], uid.as_str(), "userName is case-insensitive");

    // A pushed group with the user in it maps to its role.
    let admins = dir
        .scim
        .post(
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Admins", "members": []}),
        )
        .await;
    assert_eq!(admins.status, 201, "{}", admins.text);
    let admins = admins.body["id"].as_str().unwrap().to_owned();
    let staff = dir.group("Staff", &[&uid]).await["id"].as_str().unwrap().to_owned();
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
    let r = dir
        .patch(
            &format!("/Groups/{admins}"),
            json!([{"op": "add", "path": "members", "value": [{"value": uid, "display": "jdoe@acme.test"}]}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["members"][0]["value"], uid.as_str());
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"), "Admins has the lower precedence");
    let u = dir.scim.get(&format!("/Users/{uid}")).await.body;
    let mut groups: Vec<&str> =
        u["groups"].as_array().unwrap().iter().map(|g| g["display"].as_str().unwrap()).collect();
    groups.sort();
    assert_eq!(groups, ["Admins", "Staff"]);

    // Okta removes a member by a value filter.
    let path = format!("members[value eq \"{uid}\"]");
    let r = dir.patch(&format!("/Groups/{admins}"), json!([{"op": "remove", "path": path}])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"));
    // And replaces a group's members wholesale.
    let r = dir.patch(&format!("/Groups/{staff}"), json!([{"op": "replace", "path": "members", "value": []}])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:member"), "in no group: the default role");

    // Deactivation: a pathless replace. The membership goes; the user and the SCIM resource stay.
    let r = dir.patch(&format!("/Users/{uid}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    assert_eq!((r.status, r.body["active"].as_bool()), (200, Some(false)), "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await, None);
    assert_eq!(role_of(&app, &org, &owner).await.as_deref(), Some("org:admin"), "only this directory's member changes");
    app.get(&format!("/users/{user}")).await.ok();
    // Reactivation restores it, with the role the groups give.
    dir.patch(&format!("/Groups/{admins}"), json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]))
        .await
        .ok();
    assert_eq!(role_of(&app, &org, &user).await, None, "inactive users are no members, whatever their groups");
    let r = dir.patch(&format!("/Users/{uid}"), json!([{"op": "replace", "value": {"active": true}}])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));

    // A full replacement (PUT) keeps the link and renames the Roster user.
    let mut put = okta_user("jdoe@acme.test", "00ujl29u0le5T6Aj10h7");
    put["name"]["givenName"] = json!("Johnny");
    let r = dir.scim.put(&format!("/Users/{uid}"), put).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get(&format!("/users/{user}")).await.ok()["first_name"], "Johnny");

    // Deletion: the membership goes, the groups forget the user, the Roster user stays.
    let r = dir.call(Method::DELETE, &format!("/Users/{uid}"), None).await;
    assert_eq!((r.status, r.text.as_str()), (204, ""));
    assert_eq!(role_of(&app, &org, &user).await, None);
    assert_eq!(dir.scim.get(&format!("/Groups/{admins}")).await.body["members"], json!([]));
    assert_eq!(dir.scim.get(&format!("/Users/{uid}")).await.status, 404);
    app.get(&format!("/users/{user}")).await.ok();

    // Every change was a membership event of the log.
    let events = app.get("/events?types=organizationMembership.created,organizationMembership.updated,organizationMembership.deleted&limit=100").await;
    let kinds: Vec<&str> = events.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data"]["public_user_data"]["user_id"] == user.as_str())
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "organizationMembership.created",
            "organizationMembership.updated",
            "organizationMembership.updated",
            "organizationMembership.deleted",
            "organizationMembership.created",
            "organizationMembership.deleted"
        ]
    );
}
