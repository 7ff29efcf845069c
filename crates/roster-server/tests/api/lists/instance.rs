//! Instance-wide memberships.

use super::*;

#[tokio::test]
async fn instance_memberships_order_and_pagination_across_orgs() {
    let app = TestApp::spawn().await;
    let emails = ["delta@example.com", "Alpha@example.com", "charlie@example.com", "bravo@example.com"];
    let mut users = Vec::new();
    for e in emails {
        users.push(app.user_with_email(e).await);
    }
    let orgs = [
        app.org(json!({"name": "One"})).await,
        app.org(json!({"name": "Two"})).await,
        app.org(json!({"name": "Three"})).await,
    ];
    let plan = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 3), (2, 0)];
    let mut memberships = Vec::new();
    for (o, u) in plan {
        memberships.push(app.add_member(&orgs[o], &users[u], "org:member").await);
    }

    let list = |qs: String| {
        let app = &app;
        async move {
            let body = get_ok(app, &format!("/organization_memberships?{qs}")).await;
            (object_ids(data(&body)), body["total_count"].clone())
        }
    };

    // Default: newest membership first, across organizations.
    let asc = by_created(&memberships);
    let desc = reversed(&asc);
    assert_eq!(list(String::new()).await, (desc.clone(), json!(6)));
    assert_eq!(list("order_by=created_at".into()).await, (asc.clone(), json!(6)));

    // By email (case-insensitive), ties (the same user in two orgs) by membership id.
    let mut keyed: Vec<(String, String)> = memberships
        .iter()
        .map(|m| {
            let user = m["public_user_data"]["user_id"].as_str().unwrap();
            let i = users.iter().position(|u| u == user).unwrap();
            (emails[i].to_lowercase(), str_of(m, "id"))
        })
        .collect();
    keyed.sort();
    let by_email: Vec<String> = keyed.into_iter().map(|(_, id)| id).collect();
    assert_eq!(list("order_by=email_address".into()).await, (by_email.clone(), json!(6)));
    assert_eq!(list("order_by=%2Bemail_address".into()).await, (by_email.clone(), json!(6)));
    assert_eq!(list("order_by=-email_address".into()).await, (reversed(&by_email), json!(6)));

    // Pages.
    assert_eq!(list("order_by=email_address&limit=4".into()).await, (by_email[..4].to_vec(), json!(6)));
    assert_eq!(list("order_by=email_address&limit=4&offset=4".into()).await, (by_email[4..].to_vec(), json!(6)));
    assert_eq!(list("offset=6".into()).await, (vec![], json!(6)));
    let mut walked = Vec::new();
    for offset in [0, 2, 4] {
        let (ids, total) = list(format!("limit=2&offset={offset}")).await;
        assert_eq!(total, 6);
        walked.extend(ids);
    }
    assert_eq!(walked, desc);

    // Each membership carries its own organization.
    let body = get_ok(&app, "/organization_memberships?order_by=created_at&limit=500").await;
    for m in data(&body) {
        let original = memberships.iter().find(|x| x["id"] == m["id"]).unwrap();
        assert_eq!(m["organization"]["id"], original["organization"]["id"]);
    }

    // Bad parameters.
    assert_invalid(&app, "/organization_memberships?limit=0", "limit").await;
    assert_invalid(&app, "/organization_memberships?limit=501", "limit").await;
    assert_invalid(&app, "/organization_memberships?offset=-1", "offset").await;
    assert_invalid(&app, "/organization_memberships?order_by=name", "order_by").await;

    // Another instance sees none of them.
    let other = app.other_instance(Environment::Development).await;
    let rb = app
        .client
        .request(Method::GET, app.url("/organization_memberships"))
        .bearer_auth(&other)
        .header("Clerk-API-Version", VERSION);
    let body = app.send(rb).await.ok().clone();
    assert_eq!(body, json!({"data": [], "total_count": 0}));
}
