//! Listing the defaults

use super::*;

#[tokio::test]
async fn default_roles_and_system_permissions_are_seeded() {
    let app = TestApp::spawn().await;

    let r = app.get("/organization_roles").await;
    let page = r.ok();
    assert_eq!(page["total_count"], 2, "{page}");
    assert_eq!(data(page).len(), 2);
    for r in data(page) {
        assert_role_shape(r);
        for p in r["permissions"].as_array().unwrap() {
            assert_eq!(p["type"], "system", "{p}");
        }
    }

    let admin = role(&app, "org:admin").await;
    assert_eq!(admin["name"], "Admin");
    assert_eq!(admin["is_creator_eligible"], true);
    assert_eq!(role_permission_keys(&admin), sorted(&SYSTEM_PERMISSIONS));

    let member = role(&app, "org:member").await;
    assert_eq!(member["name"], "Member");
    assert_eq!(member["is_creator_eligible"], false);
    assert_eq!(role_permission_keys(&member), vec!["org:sys_billing:read", "org:sys_memberships:read"]);

    // Each role is readable by id.
    for r in [&admin, &member] {
        let got = app.get(&format!("/organization_roles/{}", str_of(r, "id"))).await;
        assert_eq!(got.ok(), r);
    }

    let r = app.get("/organization_permissions?limit=500").await;
    let page = r.ok();
    assert_eq!(page["total_count"], 9, "{page}");
    for p in data(page) {
        assert_permission_shape(p);
        assert_eq!(p["type"], "system", "{p}");
        let got = app.get(&format!("/organization_permissions/{}", str_of(p, "id"))).await;
        assert_eq!(got.ok(), p);
    }
    assert_eq!(sorted(&keys(page)), sorted(&SYSTEM_PERMISSIONS));

    // Permissions take the same query as roles.
    let r = app.get("/organization_permissions?query=BILLING&order_by=key").await;
    assert_eq!(keys(r.ok()), vec!["org:sys_billing:manage", "org:sys_billing:read"]);
    assert_eq!(r.ok()["total_count"], 2);

    // Unknown ids.
    let r = app.get("/organization_roles/role_doesnotexist").await;
    r.err(404, "resource_not_found");
    let r = app.get("/organization_permissions/perm_doesnotexist").await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Organization permission not found");
}

#[tokio::test]
async fn role_list_query_order_and_pagination() {
    let app = TestApp::spawn().await;
    // Names chosen so a case-sensitive sort would differ from a case-insensitive one.
    create_role(&app, "org:billing", "Billing manager", &[]).await;
    create_role(&app, "org:zeta", "auditor", &[]).await;
    create_role(&app, "org:alpha", "Zed", &[]).await;

    let all = all_roles(&app).await;
    assert_eq!(all.len(), 5);

    // query: case-insensitive substring of name or key.
    for (query, expected) in [
        ("BILL", vec!["org:billing"]),
        ("manager", vec!["org:billing"]),
        ("org:ad", vec!["org:admin"]),
        ("ADMIN", vec!["org:admin"]),
        ("AUDIT", vec!["org:zeta"]),
        ("zE", vec!["org:alpha", "org:zeta"]),
        ("nothing-matches", vec![]),
    ] {
        let r = app.get(&format!("/organization_roles?query={query}&order_by=key")).await;
        let page = r.ok();
        assert_eq!(keys(page), expected, "query {query}: {page}");
        assert_eq!(page["total_count"], expected.len() as i64, "query {query}");
    }

    // order_by key and name, both directions.
    let by_key = ["org:admin", "org:alpha", "org:billing", "org:member", "org:zeta"];
    for (order, expected) in [("key", by_key.to_vec()), ("%2Bkey", by_key.to_vec())] {
        let r = app.get(&format!("/organization_roles?order_by={order}")).await;
        assert_eq!(keys(r.ok()), expected, "order_by={order}");
    }
    let r = app.get("/organization_roles?order_by=-key").await;
    assert_eq!(keys(r.ok()), by_key.iter().rev().map(|s| s.to_string()).collect::<Vec<_>>());

    // Names sort case-insensitively: Admin, auditor, Billing manager, Member, Zed.
    let by_name = ["org:admin", "org:zeta", "org:billing", "org:member", "org:alpha"];
    let r = app.get("/organization_roles?order_by=name").await;
    assert_eq!(keys(r.ok()), by_name, "{}", r.text);
    let r = app.get("/organization_roles?order_by=-name").await;
    assert_eq!(keys(r.ok()), by_name.iter().rev().map(|s| s.to_string()).collect::<Vec<_>>(), "{}", r.text);

    // created_at, ties broken by id in the same direction; the default is -created_at.
    let asc = by_created(&all);
    let ids = |body: &Value| data(body).iter().map(|r| str_of(r, "id")).collect::<Vec<_>>();
    let r = app.get("/organization_roles?order_by=created_at").await;
    assert_eq!(ids(r.ok()), asc);
    let desc: Vec<String> = asc.iter().rev().cloned().collect();
    let r = app.get("/organization_roles?order_by=-created_at").await;
    assert_eq!(ids(r.ok()), desc);
    let r = app.get("/organization_roles").await;
    assert_eq!(ids(r.ok()), desc);

    // limit / offset / total_count.
    let r = app.get("/organization_roles?order_by=key&limit=2&offset=1").await;
    let page = r.ok();
    assert_eq!(keys(page), vec!["org:alpha", "org:billing"]);
    assert_eq!(page["total_count"], 5);
    let r = app.get("/organization_roles?order_by=key&limit=2&offset=4").await;
    assert_eq!(keys(r.ok()), vec!["org:zeta"]);
    assert_eq!(r.ok()["total_count"], 5);
    let r = app.get("/organization_roles?order_by=key&offset=10").await;
    assert_eq!(keys(r.ok()), Vec::<String>::new());
    assert_eq!(r.ok()["total_count"], 5);

    // Bad list parameters.
    for (query, param) in
        [("order_by=members_count", "order_by"), ("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset")]
    {
        let r = app.get(&format!("/organization_roles?{query}")).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), param, "{query}: {}", r.text);
    }
}
