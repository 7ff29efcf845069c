//! 9. Instance-wide and per-user lists

use super::*;

#[tokio::test]
async fn instance_and_user_membership_lists() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let c = app.user_with_email("c@example.com").await;
    let lonely = app.user_with_email("lonely@example.com").await;
    let org1 = app.org(json!({"name": "One", "created_by": a})).await;
    let org2 = app.org(json!({"name": "Two", "created_by": b})).await;
    let org3 = app.org(json!({"name": "Three"})).await;
    let expected_ids = vec![
        app.add_member(&org1, &b, "org:member").await["id"].clone(),
        app.add_member(&org1, &c, "org:member").await["id"].clone(),
        app.add_member(&org2, &a, "org:admin").await["id"].clone(),
        app.add_member(&org3, &a, "org:member").await["id"].clone(),
    ];

    let all = app.get("/organization_memberships?limit=500").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 6);
    assert_eq!(all["data"].as_array().unwrap().len(), 6);
    for id in &expected_ids {
        assert!(all["data"].as_array().unwrap().iter().any(|m| &m["id"] == id), "{id}");
    }
    for m in all["data"].as_array().unwrap() {
        assert_eq!(m["object"], "organization_membership");
    }
    let mut pairs: Vec<(String, String)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organization"]["id"].as_str().unwrap().to_owned(),
                m["public_user_data"]["user_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    let mut expected = vec![
        (org1.clone(), a.clone()),
        (org1.clone(), b.clone()),
        (org1.clone(), c.clone()),
        (org2.clone(), b.clone()),
        (org2.clone(), a.clone()),
        (org3.clone(), a.clone()),
    ];
    expected.sort();
    assert_eq!(pairs, expected);

    // Pagination keeps the total.
    let first = app.get("/organization_memberships?limit=2").await;
    assert_eq!(first.ok()["total_count"], 6);
    assert_eq!(first.ok()["data"].as_array().unwrap().len(), 2);
    let last = app.get("/organization_memberships?limit=4&offset=4").await;
    assert_eq!(last.ok()["total_count"], 6);
    assert_eq!(last.ok()["data"].as_array().unwrap().len(), 2);

    // Per user.
    let cases = [
        (&a, vec![org1.clone(), org2.clone(), org3.clone()]),
        (&b, vec![org1.clone(), org2.clone()]),
        (&c, vec![org1.clone()]),
        (&lonely, vec![]),
    ];
    for (user, orgs) in cases {
        let r = app.get(&format!("/users/{user}/organization_memberships")).await;
        let page = r.ok();
        assert_eq!(page["total_count"], orgs.len(), "{user}");
        assert_eq!(org_ids(page), sorted(&orgs));
        for m in page["data"].as_array().unwrap() {
            assert_eq!(m["public_user_data"]["user_id"], user.as_str());
        }
    }
    let a_roles: Vec<(String, String)> = {
        let r = app.get(&format!("/users/{a}/organization_memberships")).await;
        let mut v: Vec<(String, String)> = r.ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["organization"]["id"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned()))
            .collect();
        v.sort();
        v
    };
    let mut expected_roles = vec![
        (org1.clone(), "org:admin".to_owned()),
        (org2.clone(), "org:admin".to_owned()),
        (org3.clone(), "org:member".to_owned()),
    ];
    expected_roles.sort();
    assert_eq!(a_roles, expected_roles);

    let page = app.get(&format!("/users/{a}/organization_memberships?limit=1")).await;
    assert_eq!(page.ok()["total_count"], 3);
    assert_eq!(page.ok()["data"].as_array().unwrap().len(), 1);

    let r = app.get("/users/user_doesnotexist/organization_memberships").await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "No user was found with id user_doesnotexist");
}
