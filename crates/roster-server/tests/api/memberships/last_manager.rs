//! 4. The last member holding org:sys_memberships:manage

use super::*;

#[tokio::test]
async fn the_only_admin_cannot_be_demoted_or_removed() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &member, "org:member").await;
    let before = stored(&app, &org, &owner).await;

    let r = app.patch(&membership(&org, &owner), json!({"role": "org:member"})).await;
    let e = r.err(400, "organization_minimum_permissions_needed");
    assert_eq!(
        e["long_message"],
        "There has to be at least one organization member with the minimum required permissions"
    );
    app.delete(&membership(&org, &owner)).await.err(400, "organization_minimum_permissions_needed");

    // Unchanged.
    assert_eq!(stored(&app, &org, &owner).await, before);
    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 2);

    // Setting the same managing role again is no demotion; non-managers can be removed freely.
    let same = app.patch(&membership(&org, &owner), json!({"role": "org:admin"})).await;
    assert_eq!(same.ok()["role"], "org:admin");
    app.delete(&membership(&org, &member)).await.ok();
    assert_eq!(members_count(&app, &org).await, 1);

    // Alone in the org, the admin still cannot leave it without a manager.
    app.delete(&membership(&org, &owner)).await.err(400, "organization_minimum_permissions_needed");
    assert_eq!(members_count(&app, &org).await, 1);
}

#[tokio::test]
async fn with_two_admins_one_can_be_demoted_or_removed() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": a})).await;
    app.add_member(&org, &b, "org:admin").await;
    assert_eq!(admin_count(&app, &org).await, 2);

    let demoted = app.patch(&membership(&org, &a), json!({"role": "org:member"})).await;
    let demoted = demoted.ok();
    assert_eq!(demoted["role"], "org:member");
    assert_eq!(demoted["role_name"], "Member");
    assert_eq!(admin_count(&app, &org).await, 1);

    // b is now the last admin.
    app.patch(&membership(&org, &b), json!({"role": "org:member"}))
        .await
        .err(400, "organization_minimum_permissions_needed");
    app.delete(&membership(&org, &b)).await.err(400, "organization_minimum_permissions_needed");

    // Promote a back; then b can leave.
    app.patch(&membership(&org, &a), json!({"role": "org:admin"})).await.ok();
    app.delete(&membership(&org, &b)).await.ok();
    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_demotions_of_both_admins_keep_one() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": a})).await;
    app.add_member(&org, &b, "org:admin").await;
    let (pa, pb) = (membership(&org, &a), membership(&org, &b));

    let responses =
        futures::join!(app.patch(&pa, json!({"role": "org:member"})), app.patch(&pb, json!({"role": "org:member"})),);
    let responses = [responses.0, responses.1];
    let ok = tally(&responses, 400, "organization_minimum_permissions_needed");
    assert_eq!(ok, 1, "{responses:?}");

    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 2);
    // The one whose demotion failed is the remaining admin.
    let loser = if responses[0].status == 200 { &b } else { &a };
    assert_eq!(stored(&app, &org, loser).await["role"], "org:admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_removals_of_both_admins_keep_one() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": a})).await;
    app.add_member(&org, &b, "org:admin").await;
    let (pa, pb) = (membership(&org, &a), membership(&org, &b));

    let responses = futures::join!(app.delete(&pa), app.delete(&pb));
    let responses = [responses.0, responses.1];
    let ok = tally(&responses, 400, "organization_minimum_permissions_needed");
    assert_eq!(ok, 1, "{responses:?}");

    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 1);
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 1);
    let survivor = if responses[0].status == 200 { &b } else { &a };
    assert_eq!(user_ids(&page), vec![survivor.clone()]);
}
