//! 6. Parameter errors

use super::*;

#[tokio::test]
async fn create_requires_user_id_and_role() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme"})).await;
    let path = memberships(&org);

    let missing_user = [
        json!({"role": "org:member"}),
        json!({"user_id": "", "role": "org:member"}),
        json!({"user_id": "   ", "role": "org:member"}),
        json!({"user_id": null, "role": "org:member"}),
    ];
    for body in missing_user {
        let r = app.post(&path, body.clone()).await;
        let e = r.err(422, "form_param_missing");
        assert_eq!(r.param(), "user_id", "{body}");
        assert_eq!(e["long_message"], "user_id must be included.");
    }
    let missing_role =
        [json!({"user_id": user}), json!({"user_id": user, "role": ""}), json!({"user_id": user, "role": null})];
    for body in missing_role {
        let r = app.post(&path, body.clone()).await;
        let e = r.err(422, "form_param_missing");
        assert_eq!(r.param(), "role", "{body}");
        assert_eq!(e["long_message"], "role must be included.");
    }
    // No body at all: the first required parameter is named.
    let r = app.call(Method::POST, &path, None).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "user_id");

    // Wrong types.
    let r = app.post(&path, json!({"user_id": 123, "role": "org:member"})).await;
    let e = r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "user_id");
    assert_eq!(e["long_message"], "user_id is invalid. Received number, must be of type string.");
    let r = app.post(&path, json!({"user_id": user, "role": 5})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "role");
    let r = app.post(&path, json!({"user_id": [user], "role": "org:member"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "user_id");

    assert_eq!(members_count(&app, &org).await, 0);
    assert_eq!(list(&app, &org).await["total_count"], 0);
}

#[tokio::test]
async fn update_requires_role() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &member, "org:member").await;
    let path = membership(&org, &member);
    let before = stored(&app, &org, &member).await;

    for body in [json!({}), json!({"role": null}), json!({"role": ""})] {
        let r = app.patch(&path, body.clone()).await;
        let e = r.err(422, "form_param_missing");
        assert_eq!(r.param(), "role", "{body}");
        assert_eq!(e["long_message"], "role must be included.");
    }
    let r = app.call(Method::PATCH, &path, None).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "role");

    let r = app.patch(&path, json!({"role": 1})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "role");

    assert_eq!(stored(&app, &org, &member).await, before);
}

// ---------------------------------------------------------------------------------------------------
// 7. Non-members and unknown organizations
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn non_members_and_unknown_organizations_are_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let outsider = app.user_with_email("outsider@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let other_org = app.org(json!({"name": "Other", "created_by": outsider})).await;

    for user in [outsider.as_str(), "user_doesnotexist"] {
        app.patch(&membership(&org, user), json!({"role": "org:member"})).await.err(404, "resource_not_found");
        app.delete(&membership(&org, user)).await.err(404, "resource_not_found");
        app.patch(&metadata(&org, user), json!({"public_metadata": {"a": 1}})).await.err(404, "resource_not_found");
    }

    for org in ["org_doesnotexist", "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S"] {
        for user in [owner.as_str(), outsider.as_str()] {
            let r = app.patch(&membership(org, user), json!({"role": "org:member"})).await;
            let e = r.err(404, "resource_not_found");
            assert_eq!(e["long_message"], "Given organization not found.");
            app.delete(&membership(org, user)).await.err(404, "resource_not_found");
            app.patch(&metadata(org, user), json!({"public_metadata": {"a": 1}})).await.err(404, "resource_not_found");
        }
        app.get(&memberships(org)).await.err(404, "resource_not_found");
    }

    // Nothing changed in either org.
    let page = list(&app, &org).await;
    assert_eq!(user_ids(&page), vec![owner.clone()]);
    assert_eq!(page["data"][0]["public_metadata"], json!({}));
    let page = list(&app, &other_org).await;
    assert_eq!(user_ids(&page), vec![outsider.clone()]);
    assert_eq!(page["data"][0]["role"], "org:admin");
    assert_eq!(page["data"][0]["public_metadata"], json!({}));
}

// ---------------------------------------------------------------------------------------------------
// 8. Cascades
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_user_deletes_their_memberships() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let leaver = app.user_with_email("leaver@example.com").await;
    let stayer = app.user_with_email("stayer@example.com").await;
    let org1 = app.org(json!({"name": "One", "created_by": owner})).await;
    let org2 = app.org(json!({"name": "Two", "created_by": owner})).await;
    app.add_member(&org1, &leaver, "org:member").await;
    app.add_member(&org1, &stayer, "org:member").await;
    app.add_member(&org2, &leaver, "org:admin").await;
    assert_eq!(members_count(&app, &org1).await, 3);
    assert_eq!(members_count(&app, &org2).await, 2);
    assert_eq!(app.get("/organization_memberships").await.ok()["total_count"], 5);

    app.delete(&format!("/users/{leaver}")).await.ok();

    assert_eq!(members_count(&app, &org1).await, 2);
    assert_eq!(members_count(&app, &org2).await, 1);
    let page1 = list(&app, &org1).await;
    assert_eq!(page1["total_count"], 2);
    assert_eq!(user_ids(&page1), sorted(&[owner.clone(), stayer.clone()]));
    let page2 = list(&app, &org2).await;
    assert_eq!(page2["total_count"], 1);
    assert_eq!(user_ids(&page2), vec![owner.clone()]);

    let all = app.get("/organization_memberships?limit=500").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 3);
    assert!(!user_ids(all).contains(&leaver));

    app.get(&format!("/users/{leaver}/organization_memberships")).await.err(404, "resource_not_found");
    app.patch(&membership(&org1, &leaver), json!({"role": "org:admin"})).await.err(404, "resource_not_found");
    let owner_list = app.get(&format!("/users/{owner}/organization_memberships")).await;
    assert_eq!(owner_list.ok()["total_count"], 2);

    // The organizations' quota sees the freed seat: the count is exact, not just hidden.
    app.patch(&format!("/organizations/{org2}"), json!({"max_allowed_memberships": 2})).await.ok();
    app.add_member(&org2, &stayer, "org:member").await;
    assert_eq!(members_count(&app, &org2).await, 2);
}

#[tokio::test]
async fn deleting_an_organization_deletes_its_memberships() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let doomed = app.org(json!({"name": "Doomed", "created_by": owner})).await;
    let kept = app.org(json!({"name": "Kept", "created_by": owner})).await;
    app.add_member(&doomed, &member, "org:member").await;
    assert_eq!(app.get("/organization_memberships").await.ok()["total_count"], 3);

    app.delete(&format!("/organizations/{doomed}")).await.ok();

    let all = app.get("/organization_memberships?limit=500").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 1);
    assert_eq!(org_ids(all), vec![kept.clone()]);

    let member_list = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(member_list.ok()["total_count"], 0);
    assert_eq!(member_list.ok()["data"], json!([]));
    let owner_list = app.get(&format!("/users/{owner}/organization_memberships")).await;
    assert_eq!(owner_list.ok()["total_count"], 1);
    assert_eq!(org_ids(owner_list.ok()), vec![kept.clone()]);

    app.get(&memberships(&doomed)).await.err(404, "resource_not_found");
    app.delete(&membership(&doomed, &member)).await.err(404, "resource_not_found");

    // The user can join other organizations as before.
    app.add_member(&kept, &member, "org:member").await;
    assert_eq!(members_count(&app, &kept).await, 2);
}
