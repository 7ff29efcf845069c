//! `POST /sessions/{id}/tokens`: what a token says, and that it says what the data says now.

use super::*;
use roster_core::model::Environment;
use roster_server::Config;
use roster_testkit::TestApp;

#[tokio::test]
async fn a_token_carries_the_session_its_organization_role_and_permissions() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Acme", "slug": "acme", "created_by": owner})).await;
    let session = session_in(&app, &owner, Some(&org)).await;

    let jwt = token(&app, &session).await;
    let claims = verify(&app, &jwt).await.expect("verifies against the JWKS");
    assert_eq!((claims.sub.as_str(), claims.sid.as_str()), (owner.as_str(), session.as_str()));
    assert_eq!(claims.iss, "https://clerk.roster.local");
    assert_eq!((claims.v, claims.exp - claims.iat, claims.azp.clone()), (2, 60, None));
    assert!(claims.nbf < claims.iat);
    assert_eq!((claims.org_id(), claims.org_slug()), (Some(org.as_str()), Some("acme")));
    assert_eq!(claims.org_role().as_deref(), Some("org:admin"));
    assert!(claims.has_role("org:admin") && !claims.has_role("org:member"));
    assert!(claims.has_permission("org:sys_memberships:manage") && claims.has_permission("org:sys_profile:delete"));
    let header = roster_jwt::decode_unverified(&jwt).unwrap().0;
    assert_eq!((header.alg, header.typ.as_deref()), (roster_jwt::Algorithm::RS256, Some("JWT")));
    assert!(jwks(&app).await.find(&kid(&jwt)).is_some());

    let longer = app.post(&format!("/sessions/{session}/tokens"), json!({"expires_in_seconds": 3600})).await;
    let claims = verify(&app, &str_of(longer.ok(), "jwt")).await.unwrap();
    assert_eq!(claims.exp - claims.iat, 3600);
    for bad in [29, 315_360_001] {
        let r = app.post(&format!("/sessions/{session}/tokens"), json!({"expires_in_seconds": bad})).await;
        assert_eq!(r.err(422, "form_param_value_invalid")["meta"]["param_name"], "expires_in_seconds");
    }
    app.post(&format!("/sessions/{session}/tokens"), json!({"expires_in_seconds": "60"}))
        .await
        .err(422, "form_param_value_invalid");
}

#[tokio::test]
async fn issuer_and_authorized_party_are_configurable() {
    let mut config = Config::default();
    config.tokens.issuer = "https://auth.example.com".into();
    config.tokens.authorized_party = Some("https://app.example.com".into());
    let app = TestApp::spawn_with(config).await;
    let user = app.user_with_email("a@example.com").await;
    let jwt = token(&app, &session_in(&app, &user, None).await).await;
    let claims = verify(&app, &jwt).await.unwrap();
    assert_eq!(claims.iss, "https://auth.example.com");
    assert_eq!(claims.azp.as_deref(), Some("https://app.example.com"));
    assert!(claims.o.is_none() && claims.fea.is_none(), "no active organization: {claims:?}");
    let keys = KeySet::from(&jwks(&app).await);
    let strict = Validation { issuer: Some("https://clerk.roster.local".into()), ..Validation::default() };
    assert!(matches!(roster_jwt::verify::<SessionClaims>(&jwt, &keys, &strict), Err(VerifyError::WrongIssuer { .. })));
    let parties = Validation { authorized_parties: vec!["https://other.example.com".into()], ..Validation::default() };
    assert!(matches!(
        roster_jwt::verify::<SessionClaims>(&jwt, &keys, &parties),
        Err(VerifyError::UnauthorizedParty(_))
    ));
}

#[tokio::test]
async fn tokens_follow_role_permission_and_membership_changes() {
    let app = TestApp::spawn().await;
    let (owner, user) = (app.user_with_email("owner@example.com").await, app.user_with_email("a@example.com").await);
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let read = permission(&app, "org:invoices:read").await;
    let write = permission(&app, "org:invoices:write").await;
    let accountant = role(&app, "org:accountant", &[&read, &write]).await;
    app.add_member(&org, &user, "org:member").await;
    let session = session_in(&app, &user, Some(&org)).await;

    let claims = verify(&app, &token(&app, &session).await).await.unwrap();
    assert!(claims.has_role("org:member") && !claims.has_permission("org:invoices:read"));
    assert!(claims.has_permission("org:sys_memberships:read") && !claims.has_permission("org:sys_memberships:manage"));
    assert!(claims.has_feature("invoices"), "every feature of the instance is listed: {:?}", claims.fea);

    app.patch(&format!("/organizations/{org}/memberships/{user}"), json!({"role": "org:accountant"})).await.ok();
    let claims = verify(&app, &token(&app, &session).await).await.unwrap();
    assert!(claims.has_role("org:accountant"));
    assert!(claims.has_permission("org:invoices:read") && claims.has_permission("org:invoices:write"));
    assert!(!claims.has_permission("org:sys_memberships:read"));

    app.delete(&format!("/organization_roles/{accountant}/permissions/{write}")).await.ok();
    let claims = verify(&app, &token(&app, &session).await).await.unwrap();
    assert!(claims.has_permission("org:invoices:read") && !claims.has_permission("org:invoices:write"));

    app.delete(&format!("/organizations/{org}/memberships/{user}")).await.ok();
    let claims = verify(&app, &token(&app, &session).await).await.unwrap();
    assert_eq!((claims.org_id(), claims.org_role()), (None, None), "no longer a member: {claims:?}");
    assert!(!claims.has_permission("org:invoices:read"));

    // The owner's session follows the organization's deletion.
    let owner_session = session_in(&app, &owner, Some(&org)).await;
    assert_eq!(verify(&app, &token(&app, &owner_session).await).await.unwrap().org_id(), Some(org.as_str()));
    app.delete(&format!("/organizations/{org}")).await.ok();
    assert_eq!(verify(&app, &token(&app, &owner_session).await).await.unwrap().org_id(), None);
}

#[tokio::test]
async fn two_nodes_on_one_database_issue_tokens_of_the_same_data_and_key() {
    let app = TestApp::spawn().await;
    if !app.is_postgres() {
        // Several nodes share a database only on PostgreSQL; the PostgreSQL run of this suite checks it.
        return;
    }
    let second = app.second_node(Config::default()).await;
    let (owner, user) = (app.user_with_email("owner@example.com").await, app.user_with_email("a@example.com").await);
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &user, "org:member").await;
    let session = session_in(&app, &user, Some(&org)).await;
    // Both nodes ask for the instance's first key at once: one key is made, both sign with it.
    let (a, b) = futures::join!(token(&app, &session), token(&second, &session));
    assert_eq!(kid(&a), kid(&b));
    assert_eq!(jwks(&app).await, jwks(&second).await);
    assert_eq!(jwks(&app).await.keys.len(), 1);

    app.patch(&format!("/organizations/{org}/memberships/{user}"), json!({"role": "org:admin"})).await.ok();
    let claims = verify(&app, &token(&second, &session).await).await.unwrap();
    assert!(claims.has_role("org:admin"), "the other node sees the change at once: {claims:?}");
    second.delete(&format!("/organizations/{org}/memberships/{user}")).await.ok();
    assert_eq!(verify(&second, &token(&app, &session).await).await.unwrap().org_id(), None);
}

#[tokio::test]
async fn revoked_ended_expired_and_unknown_sessions_get_no_token() {
    let config = Config { session_lifetime: std::time::Duration::from_millis(300), ..Config::default() };
    let app = TestApp::spawn_with(config).await;
    let user = app.user_with_email("a@example.com").await;
    let short = session_in(&app, &user, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let e = app.post(&format!("/sessions/{short}/tokens"), json!({})).await;
    assert_eq!(
        e.err(400, "invalid_action_for_session")["long_message"],
        format!("Unable to create a token for session {short}")
    );

    let normal = TestApp::spawn().await;
    let user = normal.user_with_email("a@example.com").await;
    let session = session_in(&normal, &user, None).await;
    token(&normal, &session).await;
    normal.post(&format!("/sessions/{session}/revoke"), json!({})).await.ok();
    normal.post(&format!("/sessions/{session}/tokens"), json!({})).await.err(400, "invalid_action_for_session");
    normal.post("/sessions/sess_missing/tokens", json!({})).await.err(404, "resource_not_found");
    let fresh = session_in(&normal, &user, None).await;
    let other = normal.with_key(&normal.other_instance(Environment::Development).await);
    other.post(&format!("/sessions/{fresh}/tokens"), json!({})).await.err(404, "resource_not_found");
}

#[tokio::test]
async fn each_instance_signs_with_its_own_key() {
    let app = TestApp::spawn().await;
    let other = app.with_key(&app.other_instance(Environment::Development).await);
    let (mine, theirs) = (jwks(&app).await, jwks(&other).await);
    assert_eq!((mine.keys.len(), theirs.keys.len()), (1, 1));
    assert_ne!(mine.keys[0].kid, theirs.keys[0].kid);
    assert_ne!(mine.keys[0].n, theirs.keys[0].n);
    let user = other.user_with_email("a@example.com").await;
    let jwt = token(&other, &session_in(&other, &user, None).await).await;
    assert!(verify(&other, &jwt).await.is_ok());
    assert_eq!(verify(&app, &jwt).await.unwrap_err(), VerifyError::UnknownKey(kid(&jwt)));
    // A token altered after signing does not verify.
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let mut claims = payload(&jwt);
    claims["sub"] = json!("user_someone_else");
    parts[1] = base64_url(&serde_json::to_vec(&claims).unwrap());
    assert_eq!(verify(&other, &parts.join(".")).await.unwrap_err(), VerifyError::BadSignature);
    app.call_as("sk_test_nope", reqwest::Method::GET, "/jwks", None).await.err(401, "clerk_key_invalid");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
