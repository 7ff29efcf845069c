//! Membership pagination and parameter errors.

use super::*;

struct Paged {
    app: TestApp,
    org: String,
    /// Users 0..12 in email order (member00@... .. member11@...).
    u: Vec<String>,
    memberships: Vec<Value>,
}

async fn paged_fixture() -> Paged {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Many Members"})).await;
    let mut u = Vec::new();
    let mut memberships = Vec::new();
    for i in 0..12 {
        let id = app.user_with_email(&format!("member{i:02}@example.com")).await;
        let role = if i % 4 == 0 { "org:admin" } else { "org:member" };
        memberships.push(app.add_member(&org, &id, role).await);
        u.push(id);
    }
    Paged { app, org, u, memberships }
}

impl Paged {
    async fn page(&self, qs: &str) -> (Vec<String>, Value) {
        let body = get_ok(&self.app, &format!("/organizations/{}/memberships?{qs}", self.org)).await;
        (member_user_ids(&body), body["total_count"].clone())
    }
}

#[tokio::test]
async fn membership_pagination() {
    let f = paged_fixture().await;
    let all: Vec<usize> = (0..12).collect();

    // Default limit is 10, default order newest membership first.
    let body = get_ok(&f.app, &format!("/organizations/{}/memberships", f.org)).await;
    assert_eq!(body["total_count"], 12);
    let newest_first = reversed(&by_created(&f.memberships));
    assert_eq!(object_ids(data(&body)), newest_first[..10].to_vec());

    let (ids, total) = f.page("order_by=email_address&limit=500").await;
    assert_eq!((ids, total), (pick(&f.u, &all), json!(12)));
    let (ids, total) = f.page("order_by=email_address&limit=1").await;
    assert_eq!((ids, total), (pick(&f.u, &[0]), json!(12)));
    let (ids, _) = f.page("order_by=email_address&limit=1&offset=11").await;
    assert_eq!(ids, pick(&f.u, &[11]));
    let (ids, _) = f.page("order_by=email_address&limit=5&offset=10").await;
    assert_eq!(ids, pick(&f.u, &[10, 11]));
    let (ids, _) = f.page("order_by=email_address&offset=3").await;
    assert_eq!(ids, pick(&f.u, &[3, 4, 5, 6, 7, 8, 9, 10, 11]));
    // Past the end: an empty page, still the full count.
    for offset in [12, 100] {
        let (ids, total) = f.page(&format!("order_by=email_address&offset={offset}")).await;
        assert_eq!((ids, total), (vec![], json!(12)), "offset={offset}");
    }
    // Empty limit/offset values fall back to the defaults.
    let (ids, _) = f.page("order_by=email_address&limit=&offset=").await;
    assert_eq!(ids, pick(&f.u, &all[..10]));

    // Walking pages of 3 returns every member exactly once, in order.
    for order in ["email_address", "-email_address", "created_at", "-created_at"] {
        let (full, _) = f.page(&format!("order_by={order}&limit=500")).await;
        let mut walked = Vec::new();
        for offset in (0..12).step_by(3) {
            let (ids, total) = f.page(&format!("order_by={order}&limit=3&offset={offset}")).await;
            assert_eq!(ids.len(), 3);
            assert_eq!(total, 12);
            walked.extend(ids);
        }
        assert_eq!(walked, full, "{order}");
    }
    let mut sorted = f.page("limit=500").await.0;
    sorted.sort();
    let mut expected = f.u.clone();
    expected.sort();
    assert_eq!(sorted, expected);

    // total_count counts every match regardless of limit and offset.
    let (ids, total) = f.page("role=org:admin&order_by=email_address&limit=1&offset=1").await;
    assert_eq!((ids, total), (pick(&f.u, &[4]), json!(3)));
    let (ids, total) = f.page("role=org:admin&order_by=email_address&offset=3").await;
    assert_eq!((ids, total), (vec![], json!(3)));
    let (ids, total) = f.page("email_address_query=member1&order_by=-email_address&limit=1").await;
    assert_eq!((ids, total), (pick(&f.u, &[11]), json!(2)));
}

#[tokio::test]
async fn membership_list_parameter_errors() {
    let f = paged_fixture().await;
    let base = format!("/organizations/{}/memberships", f.org);

    for bad in ["0", "501", "-1", "10.0", "abc", "1e2", "%2B"] {
        assert_invalid(&f.app, &format!("{base}?limit={bad}"), "limit").await;
    }
    for bad in ["-1", "abc", "1.5"] {
        assert_invalid(&f.app, &format!("{base}?offset={bad}"), "offset").await;
    }
    for bad in ["name", "-foo", "--created_at", "-", "%2B", "created", "role", "web3wallet"] {
        assert_invalid(&f.app, &format!("{base}?order_by={bad}"), "order_by").await;
    }
    for param in ["created_at_before", "created_at_after", "last_active_at_before", "last_active_at_after"] {
        for bad in ["abc", "1.5", "2024-01-01"] {
            assert_invalid(&f.app, &format!("{base}?{param}={bad}"), param).await;
        }
    }

    // Array filters take at most 100 values.
    let fake = |n: usize, key: &str| (0..n).map(|i| format!("{key}=user_fake{i:03}")).collect::<Vec<_>>().join("&");
    let r = f.app.get(&format!("{base}?{}", fake(101, "user_id"))).await;
    r.err(422, "form_param_array_size_exceeded");
    assert_eq!(r.param(), "user_id");
    // `user_id` and `user_id[]` count together.
    let r = f.app.get(&format!("{base}?{}&{}", fake(50, "user_id"), fake(51, "user_id[]"))).await;
    r.err(422, "form_param_array_size_exceeded");
    assert_eq!(r.param(), "user_id");
    // Exactly 100 is fine.
    let (ids, total) = f.page(&format!("{}&user_id={}", fake(99, "user_id"), f.u[7])).await;
    assert_eq!((ids, total), (pick(&f.u, &[7]), json!(1)));
    let (ids, _) = f.page(&format!("{}&user_id=-{}&order_by=email_address", fake(99, "user_id"), f.u[7])).await;
    assert_eq!(ids, Vec::<String>::new());

    let many = |key: &str, n: usize| (0..n).map(|i| format!("{key}=v{i}")).collect::<Vec<_>>().join("&");
    for key in ["role", "email_address", "phone_number", "username", "web3_wallet"] {
        let r = f.app.get(&format!("{base}?{}", many(key, 101))).await;
        r.err(422, "form_param_array_size_exceeded");
        assert_eq!(r.param(), key);
        let (ids, total) = f.page(&many(key, 100)).await;
        assert_eq!((ids, total), (vec![], json!(0)), "{key} x100");
    }

    // An unknown organization is a 404.
    f.app.get("/organizations/org_doesnotexist/memberships").await.err(404, "resource_not_found");
}
