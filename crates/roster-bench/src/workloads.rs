//! The suite: start the ceiling and Roster, seed, run the selected workloads (`--workloads`) at every connection
//! count, print one table with each figure beside the hello-world ceiling measured in the same run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Result;
use reqwest::Method;
use serde_json::json;
use tokio::process::Command;

use crate::bulk;
pub use crate::common::RunArgs;
use crate::common::{ceiling, creates, measured, pair, roster_command, row, Workload, KEY};
use crate::load::{self, Req};
use crate::procs;
use crate::seed::{self, Api};
use crate::tokens;
use crate::webhooks;

pub async fn run(args: RunArgs) -> Result<()> {
    let me = std::env::current_exe()?;
    let mut hello_cmd = Command::new(&me);
    hello_cmd.args(["hello", "--listen", "127.0.0.1:0"]);
    let hello = procs::start(hello_cmd, "hello listening on ").await?;

    if !args.postgres_only {
        println!("== SQLite");
        suite(&args, &hello, &roster_testdb::TestDb::sqlite).await?;
    }
    if let Some(url) = &args.postgres_url {
        println!("== PostgreSQL");
        suite(&args, &hello, &|| roster_testdb::TestDb::postgres(url)).await?;
    }
    drop(hello);
    Ok(())
}

/// Run the selected workloads at every connection count beside the ceiling, on fresh databases from `new_db`.
async fn suite(args: &RunArgs, hello: &procs::Proc, new_db: &dyn Fn() -> roster_testdb::TestDb) -> Result<()> {
    let mut hooks =
        if args.runs(Workload::Webhooks) { Some(webhooks::Bench::start(args, new_db).await?) } else { None };
    if args.runs(Workload::Memberships) || args.runs(Workload::Tokens) {
        main_suite(args, hello, &new_db(), hooks.as_mut()).await?;
    } else if hooks.is_some() {
        header();
        for &conns in &args.connections {
            let ceiling = ceiling(hello, conns, args.duration).await;
            if let Some(h) = hooks.as_mut() {
                h.run(conns, ceiling).await?;
            }
        }
    }
    if let Some(h) = hooks {
        h.finish().await?;
    }
    if args.runs(Workload::Scim) {
        crate::scim::run(args, hello, &new_db()).await?;
    }
    Ok(())
}

fn header() {
    println!(
        "{:<22} {:>5} {:>10} {:>9} {:>9} {:>7} {:>9} {:>12}",
        "workload", "conns", "req/s", "p50 ms", "p99 ms", "errors", "vs hello", "server µs/req"
    );
}

/// Seed a fresh Roster on `db` and run the membership and token workloads beside the ceiling at every
/// connection count (and the webhooks one after them, on its own servers).
async fn main_suite(
    args: &RunArgs,
    hello: &procs::Proc,
    db: &roster_testdb::TestDb,
    mut hooks: Option<&mut webhooks::Bench>,
) -> Result<()> {
    let roster = procs::start(roster_command(args, db), "roster listening on ").await?;
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

    header();
    let (users, orgs, members) = (Arc::new(users), Arc::new(orgs), Arc::new(members));
    // Creates continue across runs so every request adds a new (organization, user) pair; deletes take the
    // oldest pairs first.
    let (created, deleted) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let bulk_next = Arc::new(AtomicU64::new(0));
    let session = tokens::session(&token_api, &members[0], &read_org).await?;
    for &conns in &args.connections {
        let ceiling = ceiling(hello, conns, args.duration).await;
        if args.runs(Workload::Memberships) {
            let (out, cpu) =
                measured(&roster, creates(&base, conns, args.duration, orgs.clone(), users.clone(), created.clone()))
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
        }
        if args.runs(Workload::Tokens) {
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
        if let Some(h) = hooks.as_deref_mut() {
            h.run(conns, ceiling).await?;
        }
    }
    if args.runs(Workload::Tokens) {
        let jwt: serde_json::Value = token_api.post(&format!("/sessions/{session}/tokens"), json!({})).await?;
        let jwks: roster_jwt::Jwks =
            reqwest::Client::new().get(format!("{base}/jwks")).bearer_auth(KEY).send().await?.json().await?;
        let per_core = tokens::verification(jwt["jwt"].as_str().unwrap_or_default(), jwks, args.duration)?;
        println!("{:<22} {:>5} {per_core:>10.0} verifications/s on one core, warm JWKS", "verify session token", 1);
    }
    drop(roster);
    Ok(())
}
