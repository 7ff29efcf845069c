//! Readers of Clerk's JSON bodies.

use serde_json::Value;

/// The string field `key` of `v` (panics when it is missing or not a string).
#[track_caller]
pub fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no string {key:?} in {v}")).to_owned()
}

/// The `data` array of a page.
#[track_caller]
pub fn data(body: &Value) -> &Vec<Value> {
    body["data"].as_array().unwrap_or_else(|| panic!("no data array: {body}"))
}

/// The `id`s of a page's items, in order.
pub fn ids(body: &Value) -> Vec<String> {
    data(body).iter().map(|item| str_of(item, "id")).collect()
}

/// The member user ids of a page of memberships, in order.
pub fn member_user_ids(body: &Value) -> Vec<String> {
    data(body).iter().map(|m| str_of(&m["public_user_data"], "user_id")).collect()
}

/// A sorted copy.
pub fn sorted<S: AsRef<str>>(v: &[S]) -> Vec<String> {
    let mut out: Vec<String> = v.iter().map(|s| s.as_ref().to_owned()).collect();
    out.sort();
    out
}
