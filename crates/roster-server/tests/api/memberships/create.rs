//! 1. Existence of user, organization and role

use super::*;

#[tokio::test]
async fn create_refuses_unknown_user_organization_and_role() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    // A user id that exists nowhere.
    let r = app.post(&memberships(&org), json!({"user_id": "user_doesnotexist", "role": "org:member"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "No user was found with id user_doesnotexist");

    // A user of another instance is not a user of this one.
    let other = app.other_instance(Environment::Development).await;
    let foreign =
        app.call_as(&other, Method::POST, "/users", Some(json!({"email_address": ["foreign@example.com"]}))).await;
    let foreign = foreign.ok()["id"].as_str().unwrap().to_owned();
    let r = app.post(&memberships(&org), json!({"user_id": foreign, "role": "org:member"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], format!("No user was found with id {foreign}"));

    // Unknown organization.
    let r = app.post(&memberships("org_doesnotexist"), json!({"user_id": member, "role": "org:member"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Given organization not found.");

    // Unknown role keys, including the legacy bare names.
    for role in ["org:nope", "admin", "basic_member", "ORG:ADMIN"] {
        let r = app.post(&memberships(&org), json!({"user_id": member, "role": role})).await;
        let e = r.err(404, "resource_not_found");
        assert_eq!(r.param(), "role", "role {role}: {}", r.text);
        assert_eq!(e["long_message"], "Organization role not found");
        assert_eq!(e["message"], "not found");
    }

    // The same for an update of an existing member.
    for role in ["org:nope", "admin"] {
        let r = app.patch(&membership(&org, &owner), json!({"role": role})).await;
        let e = r.err(404, "resource_not_found");
        assert_eq!(r.param(), "role");
        assert_eq!(e["long_message"], "Organization role not found");
    }

    // Nothing was created or changed.
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 1);
    assert_eq!(user_ids(&page), vec![owner.clone()]);
    assert_eq!(page["data"][0]["role"], "org:admin");
    assert_eq!(members_count(&app, &org).await, 1);
}

// ---------------------------------------------------------------------------------------------------
// 2. Uniqueness
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_membership_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let first = app.add_member(&org, &member, "org:member").await;

    // Same role, another role, and the creator again: all refused.
    for (user, role) in [(&member, "org:member"), (&member, "org:admin"), (&owner, "org:member")] {
        let r = app.post(&memberships(&org), json!({"user_id": user, "role": role})).await;
        let e = r.err(400, "already_a_member_in_organization");
        assert!(e["long_message"].as_str().unwrap().contains(user.as_str()), "{}", r.text);
    }

    // The original membership is untouched.
    assert_eq!(stored(&app, &org, &member).await, first);
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(list(&app, &org).await["total_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_creates_admit_exactly_one() {
    let app = TestApp::spawn().await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme"})).await;
    let path = memberships(&org);
    let body = json!({"user_id": member, "role": "org:member"});

    let responses = join_all((0..50).map(|_| app.post(&path, body.clone()))).await;
    let ok = tally(&responses, 400, "already_a_member_in_organization");
    assert_eq!(ok, 1, "exactly one create wins");
    assert_eq!(responses.len() - ok, 49);

    assert_eq!(members_count(&app, &org).await, 1);
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 1);
    assert_eq!(user_ids(&page), vec![member.clone()]);
    let per_user = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(per_user.ok()["total_count"], 1);
}

// ---------------------------------------------------------------------------------------------------
// 3. Quota
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn quota_refuses_members_beyond_max_allowed_memberships() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let c = app.user_with_email("c@example.com").await;
    let org = app.org(json!({"name": "Small", "max_allowed_memberships": 2})).await;

    app.add_member(&org, &a, "org:admin").await;
    app.add_member(&org, &b, "org:member").await;
    let r = app.post(&memberships(&org), json!({"user_id": c, "role": "org:member"})).await;
    let e = r.err(403, "organization_membership_quota_exceeded");
    assert_eq!(
        e["long_message"],
        "You have reached your limit of 2 organization memberships, including outstanding invitations."
    );
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(list(&app, &org).await["total_count"], 2);

    // The creator counts too.
    let creator_org = app.org(json!({"name": "Solo", "created_by": a, "max_allowed_memberships": 1})).await;
    app.post(&memberships(&creator_org), json!({"user_id": b, "role": "org:member"}))
        .await
        .err(403, "organization_membership_quota_exceeded");

    // Removing a member frees a seat.
    app.delete(&membership(&org, &b)).await.ok();
    app.add_member(&org, &c, "org:member").await;
    assert_eq!(members_count(&app, &org).await, 2);
    app.post(&memberships(&org), json!({"user_id": b, "role": "org:member"}))
        .await
        .err(403, "organization_membership_quota_exceeded");
}

#[tokio::test]
async fn quota_zero_means_unlimited() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Big", "max_allowed_memberships": 0})).await;
    let got = app.get(&format!("/organizations/{org}")).await;
    assert_eq!(got.ok()["max_allowed_memberships"], 0);
    for i in 0..12 {
        let user = app.user_with_email(&format!("u{i}@example.com")).await;
        app.add_member(&org, &user, "org:member").await;
    }
    assert_eq!(members_count(&app, &org).await, 12);
    assert_eq!(list(&app, &org).await["total_count"], 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_respect_quota() {
    let app = TestApp::spawn().await;
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(app.user_with_email(&format!("u{i}@example.com")).await);
    }
    let org = app.org(json!({"name": "Five", "max_allowed_memberships": 5})).await;
    let path = memberships(&org);

    let responses = join_all(users.iter().map(|u| app.post(&path, json!({"user_id": u, "role": "org:member"})))).await;
    let ok = tally(&responses, 403, "organization_membership_quota_exceeded");
    assert_eq!(ok, 5, "exactly max_allowed_memberships creates win");
    assert_eq!(responses.len() - ok, 15);

    assert_eq!(members_count(&app, &org).await, 5);
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 5);
    let winners: Vec<String> =
        users.iter().zip(&responses).filter(|(_, r)| r.status == 200).map(|(u, _)| u.clone()).collect();
    assert_eq!(user_ids(&page), sorted(&winners));
    let all = app.get("/organization_memberships?limit=500").await;
    assert_eq!(all.ok()["total_count"], 5);
}
