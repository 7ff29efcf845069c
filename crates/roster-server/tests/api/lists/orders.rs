//! Membership orders.

use super::*;

/// Five members, each lacking one sort key, with mixed-case values (so byte order differs from the
/// case-insensitive order) and two sharing a first name.
///
/// | # | email             | phone        | username   | first | last   |
/// |---|-------------------|--------------|------------|-------|--------|
/// | 0 | mike@example.com  | +15555550300 | Zulu_user  | beth  | Young  |
/// | 1 | Alpha@example.com | —            | yankee     | Anna  | —      |
/// | 2 | lima@example.com  | +15555550100 | —          | Carl  | adams  |
/// | 3 | —                 | +15555550200 | xray_user  | —     | Baker  |
/// | 4 | bravo@Example.com | +15555550050 | ALPHA_user | Anna  | Zimmer |
struct Ordered {
    app: TestApp,
    org: String,
    users: Vec<String>,
    /// Membership objects, in creation order (index = user index).
    memberships: Vec<Value>,
}

async fn ordered_fixture() -> Ordered {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Sorted"})).await;
    let bodies = [
        json!({"email_address": ["mike@example.com"], "phone_number": ["+15555550300"], "username": "Zulu_user",
               "first_name": "beth", "last_name": "Young", "created_at": "2024-01-03T00:00:00Z"}),
        json!({"email_address": ["Alpha@example.com"], "username": "yankee", "first_name": "Anna",
               "created_at": "2024-01-01T00:00:00Z"}),
        json!({"email_address": ["lima@example.com"], "phone_number": ["+15555550100"], "first_name": "Carl",
               "last_name": "adams", "created_at": "2024-01-05T00:00:00Z"}),
        json!({"phone_number": ["+15555550200"], "username": "xray_user", "last_name": "Baker",
               "created_at": "2024-01-02T00:00:00Z"}),
        json!({"email_address": ["bravo@Example.com"], "phone_number": ["+15555550050"], "username": "ALPHA_user",
               "first_name": "Anna", "last_name": "Zimmer", "created_at": "2024-01-04T00:00:00Z"}),
    ];
    let mut users = Vec::new();
    let mut memberships = Vec::new();
    for body in bodies {
        let id = app.user(body).await;
        memberships.push(app.add_member(&org, &id, "org:member").await);
        users.push(id);
    }
    Ordered { app, org, users, memberships }
}

impl Ordered {
    async fn list(&self, qs: &str) -> Vec<String> {
        let body = get_ok(&self.app, &format!("/organizations/{}/memberships?{qs}", self.org)).await;
        assert_eq!(body["total_count"], 5, "{body}");
        member_user_ids(&body)
    }
}

#[tokio::test]
async fn membership_order_by_text_fields_nulls_last() {
    let f = ordered_fixture().await;
    let mid = |i: usize| str_of(&f.memberships[i], "id");
    // The two Annas (1 and 4) tie on first_name: broken by membership id, in the sort's direction.
    let (a, b) = if mid(1) < mid(4) { (1, 4) } else { (4, 1) };
    let cases: [(&str, Vec<usize>); 5] = [
        ("email_address", vec![1, 4, 2, 0, 3]),
        ("phone_number", vec![4, 2, 3, 0, 1]),
        ("first_name", vec![a, b, 0, 2, 3]),
        ("last_name", vec![2, 3, 0, 4, 1]),
        ("username", vec![4, 3, 1, 0, 2]),
    ];
    for (field, asc_idx) in cases {
        let asc = pick(&f.users, &asc_idx);
        // Exactly one user lacks each field: last in both directions.
        let desc = descending(&asc, 1);
        assert_eq!(f.list(&format!("order_by={field}")).await, asc, "order_by={field}");
        assert_eq!(f.list(&format!("order_by=%2B{field}")).await, asc, "order_by=%2B{field}");
        assert_eq!(f.list(&format!("order_by=+{field}")).await, asc, "order_by=+{field} (literal plus)");
        assert_eq!(f.list(&format!("order_by=-{field}")).await, desc, "order_by=-{field}");
    }
}

#[tokio::test]
async fn membership_order_by_created_at_and_default() {
    let f = ordered_fixture().await;
    // The membership's created_at (not the user's), ties by membership id.
    let asc = by_created(&f.memberships);
    let desc = reversed(&asc);
    let list = |qs: String| {
        let app = &f.app;
        let org = &f.org;
        async move {
            let body = get_ok(app, &format!("/organizations/{org}/memberships?{qs}")).await;
            object_ids(data(&body))
        }
    };
    assert_eq!(list(String::new()).await, desc, "default is -created_at");
    assert_eq!(list("order_by=-created_at".into()).await, desc);
    assert_eq!(list("order_by=created_at".into()).await, asc);
    assert_eq!(list("order_by=%2Bcreated_at".into()).await, asc);
    assert_eq!(list("order_by=+created_at".into()).await, asc);
    // An empty order_by is the default.
    assert_eq!(list("order_by=".into()).await, desc);
    // The listed objects are the ones created.
    let body = get_ok(&f.app, &format!("/organizations/{}/memberships?order_by=created_at", f.org)).await;
    assert_eq!(data(&body).len(), 5);
    for got in data(&body) {
        let want = f.memberships.iter().find(|m| m["id"] == got["id"]).unwrap();
        assert_eq!(got["created_at"], want["created_at"]);
        assert_eq!(got["public_user_data"]["user_id"], want["public_user_data"]["user_id"]);
    }
}

#[tokio::test]
async fn membership_order_ties_are_stable_across_calls_and_pages() {
    let f = ordered_fixture().await;
    for order in ["first_name", "-first_name", "created_at", "-created_at"] {
        let full = f.list(&format!("order_by={order}")).await;
        for _ in 0..3 {
            assert_eq!(f.list(&format!("order_by={order}")).await, full, "{order} repeated");
        }
        for size in [1, 2] {
            let mut walked = Vec::new();
            let mut offset = 0;
            while offset < 5 {
                let page = f.list(&format!("order_by={order}&limit={size}&offset={offset}")).await;
                assert_eq!(page.len(), size.min(5 - offset), "{order} limit={size} offset={offset}");
                walked.extend(page);
                offset += size;
            }
            assert_eq!(walked, full, "{order} walked in pages of {size}");
        }
    }
}
