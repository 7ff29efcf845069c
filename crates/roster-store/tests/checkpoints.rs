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

/// Under a write load that never pauses, the log still starts over from its beginning: the writer's own
/// checkpoint (once a second) catches up with the log, which a checkpoint beside a busy writer never does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_starts_over_under_a_sustained_write_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = SqliteStore::open(path.to_str().unwrap(), Options::default()).await.unwrap();
    store.bootstrap(Some("sk_test_checkpoints_restart")).await.unwrap();
    let instance = store.list_instances().await.unwrap().remove(0).id;
    let conn = rusqlite::Connection::open(&path).unwrap();
    // Frames in the log (this checkpoints too, and the next write may start the log over).
    let frames = || conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)).unwrap() as u64;
    let write = |n: u64| {
        let user = NewUser { first_name: Some(format!("user {n}")), ..Default::default() };
        store.create_user(&instance, user)
    };

    // What a write costs in log frames: 200 writes on a log that has just started over (the first write after a
    // complete checkpoint starts it over).
    frames();
    for n in 0..200 {
        write(n).await.unwrap();
    }
    let per_write = frames() as f64 / 200.0;
    assert!(per_write >= 1.0, "{per_write} frames per write");

    // Four seconds of writes, one after another.
    let mut writes = 0u64;
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        write(writes).await.unwrap();
        writes += 1;
    }
    let held = frames();
    let appended = writes as f64 * per_write;
    assert!(
        (held as f64) < 0.75 * appended,
        "the log holds {held} frames after {writes} writes of about {per_write:.1} frames: it never started over"
    );
}
