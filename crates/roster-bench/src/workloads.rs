//! The suite: start the ceiling and Roster, seed, run every workload at every connection count, print
//! one table with each figure beside the hello-world ceiling measured in the same run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use reqwest::Method;
use serde_json::json;
use tokio::process::Command;

use crate::bulk;
use crate::load::{self, Outcome, Req};
use crate::procs;
use crate::seed::{self, Api};
use crate::tokens;

const KEY: &str = "sk_test_roster_bench";

/// One line of the table. `cpu` is the server's CPU time during the run: divided by the requests it gives the
/// server's cost per request, which the load generator sharing the machine does not distort.
fn row(name: &str, conns: usize, o: &Outcome, ceiling: f64, cpu: Option<std::time::Duration>) {
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
fn pair<'a>(orgs: &'a [String], users: &'a [String], k: usize) -> (&'a str, &'a str) {
    (&orgs[k % orgs.len()], &users[(k / orgs.len()) % users.len()])
}

/// The CPU time `p` used while `f` ran.
async fn measured<T>(p: &procs::Proc, f: impl std::future::Future<Output = T>) -> (T, Option<std::time::Duration>) {
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
}

pub async fn run(args: RunArgs) -> Result<()> {
    let me = std::env::current_exe()?;
    let mut hello_cmd = Command::new(&me);
    hello_cmd.args(["hello", "--listen", "127.0.0.1:0"]);
    let hello = procs::start(hello_cmd, "hello listening on ").await?;

    if !args.postgres_only {
        println!("== SQLite");
        suite(&args, &hello, &roster_testdb::TestDb::sqlite()).await?;
    }
    if let Some(url) = &args.postgres_url {
        println!("== PostgreSQL");
        suite(&args, &hello, &roster_testdb::TestDb::postgres(url)).await?;
    }
    drop(hello);
    Ok(())
}

/// Seed a fresh Roster on `db` and run every workload at every connection count beside the ceiling.
async fn suite(args: &RunArgs, hello: &procs::Proc, db: &roster_testdb::TestDb) -> Result<()> {
    let mut roster_cmd = Command::new(&args.roster);
    roster_cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(&args.roster_arg)
        .env("ROSTER_DATABASE_URL", &db.url)
        .env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_LOG", "warn");
    let roster = procs::start(roster_cmd, "roster listening on ").await?;
    let base = format!("{}/v1", roster.base);

    let api = Arc::new(Api { client: reqwest::Client::new(), base: base.clone(), key: KEY.into() });
    let token_api = api.clone();
    // A second role without the right to manage memberships, for the role updates to switch to and back (a
    // switch away from org:admin could meet the last-admin rule).
    api.post("/organization_roles", json!({"name": "Viewer", "key": "org:viewer", "permissions": []})).await?;
    let t = std::time::Instant::now();
    let seed::Seeded { users, orgs, read_org, members } =
        seed::seed(api.clone(), args.users, args.orgs, args.members).await?;
    // Organizations for bulk creates only, so their pairs never meet the single creates'.
    let bulk_orgs = Arc::new(seed::organizations(api, args.orgs, "Bulk").await?);
    eprintln!(
        "seeded {} users, {} organizations, {} members in {:.1}s",
        users.len(),
        orgs.len(),
        members.len(),
        t.elapsed().as_secs_f64()
    );

    println!(
        "{:<22} {:>5} {:>10} {:>9} {:>9} {:>7} {:>9} {:>12}",
        "workload", "conns", "req/s", "p50 ms", "p99 ms", "errors", "vs hello", "server µs/req"
    );
    let (users, orgs, members) = (Arc::new(users), Arc::new(orgs), Arc::new(members));
    // Creates continue across runs so every request adds a new (organization, user) pair; deletes take the
    // oldest pairs first.
    let (created, deleted) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let bulk_next = Arc::new(AtomicU64::new(0));
    let session = tokens::session(&token_api, &members[0], &read_org).await?;
    for &conns in &args.connections {
        let hello_url = format!("{}/hello", hello.base);
        let (ceiling, cpu) = measured(
            hello,
            load::run(conns, args.duration, None, move |_| Req {
                idempotency_key: None,
                method: Method::GET,
                url: hello_url.clone(),
                body: None,
            }),
        )
        .await;
        row("hello (ceiling)", conns, &ceiling, ceiling.rps(), cpu);
        let ceiling = ceiling.rps();

        let (b, u, o, c) = (base.clone(), users.clone(), orgs.clone(), created.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |_| {
                let (org, user) = pair(&o, &u, c.fetch_add(1, Ordering::Relaxed) as usize);
                Req {
                    idempotency_key: None,
                    method: Method::POST,
                    url: format!("{b}/organizations/{org}/memberships"),
                    body: Some(json!({"user_id": user, "role": "org:member"})),
                }
            }),
        )
        .await;
        row("create membership", conns, &out, ceiling, cpu);
        let single_rps = out.rps();

        // The same creates, each with an Idempotency-Key: what keys cost a write (issue 21's goal: >= 0.9).
        let (b, u, o, c) = (base.clone(), users.clone(), orgs.clone(), created.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| {
                let (org, user) = pair(&o, &u, c.fetch_add(1, Ordering::Relaxed) as usize);
                Req {
                    idempotency_key: Some(format!("bench-{org}-{user}-{i}")),
                    method: Method::POST,
                    url: format!("{b}/organizations/{org}/memberships"),
                    body: Some(json!({"user_id": user, "role": "org:member"})),
                }
            }),
        )
        .await;
        row("create (idem. key)", conns, &out, ceiling, cpu);

        // Bulk creates of 500: memberships per second beside single creates (issue 21's goal: >= 50k/s).
        let (out, cpu) = measured(
            &roster,
            bulk::run(&base, KEY, conns, args.duration, bulk_orgs.clone(), users.clone(), bulk_next.clone()),
        )
        .await;
        row("bulk create (500)", conns, &out, ceiling, cpu);
        let per_second =
            out.rps() * bulk::ITEMS as f64 * (out.requests - out.errors) as f64 / out.requests.max(1) as f64;
        println!(
            "{:<22} {conns:>5} {per_second:>10.0} memberships/s in bulk, {:.1}x single creates",
            "  (bulk memberships)",
            per_second / single_rps.max(1.0)
        );

        // Updates and deletes work on the memberships the creates made: pairs `deleted..created`.
        let live = {
            let (deleted, created) = (deleted.clone(), created.clone());
            move || (deleted.load(Ordering::Relaxed) as usize, created.load(Ordering::Relaxed) as usize)
        };
        let (b, u, o, live2) = (base.clone(), users.clone(), orgs.clone(), live.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| {
                let (from, to) = live2();
                let (org, user) = pair(&o, &u, from + i as usize % (to - from).max(1));
                Req {
                    idempotency_key: None,
                    method: Method::PATCH,
                    url: format!("{b}/organizations/{org}/memberships/{user}/metadata"),
                    body: Some(json!({"public_metadata": {"seen": i, "tier": {"level": i % 3}}})),
                }
            }),
        )
        .await;
        row("update metadata", conns, &out, ceiling, cpu);

        let (b, u, o) = (base.clone(), users.clone(), orgs.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| {
                let (from, to) = live();
                let (org, user) = pair(&o, &u, from + i as usize % (to - from).max(1));
                let role = if i % 2 == 0 { "org:viewer" } else { "org:member" };
                Req {
                    idempotency_key: None,
                    method: Method::PATCH,
                    url: format!("{b}/organizations/{org}/memberships/{user}"),
                    body: Some(json!({ "role": role })),
                }
            }),
        )
        .await;
        row("update role", conns, &out, ceiling, cpu);

        // Half as long as the creates ran, so it never runs out of memberships to delete.
        let (b, u, o, d) = (base.clone(), users.clone(), orgs.clone(), deleted.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration / 2, Some(KEY.into()), move |_| {
                let k = d.fetch_add(1, Ordering::Relaxed) as usize;
                let (org, user) = pair(&o, &u, k);
                Req {
                    idempotency_key: None,
                    method: Method::DELETE,
                    url: format!("{b}/organizations/{org}/memberships/{user}"),
                    body: None,
                }
            }),
        )
        .await;
        row("delete membership", conns, &out, ceiling, cpu);

        let (b, m, org) = (base.clone(), members.clone(), read_org.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| Req {
                idempotency_key: None,
                method: Method::GET,
                url: format!("{b}/organizations/{org}/memberships?user_id={}", m[i as usize % m.len()]),
                body: None,
            }),
        )
        .await;
        row("get (user_id filter)", conns, &out, ceiling, cpu);

        let (b, m, org) = (base.clone(), members.clone(), read_org.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| Req {
                idempotency_key: None,
                method: Method::GET,
                url: format!("{b}/organizations/{org}/memberships?limit=10&offset={}", (i as usize * 10) % m.len()),
                body: None,
            }),
        )
        .await;
        row("list page of 10", conns, &out, ceiling, cpu);

        let (b, m, org) = (base.clone(), members.clone(), read_org.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| Req {
                idempotency_key: None,
                method: Method::GET,
                url: format!("{b}/organizations/{org}/memberships?query=user{}%40&limit=10", i as usize % m.len()),
                body: None,
            }),
        )
        .await;
        row("search query=", conns, &out, ceiling, cpu);

        // Session tokens beside raw RS256 signing on every core, measured right after (issue 15's goal: >= 0.7).
        let (out, cpu) = measured(&roster, tokens::issue(&base, KEY, conns, args.duration, &session)).await;
        row("issue session token", conns, &out, ceiling, cpu);
        let raw = tokens::raw_signing(args.duration);
        println!(
            "{:<22} {conns:>5} {raw:>10.0} raw RS256 signatures/s on every core; tokens issued at {:.2} of it",
            "  (raw signing)",
            out.rps() / raw
        );
    }
    let jwt: serde_json::Value = token_api.post(&format!("/sessions/{session}/tokens"), json!({})).await?;
    let jwks: roster_jwt::Jwks =
        reqwest::Client::new().get(format!("{base}/jwks")).bearer_auth(KEY).send().await?.json().await?;
    let per_core = tokens::verification(jwt["jwt"].as_str().unwrap_or_default(), jwks, args.duration)?;
    println!("{:<22} {:>5} {per_core:>10.0} verifications/s on one core, warm JWKS", "verify session token", 1);
    drop(roster);
    Ok(())
}
