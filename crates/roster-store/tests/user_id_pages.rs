//! A membership list filtered by `user_id` within one organization reads its page first and derives
//! `total_count` from a page that is not full; every page shape still gets the count a count would give.
//! Runs on the backend `ROSTER_TEST_BACKEND` selects.

use roster_core::query::{MembershipFilter, Pagination, UserFilter};
use roster_core::store::{NewMembership, NewOrganization, NewUser};
use roster_core::{InstanceId, OrgId};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_id_filtered_pages_report_the_true_count() {
    let db = roster_testdb::TestDb::new();
    let store = roster_store::open(&db.url, Default::default(), Default::default()).await.unwrap();
    store.bootstrap(Some("sk_test_user_id_pages")).await.unwrap();
    let instance = store.list_instances().await.unwrap().remove(0).id;
    let org = store.create_organization(&instance, NewOrganization { name: "Pages".into(), ..Default::default() });
    let org = OrgId::from(org.await.unwrap().id);
    let mut members = Vec::new();
    for _ in 0..5 {
        let user = store.create_user(&instance, NewUser::default()).await.unwrap().id;
        let m = NewMembership {
            organization_id: org.clone(),
            user_id: user.clone().into(),
            role: "org:member".into(),
            ..Default::default()
        };
        store.create_membership(&instance, m).await.unwrap();
        members.push(user);
    }
    let stranger = store.create_user(&instance, NewUser::default()).await.unwrap().id;

    // Four ids asked for, three of them members (and one asked twice).
    let ids = vec![members[0].clone(), members[1].clone(), members[2].clone(), stranger, members[0].clone()];
    let list = |limit: i64, offset: i64| {
        let user = UserFilter { user_ids: ids.clone(), ..Default::default() };
        let filter = MembershipFilter { user, ..Default::default() };
        store.list_memberships(&instance, Some(&org), filter, Default::default(), Pagination { limit, offset })
    };
    for (limit, offset, rows) in
        [(10, 0, 3), (3, 0, 3), (2, 0, 2), (1, 1, 1), (2, 2, 1), (2, 3, 0), (10, 7, 0), (1, 0, 1)]
    {
        let page = list(limit, offset).await.unwrap();
        assert_eq!((page.data.len(), page.total_count), (rows, 3), "limit {limit} offset {offset}");
    }
    // Only strangers: nothing, counted as nothing.
    let user = UserFilter { user_ids: vec!["user_missing".into()], ..Default::default() };
    let filter = MembershipFilter { user, ..Default::default() };
    let none = store.list_memberships(&instance, Some(&org), filter, Default::default(), Default::default());
    assert_eq!(none.await.unwrap().total_count, 0);
}

/// The organization is looked up only when such a page comes back empty: an unknown organization, or another
/// instance's, is still 404, and another instance's members never show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_id_filtered_lists_of_unknown_or_foreign_organizations_are_404() {
    use roster_core::model::Environment;
    use roster_core::DomainError;

    let db = roster_testdb::TestDb::new();
    let store = roster_store::open(&db.url, Default::default(), Default::default()).await.unwrap();
    store.bootstrap(Some("sk_test_user_id_foreign")).await.unwrap();
    let mine = store.list_instances().await.unwrap().remove(0).id;
    let theirs = store.create_instance(Environment::Production, "theirs").await.unwrap().id;
    let org = store.create_organization(&theirs, NewOrganization { name: "Theirs".into(), ..Default::default() });
    let org = OrgId::from(org.await.unwrap().id);
    let user = store.create_user(&theirs, NewUser::default()).await.unwrap().id;
    let m = NewMembership {
        organization_id: org.clone(),
        user_id: user.clone().into(),
        role: "org:member".into(),
        ..Default::default()
    };
    store.create_membership(&theirs, m).await.unwrap();

    let by_user = |instance: InstanceId, org: OrgId| {
        let filter = MembershipFilter {
            user: UserFilter { user_ids: vec![user.clone()], ..Default::default() },
            ..Default::default()
        };
        let store = store.clone();
        async move { store.list_memberships(&instance, Some(&org), filter, Default::default(), Default::default()).await }
    };
    // Their own instance sees the membership.
    assert_eq!(by_user(theirs.clone(), org.clone()).await.unwrap().total_count, 1);
    // Another instance's key: 404, as for an organization that does not exist.
    assert_eq!(by_user(mine.clone(), org.clone()).await.unwrap_err(), DomainError::OrganizationNotFound);
    assert_eq!(by_user(mine, "org_missing".into()).await.unwrap_err(), DomainError::OrganizationNotFound);
}
