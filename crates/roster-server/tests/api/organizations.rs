//! Organizations: create (validation, slugs, the creator's membership), get by id or slug with the
//! optional counts, update by API version, metadata merge/replace, delete, and instance isolation.

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::TestApp;

async fn org_count(app: &TestApp) -> i64 {
    app.get("/organizations").await.ok()["total_count"].as_i64().unwrap()
}

#[tokio::test]
async fn create_validation_and_slugs() {
    let app = TestApp::spawn().await;

    for body in [json!({}), json!({"name": ""}), json!({"name": "   "}), json!({"name": null}), json!({"slug": "x"})] {
        let r = app.post("/organizations", body.clone()).await;
        r.err(422, "form_param_missing");
        assert_eq!(r.param(), "name", "{body}");
    }
    for name in ["Visit https://evil.example", "see http://x.io", "www.example.com", "<b>bold</b>"] {
        let r = app.post("/organizations", json!({ "name": name })).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "name", "{name}");
    }
    let r = app.post("/organizations", json!({"name": "x".repeat(257)})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "name");
    let r = app.post("/organizations", json!({"name": 5})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "name");

    // Slug derived from the name.
    let o = app.post("/organizations", json!({"name": "Acme Corp!"})).await.ok().clone();
    assert_eq!(o["object"], "organization");
    assert_eq!(o["name"], "Acme Corp!");
    assert_eq!(o["slug"], "acme-corp");
    assert_eq!(o["max_allowed_memberships"], 0);
    assert_eq!(o["public_metadata"], json!({}));
    assert_eq!(o["private_metadata"], json!({}));
    assert!(o.get("deleted").is_none());
    assert!(o.get("members_count").is_none());
    assert!(o.get("missing_member_with_elevated_permissions").is_none());
    // A taken derived slug gets a suffix rather than failing.
    let again = app.post("/organizations", json!({"name": "Acme Corp"})).await.ok().clone();
    let slug = again["slug"].as_str().unwrap();
    assert!(slug.starts_with("acme-corp-") && slug != "acme-corp", "{slug}");

    // Given slugs are validated and unique.
    for bad in ["Acme", "acme corp", "-acme", "acme-", "acme_corp", ""] {
        let r = app.post("/organizations", json!({"name": "Bad", "slug": bad})).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "slug", "{bad}");
    }
    let r = app.post("/organizations", json!({"name": "Other", "slug": "acme-corp"})).await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "slug");
    let o = app.post("/organizations", json!({"name": "Other", "slug": "other-1"})).await.ok().clone();
    assert_eq!(o["slug"], "other-1");

    let r =
        app.post("/organizations", json!({"name": "Orphan", "created_by": "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S"})).await;
    r.err(400, "organization_creator_not_found");

    for bad in [json!(-1), json!("5"), json!(1.5)] {
        let r = app.post("/organizations", json!({"name": "Quota", "max_allowed_memberships": bad})).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "max_allowed_memberships");
    }
    let r = app.post("/organizations", json!({"name": "Meta", "public_metadata": [1]})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "public_metadata");
    let r = app.post("/organizations", json!({"name": "Meta", "private_metadata": {"k": "x".repeat(8 * 1024)}})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "private_metadata");

    let o = app
        .post(
            "/organizations",
            json!({"name": "Full", "max_allowed_memberships": 3, "public_metadata": {"a": 1}, "private_metadata": {"b": 2}}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(o["max_allowed_memberships"], 3);
    assert_eq!(o["public_metadata"], json!({"a": 1}));
    assert_eq!(o["private_metadata"], json!({"b": 2}));

    // Only the four successful creates exist.
    assert_eq!(org_count(&app).await, 4);
}

#[tokio::test]
async fn created_by_becomes_admin_member() {
    let app = TestApp::spawn().await;
    let user = app.user(json!({"email_address": ["founder@example.com"], "first_name": "Fay"})).await;
    let o = app.post("/organizations", json!({"name": "Founded", "created_by": user})).await.ok().clone();
    assert_eq!(o["created_by"], user.as_str());
    let org = o["id"].as_str().unwrap();

    let list = app.get(&format!("/organizations/{org}/memberships")).await;
    let list = list.ok();
    assert_eq!(list["total_count"], 1);
    let m = &list["data"][0];
    assert_eq!(m["role"], "org:admin");
    assert_eq!(m["public_user_data"]["user_id"], user.as_str());
    assert_eq!(m["public_user_data"]["identifier"], "founder@example.com");
    assert_eq!(m["organization"]["id"], org);

    let mine = app.get(&format!("/users/{user}/organization_memberships")).await;
    assert_eq!(mine.ok()["total_count"], 1);
    assert_eq!(mine.ok()["data"][0]["role"], "org:admin");

    // An empty created_by is no creator.
    let o = app.post("/organizations", json!({"name": "Nobody's", "created_by": ""})).await.ok().clone();
    let members = app.get(&format!("/organizations/{}/memberships", o["id"].as_str().unwrap())).await;
    assert_eq!(members.ok()["total_count"], 0);
}

#[tokio::test]
async fn get_by_id_or_slug_with_options() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("getter@example.com").await;
    let with = app.post("/organizations", json!({"name": "With Creator", "created_by": user})).await.ok().clone();
    let without = app.post("/organizations", json!({"name": "Without", "slug": "without"})).await.ok().clone();
    let with_id = with["id"].as_str().unwrap();
    let without_id = without["id"].as_str().unwrap();

    assert_eq!(app.get(&format!("/organizations/{with_id}")).await.ok(), &with);
    assert_eq!(app.get("/organizations/with-creator").await.ok()["id"], with_id);
    assert_eq!(app.get("/organizations/without").await.ok()["id"], without_id);

    let plain = app.get(&format!("/organizations/{with_id}")).await;
    assert!(plain.ok().get("members_count").is_none());
    assert!(plain.ok().get("missing_member_with_elevated_permissions").is_none());
    let off = app.get(&format!("/organizations/{with_id}?include_members_count=false")).await;
    assert!(off.ok().get("members_count").is_none());

    let counted = app.get(&format!("/organizations/{with_id}?include_members_count=true")).await;
    assert_eq!(counted.ok()["members_count"], 1);
    assert!(counted.ok().get("missing_member_with_elevated_permissions").is_none());
    let counted = app.get("/organizations/without?include_members_count=true").await;
    assert_eq!(counted.ok()["members_count"], 0);

    let q = "include_missing_member_with_elevated_permissions=true";
    let r = app.get(&format!("/organizations/{with_id}?{q}")).await;
    assert_eq!(r.ok()["missing_member_with_elevated_permissions"], false);
    assert!(r.ok().get("members_count").is_none());
    let r = app.get(&format!("/organizations/{without_id}?{q}")).await;
    assert_eq!(r.ok()["missing_member_with_elevated_permissions"], true);
    let r = app.get(&format!("/organizations/without?{q}&include_members_count=true")).await;
    assert_eq!(r.ok()["missing_member_with_elevated_permissions"], true);
    assert_eq!(r.ok()["members_count"], 0);

    // Adding an admin to the creatorless organization fixes it.
    let admin = app.user_with_email("admin@example.com").await;
    app.add_member(without_id, &admin, "org:admin").await;
    let r = app.get(&format!("/organizations/{without_id}?{q}&include_members_count=true")).await;
    assert_eq!(r.ok()["missing_member_with_elevated_permissions"], false);
    assert_eq!(r.ok()["members_count"], 1);

    let r = app.get(&format!("/organizations/{with_id}?include_members_count=maybe")).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "include_members_count");

    app.get("/organizations/org_2g7np7Hrk0SN6kj5EDMLDaKNL0S").await.err(404, "resource_not_found");
    app.get("/organizations/no-such-slug").await.err(404, "resource_not_found");
    app.get("/organizations/With-Creator").await.err(404, "resource_not_found");
}

#[tokio::test]
async fn update_organization() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Before", "public_metadata": {"a": {"b": 1}}})).await;
    app.org(json!({"name": "Taken", "slug": "taken"})).await;
    let path = format!("/organizations/{org}");

    let v = app
        .patch(
            &path,
            json!({"name": "After", "slug": "after", "max_allowed_memberships": 7, "admin_delete_enabled": false}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(v["id"], org.as_str());
    assert_eq!(v["name"], "After");
    assert_eq!(v["slug"], "after");
    assert_eq!(v["max_allowed_memberships"], 7);
    assert_eq!(v["admin_delete_enabled"], false);
    assert_eq!(v["public_metadata"], json!({"a": {"b": 1}}));
    assert_eq!(app.get("/organizations/after").await.ok(), &v);
    app.get("/organizations/before").await.err(404, "resource_not_found");

    // Absent keeps; max 0 is unlimited.
    let v = app.patch(&path, json!({"max_allowed_memberships": 0})).await.ok().clone();
    assert_eq!((v["name"].clone(), v["max_allowed_memberships"].clone()), (json!("After"), json!(0)));
    let v = app.patch(&path, json!({"admin_delete_enabled": true})).await.ok().clone();
    assert_eq!(v["admin_delete_enabled"], true);
    assert_eq!(v["slug"], "after");

    let r = app.patch(&path, json!({"nickname": "x"})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "nickname");
    let r = app.patch(&path, json!({"slug": "taken"})).await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "slug");
    let r = app.patch(&path, json!({"slug": "Not Valid"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "slug");
    let r = app.patch(&path, json!({"max_allowed_memberships": -2})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "max_allowed_memberships");
    let r = app.patch(&path, json!({"name": "https://spam.example"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "name");
    let r = app.patch(&path, json!({"name": "  "})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "name");
    let r = app.patch(&path, json!({"admin_delete_enabled": "no"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "admin_delete_enabled");

    // 2026-05-12 refuses metadata in PATCH /organizations/{id}.
    for field in ["public_metadata", "private_metadata"] {
        let r = app.patch(&path, json!({ field: {"x": 1} })).await;
        r.err(422, "form_param_unknown");
        assert_eq!(r.param(), field);
    }
    // 2021-02-05 accepts it and replaces.
    let r = app
        .call_version(
            "2021-02-05",
            Method::PATCH,
            &path,
            Some(json!({"public_metadata": {"a": {"c": 2}}, "name": "Old API"})),
        )
        .await;
    let v = r.ok();
    assert_eq!(v["public_metadata"], json!({"a": {"c": 2}}));
    assert_eq!(v["private_metadata"], json!({}));
    assert_eq!(v["name"], "Old API");
    let r = app.call_version("2025-11-10", Method::PATCH, &path, Some(json!({"private_metadata": {"p": 1}}))).await;
    assert_eq!(r.ok()["private_metadata"], json!({"p": 1}));
    let r = app.call_version("2021-02-05", Method::PATCH, &path, Some(json!({"unsafe_metadata": {}}))).await;
    r.err(422, "form_param_unknown");

    // Nothing refused above was written.
    let now = app.get(&path).await.ok().clone();
    assert_eq!(now["slug"], "after");
    assert_eq!(now["max_allowed_memberships"], 0);
    assert_eq!(now["public_metadata"], json!({"a": {"c": 2}}));

    app.patch("/organizations/org_missing", json!({"name": "x"})).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn organization_metadata_merge_and_replace() {
    let app = TestApp::spawn().await;
    let org = app
        .org(json!({"name": "Meta Org", "public_metadata": {"a": {"b": 1, "c": {"d": 2}}, "gone": 1}, "private_metadata": {"p": 1}}))
        .await;
    let path = format!("/organizations/{org}/metadata");

    let v =
        app.patch(&path, json!({"public_metadata": {"a": {"c": {"d": null, "e": 3}}, "gone": null, "n": [1]}})).await;
    let v = v.ok();
    assert_eq!(v["object"], "organization");
    assert_eq!(v["public_metadata"], json!({"a": {"b": 1, "c": {"e": 3}}, "n": [1]}));
    assert_eq!(v["private_metadata"], json!({"p": 1}));
    let v = app.patch(&path, json!({"private_metadata": {"q": {"r": 1}}})).await.ok().clone();
    assert_eq!(v["private_metadata"], json!({"p": 1, "q": {"r": 1}}));
    assert_eq!(v["public_metadata"], json!({"a": {"b": 1, "c": {"e": 3}}, "n": [1]}));

    let v = app.put(&path, json!({"public_metadata": {"fresh": true}})).await.ok().clone();
    assert_eq!(v["public_metadata"], json!({"fresh": true}));
    assert_eq!(v["private_metadata"], json!({"p": 1, "q": {"r": 1}}));
    let v = app.put(&path, json!({"private_metadata": {}})).await.ok().clone();
    assert_eq!(v["private_metadata"], json!({}));
    assert_eq!(v["public_metadata"], json!({"fresh": true}));
    assert_eq!(app.get(&format!("/organizations/{org}")).await.ok()["public_metadata"], json!({"fresh": true}));

    for method in [Method::PATCH, Method::PUT] {
        let r = app.call(method.clone(), &path, Some(json!({"unsafe_metadata": {"x": 1}}))).await;
        r.err(422, "form_param_unknown");
        assert_eq!(r.param(), "unsafe_metadata");
        let r = app.call(method.clone(), &path, Some(json!({"name": "x"}))).await;
        r.err(422, "form_param_unknown");
        assert_eq!(r.param(), "name");
        let r = app.call(method.clone(), &path, Some(json!({"public_metadata": "x"}))).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "public_metadata");
        let r = app.call(method.clone(), &path, Some(json!({"public_metadata": {"k": "x".repeat(8 * 1024)}}))).await;
        r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), "public_metadata");
    }
    // Too big only after merging.
    app.patch(&path, json!({"public_metadata": {"half": "x".repeat(5000)}})).await.ok();
    let r =
        app.patch(&path, json!({"public_metadata": {"other": "x".repeat(5000)}, "private_metadata": {"z": 1}})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "public_metadata");
    let v = app.get(&format!("/organizations/{org}")).await.ok().clone();
    assert_eq!(v["public_metadata"], json!({"fresh": true, "half": "x".repeat(5000)}));
    assert_eq!(v["private_metadata"], json!({}));

    app.patch("/organizations/org_missing/metadata", json!({})).await.err(404, "resource_not_found");
    app.put("/organizations/org_missing/metadata", json!({})).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn delete_organization() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Doomed", "slug": "doomed", "created_by": owner})).await;
    let keep = app.org(json!({"name": "Kept", "created_by": owner})).await;
    app.add_member(&org, &member, "org:member").await;

    let r = app.delete(&format!("/organizations/{org}")).await;
    assert_eq!(r.ok(), &json!({"object": "organization", "id": org, "slug": "doomed", "deleted": true}));

    app.get(&format!("/organizations/{org}")).await.err(404, "resource_not_found");
    app.get("/organizations/doomed").await.err(404, "resource_not_found");
    app.delete(&format!("/organizations/{org}")).await.err(404, "resource_not_found");
    app.get(&format!("/organizations/{org}/memberships")).await.err(404, "resource_not_found");

    // Its memberships are gone everywhere; the users and the other organization are not.
    let mine = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(mine.ok()["total_count"], 0);
    let mine = app.get(&format!("/users/{owner}/organization_memberships")).await;
    assert_eq!(mine.ok()["total_count"], 1);
    assert_eq!(mine.ok()["data"][0]["organization"]["id"], keep.as_str());
    let all = app.get("/organization_memberships").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 1);
    assert!(all["data"].as_array().unwrap().iter().all(|m| m["organization"]["id"] != org.as_str()));
    app.get(&format!("/users/{member}")).await.ok();
    assert_eq!(org_count(&app).await, 1);

    // The slug is free again.
    app.org(json!({"name": "Reborn", "slug": "doomed"})).await;
}

#[tokio::test]
async fn instances_are_isolated() {
    let app = TestApp::spawn().await;
    let user =
        app.user(json!({"email_address": ["iso@example.com"], "username": "isolated", "external_id": "ext-iso"})).await;
    let org = app.org(json!({"name": "Iso", "slug": "iso", "created_by": user})).await;
    let other_key = app.other_instance(Environment::Development).await;
    assert_ne!(other_key, app.key);

    let as_other = |method: Method, path: String, body: Option<Value>| {
        let (app, key) = (&app, other_key.clone());
        async move { app.call_as(&key, method, &path, body).await }
    };

    let endpoints: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/users/{user}"), None),
        (Method::PATCH, format!("/users/{user}"), Some(json!({"first_name": "Hacked"}))),
        (Method::PATCH, format!("/users/{user}/metadata"), Some(json!({"public_metadata": {"x": 1}}))),
        (Method::PUT, format!("/users/{user}/metadata"), Some(json!({"public_metadata": {"x": 1}}))),
        (Method::POST, format!("/users/{user}/ban"), None),
        (Method::POST, format!("/users/{user}/unban"), None),
        (Method::POST, format!("/users/{user}/lock"), None),
        (Method::POST, format!("/users/{user}/unlock"), None),
        (Method::GET, format!("/users/{user}/organization_memberships"), None),
        (Method::DELETE, format!("/users/{user}"), None),
        (Method::GET, format!("/organizations/{org}"), None),
        (Method::GET, "/organizations/iso".to_owned(), None),
        (Method::PATCH, format!("/organizations/{org}"), Some(json!({"name": "Hacked"}))),
        (Method::PATCH, format!("/organizations/{org}/metadata"), Some(json!({"public_metadata": {"x": 1}}))),
        (Method::PUT, format!("/organizations/{org}/metadata"), Some(json!({"public_metadata": {"x": 1}}))),
        (Method::GET, format!("/organizations/{org}/memberships"), None),
        (
            Method::POST,
            format!("/organizations/{org}/memberships"),
            Some(json!({"user_id": user, "role": "org:member"})),
        ),
        (Method::PATCH, format!("/organizations/{org}/memberships/{user}"), Some(json!({"role": "org:member"}))),
        (
            Method::PATCH,
            format!("/organizations/{org}/memberships/{user}/metadata"),
            Some(json!({"public_metadata": {"x": 1}})),
        ),
        (Method::DELETE, format!("/organizations/{org}/memberships/{user}"), None),
        (Method::DELETE, format!("/organizations/{org}"), None),
    ];
    for (method, path, body) in endpoints {
        let r = as_other(method.clone(), path.clone(), body).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text);
        r.err(404, "resource_not_found");
    }

    // Lists with the other key show nothing of the first instance.
    let users = as_other(Method::GET, "/users".into(), None).await;
    assert_eq!(users.ok(), &json!([]));
    let users = as_other(Method::GET, "/users?email_address=iso@example.com".into(), None).await;
    assert_eq!(users.ok(), &json!([]));
    let count = as_other(Method::GET, "/users/count".into(), None).await;
    assert_eq!(count.ok()["total_count"], 0);
    let orgs = as_other(Method::GET, "/organizations".into(), None).await;
    assert_eq!(orgs.ok(), &json!({"data": [], "total_count": 0}));
    let orgs = as_other(Method::GET, "/organizations?query=iso".into(), None).await;
    assert_eq!(orgs.ok()["total_count"], 0);
    let mems = as_other(Method::GET, "/organization_memberships".into(), None).await;
    assert_eq!(mems.ok()["total_count"], 0);

    // The other instance cannot use the first one's user as a creator, and its identifiers are its own.
    let r = as_other(Method::POST, "/organizations".into(), Some(json!({"name": "Steal", "created_by": user}))).await;
    r.err(400, "organization_creator_not_found");
    let twin = as_other(
        Method::POST,
        "/users".into(),
        Some(json!({"email_address": ["iso@example.com"], "username": "isolated", "external_id": "ext-iso"})),
    )
    .await;
    let twin_id = twin.ok()["id"].as_str().unwrap().to_owned();
    let twin_org = as_other(Method::POST, "/organizations".into(), Some(json!({"name": "Iso", "slug": "iso"}))).await;
    assert_eq!(twin_org.ok()["slug"], "iso");
    // ... and the first instance does not see them either.
    app.get(&format!("/users/{twin_id}")).await.err(404, "resource_not_found");
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 1);
    assert_eq!(app.get("/organizations/iso").await.ok()["id"], org.as_str());

    // Nothing of the first instance changed.
    let u = app.get(&format!("/users/{user}")).await.ok().clone();
    assert_eq!(
        (u["first_name"].clone(), u["banned"].clone(), u["locked"].clone()),
        (Value::Null, json!(false), json!(false))
    );
    assert_eq!(u["public_metadata"], json!({}));
    let o = app.get(&format!("/organizations/{org}?include_members_count=true")).await.ok().clone();
    assert_eq!(o["name"], "Iso");
    assert_eq!(o["public_metadata"], json!({}));
    assert_eq!(o["members_count"], 1);
    let m = app.get(&format!("/organizations/{org}/memberships")).await;
    assert_eq!(m.ok()["data"][0]["role"], "org:admin");
}
