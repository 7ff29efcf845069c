//! The user's last_active_at

use super::*;

#[tokio::test]
async fn session_sets_last_active_at_and_membership_filters_see_it() {
    let app = TestApp::spawn().await;
    let active = app.user_with_email("active@example.com").await;
    let idle = app.user_with_email("idle@example.com").await;
    let org = app.org(json!({"name": "Acme"})).await;
    app.add_member(&org, &active, "org:member").await;
    app.add_member(&org, &idle, "org:member").await;
    assert_eq!(app.get(&format!("/users/{active}")).await.ok()["last_active_at"], Value::Null);

    session(&app, &active).await;
    let now = now_ms();
    let u = app.get(&format!("/users/{active}")).await;
    let last_active = u.ok()["last_active_at"].as_i64().unwrap_or_else(|| panic!("last_active_at not set: {}", u.text));
    assert_eq!(last_active % DAY_MS, 0, "day precision: {last_active}");
    assert!(last_active <= now && last_active > now - DAY_MS, "{last_active} vs {now}");
    assert!(u.ok()["last_sign_in_at"].is_i64(), "{}", u.text);
    assert_eq!(app.get(&format!("/users/{idle}")).await.ok()["last_active_at"], Value::Null);

    assert_eq!(member_ids(&app, &org, format!("last_active_at_after={}", last_active - 1)).await, vec![active.clone()]);
    assert_eq!(
        member_ids(&app, &org, format!("last_active_at_before={}", last_active + 1)).await,
        vec![active.clone()]
    );
    assert_eq!(member_ids(&app, &org, format!("last_active_at_before={}", now + DAY_MS)).await, vec![active.clone()]);
    assert_eq!(
        member_ids(
            &app,
            &org,
            format!("last_active_at_after={}&last_active_at_before={}", last_active - 1, last_active + 1)
        )
        .await,
        vec![active.clone()]
    );
    assert_eq!(
        member_ids(&app, &org, format!("last_active_at_after={}", last_active + DAY_MS)).await,
        Vec::<String>::new()
    );
    assert_eq!(
        member_ids(&app, &org, format!("last_active_at_before={}", last_active - DAY_MS)).await,
        Vec::<String>::new()
    );
}

// ---------------------------------------------------------------------------------------------------
// Listing sessions
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_sessions_filters_and_pagination() {
    let app = TestApp::spawn().await;
    let alice = app.user_with_email("alice@example.com").await;
    let bob = app.user_with_email("bob@example.com").await;
    let mut alice_sessions = Vec::new();
    for _ in 0..3 {
        alice_sessions.push(session(&app, &alice).await);
    }
    let bob_session = session(&app, &bob).await;
    let newest_first: Vec<String> = alice_sessions.iter().rev().map(|s| str_of(s, "id")).collect();

    let r = app.get(&format!("/sessions?user_id={alice}")).await;
    assert!(r.ok().is_array(), "without paginated: a plain array: {}", r.text);
    assert_eq!(ids(r.ok()), newest_first);
    let r = app.get(&format!("/sessions?user_id={bob}")).await;
    assert_eq!(ids(r.ok()), vec![str_of(&bob_session, "id")]);
    let r = app.get("/sessions?user_id=user_nobody").await;
    assert_eq!(r.ok(), &json!([]));

    // client_id.
    let client = str_of(&alice_sessions[1], "client_id");
    let r = app.get(&format!("/sessions?client_id={client}")).await;
    assert_eq!(ids(r.ok()), vec![str_of(&alice_sessions[1], "id")]);
    let r = app.get(&format!("/sessions?client_id={client}&user_id={bob}")).await;
    assert_eq!(r.ok(), &json!([]));

    // status.
    let r = app.get(&format!("/sessions?user_id={alice}&status=active")).await;
    assert_eq!(ids(r.ok()), newest_first);
    let r = app.get(&format!("/sessions?user_id={alice}&status=revoked")).await;
    assert_eq!(r.ok(), &json!([]));
    let r = app.get(&format!("/sessions?user_id={alice}&status=sleeping")).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "status");

    // Every session of the instance, newest first.
    let r = app.get("/sessions").await;
    let mut all = vec![str_of(&bob_session, "id")];
    all.extend(newest_first.clone());
    assert_eq!(ids(r.ok()), all);

    // paginated=true: {data, total_count}.
    let r = app.get(&format!("/sessions?user_id={alice}&paginated=true&limit=2")).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 3, "{page}");
    let data: Vec<String> = page["data"].as_array().unwrap().iter().map(|s| str_of(s, "id")).collect();
    assert_eq!(data, newest_first[..2]);
    let r = app.get(&format!("/sessions?user_id={alice}&paginated=true&limit=2&offset=2")).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 3);
    let data: Vec<String> = page["data"].as_array().unwrap().iter().map(|s| str_of(s, "id")).collect();
    assert_eq!(data, newest_first[2..]);
    let r = app.get(&format!("/sessions?user_id={alice}&paginated=false&limit=1&offset=1")).await;
    assert_eq!(ids(r.ok()), newest_first[1..2]);
    let r = app.get("/sessions?paginated=maybe").await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "paginated");
    let r = app.get("/sessions?limit=0").await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "limit");

    // By id.
    for s in alice_sessions.iter().chain([&bob_session]) {
        assert_eq!(app.get(&format!("/sessions/{}", str_of(s, "id"))).await.ok(), s);
    }
    let r = app.get("/sessions/sess_doesnotexist").await;
    r.err(404, "resource_not_found");
}

#[tokio::test]
async fn deleting_a_user_deletes_their_sessions() {
    let app = TestApp::spawn().await;
    let gone = app.user_with_email("gone@example.com").await;
    let stays = app.user_with_email("stays@example.com").await;
    let s1 = session(&app, &gone).await;
    let s2 = session(&app, &gone).await;
    let kept = session(&app, &stays).await;

    let r = app.delete(&format!("/users/{gone}")).await;
    assert_eq!(r.ok()["deleted"], true);
    for s in [&s1, &s2] {
        app.get(&format!("/sessions/{}", str_of(s, "id"))).await.err(404, "resource_not_found");
    }
    let r = app.get(&format!("/sessions?user_id={gone}")).await;
    assert_eq!(r.ok(), &json!([]));
    assert_eq!(app.get(&format!("/sessions/{}", str_of(&kept, "id"))).await.ok(), &kept);
    let r = app.get("/sessions").await;
    assert_eq!(ids(r.ok()), vec![str_of(&kept, "id")]);
}
