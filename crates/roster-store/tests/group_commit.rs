//! Group commit keeps each request's outcome its own: one transaction carries a mix of valid creates,
//! duplicates and quota refusals, and every request gets its own answer while the valid ones commit.

use std::sync::atomic::Ordering;

use roster_core::store::{NewMembership, NewOrganization, NewUser};
use roster_core::{DomainError, OrgId, RoleId, Store, UserId};
use roster_store::sqlite::{Options, SqliteStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_returns_each_request_its_own_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = SqliteStore::open(path.to_str().unwrap(), Options::default()).await.unwrap();
    store.bootstrap(Some("sk_test_group_commit")).await.unwrap();
    let instance = store.list_instances().await.unwrap().remove(0).id;
    let org = store
        .create_organization(
            &instance,
            NewOrganization { name: "Quota".into(), max_allowed_memberships: Some(3), ..Default::default() },
        )
        .await
        .unwrap();
    let mut users = Vec::new();
    for _ in 0..5 {
        users.push(store.create_user(&instance, NewUser::default()).await.unwrap().id);
    }

    let (gate, release_tx, before) = hold_writer(&store).await;

    // In order: u0 ok, u0 duplicate, u1 ok, u2 ok (quota now full), u3 quota, u1 duplicate, u4 quota.
    let plan = [0usize, 0, 1, 2, 3, 1, 4];
    let creates = plan.iter().map(|&u| {
        store.create_membership(
            &instance,
            NewMembership {
                organization_id: org.id.clone().into(),
                user_id: users[u].clone().into(),
                role: "org:member".into(),
                ..Default::default()
            },
        )
    });
    let all = futures_join_all(creates, &store, plan.len(), release_tx);
    let results = all.await;
    gate.await.unwrap().unwrap();

    let outcome: Vec<Result<&str, &DomainError>> =
        results.iter().map(|r| r.as_ref().map(|m| m.public_user_data.user_id.as_str())).collect();
    assert_eq!(outcome[0], Ok(users[0].as_str()));
    assert_eq!(outcome[1], Err(&DomainError::AlreadyMember(users[0].clone())));
    assert_eq!(outcome[2], Ok(users[1].as_str()));
    assert_eq!(outcome[3], Ok(users[2].as_str()));
    assert_eq!(outcome[4], Err(&DomainError::MembershipQuotaExceeded(3)));
    assert_eq!(outcome[5], Err(&DomainError::AlreadyMember(users[1].clone())));
    assert_eq!(outcome[6], Err(&DomainError::MembershipQuotaExceeded(3)));

    // They were one transaction: the gate's batch, then exactly one more carrying all seven.
    let stats = store.writer().stats();
    assert_eq!(stats.batches.load(Ordering::SeqCst), before + 1);
    assert!(stats.largest_batch.load(Ordering::SeqCst) >= plan.len() as u64);

    // The valid ones committed and are durable: a fresh store on the same file sees exactly them.
    drop(store);
    let reopened = SqliteStore::open(path.to_str().unwrap(), Options::default()).await.unwrap();
    let org = reopened.get_organization(&instance, &org.id, false).await.unwrap();
    assert_eq!(org.members_count, 3);
}

/// A membership write in the same batch as a role write, after it, sees the role write: the write path's role
/// map is checked against `roles_version` inside the batch's transaction, not against a counter bumped only
/// once the batch has committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_writes_see_role_writes_earlier_in_their_batch() {
    use roster_core::store::NewRole;
    use std::future::Future;
    use std::pin::Pin;

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("roster.db").to_str().unwrap(), Options::default()).await.unwrap();
    store.bootstrap(Some("sk_test_group_commit_roles")).await.unwrap();
    let instance = store.list_instances().await.unwrap().remove(0).id;
    let org = store.create_organization(&instance, NewOrganization { name: "Roles".into(), ..Default::default() });
    let org = OrgId::from(org.await.unwrap().id);
    let mut users = Vec::new();
    for _ in 0..3 {
        users.push(store.create_user(&instance, NewUser::default()).await.unwrap().id);
    }
    let role = |key: &str| NewRole { name: key.into(), key: key.into(), description: None, permissions: Vec::new() };
    let doomed = store.create_role(&instance, role("org:doomed")).await.unwrap();
    let member = |user: &str, role: &str| NewMembership {
        organization_id: org.clone(),
        user_id: user.into(),
        role: role.into(),
        ..Default::default()
    };
    // Warm the write path's role map while org:doomed exists.
    store.create_membership(&instance, member(&users[0], "org:member")).await.unwrap();

    let (gate, release_tx, before) = hold_writer(&store).await;

    type Step<'a> = Pin<Box<dyn Future<Output = Result<String, DomainError>> + Send + 'a>>;
    let steps: Vec<Step> = vec![
        Box::pin(async { store.delete_role(&instance, &RoleId::new(&doomed.id)).await.map(|r| r.key) }),
        Box::pin(async { store.create_membership(&instance, member(&users[1], "org:doomed")).await.map(|m| m.role) }),
        Box::pin(async {
            store.update_membership_role(&instance, &org, &UserId::new(&users[0]), "org:doomed").await.map(|m| m.role)
        }),
        Box::pin(async { store.create_role(&instance, role("org:fresh")).await.map(|r| r.key) }),
        Box::pin(async { store.create_membership(&instance, member(&users[2], "org:fresh")).await.map(|m| m.role) }),
    ];
    let count = steps.len();
    let results = futures_join_all(steps.into_iter(), &store, count, release_tx).await;
    gate.await.unwrap().unwrap();
    assert_eq!(store.writer().stats().batches.load(Ordering::SeqCst), before + 1, "one batch after the gate's");

    assert_eq!(results[0], Ok("org:doomed".to_owned()), "the role is deleted");
    assert_eq!(results[1], Err(DomainError::role_not_found()), "a create after the delete does not find it");
    assert_eq!(results[2], Err(DomainError::role_not_found()), "nor does an update after it");
    assert_eq!(results[3], Ok("org:fresh".to_owned()));
    assert_eq!(results[4], Ok("org:fresh".to_owned()), "a create after a new role finds it");
    let listed = store.get_organization(&instance, &org, false).await.unwrap();
    assert_eq!(listed.members_count, 2);
}

/// Hold the writer inside a batch, so everything sent meanwhile queues up for the next one. Returns the held
/// batch's task, the sender that releases it, and the count of batches before the next.
async fn hold_writer(
    store: &SqliteStore,
) -> (tokio::task::JoinHandle<Result<(), DomainError>>, std::sync::mpsc::Sender<()>, u64) {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let writer = store.writer().clone();
    let gate = tokio::spawn(async move {
        writer
            .write(move |_conn| {
                let _ = started_tx.send(());
                let _ = release_rx.recv();
                Ok(())
            })
            .await
    });
    started_rx.await.unwrap();
    (gate, release_tx, store.writer().stats().batches.load(Ordering::SeqCst))
}

/// Poll the creates in order (each sends its job on first poll), wait until all are queued, then open the gate.
async fn futures_join_all<F, T>(
    futures: impl Iterator<Item = F>,
    store: &SqliteStore,
    count: usize,
    release: std::sync::mpsc::Sender<()>,
) -> Vec<T>
where
    F: std::future::Future<Output = T>,
{
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<T>> = (0..pinned.len()).map(|_| None).collect();
    let mut released = false;
    std::future::poll_fn(|cx| {
        for (fut, out) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                if let std::task::Poll::Ready(v) = fut.as_mut().poll(cx) {
                    *out = Some(v);
                }
            }
        }
        if !released && store.writer().stats().queued.load(Ordering::SeqCst) >= count as u64 {
            released = true;
            let _ = release.send(());
        }
        if !released {
            // Jobs are sent on first poll; ask to be polled again until the count is reached.
            cx.waker().wake_by_ref();
        }
        if outputs.iter().all(Option::is_some) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(|o| o.unwrap()).collect()
}

/// The bundled SQLite is built with the options `.cargo/config.toml` sets (see the comment there).
#[test]
fn sqlite_is_built_with_the_expected_options() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let options: Vec<String> = conn
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for wanted in ["THREADSAFE=2", "ENABLE_FTS5", "DEFAULT_MEMSTATUS=0"] {
        assert!(options.iter().any(|o| o == wanted), "{wanted} missing from {options:?}");
    }
}
