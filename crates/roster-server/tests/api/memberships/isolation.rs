//! 10. Isolation between instances

use super::*;

/// Everything an observer of the first instance can see about these memberships.
async fn snapshot(app: &TestApp, org: &str, owner: &str, member: &str) -> (Value, Value, Value, Value, i64) {
    let all = app.get("/organization_memberships?limit=500").await.ok().clone();
    let org_list = list(app, org).await;
    let owner_list = app.get(&format!("/users/{owner}/organization_memberships")).await.ok().clone();
    let member_list = app.get(&format!("/users/{member}/organization_memberships")).await.ok().clone();
    (all, org_list, owner_list, member_list, members_count(app, org).await)
}

#[tokio::test]
async fn another_instance_cannot_see_or_touch_memberships() {
    let app = TestApp::spawn().await;
    let owner = app.user(json!({"email_address": ["owner@example.com"], "first_name": "Olive"})).await;
    let member = app.user_with_email("member@example.com").await;
    let newcomer = app.user_with_email("newcomer@example.com").await;
    let org = app.org(json!({"name": "Secret Org", "created_by": owner})).await;
    let m = app
        .post(
            &memberships(&org),
            json!({"user_id": member, "role": "org:member", "public_metadata": {"team": "blue"}, "private_metadata": {"salary": 1}}),
        )
        .await
        .ok()
        .clone();
    let membership_id = m["id"].as_str().unwrap().to_owned();

    let before = snapshot(&app, &org, &owner, &member).await;

    let other = app.other_instance(Environment::Development).await;
    let as_other = |method: Method, path: String, body: Option<Value>| {
        let (app, other) = (&app, &other);
        async move { app.call_as(other, method, &path, body).await }
    };

    let attempts = vec![
        (Method::POST, memberships(&org), Some(json!({"user_id": newcomer, "role": "org:member"}))),
        (Method::POST, memberships(&org), Some(json!({"user_id": member, "role": "org:admin"}))),
        (Method::GET, memberships(&org), None),
        (Method::GET, format!("{}?user_id={member}", memberships(&org)), None),
        (Method::PATCH, membership(&org, &member), Some(json!({"role": "org:admin"}))),
        (Method::PATCH, membership(&org, &owner), Some(json!({"role": "org:member"}))),
        (Method::PATCH, metadata(&org, &member), Some(json!({"public_metadata": {"team": null, "hacked": true}}))),
        (Method::DELETE, membership(&org, &member), None),
        (Method::DELETE, membership(&org, &owner), None),
        (Method::GET, format!("/users/{member}/organization_memberships"), None),
        (Method::GET, format!("/users/{owner}/organization_memberships"), None),
    ];
    for (method, path, body) in attempts {
        let r = as_other(method.clone(), path.clone(), body).await;
        r.err(404, "resource_not_found");
        for secret in [membership_id.as_str(), "Secret Org", "member@example.com", "salary", "Olive"] {
            assert!(!r.text.contains(secret), "{method} {path} leaked {secret}: {}", r.text);
        }
    }

    // The other instance's own org cannot take this instance's users.
    let their_user =
        as_other(Method::POST, "/users".into(), Some(json!({"email_address": ["theirs@example.com"]}))).await;
    let their_user = their_user.ok()["id"].as_str().unwrap().to_owned();
    let their_org =
        as_other(Method::POST, "/organizations".into(), Some(json!({"name": "Theirs", "created_by": their_user})))
            .await;
    let their_org = their_org.ok()["id"].as_str().unwrap().to_owned();
    let r =
        as_other(Method::POST, memberships(&their_org), Some(json!({"user_id": member, "role": "org:member"}))).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], format!("No user was found with id {member}"));
    for (method, path, body) in [
        (Method::PATCH, membership(&their_org, &member), Some(json!({"role": "org:member"}))),
        (Method::DELETE, membership(&their_org, &member), None),
        (Method::PATCH, metadata(&their_org, &member), Some(json!({"public_metadata": {"a": 1}}))),
    ] {
        as_other(method, path, body).await.err(404, "resource_not_found");
    }

    // The other instance's instance-wide list holds only its own membership.
    let theirs = as_other(Method::GET, "/organization_memberships?limit=500".into(), None).await;
    let theirs = theirs.ok();
    assert_eq!(theirs["total_count"], 1);
    assert_eq!(org_ids(theirs), vec![their_org.clone()]);
    assert_eq!(user_ids(theirs), vec![their_user.clone()]);

    // And this instance cannot see or touch theirs.
    app.get(&memberships(&their_org)).await.err(404, "resource_not_found");
    app.get(&format!("/users/{their_user}/organization_memberships")).await.err(404, "resource_not_found");
    app.delete(&membership(&their_org, &their_user)).await.err(404, "resource_not_found");

    // Nothing of the first instance changed.
    let after = snapshot(&app, &org, &owner, &member).await;
    assert_eq!(after, before);
    assert_eq!(after.0["total_count"], 2);
    assert_eq!(stored_metadata(&app, &org, &member).await, (json!({"team": "blue"}), json!({"salary": 1})));
}

// ---------------------------------------------------------------------------------------------------
// 11. The deleted membership
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_returns_the_full_membership_once() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member =
        app.user(json!({"email_address": ["member@example.com"], "first_name": "Mia", "last_name": "Lee"})).await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.post(
        &memberships(&org),
        json!({"user_id": member, "role": "org:member", "public_metadata": {"a": 1}, "private_metadata": {"b": 2}}),
    )
    .await
    .ok();
    let listed = stored(&app, &org, &member).await;

    let r = app.delete(&membership(&org, &member)).await;
    let deleted = r.ok();
    assert!(deleted.get("deleted").is_none(), "{deleted}");
    assert_eq!(deleted["object"], "organization_membership");
    assert_eq!(deleted["role"], "org:member");
    assert_eq!(deleted["role_name"], "Member");
    assert_eq!(deleted["public_metadata"], json!({"a": 1}));
    assert_eq!(deleted["private_metadata"], json!({"b": 2}));
    assert_eq!(deleted["public_user_data"]["user_id"], member.as_str());
    assert_eq!(deleted["public_user_data"]["first_name"], "Mia");
    assert_eq!(deleted["public_user_data"]["identifier"], "member@example.com");
    assert_eq!(deleted["organization"]["id"], org.as_str());
    assert_eq!(deleted["organization"]["object"], "organization");
    // Exactly the membership as it was.
    assert_eq!(deleted, &listed);

    app.delete(&membership(&org, &member)).await.err(404, "resource_not_found");
    app.patch(&membership(&org, &member), json!({"role": "org:admin"})).await.err(404, "resource_not_found");
    app.patch(&metadata(&org, &member), json!({"public_metadata": {"a": 2}})).await.err(404, "resource_not_found");
    assert_eq!(user_ids(&list(&app, &org).await), vec![owner.clone()]);
    assert_eq!(members_count(&app, &org).await, 1);
    let per_user = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(per_user.ok()["total_count"], 0);
}
