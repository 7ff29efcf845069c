//! Bulk writes (`/organizations/{id}/memberships/bulk`): partial results in request order with mixed failures,
//! atomic rollback, the single writes' rules item by item (quota, last manager, roles, uniqueness), the
//! limits, and quota races between bulk and single creates.

use super::*;

fn bulk(org: &str) -> String {
    format!("/organizations/{org}/memberships/bulk")
}

async fn users(app: &TestApp, n: usize, tag: &str) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(app.user_with_email(&format!("{tag}{i}@example.com")).await);
    }
    ids
}

/// `(status, code)` of each item of a bulk response, `(200, "")` for a membership.
fn outcomes(body: &Value) -> Vec<(u64, String)> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| match item["object"].as_str() {
            Some("organization_membership") => (200, String::new()),
            _ => (item["status"].as_u64().unwrap(), item["errors"][0]["code"].as_str().unwrap().to_owned()),
        })
        .collect()
}

#[tokio::test]
async fn partial_creates_answer_every_item_in_order_and_keep_the_ones_that_succeed() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let u = users(&app, 3, "p").await;
    let items = json!([
        {"user_id": u[0], "role": "org:member", "public_metadata": {"team": "a"}},
        {"user_id": "user_missing", "role": "org:member"},
        {"user_id": u[1], "role": "org:nope"},
        {"user_id": u[0], "role": "org:admin"},
        {"user_id": u[1]},
        "not an object",
        {"user_id": u[2], "role": "org:admin", "private_metadata": {"seat": 7}},
    ]);
    let r = app.post(&bulk(&org), json!({"mode": "partial", "items": items})).await;
    let body = r.ok();
    assert_eq!(body["object"], "bulk_organization_memberships");
    assert_eq!(
        outcomes(body),
        vec![
            (200, String::new()),
            (404, "resource_not_found".into()),
            (404, "resource_not_found".into()),
            (400, "already_a_member_in_organization".into()),
            (422, "form_param_missing".into()),
            (422, "form_param_value_invalid".into()),
            (200, String::new()),
        ]
    );
    assert_eq!((body["succeeded"].as_i64(), body["failed"].as_i64()), (Some(2), Some(5)));
    assert_eq!(body["data"][4]["errors"][0]["meta"]["param_name"], "role");
    assert_eq!(body["data"][0]["public_metadata"], json!({"team": "a"}));
    assert_eq!(body["data"][6]["role"], "org:admin");
    assert_eq!(user_ids(&list(&app, &org).await), sorted(&[&u[0], &u[2]]));
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(stored_metadata(&app, &org, &u[2]).await.1, json!({"seat": 7}));
}

#[tokio::test]
async fn an_atomic_write_with_a_failing_item_changes_nothing_and_names_every_failure() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let u = users(&app, 3, "a").await;
    let items = json!([
        {"user_id": u[0], "role": "org:member"},
        {"user_id": u[1], "role": "org:nope"},
        {"user_id": u[0], "role": "org:member"},
        {"user_id": u[2], "role": "org:member"},
    ]);
    let r = app.post(&bulk(&org), json!({"items": items})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["meta"]["index"], 1);
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", r.text);
    assert_eq!(
        (errors[1]["code"].as_str(), errors[1]["meta"]["index"].as_i64()),
        (Some("already_a_member_in_organization"), Some(2))
    );
    assert_eq!(list(&app, &org).await["total_count"], 0, "rolled back");
    assert_eq!(members_count(&app, &org).await, 0);

    // An item refused before the store (a bad body) refuses the atomic write too.
    let r = app
        .post(&bulk(&org), json!({"mode": "atomic", "items": [{"user_id": u[0], "role": "org:member"}, {"role": 1}]}))
        .await;
    assert_eq!(r.err(422, "form_param_value_invalid")["meta"]["index"], 1);
    assert_eq!(members_count(&app, &org).await, 0);

    // All good: all created, in order.
    let items = json!([{"user_id": u[0], "role": "org:admin"}, {"user_id": u[1], "role": "org:member"}]);
    let r = app.post(&bulk(&org), json!({"items": items})).await;
    let body = r.ok();
    assert_eq!(outcomes(body), vec![(200, String::new()), (200, String::new())]);
    assert_eq!(body["data"][1]["public_user_data"]["user_id"], u[1].as_str());
    assert_eq!(members_count(&app, &org).await, 2);
}

#[tokio::test]
async fn bulk_items_keep_the_quota_and_the_last_manager_as_single_writes_do() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme", "max_allowed_memberships": 3})).await;
    let u = users(&app, 5, "q").await;
    app.add_member(&org, &u[0], "org:admin").await;
    let items: Vec<Value> = u[1..].iter().map(|id| json!({"user_id": id, "role": "org:member"})).collect();
    let r = app.post(&bulk(&org), json!({"mode": "atomic", "items": items})).await;
    r.err(403, "organization_membership_quota_exceeded");
    assert_eq!(members_count(&app, &org).await, 1);
    let r = app.post(&bulk(&org), json!({"mode": "partial", "items": items})).await;
    let quota = (403, "organization_membership_quota_exceeded".to_owned());
    assert_eq!(outcomes(r.ok()), vec![(200, String::new()), (200, String::new()), quota.clone(), quota]);
    assert_eq!(members_count(&app, &org).await, 3);

    // Updates: demoting every admin fails at the last one; metadata merges as PATCH .../metadata does.
    app.patch(&membership(&org, &u[1]), json!({"role": "org:admin"})).await.ok();
    let items = json!([
        {"user_id": u[0], "role": "org:member", "public_metadata": {"a": {"b": 1}}},
        {"user_id": u[1], "role": "org:member"},
        {"user_id": u[2], "public_metadata": {"x": null}, "private_metadata": {"p": true}},
        {"user_id": u[4], "role": "org:member"},
        {"user_id": u[2]},
    ]);
    let r = app.patch(&bulk(&org), json!({"mode": "partial", "items": items})).await;
    assert_eq!(
        outcomes(r.ok()),
        vec![
            (200, String::new()),
            (400, "organization_minimum_permissions_needed".into()),
            (200, String::new()),
            (404, "resource_not_found".into()),
            (422, "form_param_missing".into()),
        ]
    );
    assert_eq!(stored(&app, &org, &u[0]).await["role"], "org:member");
    assert_eq!(stored_metadata(&app, &org, &u[0]).await.0, json!({"a": {"b": 1}}));
    assert_eq!(stored_metadata(&app, &org, &u[2]).await.1, json!({"p": true}));
    assert_eq!(admin_count(&app, &org).await, 1);

    // Deletes: the last admin stays, the others go; an unknown member is that item's 404.
    let items = json!([{"user_id": u[2]}, {"user_id": u[1]}, {"user_id": u[3]}, {"user_id": u[0]}]);
    let r = app.call(Method::DELETE, &bulk(&org), Some(json!({"mode": "partial", "items": items}))).await;
    let body = r.ok();
    assert_eq!(
        outcomes(body),
        vec![
            (200, String::new()),
            (400, "organization_minimum_permissions_needed".into()),
            (404, "resource_not_found".into()),
            (200, String::new()),
        ]
    );
    assert_eq!(body["data"][3]["public_user_data"]["user_id"], u[0].as_str());
    assert_eq!(user_ids(&list(&app, &org).await), vec![u[1].clone()]);
    assert_eq!(members_count(&app, &org).await, 1);
}

#[tokio::test]
async fn bulk_bodies_are_checked_and_limited() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let r = app.post(&bulk(&org), json!({})).await;
    assert_eq!(r.err(422, "form_param_missing")["meta"]["param_name"], "items");
    app.post(&bulk(&org), json!({"items": []})).await.err(422, "form_param_missing");
    app.post(&bulk(&org), json!({"items": {}})).await.err(422, "form_param_value_invalid");
    let r = app.post(&bulk(&org), json!({"mode": "best_effort", "items": [{"user_id": "u", "role": "r"}]})).await;
    assert_eq!(r.err(422, "form_param_value_invalid")["meta"]["param_name"], "mode");
    app.post(&bulk(&org), json!({"items": [{"user_id": "u", "role": "r"}], "extra": 1}))
        .await
        .err(422, "form_param_unknown");
    let many: Vec<Value> = (0..501).map(|i| json!({"user_id": format!("user_{i}"), "role": "org:member"})).collect();
    let r = app.post(&bulk(&org), json!({"items": many})).await;
    assert_eq!(r.err(422, "form_param_array_size_exceeded")["meta"]["param_name"], "items");
    app.post("/organizations/org_missing/memberships/bulk", json!({"items": [{"user_id": "u", "role": "r"}]}))
        .await
        .err(404, "resource_not_found");

    // 500 items with 4 KB of metadata each: over the 1 MiB limit of single writes, under the bulk limit.
    let u = users(&app, 500, "big").await;
    let blob = "x".repeat(4000);
    let items: Vec<Value> =
        u.iter().map(|id| json!({"user_id": id, "role": "org:member", "private_metadata": {"blob": blob}})).collect();
    let body = json!({"mode": "partial", "items": items});
    assert!(body.to_string().len() > 1024 * 1024);
    let r = app.post(&bulk(&org), body).await;
    assert_eq!(r.ok()["succeeded"], 500);
    assert_eq!(members_count(&app, &org).await, 500);
    let small = TestApp::spawn_with(roster_server::Config {
        max_body_bytes: 512,
        max_bulk_body_bytes: 1024,
        ..Default::default()
    })
    .await;
    let org = small.org(json!({"name": "Small"})).await;
    let items: Vec<Value> = (0..50).map(|i| json!({"user_id": format!("user_{i}"), "role": "org:member"})).collect();
    small.post(&bulk(&org), json!({"items": items})).await.err(413, "request_body_too_large");
}

#[tokio::test]
async fn bulk_and_single_creates_racing_for_the_last_seats_never_exceed_the_quota() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme", "max_allowed_memberships": 10})).await;
    let u = users(&app, 40, "race").await;
    let (batched, single) = u.split_at(20);
    let (bulk_path, single_path) = (bulk(&org), memberships(&org));
    let bulks = batched.chunks(5).map(|chunk| {
        let items: Vec<Value> = chunk.iter().map(|id| json!({"user_id": id, "role": "org:member"})).collect();
        app.post(&bulk_path, json!({"mode": "partial", "items": items}))
    });
    let singles = single.iter().map(|id| app.post(&single_path, json!({"user_id": id, "role": "org:member"})));
    let (bulks, singles) = tokio::join!(join_all(bulks), join_all(singles));
    let bulk_created: usize =
        bulks.iter().map(|r| outcomes(r.ok()).iter().filter(|(status, _)| *status == 200).count()).sum();
    for r in &bulks {
        for (status, code) in outcomes(r.ok()) {
            assert!(status == 200 || code == "organization_membership_quota_exceeded", "{status} {code}");
        }
    }
    let single_created = tally(&singles, 403, "organization_membership_quota_exceeded");
    assert_eq!(bulk_created + single_created, 10, "bulk {bulk_created} + single {single_created}");
    assert_eq!(members_count(&app, &org).await, 10);
    assert_eq!(list(&app, &org).await["total_count"], 10);
}

#[tokio::test]
async fn a_bulk_write_repeated_with_its_idempotency_key_is_replayed() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let u = users(&app, 2, "i").await;
    let body = json!({"mode": "partial", "items": [{"user_id": u[0], "role": "org:member"}, {"user_id": u[1], "role": "org:x"}]});
    let send = || app.send(app.request(Method::POST, &bulk(&org)).header("Idempotency-Key", "bulk-1").json(&body));
    let first = send().await;
    first.ok();
    let again = send().await;
    assert_eq!((again.status, again.text.as_str()), (200, first.text.as_str()));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(members_count(&app, &org).await, 1);
}

#[tokio::test]
async fn an_update_whose_metadata_merge_fails_keeps_its_old_role_too() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let u = users(&app, 2, "m").await;
    let half = "x".repeat(MAX_METADATA / 2);
    for user in &u {
        app.add_member(&org, user, "org:member").await;
        app.patch(&metadata(&org, user), json!({"public_metadata": {"a": half}})).await.ok();
    }
    // The role would change first; the merged metadata is then over 8 KB, so the item fails as a whole.
    let items = json!([
        {"user_id": u[0], "role": "org:admin", "public_metadata": {"b": half}},
        {"user_id": u[1], "role": "org:admin", "public_metadata": {"b": "small"}},
    ]);
    let r = app.patch(&bulk(&org), json!({"mode": "partial", "items": items})).await;
    assert_eq!(outcomes(r.ok()), vec![(422, "form_param_exceeds_allowed_size".into()), (200, String::new())]);
    assert_eq!(stored(&app, &org, &u[0]).await["role"], "org:member");
    assert_eq!(stored_metadata(&app, &org, &u[0]).await.0, json!({"a": half}));
    assert_eq!(stored(&app, &org, &u[1]).await["role"], "org:admin");
    assert_eq!(stored_metadata(&app, &org, &u[1]).await.0, json!({"a": half, "b": "small"}));
}
