//! Users.

use super::*;

/// | # | email               | username  | external_id | first  | last   | created_at |
/// |---|---------------------|-----------|-------------|--------|--------|------------|
/// | 0 | mallory@example.com | mallory_m | ext-0       | Xena   | Adams  | 2023-01-01 |
/// | 1 | alice@example.com   | alice_a   | ext-1       | bruno  | Brooks | 2023-02-01 |
/// | 2 | zed@sample.org      | zed_z     | ext-2       | Carmen | Clarke | 2023-03-01 |
/// | 3 | bob@example.com     | bob_b     | —           | Yuri   | Davies | 2023-04-01 |
/// | 4 | oscar@sample.org    | oscar_o   | ext-4       | Anton  | Evans  | 2023-05-01 |
#[tokio::test]
async fn users_list_filters_order_pagination_and_count() {
    let app = TestApp::spawn().await;
    let rows = [
        ("mallory@example.com", "mallory_m", Some("ext-0"), "Xena", "Adams", "2023-01-01T00:00:00Z"),
        ("alice@example.com", "alice_a", Some("ext-1"), "bruno", "Brooks", "2023-02-01T00:00:00Z"),
        ("zed@sample.org", "zed_z", Some("ext-2"), "Carmen", "Clarke", "2023-03-01T00:00:00Z"),
        ("bob@example.com", "bob_b", None, "Yuri", "Davies", "2023-04-01T00:00:00Z"),
        ("oscar@sample.org", "oscar_o", Some("ext-4"), "Anton", "Evans", "2023-05-01T00:00:00Z"),
    ];
    let mut u = Vec::new();
    for (email, username, external_id, first, last, created) in rows {
        let mut body = json!({"email_address": [email], "username": username, "first_name": first,
                              "last_name": last, "created_at": created});
        if let Some(x) = external_id {
            body["external_id"] = json!(x);
        }
        u.push(app.user(body).await);
    }
    let org1 = app.org(json!({"name": "First"})).await;
    let org2 = app.org(json!({"name": "Second"})).await;
    app.add_member(&org1, &u[0], "org:admin").await;
    app.add_member(&org1, &u[1], "org:member").await;
    app.add_member(&org2, &u[1], "org:admin").await;
    app.add_member(&org2, &u[4], "org:member").await;

    let list = |qs: String| {
        let app = &app;
        async move {
            let body = get_ok(app, &format!("/users?{qs}")).await;
            let items = body.as_array().unwrap_or_else(|| panic!("/users?{qs}: not a plain array: {body}"));
            object_ids(items)
        }
    };
    let count = |qs: String| {
        let app = &app;
        async move { get_ok(app, &format!("/users/count?{qs}")).await }
    };
    let expect = |qs: &'static str, idx: &'static [usize]| {
        let list = &list;
        let count = &count;
        let u = &u;
        async move {
            assert_eq!(list(qs.to_owned()).await, pick(u, idx), "/users?{qs}");
            assert_eq!(
                count(qs.to_owned()).await,
                json!({"object": "total_count", "total_count": idx.len()}),
                "/users/count?{qs}"
            );
        }
    };

    // A plain array, newest user first.
    let body = get_ok(&app, "/users").await;
    assert!(body.is_array() && body.get("data").is_none(), "{body}");
    expect("", &[4, 3, 2, 1, 0]).await;

    // Orders.
    assert_eq!(list("order_by=-created_at".into()).await, pick(&u, &[4, 3, 2, 1, 0]));
    assert_eq!(list("order_by=created_at".into()).await, pick(&u, &[0, 1, 2, 3, 4]));
    assert_eq!(list("order_by=%2Bemail_address".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=+email_address".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=-email_address".into()).await, pick(&u, &[2, 4, 0, 3, 1]));
    assert_eq!(list("order_by=%2Bfirst_name".into()).await, pick(&u, &[4, 1, 2, 0, 3]));
    assert_eq!(list("order_by=-first_name".into()).await, pick(&u, &[3, 0, 2, 1, 4]));
    assert_eq!(list("order_by=username".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=-last_name".into()).await, pick(&u, &[4, 3, 2, 1, 0]));
    // Only the first order_by counts (spec: `order_by=username&order_by=created_at` sorts by username).
    assert_eq!(list("order_by=username&order_by=-created_at".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=&order_by=username".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_invalid(&app, "/users?order_by=name", "order_by").await;
    assert_invalid(&app, "/users?order_by=-foo", "order_by").await;

    // Pages.
    assert_eq!(list("limit=2".into()).await, pick(&u, &[4, 3]));
    assert_eq!(list("limit=2&offset=2".into()).await, pick(&u, &[2, 1]));
    assert_eq!(list("limit=2&offset=4".into()).await, pick(&u, &[0]));
    assert_eq!(list("offset=5".into()).await, Vec::<String>::new());
    assert_eq!(list("order_by=email_address&limit=3&offset=1".into()).await, pick(&u, &[3, 0, 4]));
    assert_invalid(&app, "/users?limit=0", "limit").await;
    assert_invalid(&app, "/users?limit=501", "limit").await;
    assert_invalid(&app, "/users?offset=-1", "offset").await;

    // Filters (the same on /users and /users/count).
    expect("email_address=ALICE%40EXAMPLE.COM", &[1]).await;
    expect("email_address=alice@example.com&email_address=oscar@sample.org", &[4, 1]).await;
    expect("email_address=nobody@example.com", &[]).await;
    expect("username=zed_z&username=BOB_B", &[3, 2]).await;
    expect("external_id=ext-0&external_id=ext-4", &[4, 0]).await;
    expect("external_id=ext-3", &[]).await;
    expect("query=sample.org", &[4, 2]).await;
    expect("query=DAVIES", &[3]).await;
    expect("query=ALICE_A", &[1]).await;
    expect("name_query=en", &[2, 0]).await;
    expect("name_query=carmen+clarke", &[2]).await;
    expect("name_query=clarke", &[2]).await;
    expect("email_address_query=EXAMPLE", &[3, 1, 0]).await;
    expect("username_query=_O", &[4]).await;
    let ids = |idx: &[usize], sign: &str, key: &str| {
        idx.iter().map(|&i| format!("{key}={sign}{}", u[i])).collect::<Vec<_>>().join("&")
    };
    let expect_dyn = |qs: String, idx: Vec<usize>| {
        let list = &list;
        let count = &count;
        let u = &u;
        async move {
            assert_eq!(list(qs.clone()).await, pick(u, &idx), "/users?{qs}");
            assert_eq!(count(qs.clone()).await["total_count"], idx.len(), "/users/count?{qs}");
        }
    };
    expect_dyn(ids(&[0, 2], "", "user_id"), vec![2, 0]).await;
    expect_dyn(ids(&[0], "-", "user_id"), vec![4, 3, 2, 1]).await;
    expect_dyn(ids(&[0, 1], "%2B", "user_id"), vec![1, 0]).await;
    expect_dyn(format!("{}&{}", ids(&[0, 1, 2], "", "user_id"), ids(&[1], "-", "user_id")), vec![2, 0]).await;
    expect_dyn(format!("organization_id={org1}"), vec![1, 0]).await;
    expect_dyn(format!("organization_id={org1}&organization_id={org2}"), vec![4, 1, 0]).await;
    expect_dyn("organization_id=org_doesnotexist".into(), vec![]).await;
    // `+` includes and `-` excludes organizations, as for user_id.
    expect_dyn(format!("organization_id=%2B{org1}"), vec![1, 0]).await;
    expect_dyn(format!("organization_id=+{org1}"), vec![1, 0]).await;
    expect_dyn(format!("organization_id=-{org1}"), vec![4, 3, 2]).await;
    expect_dyn(format!("organization_id=-{org1}&organization_id=-{org2}"), vec![3, 2]).await;
    expect_dyn(format!("organization_id={org2}&organization_id=-{org1}"), vec![4]).await;
    expect_dyn("organization_id=-org_doesnotexist".into(), vec![4, 3, 2, 1, 0]).await;
    expect_dyn(format!("organization_id={org2}&email_address_query=sample"), vec![4]).await;
    expect_dyn(format!("created_at_before={}", 1_677_628_800_000i64), vec![1, 0]).await; // < 2023-03-01
    expect_dyn(format!("created_at_after={}", 1_677_628_800_000i64), vec![4, 3]).await;

    // banned.
    let banned = app.post(&format!("/users/{}/ban", u[3]), json!({})).await.ok().clone();
    assert_eq!(banned["banned"], true);
    expect("banned=true", &[3]).await;
    expect("banned=1", &[3]).await;
    expect("banned=false", &[4, 2, 1, 0]).await;
    expect("banned=true&query=example.com", &[3]).await;
    expect("banned=true&query=sample.org", &[]).await;
    assert_invalid(&app, "/users?banned=maybe", "banned").await;
    app.get("/users/count?banned=maybe").await.err(422, "form_param_value_invalid");

    // Count ignores paging.
    assert_eq!(count("limit=1&offset=3".into()).await["total_count"], 5);
}
