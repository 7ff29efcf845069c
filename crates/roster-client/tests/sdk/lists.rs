//! Lists: filters, streams, instance-wide and per-user lists, and the helper resources.

use std::collections::HashSet;

use futures::TryStreamExt;
use roster_client::{
    ListInstanceOrganizationMembershipsRequest, ListOrganizationMembershipsRequest,
    ListUserOrganizationMembershipsRequest,
};

use crate::support::*;

#[tokio::test]
async fn list_filters_order_and_pagination() {
    let app = Roster::spawn().await;
    let alice = app.user("alice@example.com", "Alice", Some("alice")).await;
    let bob = app.user("bob@example.com", "Bob", Some("bobby")).await;
    let carol = app.user("carol@example.org", "Carol", None).await;
    let org = app.org("Acme", Some(&alice)).await;
    app.add(&org, &bob, "org:member").await;
    app.add(&org, &carol, "org:member").await;
    let api = app.clerk.organization_memberships();
    let list = |req: ListOrganizationMembershipsRequest| {
        let api = api.clone();
        async move { api.list(req).await.unwrap() }
    };

    let members = list(ListOrganizationMembershipsRequest { role: vec!["org:member".into()], ..list_req(&org) }).await;
    assert_eq!(members.total_count, 2);
    let both = list(ListOrganizationMembershipsRequest {
        role: vec!["org:member".into(), "org:admin".into()],
        order_by: Some("+email_address".into()),
        ..list_req(&org)
    })
    .await;
    assert_eq!(user_ids(&both), vec![alice.clone(), bob.clone(), carol.clone()]);
    let desc =
        list(ListOrganizationMembershipsRequest { order_by: Some("-email_address".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&desc), vec![carol.clone(), bob.clone(), alice.clone()]);

    let q = list(ListOrganizationMembershipsRequest { query: Some("bob".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&q), vec![bob.clone()]);
    let ids =
        list(ListOrganizationMembershipsRequest { user_id: vec![alice.clone(), carol.clone()], ..list_req(&org) })
            .await;
    assert_eq!(
        ids.data.iter().map(|m| m.public_user_data.user_id.clone()).collect::<HashSet<_>>(),
        HashSet::from([alice.clone(), carol.clone()])
    );
    let email =
        list(ListOrganizationMembershipsRequest { email_address: vec!["carol@example.org".into()], ..list_req(&org) })
            .await;
    assert_eq!(user_ids(&email), vec![carol.clone()]);
    let email_q =
        list(ListOrganizationMembershipsRequest { email_address_query: Some("example.org".into()), ..list_req(&org) })
            .await;
    assert_eq!(user_ids(&email_q), vec![carol.clone()]);
    let username = list(ListOrganizationMembershipsRequest { username: vec!["bobby".into()], ..list_req(&org) }).await;
    assert_eq!(user_ids(&username), vec![bob.clone()]);
    let username_q =
        list(ListOrganizationMembershipsRequest { username_query: Some("ali".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&username_q), vec![alice.clone()]);
    let name = list(ListOrganizationMembershipsRequest { name_query: Some("carol".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&name), vec![carol.clone()]);
    let created_after =
        list(ListOrganizationMembershipsRequest { created_at_after: Some(4102444800000), ..list_req(&org) }).await;
    assert_eq!(created_after.total_count, 0);

    let page = list(ListOrganizationMembershipsRequest {
        order_by: Some("+email_address".into()),
        limit: Some(1),
        offset: Some(1),
        ..list_req(&org)
    })
    .await;
    assert_eq!(page.total_count, 3);
    assert_eq!(user_ids(&page), vec![bob.clone()]);
}

#[tokio::test]
async fn streams_walk_every_page() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let org = app.org("Big", Some(&owner)).await;
    let mut expected = HashSet::from([owner.clone()]);
    for i in 0..7 {
        let u = app.user(&format!("m{i}@example.com"), &format!("M{i}"), None).await;
        app.add(&org, &u, "org:member").await;
        expected.insert(u);
    }
    let api = app.clerk.organization_memberships();

    let req = ListOrganizationMembershipsRequest { limit: Some(3), ..list_req(&org) };
    let all: Vec<_> = api.list_stream(req.clone()).try_collect().await.unwrap();
    assert_eq!(all.len(), 8);
    assert_eq!(all.iter().map(|m| m.public_user_data.user_id.clone()).collect::<HashSet<_>>(), expected);

    // `into_stream` on the request, starting at an offset.
    let rest: Vec<_> = ListOrganizationMembershipsRequest { offset: Some(5), ..req.clone() }
        .into_stream(&app.clerk, None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 3);

    // A filter carries over to every page.
    let members: Vec<_> = api
        .list_stream(ListOrganizationMembershipsRequest {
            role: vec!["org:member".into()],
            limit: Some(2),
            ..list_req(&org)
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 7);

    // Instance-wide list and its stream.
    let first = api.list_all(ListInstanceOrganizationMembershipsRequest { limit: Some(2), ..Default::default() }).await;
    let first = first.unwrap();
    assert_eq!((first.data.len(), first.total_count), (2, 8));
    let everything: Vec<_> = api
        .list_all_stream(ListInstanceOrganizationMembershipsRequest {
            order_by: Some("-created_at".into()),
            limit: Some(3),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(everything.len(), 8);

    // Per-user list.
    let mine = api
        .list_for_user(ListUserOrganizationMembershipsRequest { user_id: owner.clone(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(mine.total_count, 1);
    assert_eq!(mine.data[0].organization.id, org);
    assert_eq!(mine.data[0].role, "org:admin");

    // An error ends the stream after being yielded.
    let err: Result<Vec<_>, _> = api.list_stream(list_req("org_doesnotexist")).try_collect().await;
    assert_api_error(err, 404);
}

#[tokio::test]
async fn users_organizations_and_roles_handles() {
    let app = Roster::spawn().await;
    let roles = app.clerk.roles().list(Default::default()).await.unwrap();
    let keys: HashSet<_> = roles.data.iter().map(|r| r.key.as_str()).collect();
    assert!(keys.contains("org:admin") && keys.contains("org:member"), "{keys:?}");

    let user = app.user("u@example.com", "U", None).await;
    assert_eq!(app.clerk.users().get(&user).await.unwrap().id, user);
    let org = app.org("Org", Some(&user)).await;
    assert_eq!(app.clerk.organizations().get(&org).await.unwrap().name, "Org");
    assert!(app.clerk.organizations().delete(&org).await.unwrap().deleted);
    assert_clerk_error(app.clerk.organizations().get(&org).await, 404, "resource_not_found");
    assert!(app.clerk.users().delete(&user).await.unwrap().deleted);
    assert_clerk_error(app.clerk.users().get(&user).await, 404, "resource_not_found");
}
