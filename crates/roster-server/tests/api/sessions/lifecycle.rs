//! A session's life after `POST /sessions`: `POST /sessions/{id}/revoke` (an active session becomes `revoked`
//! and stays so; revoking it again, or a session of another instance, is refused; a revoked session no longer
//! follows its user's memberships) and `PATCH /sessions/{id}` (a Roster extension: an active session's active
//! organization set to one the user belongs to, or cleared).

use futures::future::join_all;

use super::*;

#[tokio::test]
async fn revoking_a_session_marks_it_revoked_once() {
    let app = TestApp::spawn().await;
    let (owner, user) = (app.user_with_email("owner@example.com").await, app.user_with_email("a@example.com").await);
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &user, "org:member").await;
    let s = session(&app, &user).await;
    let id = str_of(&s, "id");
    let path = format!("/sessions/{id}/revoke");

    let revoked = app.post(&path, json!({})).await;
    let body = revoked.ok();
    assert_eq!(body["status"], "revoked");
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["last_active_organization_id"], org.as_str());
    assert!(body["updated_at"].as_i64() >= s["updated_at"].as_i64());
    assert_eq!(app.get(&format!("/sessions/{id}")).await.ok(), body, "stored as answered");

    let again = app.post(&path, json!({})).await;
    let e = again.err(400, "invalid_action_for_session");
    assert_eq!(e["long_message"], format!("Unable to revoke session {id}"));
    app.post("/sessions/sess_missing/revoke", json!({})).await.err(404, "resource_not_found");
    let other = app.with_key(&app.other_instance(Environment::Development).await);
    let fresh = str_of(&session(&app, &user).await, "id");
    other.post(&format!("/sessions/{fresh}/revoke"), json!({})).await.err(404, "resource_not_found");
    assert_eq!(app.get(&format!("/sessions/{fresh}")).await.ok()["status"], "active");

    // The status filter sees it; leaving the organization moves only the active session.
    let listed = app.get(&format!("/sessions?user_id={user}&status=revoked")).await;
    assert_eq!(ids(listed.ok()), vec![id.clone()]);
    let second = app.org(json!({"name": "Second"})).await;
    app.add_member(&second, &user, "org:member").await;
    app.delete(&format!("/organizations/{org}/memberships/{user}")).await.ok();
    let fresh_session = json!({"id": fresh});
    assert_eq!(active_org(&app, &fresh_session).await, second.as_str());
    assert_eq!(active_org(&app, &json!({"id": id})).await, org.as_str(), "a revoked session is left as it was");
}

#[tokio::test]
async fn racing_revokes_of_one_session_succeed_once() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("a@example.com").await;
    let id = str_of(&session(&app, &user).await, "id");
    let path = format!("/sessions/{id}/revoke");
    let attempts = join_all((0..8).map(|_| app.post(&path, json!({})))).await;
    let ok = attempts.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "{:?}", attempts.iter().map(|r| &r.text).collect::<Vec<_>>());
    for r in attempts.iter().filter(|r| r.status != 200) {
        r.err(400, "invalid_action_for_session");
    }
}

#[tokio::test]
async fn an_active_session_changes_or_clears_its_active_organization() {
    let app = TestApp::spawn().await;
    let (owner, user) = (app.user_with_email("owner@example.com").await, app.user_with_email("a@example.com").await);
    let (first, second) =
        (app.org(json!({"name": "First", "created_by": owner})).await, app.org(json!({"name": "Second"})).await);
    app.add_member(&first, &user, "org:member").await;
    app.add_member(&second, &user, "org:member").await;
    let s = session_in(&app, &user, &first).await;
    let path = format!("/sessions/{}", str_of(&s, "id"));

    let moved = app.patch(&path, json!({"active_organization_id": second})).await;
    assert_eq!(moved.ok()["last_active_organization_id"], second.as_str());
    assert_eq!(active_org(&app, &s).await, second.as_str());
    let cleared = app.patch(&path, json!({"active_organization_id": null})).await;
    assert_eq!(cleared.ok()["last_active_organization_id"], Value::Null);
    assert_eq!(active_org(&app, &s).await, Value::Null);

    let lonely = app.org(json!({"name": "Not theirs", "created_by": owner})).await;
    let refused = app.patch(&path, json!({"active_organization_id": lonely})).await;
    assert_eq!(refused.err(422, "form_param_value_invalid")["meta"]["param_name"], "active_organization_id");
    app.patch(&path, json!({"active_organization_id": "org_missing"})).await.err(404, "resource_not_found");
    app.patch(&path, json!({})).await.err(422, "form_param_missing");
    app.patch(&path, json!({"active_organization_id": first, "status": "ended"})).await.err(422, "form_param_unknown");
    app.patch("/sessions/sess_missing", json!({"active_organization_id": null})).await.err(404, "resource_not_found");
    assert_eq!(active_org(&app, &s).await, Value::Null, "nothing refused changed it");

    // Set again, then left: the session follows the membership as any session does.
    app.patch(&path, json!({"active_organization_id": first})).await.ok();
    app.delete(&format!("/organizations/{first}/memberships/{user}")).await.ok();
    assert_eq!(active_org(&app, &s).await, second.as_str());

    app.post(&format!("{path}/revoke"), json!({})).await.ok();
    let e = app.patch(&path, json!({"active_organization_id": null})).await;
    assert_eq!(
        e.err(400, "invalid_action_for_session")["long_message"],
        format!("Unable to update session {}", str_of(&s, "id"))
    );
}

#[tokio::test]
async fn a_session_past_its_lifetime_reads_as_expired_and_can_no_longer_change() {
    let config =
        roster_server::Config { session_lifetime: std::time::Duration::from_millis(300), ..Default::default() };
    let app = TestApp::spawn_with(config).await;
    let user = app.user_with_email("a@example.com").await;
    let s = session(&app, &user).await;
    let id = str_of(&s, "id");
    assert_eq!(s["status"], "active");
    let lifetime = s["expire_at"].as_i64().unwrap() - s["created_at"].as_i64().unwrap();
    assert_eq!(lifetime, 300);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    assert_eq!(app.get(&format!("/sessions/{id}")).await.ok()["status"], "expired");
    let expired = app.get(&format!("/sessions?user_id={user}&status=expired")).await;
    assert_eq!(ids(expired.ok()), vec![id.clone()]);
    let active = app.get(&format!("/sessions?user_id={user}&status=active")).await;
    assert!(ids(active.ok()).is_empty());
    let all = app.get(&format!("/sessions?user_id={user}")).await;
    assert_eq!(all.ok()[0]["status"], "expired");
    let path = format!("/sessions/{id}");
    app.post(&format!("{path}/revoke"), json!({})).await.err(400, "invalid_action_for_session");
    app.patch(&path, json!({"active_organization_id": null})).await.err(400, "invalid_action_for_session");
    assert_eq!(app.get(&path).await.ok()["status"], "expired");

    // The default lifetime is Clerk's week.
    let app = TestApp::spawn().await;
    let user = app.user_with_email("b@example.com").await;
    let s = session(&app, &user).await;
    assert_eq!(s["expire_at"].as_i64().unwrap() - s["created_at"].as_i64().unwrap(), 7 * DAY_MS);
}
