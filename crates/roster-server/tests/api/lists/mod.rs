//! The list endpoints: every filter, every sort order (NULLs last, case-insensitive text, ties by id in
//! the same direction), pagination and the 422s of bad list parameters. Fixtures give every user explicit,
//! distinct values so each assertion names exactly which records come back and in which order; orders
//! that depend on server-side timestamps (membership `created_at`) are computed in the test from the
//! returned objects by `(created_at, id)`, as the store breaks ties.

mod filters;
mod instance;
mod orders;
mod organizations;
mod pages;
mod users;

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::json::{data, member_user_ids, str_of};
use roster_testkit::{TestApp, VERSION};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// Percent-encode a query-string value (`+` -> `%2B`, `@` -> `%40`, space -> `+`).
fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The elements of `all` at the positions `idx`, in that order.
fn pick(all: &[String], idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| all[i].clone()).collect()
}

/// The object ids of a page (`data[].id`) or of a plain array.
fn object_ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|o| str_of(o, "id")).collect()
}

/// Ids sorted by `(created_at, id)` ascending, as the store orders equal timestamps.
fn by_created(items: &[Value]) -> Vec<String> {
    let mut keyed: Vec<(i64, String)> =
        items.iter().map(|o| (o["created_at"].as_i64().unwrap(), str_of(o, "id"))).collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

fn reversed(v: &[String]) -> Vec<String> {
    v.iter().rev().cloned().collect()
}

/// A descending order from an ascending one whose last `nulls` entries lack the sort key: the rest
/// reverses, the NULLs stay last.
fn descending(asc: &[String], nulls: usize) -> Vec<String> {
    let (present, missing) = asc.split_at(asc.len() - nulls);
    present.iter().rev().chain(missing).cloned().collect()
}

fn wallet(c: char) -> String {
    format!("0x{}", c.to_string().repeat(40))
}

async fn get_ok(app: &TestApp, path: &str) -> Value {
    app.get(path).await.ok().clone()
}

/// Assert a 422 `form_param_value_invalid` naming `param`.
async fn assert_invalid(app: &TestApp, path: &str, param: &str) {
    let r = app.get(path).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), param, "{path}: {}", r.text);
}

// Unix milliseconds of the first of each month of 2024.
const JAN: i64 = 1_704_067_200_000;
const FEB: i64 = 1_706_745_600_000;
const MAR: i64 = 1_709_251_200_000;
const APR: i64 = 1_711_929_600_000;
const MAY: i64 = 1_714_521_600_000;
const JUN: i64 = 1_717_200_000_000;
const DAY: i64 = 86_400_000;
