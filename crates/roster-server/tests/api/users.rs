//! Users: the full User object, identifier uniqueness and validation, updates by API version, metadata
//! merge/replace and its size limit, delete, ban/unban and lock/unlock.

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::TestApp;

/// `components.schemas.User.required` of the 2026-05-12 spec (spec/clerk-bapi.yml).
const USER_REQUIRED: &[&str] = &[
    "id",
    "object",
    "username",
    "first_name",
    "last_name",
    "has_image",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
    "password_enabled",
    "two_factor_enabled",
    "totp_enabled",
    "backup_code_enabled",
    "email_addresses",
    "phone_numbers",
    "web3_wallets",
    "passkeys",
    "external_accounts",
    "saml_accounts",
    "enterprise_accounts",
    "public_metadata",
    "external_id",
    "last_sign_in_at",
    "banned",
    "locked",
    "lockout_expires_in_seconds",
    "verification_attempts_remaining",
    "created_at",
    "updated_at",
    "delete_self_enabled",
    "create_organization_enabled",
    "last_active_at",
    "mfa_enabled_at",
    "mfa_disabled_at",
    "legal_accepted_at",
];

#[track_caller]
fn assert_admin_verified(ident: &Value) {
    let v = &ident["verification"];
    assert_eq!(v["object"], "verification_admin", "{ident}");
    assert_eq!(v["status"], "verified", "{ident}");
    assert_eq!(v["strategy"], "admin", "{ident}");
    assert_eq!(ident["linked_to"], json!([]), "{ident}");
    assert_eq!(ident["reserved"], false, "{ident}");
}

async fn count(app: &TestApp) -> i64 {
    app.get("/users/count").await.ok()["total_count"].as_i64().unwrap()
}

#[tokio::test]
async fn create_returns_full_user() {
    let app = TestApp::spawn().await;
    let wallet = format!("0x{}", "1f".repeat(20));
    let r = app
        .post(
            "/users",
            json!({
                "email_address": ["Ann@Example.com", "zz.second@example.com", "aa.third@example.com", "mm.fourth@example.com"],
                "phone_number": ["+15555550100"],
                "web3_wallet": [wallet],
                "username": "ann_the_first",
                "first_name": "Ann",
                "last_name": "Example",
                "external_id": "ext-ann",
                "public_metadata": {"plan": "pro"},
                "private_metadata": {"secret": 1},
                "unsafe_metadata": {"theme": "dark"},
            }),
        )
        .await;
    let u = r.ok();
    for key in USER_REQUIRED {
        assert!(u.get(*key).is_some(), "User lacks required key {key}: {u}");
    }
    assert_eq!(u["object"], "user");
    assert!(u.get("deleted").is_none());
    assert_eq!(u["username"], "ann_the_first");
    assert_eq!(u["first_name"], "Ann");
    assert_eq!(u["last_name"], "Example");
    assert_eq!(u["external_id"], "ext-ann");
    assert_eq!(u["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(u["private_metadata"], json!({"secret": 1}));
    assert_eq!(u["unsafe_metadata"], json!({"theme": "dark"}));
    assert_eq!(u["password_enabled"], false);
    assert_eq!(u["banned"], false);
    assert_eq!(u["locked"], false);
    assert_eq!(u["has_image"], false);
    for k in ["passkeys", "external_accounts", "saml_accounts", "enterprise_accounts"] {
        assert_eq!(u[k], json!([]), "{k}");
    }

    let emails = u["email_addresses"].as_array().unwrap();
    // In the order given (the first is the primary), whatever the ids.
    let given: Vec<&str> = emails.iter().map(|e| e["email_address"].as_str().unwrap()).collect();
    assert_eq!(given, ["Ann@Example.com", "zz.second@example.com", "aa.third@example.com", "mm.fourth@example.com"]);
    assert_eq!(emails[0]["object"], "email_address");
    for e in emails {
        assert_admin_verified(e);
    }
    assert_eq!(u["primary_email_address_id"], emails[0]["id"]);

    let phones = u["phone_numbers"].as_array().unwrap();
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0]["object"], "phone_number");
    assert_eq!(phones[0]["phone_number"], "+15555550100");
    assert_admin_verified(&phones[0]);
    assert_eq!(u["primary_phone_number_id"], phones[0]["id"]);

    let wallets = u["web3_wallets"].as_array().unwrap();
    assert_eq!(wallets[0]["object"], "web3_wallet");
    assert_eq!(wallets[0]["web3_wallet"], wallet);
    assert_eq!(u["primary_web3_wallet_id"], wallets[0]["id"]);

    // GET returns the same object.
    let id = u["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/users/{id}")).await.ok(), u);

    // Reserved identifications are not verified.
    let r = app
        .post(
            "/users",
            json!({
                "email_address": ["reserved@example.com"],
                "email_address_identification_status": ["reserved"],
                "phone_number": ["+15555550101"],
                "phone_number_identification_status": ["reserved"],
            }),
        )
        .await;
    let u = r.ok();
    let e = &u["email_addresses"][0];
    assert_eq!(e["reserved"], true, "{e}");
    assert!(e["verification"].is_null(), "{e}");
    assert_eq!(e["linked_to"], json!([]));
    let p = &u["phone_numbers"][0];
    assert_eq!(p["reserved"], true, "{p}");
    assert!(p["verification"].is_null(), "{p}");

    // A minimal user with no identifiers at all has null primaries and empty lists.
    let u = app.post("/users", json!({})).await.ok().clone();
    for key in USER_REQUIRED {
        assert!(u.get(*key).is_some(), "User lacks required key {key}: {u}");
    }
    assert!(u["primary_email_address_id"].is_null());
    assert_eq!(u["email_addresses"], json!([]));
    assert_eq!(u["public_metadata"], json!({}));
}

#[tokio::test]
async fn identifiers_are_unique_and_validated() {
    let app = TestApp::spawn().await;
    app.user(json!({
        "email_address": ["dup@example.com"],
        "phone_number": ["+15555550100"],
        "web3_wallet": [format!("0x{}", "ab".repeat(20))],
        "username": "AliceW",
        "external_id": "ext-1",
    }))
    .await;

    let dup_cases = [
        (json!({"email_address": ["DUP@Example.COM"]}), "email_address"),
        (json!({"phone_number": ["+15555550100"]}), "phone_number"),
        (json!({"web3_wallet": [format!("0x{}", "AB".repeat(20))]}), "web3_wallet"),
        (json!({"username": "alicew"}), "username"),
        (json!({"username": "ALICEW"}), "username"),
        (json!({"external_id": "ext-1"}), "external_id"),
    ];
    for (body, param) in dup_cases {
        let r = app.post("/users", body.clone()).await;
        r.err(422, "form_identifier_exists");
        assert_eq!(r.param(), param, "{body}");
    }

    let format_cases = [
        (json!({"email_address": ["not-an-email"]}), "email_address"),
        (json!({"email_address": ["a@b"]}), "email_address"),
        (json!({"email_address": ["ok@example.com", "has space@example.com"]}), "email_address"),
        (json!({"phone_number": ["5555550100"]}), "phone_number"),
        (json!({"phone_number": ["+1 555 555 0100"]}), "phone_number"),
        (json!({"phone_number": ["+12"]}), "phone_number"),
        (json!({"web3_wallet": ["0x123"]}), "web3_wallet"),
        (json!({"web3_wallet": [format!("0x{}", "zz".repeat(20))]}), "web3_wallet"),
    ];
    for (body, param) in format_cases {
        let r = app.post("/users", body.clone()).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), param, "{body}");
    }

    let too_long = "x".repeat(65);
    for username in ["abc", "", too_long.as_str()] {
        let r = app.post("/users", json!({ "username": username })).await;
        r.err(422, "form_username_invalid_length");
        assert_eq!(r.param(), "username");
    }

    let r = app.post("/users", json!({"email_address": ["u@example.com"], "nickname": "x"})).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "nickname");

    let type_cases = [
        (json!({"first_name": 5}), "first_name"),
        (json!({"email_address": "single@example.com"}), "email_address"),
        (json!({"email_address": [1]}), "email_address"),
        (json!({"banned": "yes"}), "banned"),
        (json!({"create_organizations_limit": "3"}), "create_organizations_limit"),
        (json!({"create_organizations_limit": 1.5}), "create_organizations_limit"),
        (json!({"public_metadata": [1]}), "public_metadata"),
        (json!({"private_metadata": "x"}), "private_metadata"),
        (json!({"external_id": {"a": 1}}), "external_id"),
    ];
    for (body, param) in type_cases {
        let r = app.post("/users", body.clone()).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), param, "{body}");
    }

    let r = app.post("/users", json!({"email_address": ["pw@example.com"], "password": "short"})).await;
    r.err(422, "form_password_length_too_short");
    assert_eq!(r.param(), "password");
    let r = app.post("/users", json!({"email_address": ["pw@example.com"], "password": "1234567"})).await;
    r.err(422, "form_password_length_too_short");

    // None of the refused requests created anything.
    assert_eq!(count(&app).await, 1);

    let u = app.post("/users", json!({"email_address": ["pw@example.com"], "password": "long enough"})).await;
    assert_eq!(u.ok()["password_enabled"], true);
    assert!(u.body.get("password").is_none());
    assert_eq!(count(&app).await, 2);
    let other = app.post("/users", json!({"email_address": ["other@example.com"], "username": "other_user"})).await;
    let other_id = other.ok()["id"].as_str().unwrap().to_owned();
    // Updates are checked the same way (except against the user itself).
    let r = app.patch(&format!("/users/{other_id}"), json!({"username": "aliceW"})).await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "username");
    let r = app.patch(&format!("/users/{other_id}"), json!({"external_id": "ext-1"})).await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "external_id");
    let r = app.patch(&format!("/users/{other_id}"), json!({"username": "Other_User"})).await;
    assert_eq!(r.ok()["username"], "Other_User");
}

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
