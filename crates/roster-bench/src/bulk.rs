//! The bulk-create workload: `POST /organizations/{id}/memberships/bulk` with 500 items each (atomic, so a
//! request that is not answered 200 counts as an error), every item a new (organization, user) pair in
//! organizations of its own, beside the single creates of the same run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::load::{self, Outcome, Req};

/// Items per bulk request (the most the API takes).
pub const ITEMS: usize = 500;

/// Run bulk creates for `duration` on `conns` connections; request `j` fills block `j / orgs` of organization
/// `j % orgs` with users `block * 500 ..`, taken from `next` across runs.
pub async fn run(
    base: &str,
    key: &str,
    conns: usize,
    duration: Duration,
    orgs: Arc<Vec<String>>,
    users: Arc<Vec<String>>,
    next: Arc<AtomicU64>,
) -> Outcome {
    let base = base.to_owned();
    load::run(conns, duration, Some(key.into()), move |_| {
        let j = next.fetch_add(1, Ordering::Relaxed) as usize;
        let org = &orgs[j % orgs.len()];
        let block = (j / orgs.len()) * ITEMS;
        let items: Vec<Value> =
            (block..block + ITEMS).map(|u| json!({"user_id": users[u % users.len()], "role": "org:member"})).collect();
        Req {
            idempotency_key: None,
            method: Method::POST,
            url: format!("{base}/organizations/{org}/memberships/bulk"),
            body: Some(json!({"mode": "atomic", "items": items})),
        }
    })
    .await
}
