//! The membership rules, over real HTTP: existence of org/user/role, uniqueness, quota, the last member
//! holding `org:sys_memberships:manage`, metadata merge and limits, parameter errors, cascades on user
//! and organization deletion, the instance-wide and per-user lists, and isolation between instances.
//! The concurrent tests fire real simultaneous requests and check that exactly the right ones win.

mod bulk;
mod create;
mod isolation;
mod last_manager;
mod lists;
mod metadata;
mod params;

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::json::sorted;
use roster_testkit::{Resp, TestApp};

const MAX_METADATA: usize = 8192;

fn memberships(org: &str) -> String {
    format!("/organizations/{org}/memberships")
}

fn membership(org: &str, user: &str) -> String {
    format!("/organizations/{org}/memberships/{user}")
}

fn metadata(org: &str, user: &str) -> String {
    format!("/organizations/{org}/memberships/{user}/metadata")
}

/// The organization's `members_count`, as the API reports it.
async fn members_count(app: &TestApp, org: &str) -> i64 {
    app.get(&format!("/organizations/{org}?include_members_count=true")).await.ok()["members_count"]
        .as_i64()
        .expect("members_count")
}

/// The org's membership list (up to 500).
async fn list(app: &TestApp, org: &str) -> Value {
    app.get(&format!("{}?limit=500", memberships(org))).await.ok().clone()
}

/// How many members of the org hold `org:admin`.
async fn admin_count(app: &TestApp, org: &str) -> i64 {
    app.get(&format!("{}?role=org:admin", memberships(org))).await.ok()["total_count"].as_i64().unwrap()
}

/// The stored membership of `user` in `org`, re-read through the list.
async fn stored(app: &TestApp, org: &str, user: &str) -> Value {
    let page = app.get(&format!("{}?user_id={user}", memberships(org))).await;
    let page = page.ok();
    assert_eq!(page["total_count"], 1, "{page}");
    page["data"][0].clone()
}

/// The stored (public, private) metadata of a membership.
async fn stored_metadata(app: &TestApp, org: &str, user: &str) -> (Value, Value) {
    let m = stored(app, org, user).await;
    (m["public_metadata"].clone(), m["private_metadata"].clone())
}

/// The user ids of a membership page, sorted.
fn user_ids(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["public_user_data"]["user_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The organization ids of a membership page, sorted.
fn org_ids(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        page["data"].as_array().unwrap().iter().map(|m| m["organization"]["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

/// Split responses into successes and the rest, asserting every failure is `status`/`code`.
fn tally(responses: &[Resp], status: u16, code: &str) -> usize {
    let mut ok = 0;
    for r in responses {
        if r.status == 200 {
            ok += 1;
        } else {
            r.err(status, code);
        }
    }
    ok
}
