//! SCIM provisioning (issue 18): what an identity provider's sync costs. On a fresh Roster with one directory:
//! `POST /Users` (each a new user, member of the directory's organization), the lookup identity providers make
//! before every write (`GET /Users?filter=userName eq "…"`), a page of the unfiltered list, and a `PATCH` of a
//! user, each beside the hello ceiling and the Clerk API's own membership create measured in the same run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{ceiling, measured, roster_command, row, RunArgs, KEY};
use crate::load::{self, Req};
use crate::procs;
use crate::seed::Api;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn user_body(n: u64) -> Value {
    json!({
        "schemas": [USER],
        "userName": format!("user{n}@bench.test"),
        "name": {"givenName": "Bench", "familyName": format!("User {n}")},
        "emails": [{"value": format!("user{n}@bench.test"), "primary": true, "type": "work"}],
        "externalId": format!("ext-{n}"),
        "active": true
    })
}

pub async fn run(args: &RunArgs, hello: &procs::Proc, db: &roster_testdb::TestDb) -> Result<()> {
    let roster = procs::start(roster_command(args, db), "roster listening on ").await?;
    let api = Api { client: reqwest::Client::new(), base: format!("{}/v1", roster.base), key: KEY.into() };
    let org = api.post("/organizations", json!({"name": "Provisioned"})).await?;
    let org = org["id"].as_str().context("an organization id")?.to_owned();
    let dir = api.post("/scim_directories", json!({"organization_id": org, "provider": "okta"})).await?;
    let endpoint = dir["endpoint_url"].as_str().context("endpoint_url")?.to_owned();
    let key = dir["api_key"].as_str().context("api_key")?.to_owned();
    let users = Arc::new(AtomicU64::new(0));
    println!(
        "{:<22} {:>5} {:>10} {:>9} {:>9} {:>7} {:>9} {:>12}",
        "scim workload", "conns", "req/s", "p50 ms", "p99 ms", "errors", "vs hello", "server µs/req"
    );
    for &conns in &args.connections {
        let ceiling = ceiling(hello, conns, args.duration).await;
        let (url, next) = (format!("{endpoint}/Users"), users.clone());
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(key.clone()), move |_| Req {
                idempotency_key: None,
                method: Method::POST,
                url: url.clone(),
                body: Some(user_body(next.fetch_add(1, Ordering::Relaxed))),
            }),
        )
        .await;
        row("scim create user", conns, &out, ceiling, cpu);
        let known = users.load(Ordering::Relaxed).max(1);

        let url = format!("{endpoint}/Users");
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(key.clone()), move |i| Req {
                idempotency_key: None,
                method: Method::GET,
                url: format!("{url}?filter=userName%20eq%20%22user{}%40bench.test%22", (i * 7919) % known),
                body: None,
            }),
        )
        .await;
        row("scim get by userName", conns, &out, ceiling, cpu);

        let url = format!("{endpoint}/Users");
        let pages = (known / 100).max(1);
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(key.clone()), move |i| Req {
                idempotency_key: None,
                method: Method::GET,
                url: format!("{url}?startIndex={}&count=100", (i % pages) * 100 + 1),
                body: None,
            }),
        )
        .await;
        row("scim list page of 100", conns, &out, ceiling, cpu);

        // PATCH users found by the list: each request a user of the first page, round robin.
        let scim = Api { client: reqwest::Client::new(), base: endpoint.clone(), key: key.clone() };
        let page = scim.get("/Users?count=100&attributes=id").await?;
        let ids: Arc<Vec<String>> = Arc::new(
            page["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect(),
        );
        anyhow::ensure!(!ids.is_empty(), "no provisioned user to patch");
        let url = format!("{endpoint}/Users");
        let (out, cpu) = measured(
            &roster,
            load::run(conns, args.duration, Some(key.clone()), move |i| Req {
                idempotency_key: None,
                method: Method::PATCH,
                url: format!("{url}/{}", ids[i as usize % ids.len()]),
                body: Some(json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "title", "value": format!("title {i}")}]
                })),
            }),
        )
        .await;
        row("scim patch user", conns, &out, ceiling, cpu);
    }
    eprintln!("scim: {} users provisioned", users.load(Ordering::Relaxed));
    roster.stop().await
}
