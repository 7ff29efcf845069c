//! The write-ahead log is copied into the database file by the checkpoint thread shortly after commits, not by
//! the writer in its commit path, and not only at shutdown: the log stays short, so a start after a crash has
//! little to replay.

use std::time::{Duration, Instant};

use roster_core::store::NewUser;
use roster_core::Store;
use roster_store::sqlite::{Options, SqliteStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_reach_the_database_file_without_a_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = std::sync::Arc::new(SqliteStore::open(path.to_str().unwrap(), Options::default()).await.unwrap());
    store.bootstrap(Some("sk_test_checkpoints")).await.unwrap();
    let instance = store.list_instances().await.unwrap().remove(0).id;
    // Let the start-up writes be checkpointed, then measure the database file.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = std::fs::metadata(&path).unwrap().len();

    // Writes that need many new pages: in WAL mode they land in the log first.
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..400 {
        let (store, instance) = (store.clone(), instance.clone());
        let name = format!("user-{i}-{}", "x".repeat(200));
        creates.spawn(async move {
            store.create_user(&instance, NewUser { first_name: Some(name), ..Default::default() }).await
        });
    }
    while let Some(created) = creates.join_next().await {
        created.unwrap().unwrap();
    }

    // The checkpoint thread copies them into the database file on its own, well before this deadline.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = std::fs::metadata(&path).unwrap().len();
        if now > before + 50_000 {
            break;
        }
        assert!(Instant::now() < deadline, "database file still {now} bytes (was {before}): nothing checkpointed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
