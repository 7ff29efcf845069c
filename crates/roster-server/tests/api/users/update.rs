//! update

use super::*;

#[tokio::test]
async fn get_and_update_user() {
    let app = TestApp::spawn().await;
    let id = app
        .user(
            json!({"email_address": ["get@example.com"], "first_name": "Gina", "last_name": "Get", "username": "gina"}),
        )
        .await;
    let u = app.get(&format!("/users/{id}")).await.ok().clone();
    assert_eq!(u["id"], id.as_str());
    assert_eq!(u["first_name"], "Gina");

    let r = app.get("/users/user_2g7np7Hrk0SN6kj5EDMLDaKNL0S").await;
    r.err(404, "resource_not_found");
    app.get("/users/not-even-an-id").await.err(404, "resource_not_found");

    let path = format!("/users/{id}");
    let r = app.patch(&path, json!({"first_name": "Georgina", "username": "georgina", "external_id": "ext-g"})).await;
    let v = r.ok();
    assert_eq!(v["first_name"], "Georgina");
    assert_eq!(v["username"], "georgina");
    assert_eq!(v["external_id"], "ext-g");
    assert_eq!(v["last_name"], "Get");
    assert_eq!(v["email_addresses"][0]["email_address"], "get@example.com");
    assert!(v["updated_at"].as_i64().unwrap() >= u["updated_at"].as_i64().unwrap());

    // null clears; absent keeps.
    let v = app.patch(&path, json!({"first_name": null})).await.ok().clone();
    assert!(v["first_name"].is_null(), "{v}");
    assert_eq!(v["last_name"], "Get");
    assert_eq!(v["username"], "georgina");
    assert_eq!(app.get(&path).await.ok(), &v);
    // An empty body changes nothing.
    let again = app.patch(&path, json!({})).await.ok().clone();
    assert_eq!(again["username"], "georgina");

    // Validation on update.
    let r = app.patch(&path, json!({"username": "abc"})).await;
    r.err(422, "form_username_invalid_length");
    let r = app.patch(&path, json!({"first_name": 1})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "first_name");
    let r = app.patch(&path, json!({"email_address": ["x@example.com"]})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "email_address");
    let r = app.patch(&path, json!({"password": "short"})).await;
    r.err(422, "form_password_length_too_short");
    let r = app.patch(&path, json!({"password": "long enough"})).await;
    assert_eq!(r.ok()["password_enabled"], true);
    assert_eq!(app.get(&path).await.ok()["username"], "georgina");

    app.patch("/users/user_missing", json!({"first_name": "x"})).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn update_user_metadata_by_api_version() {
    let app = TestApp::spawn().await;
    let id = app.user(json!({"email_address": ["ver@example.com"], "public_metadata": {"a": {"b": 1}, "c": 2}})).await;
    let path = format!("/users/{id}");

    for field in ["public_metadata", "private_metadata", "unsafe_metadata"] {
        let r = app.patch(&path, json!({ field: {"x": 1} })).await;
        r.err(422, "form_param_unknown");
        assert_eq!(r.param(), field);
    }
    // Refused means untouched.
    assert_eq!(app.get(&path).await.ok()["public_metadata"], json!({"a": {"b": 1}, "c": 2}));

    // 2021-02-05 accepts metadata in PATCH /users/{id} and replaces each given field.
    let r = app
        .call_version(
            "2021-02-05",
            Method::PATCH,
            &path,
            Some(json!({"public_metadata": {"a": {"d": 1}}, "private_metadata": {"p": true}, "first_name": "Old"})),
        )
        .await;
    let v = r.ok();
    assert_eq!(v["public_metadata"], json!({"a": {"d": 1}}));
    assert_eq!(v["private_metadata"], json!({"p": true}));
    assert_eq!(v["unsafe_metadata"], json!({}));
    assert_eq!(v["first_name"], "Old");
    let r = app.call_version("2025-11-10", Method::PATCH, &path, Some(json!({"unsafe_metadata": {"u": 1}}))).await;
    assert_eq!(r.ok()["unsafe_metadata"], json!({"u": 1}));
    assert_eq!(r.ok()["public_metadata"], json!({"a": {"d": 1}}));
    // The size limit applies there too.
    let big = json!({"public_metadata": {"k": "x".repeat(9000)}});
    let r = app.call_version("2021-02-05", Method::PATCH, &path, Some(big)).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "public_metadata");
}

#[tokio::test]
async fn user_metadata_merge_and_replace() {
    let app = TestApp::spawn().await;
    let id = app.user_with_email("meta@example.com").await;
    let path = format!("/users/{id}/metadata");

    let fields = ["public_metadata", "private_metadata", "unsafe_metadata"];
    let mut body = serde_json::Map::new();
    for f in fields {
        body.insert(f.into(), json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "keep": true, "gone": 1, "list": [1, 2]}));
    }
    let v = app.patch(&path, Value::Object(body)).await.ok().clone();
    for f in fields {
        assert_eq!(v[f], json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "keep": true, "gone": 1, "list": [1, 2]}), "{f}");
    }

    let mut body = serde_json::Map::new();
    for f in fields {
        body.insert(
            f.into(),
            json!({"a": {"c": {"d": null, "f": 4}}, "gone": null, "list": [9], "new": {"x": null, "y": 1}}),
        );
    }
    let v = app.patch(&path, Value::Object(body)).await.ok().clone();
    let merged = json!({"a": {"b": 1, "c": {"e": 3, "f": 4}}, "keep": true, "list": [9], "new": {"y": 1}});
    for f in fields {
        assert_eq!(v[f], merged, "{f}");
    }
    // Omitted fields and `{}` leave things as they are.
    let v = app.patch(&path, json!({"public_metadata": {}})).await.ok().clone();
    for f in fields {
        assert_eq!(v[f], merged, "{f}");
    }

    // PUT replaces the given fields whole and leaves omitted ones alone.
    let v = app.put(&path, json!({"public_metadata": {"only": 1}, "unsafe_metadata": {}})).await.ok().clone();
    assert_eq!(v["public_metadata"], json!({"only": 1}));
    assert_eq!(v["unsafe_metadata"], json!({}));
    assert_eq!(v["private_metadata"], merged);
    let user = app.get(&format!("/users/{id}")).await.ok().clone();
    assert_eq!(user["public_metadata"], json!({"only": 1}));
    assert_eq!(user["private_metadata"], merged);

    // Unknown keys and non-objects.
    let r = app.patch(&path, json!({"other_metadata": {}})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "other_metadata");
    let r = app.put(&path, json!({"first_name": "x"})).await;
    r.err(422, "form_param_unknown");
    let r = app.patch(&path, json!({"private_metadata": [1, 2]})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "private_metadata");

    // Over 8 KB: refused, nothing changed. Also when only the merged result is too big.
    let before = app.get(&format!("/users/{id}")).await.ok().clone();
    for method in [Method::PATCH, Method::PUT] {
        for f in fields {
            let r = app.call(method.clone(), &path, Some(json!({ f: {"k": "x".repeat(8 * 1024)} }))).await;
            r.err(422, "form_param_exceeds_allowed_size");
            assert_eq!(r.param(), f);
        }
    }
    let r = app.patch(&path, json!({"public_metadata": {"a": "x".repeat(5000)}, "private_metadata": {"p": 1}})).await;
    r.ok();
    let r = app.patch(&path, json!({"public_metadata": {"b": "x".repeat(5000)}, "private_metadata": {"p": 2}})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "public_metadata");
    let after = app.get(&format!("/users/{id}")).await.ok().clone();
    assert_eq!(after["public_metadata"], json!({"only": 1, "a": "x".repeat(5000)}));
    assert_eq!(after["private_metadata"]["p"], 1);
    assert_eq!(after["unsafe_metadata"], before["unsafe_metadata"]);

    app.patch("/users/user_missing/metadata", json!({})).await.err(404, "resource_not_found");
    app.put("/users/user_missing/metadata", json!({})).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn delete_user() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let id = app.user_with_email("gone@example.com").await;
    let org = app.org(json!({"name": "Del", "created_by": owner})).await;
    app.add_member(&org, &id, "org:member").await;

    let r = app.delete(&format!("/users/{id}")).await;
    assert_eq!(r.ok(), &json!({"object": "user", "id": id, "deleted": true}));
    app.get(&format!("/users/{id}")).await.err(404, "resource_not_found");
    app.delete(&format!("/users/{id}")).await.err(404, "resource_not_found");
    app.post(&format!("/users/{id}/ban"), json!({})).await.err(404, "resource_not_found");
    assert_eq!(count(&app).await, 1);

    // Their memberships went with them, and the organization's count follows.
    let members = app.get(&format!("/organizations/{org}/memberships")).await;
    assert_eq!(members.ok()["total_count"], 1);
    assert_eq!(members.ok()["data"][0]["public_user_data"]["user_id"], owner.as_str());
    let o = app.get(&format!("/organizations/{org}?include_members_count=true")).await;
    assert_eq!(o.ok()["members_count"], 1);

    // The identifiers are free again.
    app.user_with_email("gone@example.com").await;
}

#[tokio::test]
async fn ban_unban_lock_unlock() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("boss@example.com").await;
    let id = app.user(json!({"email_address": ["flag@example.com"], "first_name": "Flag"})).await;
    let org = app.org(json!({"name": "Flags", "created_by": owner})).await;
    app.add_member(&org, &id, "org:member").await;

    let member_banned = |v: &Value| -> Value {
        v["data"].as_array().unwrap().iter().find(|m| m["public_user_data"]["user_id"] == id.as_str()).unwrap()
            ["public_user_data"]["banned"]
            .clone()
    };

    let members = format!("/organizations/{org}/memberships");
    assert_eq!(member_banned(app.get(&members).await.ok()), false);

    let v = app.post(&format!("/users/{id}/ban"), json!({})).await.ok().clone();
    assert_eq!((v["banned"].clone(), v["locked"].clone()), (json!(true), json!(false)));
    assert_eq!(v["first_name"], "Flag");
    assert_eq!(app.get(&format!("/users/{id}")).await.ok()["banned"], true);
    assert_eq!(member_banned(app.get(&members).await.ok()), true);
    let by_user = app.get(&format!("/users/{id}/organization_memberships")).await;
    assert_eq!(by_user.ok()["data"][0]["public_user_data"]["banned"], true);
    // Banning twice is fine.
    assert_eq!(app.post(&format!("/users/{id}/ban"), json!({})).await.ok()["banned"], true);

    let v = app.post(&format!("/users/{id}/lock"), json!({})).await.ok().clone();
    assert_eq!((v["banned"].clone(), v["locked"].clone()), (json!(true), json!(true)));

    let v = app.post(&format!("/users/{id}/unban"), json!({})).await.ok().clone();
    assert_eq!((v["banned"].clone(), v["locked"].clone()), (json!(false), json!(true)));
    assert_eq!(member_banned(app.get(&members).await.ok()), false);

    let v = app.post(&format!("/users/{id}/unlock"), json!({})).await.ok().clone();
    assert_eq!((v["banned"].clone(), v["locked"].clone()), (json!(false), json!(false)));
    assert_eq!(app.get(&format!("/users/{id}")).await.ok()["locked"], false);

    // Without a body at all (as the SDKs send these).
    let r = app.send(app.request(Method::POST, &format!("/users/{id}/lock"))).await;
    assert_eq!(r.ok()["locked"], true);

    // Created banned/locked.
    let v = app.post("/users", json!({"banned": true, "locked": true})).await.ok().clone();
    assert_eq!((v["banned"].clone(), v["locked"].clone()), (json!(true), json!(true)));

    for action in ["ban", "unban", "lock", "unlock"] {
        app.post(&format!("/users/user_missing/{action}"), json!({})).await.err(404, "resource_not_found");
    }
    let r = app.send(app.request(Method::GET, &format!("/users/{id}/ban"))).await;
    r.err(405, "request_method_not_allowed");
}
