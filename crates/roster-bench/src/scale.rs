//! `roster-bench scale`: the footprint and search goals at scale. Seeds users and memberships through the
//! API (one large organization and many small ones), then reports resident memory, the time from process start
//! to serving on the existing database, and `query=` latency with `total_count` on the large organization.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use reqwest::Method;
use serde_json::json;
use tokio::process::Command;

use crate::load::{self, Req};
use crate::procs::{self, Proc};
use crate::seed::{many, Api};

const KEY: &str = "sk_test_roster_bench_scale";

#[derive(Debug, clap::Args)]
pub struct ScaleArgs {
    #[arg(long, default_value = "target/release/roster")]
    pub roster: String,
    /// Users in the instance.
    #[arg(long, default_value_t = 1_000_000)]
    pub users: usize,
    /// Members of the large organization the search runs on.
    #[arg(long, default_value_t = 100_000)]
    pub big_org_members: usize,
    /// Memberships in all (the rest go to organizations of 1,000 members).
    #[arg(long, default_value_t = 1_000_000)]
    pub memberships: usize,
    /// Concurrent requests while seeding.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Length of the search run.
    #[arg(long, default_value = "5", value_parser = crate::load::parse_secs)]
    pub duration: Duration,
}

fn roster_cmd(bin: &str, db: &std::path::Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("ROSTER_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_LOG", "warn");
    cmd
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map(|b| format!("{:.1} MiB", b as f64 / 1048576.0)).unwrap_or_else(|| "-".into())
}

async fn seed(p: &Proc, args: &ScaleArgs) -> Result<String> {
    let api = Arc::new(Api { client: reqwest::Client::new(), base: format!("{}/v1", p.base), key: KEY.into() });
    let t = Instant::now();
    let a = api.clone();
    let users = many(args.users, args.concurrency, move |i| {
        let a = a.clone();
        async move {
            a.post(
                "/users",
                json!({
                    "email_address": [format!("member{i:07}@scale{}.example", i % 1000)],
                    "first_name": format!("First{}", i % 5000),
                    "last_name": format!("Last{}", i % 7919),
                }),
            )
            .await
        }
    })
    .await?;
    eprintln!("seeded {} users in {:.0}s", users.len(), t.elapsed().as_secs_f64());
    let big =
        api.post("/organizations", json!({"name": "Big Org"})).await?["id"].as_str().unwrap_or_default().to_owned();
    let users = Arc::new(users);
    let rest = args.memberships.saturating_sub(args.big_org_members);
    let small_orgs = rest.div_ceil(1000);
    let a = api.clone();
    let orgs = Arc::new(
        many(small_orgs, args.concurrency, move |i| {
            let a = a.clone();
            async move { a.post("/organizations", json!({"name": format!("Org {i}")})).await }
        })
        .await?,
    );
    let t = Instant::now();
    let (a, u, o, b, n) = (api.clone(), users.clone(), orgs.clone(), big.clone(), args.big_org_members);
    let total = args.big_org_members + rest;
    many(total, args.concurrency, move |k| {
        let (a, u, o, b) = (a.clone(), u.clone(), o.clone(), b.clone());
        async move {
            // The first `n` go to the big organization; the rest fill organizations of 1,000, each user once per org.
            let (org, user) = if k < n {
                (b, u[k % u.len()].clone())
            } else {
                let j = k - n;
                (o[j / 1000].clone(), u[(j * 7919) % u.len()].clone())
            };
            a.post(&format!("/organizations/{org}/memberships"), json!({"user_id": user, "role": "org:member"})).await
        }
    })
    .await?;
    eprintln!("seeded {total} memberships in {:.0}s", t.elapsed().as_secs_f64());
    Ok(big)
}

pub async fn run(args: ScaleArgs) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("scale.db");
    // Seeding is measured elsewhere; `normal` durability only makes it quicker.
    let first =
        procs::start(roster_cmd(&args.roster, &db, &["--durability", "normal"]), "roster listening on ").await?;
    let big = seed(&first, &args).await?;
    println!("resident memory after seeding: {}", mib(first.rss_bytes()));
    first.stop().await?;

    // Ready on an existing database: from spawn to the first answered request.
    let t = Instant::now();
    let second = procs::start(roster_cmd(&args.roster, &db, &[]), "roster listening on ").await?;
    let client = reqwest::Client::new();
    let ready = client.get(format!("{}/readyz", second.base)).send().await?.status();
    println!("ready on the existing database in {:.0} ms (readyz {ready})", t.elapsed().as_secs_f64() * 1000.0);
    println!("resident memory after restart: {}", mib(second.rss_bytes()));

    let base = format!("{}/v1/organizations/{big}/memberships", second.base);
    let check: serde_json::Value =
        client.get(format!("{base}?query=member00012&limit=10")).bearer_auth(KEY).send().await?.json().await?;
    println!("query=member00012 on the large organization: total_count {}", check["total_count"]);
    for conns in [1usize, 32] {
        let b = base.clone();
        let out = load::run(conns, args.duration, Some(KEY.into()), move |i| Req {
            idempotency_key: None,
            method: Method::GET,
            // An 11-character prefix shared by 100 users of the instance; some or none are in the large organization.
            url: format!("{b}?query=member{:05}&limit=10", (i * 7) % 10_000),
            body: None,
        })
        .await;
        println!(
            "search query= ({conns} conns): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
            out.rps(),
            out.p50_us as f64 / 1000.0,
            out.p99_us as f64 / 1000.0,
            out.errors
        );
    }
    let b = base.clone();
    let out = load::run(32, args.duration, Some(KEY.into()), move |i| Req {
        idempotency_key: None,
        method: Method::GET,
        url: format!("{b}?limit=10&offset={}", (i * 10) % 100_000),
        body: None,
    })
    .await;
    println!(
        "list page of 10, deep offsets (32 conns): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
        out.rps(),
        out.p50_us as f64 / 1000.0,
        out.p99_us as f64 / 1000.0,
        out.errors
    );
    println!("resident memory after the read runs: {}", mib(second.rss_bytes()));

    // Ready after a crash: kill the durable server in the middle of a write load, then start on what it left.
    let users = format!("{}/v1/users", second.base);
    let writes = tokio::spawn(load::run(64, args.duration, Some(KEY.into()), move |i| Req {
        idempotency_key: None,
        method: Method::POST,
        url: users.clone(),
        body: Some(json!({ "first_name": format!("crash{i}") })),
    }));
    tokio::time::sleep(args.duration / 2).await;
    let wal = dir.path().join("scale.db-wal");
    second.kill().await?;
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let written = writes.await?;
    println!(
        "killed during a write load ({} requests, {} failed at the kill): log of {} left",
        written.requests,
        written.errors,
        mib(Some(wal_bytes))
    );
    let t = Instant::now();
    let third = procs::start(roster_cmd(&args.roster, &db, &[]), "roster listening on ").await?;
    let ready = client.get(format!("{}/readyz", third.base)).send().await?.status();
    println!("ready after the kill in {:.0} ms (readyz {ready})", t.elapsed().as_secs_f64() * 1000.0);
    third.stop().await?;
    Ok(())
}
