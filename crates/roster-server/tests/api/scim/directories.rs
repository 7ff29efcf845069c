//! Directory management: Clerk's shape, the API key shown once and rotated with a grace period, the one directory
//! per organization, updates, mappings, and keys that open their own directory only.

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;
use roster_testkit::{Api, TestApp, KEY};

use super::{directory, scim_err, USER};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[tokio::test]
async fn a_directory_has_clerks_shape_and_shows_its_key_once() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({"enterprise_connection_id": "ec_123"})).await;
    let d = &dir.created;
    assert_eq!(d["object"], "scim_directory");
    assert!(dir.id.starts_with("scimdir_"), "{d}");
    assert_eq!((d["name"].as_str(), d["provider"].as_str()), (Some("Corporate IdP"), Some("okta")));
    assert_eq!((d["enabled"].as_bool(), d["group_role_mapping_enabled"].as_bool()), (Some(true), Some(true)));
    assert_eq!((d["attribute_mapping"].clone(), d["custom_attributes"].clone()), (json!({}), json!([])));
    assert_eq!(
        (d["organization_id"].as_str(), d["enterprise_connection_id"].as_str()),
        (Some(org.as_str()), Some("ec_123"))
    );
    let base = app.base.trim_end_matches("/v1");
    assert_eq!(d["endpoint_url"], format!("{base}/scim/v2/{}", dir.id));
    assert!(dir.key.starts_with("scim_") && dir.key.len() == 69, "{}", dir.key);
    assert!(d["created_at"].as_i64().unwrap() > 1_600_000_000_000);

    // Never again: not in a read, a list or an update.
    let got = app.get(&format!("/scim_directories/{}", dir.id)).await.ok().clone();
    assert!(got.get("api_key").is_none(), "{got}");
    assert_eq!(got["endpoint_url"], d["endpoint_url"]);
    let list = app.get("/scim_directories").await.ok().clone();
    assert_eq!(list["total_count"], 1);
    assert!(list["data"][0].get("api_key").is_none() && !list.to_string().contains(&dir.key));
    let updated = app.patch(&format!("/scim_directories/{}", dir.id), json!({"name": "Okta"})).await.ok().clone();
    assert!(!updated.to_string().contains(&dir.key) && updated["name"] == "Okta");

    // One directory per organization; the organization must exist; the provider is required.
    let r = app.post("/scim_directories", json!({"organization_id": org, "provider": "entra_id"})).await;
    r.err(400, "scim_directory_organization_already_used");
    assert_eq!(r.param(), "organization_id");
    let r = app.post("/scim_directories", json!({"organization_id": "org_missing", "provider": "okta"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "organization_id");
    let r = app.post("/scim_directories", json!({"enterprise_connection_id": "org_missing", "provider": "okta"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "enterprise_connection_id");
    let other = app.org(json!({"name": "Other"})).await;
    app.post("/scim_directories", json!({"organization_id": other})).await.err(422, "form_param_missing");
    app.post("/scim_directories", json!({"provider": "okta", "enterprise_connection_id": "ec_1"}))
        .await
        .err(422, "form_param_missing");
    // What the official SDKs send: the organization as the enterprise connection.
    let via_sdk = app.post("/scim_directories", json!({"provider": "okta", "enterprise_connection_id": other})).await;
    assert_eq!(
        (via_sdk.ok()["organization_id"].as_str(), via_sdk.ok()["enterprise_connection_id"].as_str()),
        (Some(other.as_str()), Some(other.as_str()))
    );
    app.post("/scim_directories", json!({"organization_id": other, "provider": " "}))
        .await
        .err(422, "form_param_missing");

    let deleted = app.delete(&format!("/scim_directories/{}", dir.id)).await.ok().clone();
    assert_eq!(deleted, json!({"object": "scim_directory", "id": dir.id, "deleted": true}));
    app.get(&format!("/scim_directories/{}", dir.id)).await.err(404, "resource_not_found");
    scim_err(&dir.scim.get("/Users").await, 401, None);
}

#[tokio::test]
async fn a_rotated_key_replaces_the_old_one_which_still_works_for_its_grace_period() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    assert_eq!(dir.scim.get("/Users").await.status, 200);
    let rotated = app.post(&format!("/scim_directories/{}/rotate_api_key", dir.id), json!({})).await.ok().clone();
    let new_key = rotated["api_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, dir.key);
    let fresh = dir.scim.with_key(&new_key);
    assert_eq!(fresh.get("/Users").await.status, 200);
    // The previous key is honoured for an hour, for the identity provider to be updated.
    assert_eq!(dir.scim.get("/Users").await.status, 200);
    scim_err(&dir.scim.with_key(&format!("{new_key}0")).get("/Users").await, 401, None);
    // Rotating again ends the first key's grace: only the last two keys count.
    let again = app.post(&format!("/scim_directories/{}/rotate_api_key", dir.id), json!({})).await.ok().clone();
    scim_err(&dir.scim.get("/Users").await, 401, None);
    assert_eq!(fresh.get("/Users").await.status, 200);
    assert_eq!(dir.scim.with_key(again["api_key"].as_str().unwrap()).get("/Users").await.status, 200);
}

#[tokio::test]
async fn a_disabled_directory_refuses_scim_and_attribute_mappings_merge() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    let path = format!("/scim_directories/{}", dir.id);
    let d = app
        .patch(&path, json!({"attribute_mapping": {"first_name": "nickName", "email_address": "emails.value"}}))
        .await;
    assert_eq!(d.ok()["attribute_mapping"], json!({"email_address": "emails.value", "first_name": "nickName"}));
    let d = app
        .patch(
            &path,
            json!({"attribute_mapping": {"email_address": null, "last_name": format!("{ENTERPRISE}:department")}}),
        )
        .await;
    assert_eq!(
        d.ok()["attribute_mapping"],
        json!({"first_name": "nickName", "last_name": format!("{ENTERPRISE}:department")})
    );
    let r = app.patch(&path, json!({"attribute_mapping": {"title": "title"}})).await;
    r.err(422, "form_param_value_invalid");
    app.patch(&path, json!({"attribute_mapping": {"first_name": " "}})).await.err(422, "form_param_value_invalid");
    // The mapping decides what the Roster user gets from a provisioned user.
    let body = json!({"schemas": [USER, ENTERPRISE], "userName": "addy", "nickName": "Addy", "name": {"givenName": "Ada"},
        "emails": [{"value": "addy@acme.test"}], ENTERPRISE: {"department": "Analytical Engines"}});
    assert_eq!(dir.scim.post("/Users", body).await.status, 201);
    let user = super::roster_user(&app, "addy@acme.test").await;
    let u = app.get(&format!("/users/{user}")).await.ok().clone();
    assert_eq!((u["first_name"].as_str(), u["last_name"].as_str()), (Some("Addy"), Some("Analytical Engines")));
    app.patch(&path, json!({"enabled": false})).await.ok();
    scim_err(&dir.scim.get("/Users").await, 403, None);
    app.patch(&path, json!({"enabled": true, "provider": "entra_id"})).await.ok();
    assert_eq!(dir.scim.get("/ServiceProviderConfig").await.status, 200);
    app.patch(&path, json!({"default_role": "org:nope"})).await.err(404, "resource_not_found");
    app.patch(&path, json!({"provider": ""})).await.err(422, "form_param_value_invalid");
    app.patch("/scim_directories/scimdir_missing", json!({"name": "x"})).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn group_role_mappings_are_ordered_by_precedence_and_replaced_in_array_order() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let (admin, member) = (app.role_id("org:admin").await, app.role_id("org:member").await);
    let mappings = json!([{"scim_group_id": "Admins", "role_id": admin, "precedence": 5}, {"scim_group_id": "Everyone", "role_id": member}]);
    let dir = directory(&app, &org, json!({"group_role_mappings": mappings})).await;
    let path = format!("/scim_directories/{}/group_role_mappings", dir.id);
    let list = app.get(&path).await.ok().clone();
    assert_eq!(list["total_count"], 2);
    let groups: Vec<(&str, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["scim_group_id"].as_str().unwrap(), m["precedence"].as_i64().unwrap()))
        .collect();
    assert_eq!(groups, [("Everyone", 2), ("Admins", 5)]);
    let m = &list["data"][1];
    assert_eq!(m["object"], "scim_group_role_mapping");
    assert_eq!(
        (m["scim_directory_id"].as_str(), m["directory_id"].as_str()),
        (Some(dir.id.as_str()), Some(dir.id.as_str()))
    );
    assert_eq!((m["directory_group_id"].as_str(), m["role"]["key"].as_str()), (Some("Admins"), Some("org:admin")));
    assert!(m["id"].as_str().unwrap().starts_with("scimgrm_"));

    let created = app.post(&path, json!({"scim_group_id": "Ops", "role_id": admin})).await.ok().clone();
    assert_eq!(created["precedence"], 6, "appended after the highest");
    app.post(&path, json!({"scim_group_id": "Ops", "role_id": admin})).await.err(400, "duplicate_record");
    app.post(&path, json!({"scim_group_id": "X", "role_id": "role_missing"})).await.err(404, "resource_not_found");
    app.post(&path, json!({"scim_group_id": "X", "role_id": admin, "precedence": 0}))
        .await
        .err(422, "form_param_value_invalid");

    let replaced = app.put(&path, json!({"mappings": [{"scim_group_id": "Ops", "role_id": member}, {"scim_group_id": "Admins", "role_id": admin}]})).await;
    let order: Vec<(String, i64, String)> = replaced.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["scim_group_id"].as_str().unwrap().into(),
                m["precedence"].as_i64().unwrap(),
                m["role"]["key"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(order, [("Ops".into(), 1, "org:member".into()), ("Admins".into(), 2, "org:admin".into())]);
    let gone = replaced.ok()["data"][0]["id"].as_str().unwrap().to_owned();
    let deleted = app.delete(&format!("{path}/{gone}")).await.ok().clone();
    assert_eq!(deleted, json!({"object": "scim_group_role_mapping", "id": gone, "deleted": true}));
    app.delete(&format!("{path}/{gone}")).await.err(404, "resource_not_found");
    assert_eq!(app.put(&path, json!({"mappings": []})).await.ok()["total_count"], 0);

    // Switched off, mappings cannot change.
    app.patch(&format!("/scim_directories/{}", dir.id), json!({"group_role_mapping_enabled": false})).await.ok();
    app.post(&path, json!({"scim_group_id": "Ops", "role_id": admin})).await.err(400, "feature_not_enabled");
    app.put(&path, json!({"mappings": []})).await.err(400, "feature_not_enabled");
}

#[tokio::test]
async fn a_key_opens_its_own_directory_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (a_org, b_org) = (app.org(json!({"name": "A"})).await, app.org(json!({"name": "B"})).await);
    let (a, b) = (directory(&app, &a_org, json!({})).await, directory(&app, &b_org, json!({})).await);
    let b_user = b.user("bob@b.test", "bob@b.test").await;
    let b_user_id = b_user["id"].as_str().unwrap();

    // A's key on B's endpoint, the instance's secret key on either, no key, a SCIM key on the Clerk API.
    scim_err(&b.scim.with_key(&a.key).get("/Users").await, 401, None);
    scim_err(&b.scim.with_key(KEY).get("/Users").await, 401, None);
    let anonymous = reqwest::Client::new().get(format!("{}/Users", b.scim.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer realm=\"SCIM\"");
    app.with_key(&a.key).get("/organizations").await.err(401, "clerk_key_invalid");

    // Through its own endpoint, A sees nothing of B's.
    assert_eq!(a.scim.get("/Users").await.body["totalResults"], 0);
    scim_err(&a.scim.get(&format!("/Users/{b_user_id}")).await, 404, None);
    scim_err(&a.call(Method::DELETE, &format!("/Users/{b_user_id}"), None).await, 404, None);
    scim_err(&a.scim.put(&format!("/Users/{b_user_id}"), json!({"schemas": [USER], "userName": "x"})).await, 404, None);
    // A group of A naming B's user changes nothing in B's organization.
    a.group("Admins", &[b_user_id]).await;
    let b_members = app.get(&format!("/organizations/{b_org}/memberships")).await.ok().clone();
    assert_eq!(b_members["total_count"], 1);
    assert_eq!(app.get(&format!("/organizations/{a_org}/memberships")).await.ok()["total_count"], 0);
    assert_eq!(b.scim.get(&format!("/Users/{b_user_id}")).await.body["groups"], Value::Null);

    // Another instance's key sees no directory of this one.
    let other = app.other_instance(Environment::Development).await;
    let other_api: Api = app.with_key(&other);
    other_api.get(&format!("/scim_directories/{}", a.id)).await.err(404, "resource_not_found");
    assert_eq!(other_api.get("/scim_directories").await.ok()["total_count"], 0);
    other_api.delete(&format!("/scim_directories/{}", a.id)).await.err(404, "resource_not_found");
    assert_eq!(a.scim.get("/Users").await.status, 200);
}
