//! The organization's rules hold for what a directory provisions (quota, last manager, role set), with SCIM's error
//! body and nothing stored when a rule refuses; uniqueness and linking by verified email; ETags; and bad input
//! answered with SCIM errors, never a 5xx.

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::TestApp;

use super::{directory, role_of, roster_user, scim_err, GROUP, USER};

#[tokio::test]
async fn a_rule_that_refuses_leaves_nothing_provisioned() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@acme.test").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner, "max_allowed_memberships": 2})).await;
    let dir = directory(&app, &org, json!({})).await;
    dir.user("one@acme.test", "one@acme.test").await;
    let users_before = app.get("/users/count").await.ok()["total_count"].clone();

    // The quota: the third member is refused, and neither the SCIM user nor its Roster user is kept.
    let r = dir
        .scim
        .post("/Users", json!({"schemas": [USER], "userName": "two@acme.test", "emails": [{"value": "two@acme.test"}]}))
        .await;
    scim_err(&r, 403, None);
    assert!(r.body["detail"].as_str().unwrap().contains("limit of 2"), "{}", r.text);
    assert_eq!(dir.scim.get("/Users").await.body["totalResults"], 1);
    assert_eq!(app.get("/users/count").await.ok()["total_count"], users_before);
    // An inactive user is no member, so the quota does not refuse it.
    let r = dir.scim.post("/Users", json!({"schemas": [USER], "userName": "two@acme.test", "active": false})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let two = r.body["id"].as_str().unwrap().to_owned();
    scim_err(
        &dir.patch(&format!("/Users/{two}"), json!([{"op": "replace", "path": "active", "value": true}])).await,
        403,
        None,
    );
    assert_eq!(dir.scim.get(&format!("/Users/{two}")).await.body["active"], false, "the refused patch changed nothing");
}

#[tokio::test]
async fn the_last_manager_cannot_be_deprovisioned() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({"default_role": "org:admin"})).await;
    let uid = dir.user("boss@acme.test", "boss@acme.test").await["id"].as_str().unwrap().to_owned();
    let user = roster_user(&app, "boss@acme.test").await;
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));

    let r = dir.patch(&format!("/Users/{uid}"), json!([{"op": "replace", "value": {"active": false}}])).await;
    scim_err(&r, 400, None);
    assert!(r.body["detail"].as_str().unwrap().contains("minimum required permissions"), "{}", r.text);
    assert_eq!(dir.scim.get(&format!("/Users/{uid}")).await.body["active"], true);
    scim_err(&dir.call(Method::DELETE, &format!("/Users/{uid}"), None).await, 400, None);
    assert_eq!(role_of(&app, &org, &user).await.as_deref(), Some("org:admin"));

    // With a second manager, the first may go.
    let second = dir.user("deputy@acme.test", "deputy@acme.test").await;
    assert_eq!(dir.call(Method::DELETE, &format!("/Users/{uid}"), None).await.status, 204);
    assert_eq!(role_of(&app, &org, &user).await, None);
    assert!(second["id"].is_string());
}

#[tokio::test]
async fn roles_outside_the_organizations_role_set_are_refused() {
    let app = TestApp::spawn().await;
    let set = json!({"name": "Members only", "key": "role_set:members", "default_role_key": "org:member", "creator_role_key": "org:member", "roles": ["org:member"]});
    let r = app.post("/role_sets", set).await;
    if r.status != 200 {
        // The creator role must manage memberships: give the set the admin role as creator, keep members default.
        let set = json!({"name": "Members only", "key": "role_set:members", "default_role_key": "org:member", "creator_role_key": "org:admin", "roles": ["org:member", "org:admin"]});
        app.post("/role_sets", set).await.ok();
    }
    let viewer =
        app.post("/organization_roles", json!({"name": "Viewer", "key": "org:viewer", "permissions": []})).await.ok()
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let org = app.org(json!({"name": "Acme", "role_set_key": "role_set:members"})).await;
    let r = app.post("/scim_directories", json!({"organization_id": org, "provider": "okta", "group_role_mappings": [{"scim_group_id": "G", "role_id": viewer}]})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "role_id");
    let r = app
        .post("/scim_directories", json!({"organization_id": org, "provider": "okta", "default_role": "org:viewer"}))
        .await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "default_role");
    // The set's default role is what members of no mapped group get.
    let dir = directory(&app, &org, json!({})).await;
    dir.user("m@acme.test", "m@acme.test").await;
    assert_eq!(role_of(&app, &org, &roster_user(&app, "m@acme.test").await).await.as_deref(), Some("org:member"));
}

#[tokio::test]
async fn user_names_are_unique_per_directory_and_verified_emails_link_existing_users() {
    let app = TestApp::spawn().await;
    let existing = app.user_with_email("ada@acme.test").await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    let ada = dir.user("ada", "ADA@acme.test").await;
    assert_eq!(role_of(&app, &org, &existing).await.as_deref(), Some("org:member"), "linked, not duplicated");
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 1);

    let r = dir.scim.post("/Users", json!({"schemas": [USER], "userName": "ADA"})).await;
    scim_err(&r, 409, Some("uniqueness"));
    let r = dir
        .scim
        .post("/Users", json!({"schemas": [USER], "userName": "ada2", "emails": [{"value": "ada@acme.test"}]}))
        .await;
    scim_err(&r, 409, Some("uniqueness"));
    let other = dir.user("grace", "grace@acme.test").await;
    let r = dir
        .scim
        .put(&format!("/Users/{}", other["id"].as_str().unwrap()), json!({"schemas": [USER], "userName": "Ada"}))
        .await;
    scim_err(&r, 409, Some("uniqueness"));
    // The same name in another organization's directory is another user.
    let org_b = app.org(json!({"name": "B"})).await;
    let dir_b = directory(&app, &org_b, json!({})).await;
    assert_ne!(dir_b.user("ada", "ada@b.test").await["id"], ada["id"]);
}

#[tokio::test]
async fn etags_guard_replacements() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    let gid = dir.group("Team", &[]).await["id"].as_str().unwrap().to_owned();
    let path = format!("{}/Groups/{gid}", dir.scim.base);
    let client = reqwest::Client::new();
    let put = |etag: &'static str, name: &'static str| {
        client
            .put(&path)
            .bearer_auth(&dir.key)
            .header("If-Match", etag)
            .json(&json!({"schemas": [GROUP], "displayName": name}))
            .send()
    };
    let stale = put("W/\"7\"", "Nope").await.unwrap();
    assert_eq!(stale.status(), 412);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["status"], "412");
    let ok = put("W/\"1\"", "Renamed").await.unwrap();
    assert_eq!((ok.status().as_u16(), ok.headers()["etag"].to_str().unwrap()), (200, "W/\"2\""));
    assert_eq!(put("W/\"1\"", "Again").await.unwrap().status(), 412, "version 1 is gone");
    let del = client.delete(&path).bearer_auth(&dir.key).header("If-Match", "W/\"1\"").send().await.unwrap();
    assert_eq!(del.status(), 412);
    assert_eq!(dir.scim.get(&format!("/Groups/{gid}")).await.body["displayName"], "Renamed");
    let del = client.delete(&path).bearer_auth(&dir.key).header("If-Match", "*").send().await.unwrap();
    assert_eq!(del.status(), 204);
}

#[tokio::test]
async fn bad_input_gets_scim_errors_and_never_a_5xx() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    let uid = dir.user("u@acme.test", "u@acme.test").await["id"].as_str().unwrap().to_owned();

    for filter in
        ["userName eq", "userName eq \"a", "(userName eq \"a\"", "nope eq \"a\"", "userName zz \"a\"", "active gt true"]
    {
        let q: String = form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        scim_err(&dir.scim.get(&format!("/Users?filter={q}")).await, 400, Some("invalidFilter"));
    }
    let deep = format!("{}userName eq \"a\"{}", "not (".repeat(200), ")".repeat(200));
    let q: String = form_urlencoded::byte_serialize(deep.as_bytes()).collect();
    scim_err(&dir.scim.get(&format!("/Users?filter={q}")).await, 400, Some("invalidFilter"));
    scim_err(&dir.scim.get("/Users?startIndex=abc").await, 400, Some("invalidValue"));

    let raw = |body: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/Users", dir.scim.base))
            .bearer_auth(&dir.key)
            .header("content-type", "application/scim+json")
            .body(body)
            .send()
    };
    let r = raw("{not json").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["scimType"], "invalidSyntax");
    scim_err(&dir.scim.post("/Users", json!({"userName": "no-schemas"})).await, 400, Some("invalidSyntax"));
    scim_err(
        &dir.scim.post("/Users", json!({"schemas": [GROUP], "displayName": "wrong"})).await,
        400,
        Some("invalidSyntax"),
    );
    scim_err(&dir.scim.post("/Users", json!({"schemas": [USER]})).await, 400, Some("invalidValue"));
    scim_err(
        &dir.scim.post("/Users", json!({"schemas": [USER], "userName": "x", "active": "maybe"})).await,
        400,
        Some("invalidValue"),
    );
    scim_err(&dir.scim.post("/Groups", json!({"schemas": [GROUP]})).await, 400, Some("invalidValue"));
    scim_err(&dir.scim.post("/Users", json!([1, 2])).await, 400, Some("invalidSyntax"));
    let huge = json!({"schemas": [USER], "userName": "big", "title": "x".repeat(2 * 1024 * 1024)});
    let r = dir.scim.post("/Users", huge).await;
    scim_err(&r, 413, None);

    let user = format!("/Users/{uid}");
    scim_err(
        &dir.scim.patch(&user, json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]})).await,
        400,
        Some("invalidSyntax"),
    );
    scim_err(&dir.patch(&user, json!([])).await, 400, Some("invalidSyntax"));
    scim_err(
        &dir.patch(&user, json!([{"op": "frobnicate", "path": "title", "value": "x"}])).await,
        400,
        Some("invalidSyntax"),
    );
    scim_err(&dir.patch(&user, json!([{"op": "remove"}])).await, 400, Some("noTarget"));
    scim_err(&dir.patch(&user, json!([{"op": "remove", "path": "userName"}])).await, 400, Some("mutability"));
    scim_err(&dir.patch(&user, json!([{"op": "replace", "path": "id", "value": "x"}])).await, 400, Some("mutability"));
    scim_err(
        &dir.patch(&user, json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])).await,
        400,
        Some("invalidPath"),
    );
    scim_err(
        &dir.patch("/Users/scimusr_missing", json!([{"op": "replace", "path": "title", "value": "x"}])).await,
        404,
        None,
    );
    scim_err(&dir.scim.get("/Users/scimusr_missing").await, 404, None);
    scim_err(&dir.scim.get("/Nope").await, 404, None);
    scim_err(&dir.call(Method::POST, "/ServiceProviderConfig", Some(json!({}))).await, 405, None);
    // Nothing changed.
    let u = dir.scim.get(&user).await;
    assert_eq!(
        (u.body["userName"].as_str(), u.body["meta"]["version"].as_str()),
        (Some("u@acme.test"), Some("W/\"1\""))
    );
}

#[tokio::test]
async fn discovery_describes_the_service_at_the_directorys_url() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    let spc = dir.scim.get("/ServiceProviderConfig").await;
    assert_eq!(spc.headers["content-type"], "application/scim+json");
    assert_eq!(
        (spc.body["patch"]["supported"].as_bool(), spc.body["bulk"]["supported"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        (spc.body["filter"]["supported"].as_bool(), spc.body["filter"]["maxResults"].as_i64()),
        (Some(true), Some(500))
    );
    assert_eq!(spc.body["etag"]["supported"], true);
    let types = dir.scim.get("/ResourceTypes").await.body;
    let names: Vec<&str> = types["Resources"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["User", "Group"]);
    assert_eq!(types["Resources"][0]["meta"]["location"], format!("{}/ResourceTypes/User", dir.scim.base));
    let schema = dir.scim.get(&format!("/Schemas/{USER}")).await;
    assert_eq!((schema.status, schema.body["id"].as_str()), (200, Some(USER)));
    scim_err(&dir.scim.get("/Schemas/urn:nope").await, 404, None);
}

#[tokio::test]
async fn concurrent_patches_without_if_match_all_land() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let admin = app.role_id("org:admin").await;
    let dir =
        directory(&app, &org, json!({"group_role_mappings": [{"scim_group_id": "Admins", "role_id": admin}]})).await;
    let gid = dir.group("Admins", &[]).await["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for n in 0..8 {
        ids.push(
            dir.user(&format!("u{n}@acme.test"), &format!("u{n}@acme.test")).await["id"].as_str().unwrap().to_owned(),
        );
    }
    // Each PATCH reads the group, adds its member and writes at the version it read: a concurrent write makes it
    // re-read and retry, so none is lost.
    let path = format!("/Groups/{gid}");
    let patches =
        ids.iter().map(|id| dir.patch(&path, json!([{"op": "add", "path": "members", "value": [{"value": id}]}])));
    for r in futures::future::join_all(patches).await {
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let group = dir.scim.get(&format!("/Groups/{gid}")).await.body;
    let mut members: Vec<String> =
        group["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap().to_owned()).collect();
    members.sort();
    ids.sort();
    assert_eq!(members, ids);
    assert_eq!(group["meta"]["version"], "W/\"9\"");
    let list = app.get(&format!("/organizations/{org}/memberships?role=org:admin&limit=100")).await;
    assert_eq!(list.ok()["total_count"], 8, "every member got the group's role");
}

#[tokio::test]
async fn the_directory_alone_changes_the_roles_and_removals_of_its_members() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@acme.test").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let dir = directory(&app, &org, json!({})).await;
    dir.user("ada@acme.test", "ada@acme.test").await;
    let ada = roster_user(&app, "ada@acme.test").await;
    let member = format!("/organizations/{org}/memberships/{ada}");

    app.patch(&member, json!({"role": "org:admin"})).await.err(409, "organization_membership_managed_by_scim");
    app.delete(&member).await.err(409, "organization_membership_managed_by_scim");
    let bulk = json!({"mode": "partial", "items": [{"user_id": ada, "role": "org:admin"}]});
    let r = app.patch(&format!("/organizations/{org}/memberships/bulk"), bulk).await;
    assert!(r.text.contains("organization_membership_managed_by_scim"), "{}", r.text);
    // Metadata is the application's, and the other members are the API's as before.
    app.patch(&format!("{member}/metadata"), json!({"public_metadata": {"seat": 7}})).await.ok();
    app.patch(&format!("/organizations/{org}/memberships/{owner}"), json!({"role": "org:admin"})).await.ok();
    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("org:member"));

    // A disabled directory manages nothing.
    app.patch(&format!("/scim_directories/{}", dir.id), json!({"enabled": false})).await.ok();
    app.patch(&member, json!({"role": "org:admin"})).await.ok();
    assert_eq!(role_of(&app, &org, &ada).await.as_deref(), Some("org:admin"));
}

#[tokio::test]
async fn lists_page_with_start_index_and_count_in_creation_order() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let dir = directory(&app, &org, json!({})).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(dir.user(&format!("p{n}"), &format!("p{n}@acme.test")).await["id"].as_str().unwrap().to_owned());
    }
    dir.group("Everyone", &ids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let page = |q: &'static str| dir.scim.get(q);
    let r = page("/Users?startIndex=2&count=2").await.body;
    assert_eq!(
        (r["totalResults"].as_i64(), r["startIndex"].as_i64(), r["itemsPerPage"].as_i64()),
        (Some(5), Some(2), Some(2))
    );
    let got: Vec<&str> = r["Resources"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(got, [ids[1].as_str(), ids[2].as_str()]);
    assert_eq!(r["Resources"][0]["groups"][0]["display"], "Everyone");
    let r = page("/Users?startIndex=5&count=10&attributes=userName").await.body;
    assert_eq!((r["itemsPerPage"].as_i64(), r["Resources"][0]["userName"].as_str()), (Some(1), Some("p4")));
    assert!(r["Resources"][0].get("emails").is_none());
    let r = page("/Users?startIndex=9").await.body;
    assert_eq!((r["totalResults"].as_i64(), r["itemsPerPage"].as_i64()), (Some(5), Some(0)));
    let r = page("/Users?count=0").await.body;
    assert_eq!((r["totalResults"].as_i64(), r["itemsPerPage"].as_i64()), (Some(5), Some(0)));
    // Filtered and sorted lists page the same way.
    let r = page("/Users?filter=userName%20sw%20%22p%22&sortBy=userName&sortOrder=descending&count=2").await.body;
    let got: Vec<&str> = r["Resources"].as_array().unwrap().iter().map(|u| u["userName"].as_str().unwrap()).collect();
    assert_eq!((r["totalResults"].as_i64(), got), (Some(5), vec!["p4", "p3"]));
}
