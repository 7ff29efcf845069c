//! Group commit. One thread owns the write connection. Requests queue on a channel; the thread takes all
//! that are waiting (up to `MAX_BATCH`), runs them in one transaction, each inside its own savepoint, and
//! commits once, so one fsync covers the whole batch. A request whose work fails rolls back to its
//! savepoint alone: its neighbours still commit. Nobody hears back before the commit is durable.
//! Because the thread applies requests one after another, every rule check inside a request sees the
//! writes of the requests before it: uniqueness, quotas and the last-admin rule hold under concurrency.
//!
//! Checkpoints (copying the write-ahead log into the database file) run on a second thread with a connection
//! of its own, at most every `CHECKPOINT_DELAY` after a commit: left to SQLite, the writer ran them itself
//! whenever the log passed 1,000 pages, in the middle of the commit path (a fifth of its time in a profile).
//! The log can only start over from its beginning once a checkpoint has caught up with it completely, which a
//! checkpoint running beside a busy writer never does: so once every `WRITER_CHECKPOINT_EVERY` the writer runs one
//! itself between batches, copying only what arrived since the checkpointer's last, and its next transaction
//! starts the log over. The log stays about a second of writes long, so a start after a crash has little to
//! replay.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{db, StoreError};
use roster_core::DomainError;

/// Most requests in one transaction.
pub const MAX_BATCH: usize = 512;

/// How long the checkpointer waits after a commit before checkpointing, folding the commits meanwhile into one
/// checkpoint.
pub const CHECKPOINT_DELAY: Duration = Duration::from_millis(200);

/// How often the writer checkpoints itself so that the log can start over (see the module's documentation).
pub const WRITER_CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Upper bounds of the batch-size histogram in `WriterStats::batch_sizes` (the last is `MAX_BATCH`).
pub const BATCH_SIZE_BOUNDS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> Completion + Send>;

/// Counters of the writer, for metrics and tests.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed (or failed).
    pub batches: AtomicU64,
    /// Requests run.
    pub requests: AtomicU64,
    /// The most requests one transaction carried.
    pub largest_batch: AtomicU64,
    /// Requests sent and not yet taken by the writer.
    pub queued: AtomicU64,
    /// Batches by size: `batch_sizes[i]` counts those of at most `BATCH_SIZE_BOUNDS[i]` requests (and more
    /// than the bound before).
    pub batch_sizes: [AtomicU64; BATCH_SIZE_BOUNDS.len()],
}

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    stats: Arc<WriterStats>,
}

impl Writer {
    /// Start the writer on `conn`, and the checkpointer on `checkpoints` (a second connection to the same
    /// database). The writer's own automatic checkpoints are turned off.
    pub fn start(conn: Connection, checkpoints: Connection) -> rusqlite::Result<Self> {
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // When the log starts over, a file grown past 64 MiB by a burst is cut back to that.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let stats = Arc::new(WriterStats::default());
        let thread_stats = stats.clone();
        thread::Builder::new()
            .name("roster-checkpoint".into())
            .spawn(move || checkpointer(&checkpoints, &woken))
            .expect("spawn checkpoint thread");
        thread::Builder::new()
            .name("roster-writer".into())
            .spawn(move || run(conn, rx, &thread_stats, &wake))
            .expect("spawn writer thread");
        Ok(Self { tx, stats })
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Run `work` in the next batch; resolves once its batch has committed (or failed).
    pub async fn write<T, F>(&self, work: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel();
        let job: Job = Box::new(move |conn: &Connection| {
            let outcome = in_savepoint(conn, work);
            Box::new(move |commit: Result<(), String>| {
                let result = match commit {
                    Ok(()) => outcome,
                    // The batch did not commit: whatever this request did is gone. So is a response another
                    // request of the batch stored under an idempotency key this request then found.
                    Err(e) => match outcome {
                        Ok(_) | Err(DomainError::IdempotentReplay(_)) => {
                            Err(DomainError::Internal(format!("commit failed: {e}")))
                        }
                        Err(domain) => Err(domain),
                    },
                };
                let _ = done_tx.send(result);
            })
        });
        self.stats.queued.fetch_add(1, Ordering::SeqCst);
        self.tx.send(job).map_err(|_| DomainError::Internal("writer stopped".into()))?;
        done_rx.await.map_err(|_| DomainError::Internal("writer dropped the request".into()))?
    }
}

fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, DomainError> {
    if let Err(e) = conn.execute_batch("SAVEPOINT req") {
        return Err(db(e).into());
    }
    match work(conn) {
        Ok(value) => match conn.execute_batch("RELEASE req") {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK TO req; RELEASE req");
                Err(db(e).into())
            }
        },
        Err(err) => {
            if let Err(e) = conn.execute_batch("ROLLBACK TO req; RELEASE req") {
                tracing::error!(error = %e, "rollback to savepoint failed");
            }
            Err(err.into())
        }
    }
}

/// Checkpoint (PASSIVE: never waiting for the writer or readers) `CHECKPOINT_DELAY` after each wake-up, until the
/// writer is gone.
fn checkpointer(conn: &Connection, woken: &mpsc::Receiver<()>) {
    while woken.recv().is_ok() {
        thread::sleep(CHECKPOINT_DELAY);
        while woken.try_recv().is_ok() {}
        checkpoint(conn, "checkpoint thread");
    }
}

/// One PASSIVE checkpoint; a failure is logged (the next one tries again).
fn checkpoint(conn: &Connection, by: &str) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, by, "checkpoint failed");
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Job>, stats: &WriterStats, wake_checkpointer: &mpsc::SyncSender<()>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut last_checkpoint = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let size = batch.len();
        stats.queued.fetch_sub(size as u64, Ordering::SeqCst);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.requests.fetch_add(size as u64, Ordering::Relaxed);
        stats.largest_batch.fetch_max(size as u64, Ordering::Relaxed);
        let bucket = BATCH_SIZE_BOUNDS.partition_point(|&bound| bound < size as u64);
        stats.batch_sizes[bucket.min(BATCH_SIZE_BOUNDS.len() - 1)].fetch_add(1, Ordering::Relaxed);
        let completions: Vec<Completion>;
        let commit = match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                completions = batch.drain(..).map(|job| job(&conn)).collect();
                conn.execute_batch("COMMIT").map_err(|e| {
                    let _ = conn.execute_batch("ROLLBACK");
                    e.to_string()
                })
            }
            Err(e) => {
                // Could not even begin: run nothing, fail everyone in the batch.
                // Dropping the jobs drops their reply channels: each caller gets an internal error.
                batch.clear();
                completions = Vec::new();
                Err(e.to_string())
            }
        };
        if let Err(e) = &commit {
            tracing::error!(error = %e, size, "batch failed to commit");
        } else {
            tracing::trace!(size, "batch committed");
            // Wake the checkpointer unless a wake-up is already pending.
            let _ = wake_checkpointer.try_send(());
        }
        for complete in completions {
            complete(commit.clone());
        }
        // After the answers: nobody waits for it.
        if last_checkpoint.elapsed() >= WRITER_CHECKPOINT_EVERY {
            last_checkpoint = std::time::Instant::now();
            // Busy while the checkpointer runs one: then the next time round.
            checkpoint(&conn, "writer");
        }
    }
}
