//! `query=` gives the same answers whichever way a list applies it: on SQLite, up to `MATCHES_FOUND_FIRST`
//! matching users are found once before the count and the page; beyond that each statement searches.
//! Runs on the backend `ROSTER_TEST_BACKEND` selects.

use std::sync::Arc;

use roster_core::query::{MembershipFilter, Pagination, UserFilter};
use roster_core::store::{NewMembership, NewOrganization, NewUser};
use roster_core::OrgId;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_search_counts_and_pages_alike_below_and_above_the_up_front_limit() {
    let db = roster_testdb::TestDb::new();
    let store = roster_store::open(&db.url, Default::default(), Default::default()).await.unwrap();
    store.bootstrap(Some("sk_test_search_limits")).await.unwrap();
    let instance = store.list_instances().await.unwrap().remove(0).id;
    let org = store.create_organization(&instance, NewOrganization { name: "Search".into(), ..Default::default() });
    let org = OrgId::from(org.await.unwrap().id);

    // 2,100 users named "Quokka NNNN" (more than the 2,000 found up front), and 50 named otherwise; every tenth
    // Quokka and every other user is a member.
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..2150usize {
        let (store, instance, org) = (Arc::clone(&store), instance.clone(), org.clone());
        creates.spawn(async move {
            let name = if i < 2100 { format!("Quokka {i:04}") } else { format!("Wombat {i:04}") };
            let user = NewUser { first_name: Some(name), ..Default::default() };
            let user = store.create_user(&instance, user).await.unwrap();
            if i % 10 == 0 || i >= 2100 {
                let member = NewMembership {
                    organization_id: org,
                    user_id: user.id.into(),
                    role: "org:member".into(),
                    ..Default::default()
                };
                store.create_membership(&instance, member).await.unwrap();
            }
        });
    }
    while let Some(done) = creates.join_next().await {
        done.unwrap();
    }

    let page = Pagination { limit: 500, offset: 0 };
    let users = |q: &str| {
        let filter = UserFilter { query: Some(q.into()), ..Default::default() };
        store.list_users(&instance, filter, Default::default(), page)
    };
    // Above the limit: searched inside each statement.
    let all = users("quokka").await.unwrap();
    assert_eq!(all.total_count, 2100);
    assert_eq!(all.data.len(), 500);
    assert!(all.data.iter().all(|u| u.first_name.as_deref().unwrap().starts_with("Quokka")));
    // Below it: found first. "quokka 00" matches Quokka 0000 to 0099.
    let few = users("quokka 00").await.unwrap();
    assert_eq!(few.total_count, 100);
    assert!(few.data.iter().all(|u| u.first_name.as_deref().unwrap().starts_with("Quokka 00")));
    assert_eq!(users("zebra").await.unwrap().total_count, 0);

    let members = |q: &str| {
        let user = UserFilter { query: Some(q.into()), ..Default::default() };
        let filter = MembershipFilter { user, ..Default::default() };
        store.list_memberships(&instance, Some(&org), filter, Default::default(), page)
    };
    let all = members("quokka").await.unwrap();
    assert_eq!((all.total_count, all.data.len()), (210, 210));
    let few = members("quokka 00").await.unwrap();
    assert_eq!((few.total_count, few.data.len()), (10, 10));
    let wombats = members("wombat").await.unwrap();
    assert_eq!((wombats.total_count, wombats.data.len()), (50, 50));
    // Newest first, as without a query.
    let created: Vec<i64> = all.data.iter().map(|m| m.created_at).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
}
