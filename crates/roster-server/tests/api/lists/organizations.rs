//! Organizations.

use super::*;

/// | # | name             | slug       | created_at | members        |
/// |---|------------------|------------|------------|----------------|
/// | 0 | Acme Corp        | acme-corp  | 2024-01-01 | m0, m1, m2 (3) |
/// | 1 | beta Labs        | beta-labs  | 2024-02-01 | m0 (1)         |
/// | 2 | Gamma Industries | gamma-inc  | 2024-03-01 | m1, m2 (2)     |
/// | 3 | acme west        | west-coast | 2024-04-01 | none (0)       |
#[tokio::test]
async fn organizations_list_filters_order_and_pagination() {
    let app = TestApp::spawn().await;
    let rows = [
        ("Acme Corp", "acme-corp", "2024-01-01T00:00:00Z"),
        ("beta Labs", "beta-labs", "2024-02-01T00:00:00Z"),
        ("Gamma Industries", "gamma-inc", "2024-03-01T00:00:00Z"),
        ("acme west", "west-coast", "2024-04-01T00:00:00Z"),
    ];
    let mut o = Vec::new();
    for (name, slug, created_at) in rows {
        let org = app.post("/organizations", json!({"name": name, "slug": slug, "created_at": created_at})).await;
        o.push(str_of(org.ok(), "id"));
    }
    let m: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(app.user_with_email(&format!("m{i}@example.com")).await);
        }
        v
    };
    for (org, user) in [(0, 0), (0, 1), (0, 2), (1, 0), (2, 1), (2, 2)] {
        app.add_member(&o[org], &m[user], "org:admin").await;
    }

    let page = |qs: String| {
        let app = &app;
        async move { get_ok(app, &format!("/organizations?{qs}")).await }
    };
    let expect = |qs: String, idx: Vec<usize>| {
        let page = &page;
        let o = &o;
        async move {
            let body = page(qs.clone()).await;
            assert_eq!(object_ids(data(&body)), pick(o, &idx), "/organizations?{qs}");
            assert_eq!(body["total_count"], idx.len(), "/organizations?{qs}");
        }
    };

    // Default order: newest first.
    expect(String::new(), vec![3, 2, 1, 0]).await;

    // query: exact id (any case), partial name, partial slug; a partial id matches nothing.
    expect(format!("query={}", o[2]), vec![2]).await;
    expect(format!("query={}", o[2].to_uppercase()), vec![2]).await;
    expect(format!("query={}", &o[2][..12]), vec![]).await;
    expect("query=ACME".into(), vec![3, 0]).await;
    expect("query=labs".into(), vec![1]).await;
    expect("query=inc".into(), vec![2]).await; // slug only ("Gamma Industries")
    expect("query=COAST".into(), vec![3]).await; // slug only ("acme west")
    expect("query=me+w".into(), vec![3]).await; // "acme west", space decoded from +
    expect("query=zzz".into(), vec![]).await;

    // user_id: organizations the user belongs to (+), or does not (-).
    expect(format!("user_id={}", m[0]), vec![1, 0]).await;
    expect(format!("user_id=%2B{}", m[0]), vec![1, 0]).await;
    expect(format!("user_id=+{}", m[0]), vec![1, 0]).await;
    expect(format!("user_id={}&user_id={}", m[0], m[1]), vec![2, 1, 0]).await;
    expect(format!("user_id=-{}", m[0]), vec![3, 2]).await;
    expect(format!("user_id=-{}&user_id=-{}", m[0], m[1]), vec![3]).await;
    expect(format!("user_id={}&user_id=-{}", m[1], m[0]), vec![2]).await;
    expect("user_id=user_doesnotexist".into(), vec![]).await;

    // organization_id.
    expect(format!("organization_id={}&organization_id={}", o[0], o[1]), vec![1, 0]).await;
    expect(format!("organization_id=%2B{}", o[2]), vec![2]).await;
    expect(format!("organization_id=-{}", o[0]), vec![3, 2, 1]).await;
    expect(format!("organization_id={}&organization_id={}&organization_id=-{}", o[0], o[1], o[0]), vec![1]).await;
    expect("organization_id=org_doesnotexist".into(), vec![]).await;

    // Combined.
    expect(format!("query=acme&user_id={}", m[0]), vec![0]).await;
    expect(format!("query=a&organization_id=-{}&user_id=-{}", o[3], m[0]), vec![2]).await;

    // Orders.
    expect("order_by=name".into(), vec![0, 3, 1, 2]).await;
    expect("order_by=%2Bname".into(), vec![0, 3, 1, 2]).await;
    expect("order_by=+name".into(), vec![0, 3, 1, 2]).await;
    expect("order_by=-name".into(), vec![2, 1, 3, 0]).await;
    expect("order_by=created_at".into(), vec![0, 1, 2, 3]).await;
    expect("order_by=-created_at".into(), vec![3, 2, 1, 0]).await;
    expect("order_by=members_count".into(), vec![3, 1, 2, 0]).await;
    expect("order_by=-members_count".into(), vec![0, 2, 1, 3]).await;
    assert_invalid(&app, "/organizations?order_by=slug", "order_by").await;
    assert_invalid(&app, "/organizations?order_by=-foo", "order_by").await;

    // members_count only when asked for.
    let body = page("order_by=created_at&include_members_count=true".into()).await;
    let counts: Vec<Value> = data(&body).iter().map(|x| x["members_count"].clone()).collect();
    assert_eq!(counts, vec![json!(3), json!(1), json!(2), json!(0)]);
    for qs in ["", "include_members_count=false"] {
        let body = page(qs.into()).await;
        assert!(data(&body).iter().all(|x| x.get("members_count").is_none()), "{qs}: {body}");
    }
    assert_invalid(&app, "/organizations?include_members_count=maybe", "include_members_count").await;

    // Pagination and total_count.
    expect("limit=500".into(), vec![3, 2, 1, 0]).await;
    let body = page("limit=2".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[3, 2]), json!(4)));
    let body = page("limit=2&offset=2".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[1, 0]), json!(4)));
    let body = page("order_by=name&limit=1&offset=3".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[2]), json!(4)));
    let body = page("offset=4".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (vec![], json!(4)));
    let body = page("query=acme&limit=1".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[3]), json!(2)));
    assert_invalid(&app, "/organizations?limit=0", "limit").await;
    assert_invalid(&app, "/organizations?limit=abc", "limit").await;
    assert_invalid(&app, "/organizations?offset=-5", "offset").await;
    let many = (0..101).map(|i| format!("organization_id=org_fake{i}")).collect::<Vec<_>>().join("&");
    let r = app.get(&format!("/organizations?{many}")).await;
    r.err(422, "form_param_array_size_exceeded");
    assert_eq!(r.param(), "organization_id");
}

/// A literal `+` in a query string decodes to a space; phone filters read a leading space back as `+`.
#[tokio::test]
async fn literal_plus_in_phone_filters_means_plus() {
    let app = TestApp::spawn().await;
    let owner = app.user(json!({"phone_number": ["+15555550100"]})).await;
    let other = app.user(json!({"phone_number": ["+15555550199"]})).await;
    let org = app.org(json!({"name": "Phones", "created_by": owner})).await;
    app.add_member(&org, &other, "org:member").await;
    for query in ["phone_number=+15555550100", "phone_number=%2B15555550100", "phone_number_query=+1555555010"] {
        let page = app.get(&format!("/organizations/{org}/memberships?{query}")).await;
        let ids: Vec<&str> = page.ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["public_user_data"]["user_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![owner.as_str()], "{query}");
    }
}

/// A NUL in `query=` is a character like any other (found by fuzzing: SQLite's FTS5 ended the query there and the
/// lists answered 500).
#[tokio::test]
async fn free_text_query_may_hold_a_nul() {
    // No backend stores U+0000 (PostgreSQL cannot): bodies holding it anywhere are refused, so a filter holding it
    // matches nothing, on SQLite and PostgreSQL alike.
    let app = TestApp::spawn().await;
    let r = app.post("/users", json!({"first_name": "Ab\u{0}Cde"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "first_name");
    let r = app.post("/users", json!({"public_metadata": {"nested": ["ok", "n\u{0}"]}})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "public_metadata");
    let user = app.user(json!({"first_name": "Abcde"})).await;
    let r = app.patch(&format!("/users/{user}"), json!({"last_name": "x\u{0}"})).await;
    r.err(422, "form_param_value_invalid");
    let org = app.org(json!({"name": "Nul", "created_by": user})).await;
    for query in ["b%00cd", "%00%00%00", "b%00c", "abcde%00"] {
        let users = app.get(&format!("/users?query={query}")).await;
        assert_eq!(users.ok().as_array().unwrap().len(), 0, "/users?query={query}");
        let members = app.get(&format!("/organizations/{org}/memberships?query={query}")).await;
        assert_eq!(members.ok()["total_count"], 0, "memberships?query={query}");
        let members = app.get(&format!("/organizations/{org}/memberships?user_id={user}%00")).await;
        assert_eq!(members.ok()["total_count"], 0);
    }
    // Without the NUL the same searches find the user: the filters did run.
    assert_eq!(app.get("/users?query=bcd").await.ok().as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/users/{user}")).await.ok()["last_name"], Value::Null);
}

/// Text sorts are the same on both backends: ASCII letters fold to lower case (and nothing else does), then
/// ties compare by bytes (PostgreSQL's columns use the "C" collation to match SQLite), whatever the database's
/// locale would say about accents.
#[tokio::test]
async fn text_order_folds_ascii_only_then_compares_bytes() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Collation"})).await;
    let names = ["émile", "Zoe", "zara", "Émile", "ábel", "adam", "Adam", "Ærø"];
    let mut ids = std::collections::HashMap::new();
    for name in names {
        let user = app.user(json!({"first_name": name})).await;
        app.add_member(&org, &user, "org:member").await;
        ids.insert(user, name);
    }
    let listed = |order: &'static str| {
        let (app, org, ids) = (&app, &org, &ids);
        async move {
            let body = app.get(&format!("/organizations/{org}/memberships?order_by={order}")).await;
            body.ok()["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| ids[m["public_user_data"]["user_id"].as_str().unwrap()])
                .collect::<Vec<_>>()
        }
    };
    // "adam" and "Adam" fold together and then "A" (0x41) < "a" (0x61); non-ASCII initials sort by their UTF-8
    // bytes after every ASCII letter: Æ (c3 86) < É (c3 89) < á (c3 a1) < é (c3 a9).
    let ascending = ["Adam", "adam", "zara", "Zoe", "Ærø", "Émile", "ábel", "émile"];
    assert_eq!(listed("first_name").await, ascending);
    let mut descending = ascending;
    descending.reverse();
    assert_eq!(listed("-first_name").await, descending);
    // The same rule in the instance-wide user list.
    let users = app.get("/users?order_by=first_name&limit=20").await;
    let firsts: Vec<&str> = users.ok().as_array().unwrap().iter().map(|u| u["first_name"].as_str().unwrap()).collect();
    assert_eq!(firsts, ascending);
}
