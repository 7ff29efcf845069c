//! JWT templates: CRUD, Clerk's errors, and tokens rendered from the current data.

use super::*;
use roster_testkit::TestApp;

#[tokio::test]
async fn a_template_token_renders_shortcodes_from_the_current_data() {
    let app = TestApp::spawn().await;
    let user = app
        .user(json!({"email_address": ["ada@example.com"], "first_name": "Ada", "last_name": "Lovelace",
        "public_metadata": {"plan": {"tier": "pro"}}}))
        .await;
    let org =
        app.org(json!({"name": "Acme", "slug": "acme", "created_by": user, "public_metadata": {"region": "eu"}})).await;
    let created = app
        .post(
            "/jwt_templates",
            json!({"name": "hasura", "lifetime": 300, "allowed_clock_skew": 7, "claims": {
                "email": "{{user.primary_email_address}}",
                "name": "{{user.first_name}} {{user.last_name}}",
                "tier": "{{user.public_metadata.plan.tier}}",
                "missing": "{{user.public_metadata.nothing || 'free'}}",
                "org": {"id": "{{org.id}}", "slug": "{{org.slug}}", "role": "{{org.role}}", "region": "{{org.public_metadata.region}}"},
                "fixed": [1, "two", {"three": true}],
                "meta": "{{user.public_metadata}}"
            }}),
        )
        .await;
    let t = created.ok().clone();
    assert_eq!((t["object"].as_str(), t["name"].as_str()), (Some("jwt_template"), Some("hasura")));
    assert_eq!((t["lifetime"].as_i64(), t["allowed_clock_skew"].as_i64()), (Some(300), Some(7)));
    assert_eq!((t["custom_signing_key"].as_bool(), t["signing_algorithm"].as_str()), (Some(false), Some("RS256")));
    let session = session_in(&app, &user, Some(&org)).await;

    let r = app.post(&format!("/sessions/{session}/tokens/hasura"), json!({})).await;
    let jwt = str_of(r.ok(), "jwt");
    let claims: Value = roster_jwt::verify(&jwt, &KeySet::from(&jwks(&app).await), &Validation::default()).unwrap();
    assert_eq!(claims["email"], "ada@example.com");
    assert_eq!(claims["name"], "Ada Lovelace");
    assert_eq!((claims["tier"].as_str(), claims["missing"].as_str()), (Some("pro"), Some("free")));
    assert_eq!(claims["org"], json!({"id": org, "slug": "acme", "role": "org:admin", "region": "eu"}));
    assert_eq!(claims["fixed"], json!([1, "two", {"three": true}]));
    assert_eq!(claims["meta"], json!({"plan": {"tier": "pro"}}));
    assert_eq!(claims["sub"], user.as_str());
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 300);
    assert_eq!(claims["iat"].as_u64().unwrap() - claims["nbf"].as_u64().unwrap(), 7);
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    // The data changes, the next token follows.
    app.patch(&format!("/users/{user}"), json!({"first_name": "Augusta"})).await.ok();
    let r = app.post(&format!("/sessions/{session}/tokens/hasura"), json!({"expires_in_seconds": 60})).await;
    let claims = payload(&str_of(r.ok(), "jwt"));
    assert_eq!(
        (claims["name"].as_str(), claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap()),
        (Some("Augusta Lovelace"), 60)
    );
    let e = app.post(&format!("/sessions/{session}/tokens/nope"), json!({})).await;
    assert_eq!(e.err(404, "resource_not_found")["long_message"], "No JWT template exists with name: nope");
}

#[tokio::test]
async fn a_template_with_its_own_hs256_secret_signs_with_it_and_never_returns_it() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("a@example.com").await;
    let r = app
        .post(
            "/jwt_templates",
            json!({"name": "supabase", "claims": {"role": "authenticated"}, "custom_signing_key": true,
                "signing_algorithm": "HS256", "signing_key": "super-secret-signing-key"}),
        )
        .await;
    assert!(!r.text.contains("super-secret"));
    let id = str_of(r.ok(), "id");
    assert_eq!(
        (r.ok()["custom_signing_key"].as_bool(), r.ok()["signing_algorithm"].as_str()),
        (Some(true), Some("HS256"))
    );
    assert!(!app.get(&format!("/jwt_templates/{id}")).await.text.contains("super-secret"));
    assert!(!app.get("/jwt_templates").await.text.contains("super-secret"));

    let session = session_in(&app, &user, None).await;
    let jwt = str_of(app.post(&format!("/sessions/{session}/tokens/supabase"), json!({})).await.ok(), "jwt");
    let claims: Value = roster_jwt::verify_hs256(&jwt, b"super-secret-signing-key", &Validation::default()).unwrap();
    assert_eq!((claims["role"].as_str(), claims["sub"].as_str()), (Some("authenticated"), Some(user.as_str())));
    assert_eq!(
        roster_jwt::verify_hs256::<Value>(&jwt, b"wrong", &Validation::default()).unwrap_err(),
        VerifyError::BadSignature
    );

    // Back to the instance key.
    app.patch(&format!("/jwt_templates/{id}"), json!({"custom_signing_key": false})).await.ok();
    let jwt = str_of(app.post(&format!("/sessions/{session}/tokens/supabase"), json!({})).await.ok(), "jwt");
    let _: Value = roster_jwt::verify(&jwt, &KeySet::from(&jwks(&app).await), &Validation::default()).unwrap();
}

#[tokio::test]
async fn templates_are_listed_updated_deleted_and_checked() {
    let app = TestApp::spawn().await;
    let a = str_of(app.post("/jwt_templates", json!({"name": "a", "claims": {}})).await.ok(), "id");
    let b = str_of(app.post("/jwt_templates", json!({"name": "b", "claims": {"x": 1}})).await.ok(), "id");
    let list = app.get("/jwt_templates").await;
    let names: Vec<&str> = list.ok().as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b"]);
    let page = app.get("/jwt_templates?paginated=true&limit=1&offset=1").await;
    assert_eq!((page.ok()["total_count"].as_i64(), page.ok()["data"][0]["id"].as_str()), (Some(2), Some(b.as_str())));
    app.get("/jwt_templates?limit=501").await.err(422, "form_param_value_invalid");

    let dup = app.post("/jwt_templates", json!({"name": "a", "claims": {}})).await;
    assert_eq!(dup.err(422, "form_identifier_exists")["meta"]["param_name"], "name");
    app.patch(&format!("/jwt_templates/{b}"), json!({"name": "a"})).await.err(422, "form_identifier_exists");
    let reserved = app.post("/jwt_templates", json!({"name": "c", "claims": {"sub": "x"}})).await;
    assert_eq!(
        reserved.err(400, "jwt_template_reserved_claim")["long_message"],
        "You can't use the reserved claim: 'sub'"
    );
    app.post("/jwt_templates", json!({"name": "c"})).await.err(422, "form_param_missing");
    app.post("/jwt_templates", json!({"claims": {}})).await.err(422, "form_param_missing");
    app.post("/jwt_templates", json!({"name": "c", "claims": []})).await.err(422, "form_param_value_invalid");
    app.post("/jwt_templates", json!({"name": "c", "claims": {}, "lifetime": 29}))
        .await
        .err(422, "form_param_value_invalid");
    app.post("/jwt_templates", json!({"name": "c", "claims": {}, "lifetime": 315_360_001}))
        .await
        .err(422, "form_param_value_too_large");
    app.post("/jwt_templates", json!({"name": "c", "claims": {}, "allowed_clock_skew": 301}))
        .await
        .err(422, "form_param_value_too_large");
    let missing = app.post("/jwt_templates", json!({"name": "c", "claims": {}, "custom_signing_key": true})).await;
    assert_eq!(missing.err(422, "form_conditional_param_missing")["meta"]["param_name"], "signing_algorithm");
    let body = json!({"name": "c", "claims": {}, "custom_signing_key": true, "signing_algorithm": "ES256", "signing_key": "k"});
    app.post("/jwt_templates", body).await.err(422, "form_param_value_invalid");
    let body = json!({"name": "c", "claims": {}, "custom_signing_key": true, "signing_algorithm": "RS256", "signing_key": "not a pem"});
    app.post("/jwt_templates", body).await.err(422, "form_param_format_invalid");

    let updated =
        app.patch(&format!("/jwt_templates/{a}"), json!({"lifetime": 120, "claims": {"y": "{{user.id}}"}})).await;
    assert_eq!(
        (updated.ok()["lifetime"].as_i64(), updated.ok()["claims"].clone()),
        (Some(120), json!({"y": "{{user.id}}"}))
    );
    let deleted = app.delete(&format!("/jwt_templates/{a}")).await;
    assert_eq!(deleted.ok().clone(), json!({"object": "jwt_template", "id": a, "deleted": true}));
    app.get(&format!("/jwt_templates/{a}")).await.err(404, "resource_not_found");
    app.delete(&format!("/jwt_templates/{a}")).await.err(404, "resource_not_found");
    let other = app.with_key(&app.other_instance(roster_core::model::Environment::Development).await);
    other.get(&format!("/jwt_templates/{b}")).await.err(404, "resource_not_found");
    assert_eq!(other.get("/jwt_templates").await.ok().clone(), json!([]));
}
