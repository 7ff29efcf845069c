//! create

use super::*;

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
