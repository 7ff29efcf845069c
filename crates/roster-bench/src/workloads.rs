//! The suite: start the ceiling and Roster, seed, run every workload at every connection count, print
//! one table with each figure beside the hello-world ceiling measured in the same run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Result;
use reqwest::Method;
use serde_json::json;
use tokio::process::Command;

use crate::load::{self, Outcome, Req};
use crate::procs;
use crate::seed::{self, Api};
use crate::RunArgs;

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
    let t = std::time::Instant::now();
    let seed::Seeded { users, orgs, read_org, members } = seed::seed(api, args.users, args.orgs, args.members).await?;
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
    // Creates continue across runs so every request adds a new (organization, user) pair.
    let created = Arc::new(AtomicU64::new(0));
    for &conns in &args.connections {
        let hello_url = format!("{}/hello", hello.base);
        let (ceiling, cpu) = measured(
            hello,
            load::run(conns, args.duration, None, move |_| Req {
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
                let k = c.fetch_add(1, Ordering::Relaxed) as usize;
                let org = &o[k % o.len()];
                let user = &u[(k / o.len()) % u.len()];
                Req {
                    method: Method::POST,
                    url: format!("{b}/organizations/{org}/memberships"),
                    body: Some(json!({"user_id": user, "role": "org:member"})),
                }
            }),
        )
        .await;
        row("create membership", conns, &out, ceiling, cpu);

        let (b, m, org) = (base.clone(), members.clone(), read_org.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(KEY.into()), move |i| Req {
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
                method: Method::GET,
                url: format!("{b}/organizations/{org}/memberships?query=user{}%40&limit=10", i as usize % m.len()),
                body: None,
            }),
        )
        .await;
        row("search query=", conns, &out, ceiling, cpu);
    }
    drop(roster);
    Ok(())
}
