//! Invitations over real HTTP: creation and its rules (one pending invitation per address and organization,
//! none for a member, the role must exist, members plus pending invitations within the quota), expiry, revoke,
//! the accept extension, the three lists with their filters and orders, and the races that must not break the
//! rules on one node or two.

mod accept;
mod create;
mod lists;
mod races;

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::{Resp, TestApp};

fn invitations(org: &str) -> String {
    format!("/organizations/{org}/invitations")
}

fn invitation(org: &str, id: &str) -> String {
    format!("/organizations/{org}/invitations/{id}")
}

/// Invite `email` to `org` as `org:member`; the invitation.
async fn invite(app: &TestApp, org: &str, email: &str) -> Value {
    app.post(&invitations(org), json!({"email_address": email, "role": "org:member"})).await.ok().clone()
}

/// An organization with an admin (`owner@…`) and its id, and the admin's id.
async fn org_with_admin(app: &TestApp, name: &str) -> (String, String) {
    let owner = app.user_with_email(&format!("owner@{}.example", name.to_lowercase())).await;
    let org = app.org(json!({"name": name, "created_by": owner})).await;
    (org, owner)
}

fn status_of(r: &Resp) -> &str {
    r.ok()["status"].as_str().expect("status")
}
