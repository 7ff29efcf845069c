//! Creating sessions

use super::*;

#[tokio::test]
async fn create_session_shape_and_errors() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("user@example.com").await;
    let before = now_ms();
    let s = session(&app, &user).await;
    // Every key the spec's Session schema requires.
    for key in [
        "object",
        "id",
        "user_id",
        "client_id",
        "status",
        "last_active_at",
        "expire_at",
        "abandon_at",
        "updated_at",
        "created_at",
    ] {
        assert!(s.get(key).is_some(), "session lacks {key}: {s}");
    }
    assert_eq!(s["object"], "session");
    let id = str_of(&s, "id");
    assert!(id.starts_with("sess_") && id.len() == "sess_".len() + 27, "{id}");
    assert!(id["sess_".len()..].bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(s["user_id"], user.as_str());
    assert_eq!(s["status"], "active");
    let client = str_of(&s, "client_id");
    assert!(client.starts_with("client_") && client.len() == "client_".len() + 27, "{client}");
    assert_eq!(s["last_active_organization_id"], Value::Null);
    let created = s["created_at"].as_i64().unwrap();
    assert!(created >= before - 1000 && created <= now_ms(), "{s}");
    assert!(s["last_active_at"].as_i64().unwrap() >= created);
    assert!(s["expire_at"].as_i64().unwrap() > created);
    assert!(s["abandon_at"].as_i64().unwrap() >= s["expire_at"].as_i64().unwrap());
    assert!(s["updated_at"].is_i64());
    assert_eq!(app.get(&format!("/sessions/{id}")).await.ok(), &s);
    // Each session has its own client.
    let s2 = session(&app, &user).await;
    assert_ne!(s2["client_id"], s["client_id"]);
    assert_ne!(s2["id"], s["id"]);

    let r = app.post("/sessions", json!({"user_id": "user_doesnotexist"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "No user was found with id user_doesnotexist");
    let r = app.post("/sessions", json!({})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "user_id");
    let r = app.post("/sessions", json!({"user_id": ""})).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "user_id");
    let r = app.post("/sessions", json!({"user_id": 5})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "user_id");

    // A user of another instance is unknown here.
    let other = app.other_instance(Environment::Development).await;
    let foreign = app.call_as(&other, Method::POST, "/users", Some(json!({}))).await;
    let foreign = str_of(foreign.ok(), "id");
    app.post("/sessions", json!({"user_id": foreign})).await.err(404, "resource_not_found");
    // Nor can the other instance read this one's sessions.
    let r = app.call_as(&other, Method::GET, &format!("/sessions/{id}"), None).await;
    r.err(404, "resource_not_found");

    // Production instances do not create sessions.
    let prod = app.other_instance(Environment::Production).await;
    let prod_user = app.call_as(&prod, Method::POST, "/users", Some(json!({}))).await;
    let prod_user = str_of(prod_user.ok(), "id");
    let r = app.call_as(&prod, Method::POST, "/sessions", Some(json!({"user_id": prod_user}))).await;
    r.err(400, "request_invalid_for_environment");
    let r = app.call_as(&prod, Method::GET, &format!("/sessions?user_id={prod_user}"), None).await;
    assert_eq!(r.ok(), &json!([]));
}

// ---------------------------------------------------------------------------------------------------
// The active organization
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn active_organization_follows_joins_leaves_and_deletions() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let user = app.user_with_email("user@example.com").await;
    let loner = app.user_with_email("loner@example.com").await;
    let a = app.org(json!({"name": "A", "created_by": owner})).await;
    let b = app.org(json!({"name": "B", "created_by": owner})).await;
    let c = app.org(json!({"name": "C", "created_by": owner})).await;

    // No memberships: no active organization.
    assert_eq!(session(&app, &loner).await["last_active_organization_id"], Value::Null);
    assert_eq!(session(&app, &user).await["last_active_organization_id"], Value::Null);

    // Joining A, then B: the latest joined is active on the next session.
    app.add_member(&a, &user, "org:member").await;
    let s_a = session(&app, &user).await;
    assert_eq!(s_a["last_active_organization_id"], a.as_str());
    app.add_member(&b, &user, "org:member").await;
    let s_b = session(&app, &user).await;
    assert_eq!(s_b["last_active_organization_id"], b.as_str());
    // Existing sessions are not moved by a join.
    assert_eq!(active_org(&app, &s_a).await, a.as_str());
    // An explicit choice wins.
    let s_chosen = session_in(&app, &user, &a).await;
    assert_eq!(s_chosen["last_active_organization_id"], a.as_str());
    let s_b2 = session_in(&app, &user, &b).await;
    assert_eq!(s_b2["last_active_organization_id"], b.as_str());
    // An empty choice is no choice.
    let s_default = app.post("/sessions", json!({"user_id": user, "active_organization_id": ""})).await;
    assert_eq!(s_default.ok()["last_active_organization_id"], b.as_str());

    // Not a member of C; an unknown organization.
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": c})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "active_organization_id");
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": "org_doesnotexist"})).await;
    r.err(404, "resource_not_found");
    let r = app.get(&format!("/sessions?user_id={user}")).await;
    assert_eq!(r.ok().as_array().unwrap().len(), 6, "refused sessions were not stored");

    // Creating an organization with created_by counts as joining it.
    let s_owner = session(&app, &owner).await;
    assert_eq!(s_owner["last_active_organization_id"], c.as_str());
    let founder = app.user_with_email("founder@example.com").await;
    let d = app.org(json!({"name": "D", "created_by": founder})).await;
    assert_eq!(session(&app, &founder).await["last_active_organization_id"], d.as_str());
    let s_owner_a = session_in(&app, &owner, &a).await;

    // Leaving B: the sessions on B move to A, the latest remaining organization; the others stay.
    app.delete(&format!("/organizations/{b}/memberships/{user}")).await.ok();
    assert_eq!(active_org(&app, &s_b).await, a.as_str());
    assert_eq!(active_org(&app, &s_b2).await, a.as_str());
    assert_eq!(active_org(&app, &s_a).await, a.as_str());
    assert_eq!(active_org(&app, &s_chosen).await, a.as_str());
    // Other users' sessions on B are not touched.
    let s_owner_b = session_in(&app, &owner, &b).await;
    assert_eq!(active_org(&app, &s_owner_b).await, b.as_str());
    assert_eq!(session(&app, &user).await["last_active_organization_id"], a.as_str());

    // Deleting A: no session keeps it, whoever's it is.
    app.delete(&format!("/organizations/{a}")).await.ok();
    for s in [&s_a, &s_b, &s_b2, &s_chosen, &s_owner_a] {
        assert_eq!(active_org(&app, s).await, Value::Null, "session {}", s["id"]);
    }
    assert_eq!(active_org(&app, &s_owner_b).await, b.as_str());
    assert_eq!(active_org(&app, &s_owner).await, c.as_str());
    // The user now belongs to nothing.
    assert_eq!(session(&app, &user).await["last_active_organization_id"], Value::Null);
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": a})).await;
    r.err(404, "resource_not_found");

    // Leaving the last organization leaves the session without one.
    app.add_member(&c, &user, "org:member").await;
    let s_c = session(&app, &user).await;
    assert_eq!(s_c["last_active_organization_id"], c.as_str());
    app.delete(&format!("/organizations/{c}/memberships/{user}")).await.ok();
    assert_eq!(active_org(&app, &s_c).await, Value::Null);
}
