//! What the workloads share: the bench's key, the table's rows, the create load, the ceiling, the `run`
//! arguments and the `roster serve` command.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::process::Command;

use crate::load::{self, Outcome, Req};
use crate::procs;

pub const KEY: &str = "sk_test_roster_bench";

/// One line of the table. `cpu` is the server's CPU time during the run: divided by the requests it gives the
/// server's cost per request, which the load generator sharing the machine does not distort.
pub fn row(name: &str, conns: usize, o: &Outcome, ceiling: f64, cpu: Option<std::time::Duration>) {
    let per_request = cpu.map(|c| format!("{:.0}", c.as_micros() as f64 / o.requests.max(1) as f64));
    println!(
        "{name:<22} {conns:>5} {:>10.0} {:>9.2} {:>9.2} {:>7} {:>8.0}% {:>12}",
        o.rps(),
        o.p50_us as f64 / 1000.0,
        o.p99_us as f64 / 1000.0,
        o.errors,
        100.0 * o.rps() / ceiling,
        per_request.unwrap_or_else(|| "-".into())
    );
}

/// The `k`th (organization, user) pair the create workload makes.
pub fn pair<'a>(orgs: &'a [String], users: &'a [String], k: usize) -> (&'a str, &'a str) {
    (&orgs[k % orgs.len()], &users[(k / orgs.len()) % users.len()])
}

/// The create workload: `POST /organizations/{id}/memberships` for `duration` on `conns` connections, each
/// request a new (organization, user) pair, the `created`th onwards (the counter goes on across runs).
pub async fn creates(
    base: &str,
    conns: usize,
    duration: Duration,
    orgs: Arc<Vec<String>>,
    users: Arc<Vec<String>>,
    created: Arc<AtomicU64>,
) -> Outcome {
    let b = base.to_owned();
    load::run(conns, duration, Some(KEY.into()), move |_| {
        let (org, user) = pair(&orgs, &users, created.fetch_add(1, Ordering::Relaxed) as usize);
        Req {
            idempotency_key: None,
            method: Method::POST,
            url: format!("{b}/organizations/{org}/memberships"),
            body: Some(json!({"user_id": user, "role": "org:member"})),
        }
    })
    .await
}

/// The hello ceiling at `conns` connections, printed as a row: its req/s.
pub async fn ceiling(hello: &procs::Proc, conns: usize, duration: Duration) -> f64 {
    let hello_url = format!("{}/hello", hello.base);
    let (ceiling, cpu) = measured(
        hello,
        load::run(conns, duration, None, move |_| Req {
            idempotency_key: None,
            method: Method::GET,
            url: hello_url.clone(),
            body: None,
        }),
    )
    .await;
    row("hello (ceiling)", conns, &ceiling, ceiling.rps(), cpu);
    ceiling.rps()
}

/// A group of workloads `--workloads` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Membership creates (single, keyed, bulk), updates, deletes, gets, lists and searches.
    Memberships,
    /// Session tokens beside raw signing, and offline verification (issue 15).
    Tokens,
    /// Creates with no webhook endpoint beside creates with one, and the delivery lag (issue 16).
    Webhooks,
    /// SCIM provisioning through a directory: user creates, lookups, list pages, patches (issue 18).
    Scim,
}

/// The CPU time `p` used while `f` ran.
pub async fn measured<T>(p: &procs::Proc, f: impl std::future::Future<Output = T>) -> (T, Option<std::time::Duration>) {
    let before = p.cpu_time();
    let out = f.await;
    let used = match (before, p.cpu_time()) {
        (Some(b), Some(a)) => Some(a.saturating_sub(b)),
        _ => None,
    };
    (out, used)
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The roster binary to measure (build it with --release).
    #[arg(long, default_value = "target/release/roster")]
    pub roster: String,
    /// Connection counts to run each workload at.
    #[arg(long, value_delimiter = ',', default_value = "32,64")]
    pub connections: Vec<usize>,
    /// Length of each measured run.
    #[arg(long, default_value = "5", value_parser = load::parse_secs)]
    pub duration: Duration,
    /// Organizations to seed (memberships are created across them).
    #[arg(long, default_value_t = 200)]
    pub orgs: usize,
    /// Users to seed.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// Members of the organization the read workloads use.
    #[arg(long, default_value_t = 2000)]
    pub members: usize,
    /// Extra arguments for `roster serve` (e.g. `--durability normal`).
    #[arg(long, allow_hyphen_values = true)]
    pub roster_arg: Vec<String>,
    /// Also run the suite on PostgreSQL (a fresh schema in this database, dropped afterwards), after SQLite and
    /// beside the same hello ceiling: e.g. `postgres://postgres@127.0.0.1:5432/test`.
    #[arg(long)]
    pub postgres_url: Option<String>,
    /// Run only on PostgreSQL (needs `--postgres-url`).
    #[arg(long, requires = "postgres_url")]
    pub postgres_only: bool,
    /// The workloads to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "memberships,tokens,webhooks")]
    pub workloads: Vec<Workload>,
    /// Rounds of each webhooks variant (no endpoint, one endpoint), alternated, at each connection count.
    #[arg(long, default_value_t = 3)]
    pub webhook_rounds: usize,
    /// How long the webhooks workload waits after a round for the receiver to have every event of it.
    #[arg(long, default_value = "120", value_parser = load::parse_secs)]
    pub webhook_drain_timeout: Duration,
}

impl RunArgs {
    pub fn runs(&self, w: Workload) -> bool {
        self.workloads.contains(&w)
    }
}

/// `roster serve` on `db` with the run's arguments, its instance's secret key `KEY`.
pub fn roster_command(args: &RunArgs, db: &roster_testdb::TestDb) -> Command {
    let mut cmd = Command::new(&args.roster);
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .args(&args.roster_arg)
        .env("ROSTER_DATABASE_URL", &db.url)
        .env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_LOG", "warn");
    cmd
}
