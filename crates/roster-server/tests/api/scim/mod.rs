//! SCIM provisioning over real HTTP: directory management (`/v1/scim_directories`), the SCIM 2.0 endpoint each
//! directory serves, request sequences in the shapes Okta and Microsoft Entra ID send, and what they do to the
//! organization's memberships, under its rules, with one directory never reaching another.

mod directories;
mod entra;
mod okta;
mod rules;

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::{Api, Resp, TestApp};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A directory as a test uses it: its management view, and a client of its SCIM endpoint with its key.
pub struct Dir {
    pub id: String,
    pub key: String,
    pub scim: Api,
    pub created: Value,
}

/// Create a directory for `org` (with `extra` fields merged into the body).
pub async fn directory(app: &TestApp, org: &str, extra: Value) -> Dir {
    let mut body = json!({"organization_id": org, "provider": "okta", "name": "Corporate IdP"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let created = app.post("/scim_directories", body).await.ok().clone();
    let key = created["api_key"].as_str().expect("api_key").to_owned();
    let url = created["endpoint_url"].as_str().expect("endpoint_url").to_owned();
    Dir { id: created["id"].as_str().unwrap().to_owned(), scim: Api::new(url, key.clone()), key, created }
}

impl Dir {
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.scim.call(method, path, body).await
    }

    /// `POST /Users` with a minimal body; returns the created resource.
    pub async fn user(&self, user_name: &str, email: &str) -> Value {
        let body = json!({"schemas": [USER], "userName": user_name, "emails": [{"value": email, "primary": true}], "active": true});
        let r = self.scim.post("/Users", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    pub async fn group(&self, display_name: &str, members: &[&str]) -> Value {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let r = self
            .scim
            .post("/Groups", json!({"schemas": [GROUP], "displayName": display_name, "members": members}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    pub async fn patch(&self, path: &str, operations: Value) -> Resp {
        self.scim.patch(path, json!({"schemas": [PATCH_OP], "Operations": operations})).await
    }
}

/// Assert a SCIM error: the status, SCIM's error schema and (when given) its `scimType`.
#[track_caller]
pub fn scim_err(r: &Resp, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["schemas"], json!([ERROR]), "{}", r.text);
    assert_eq!(r.body["status"], status.to_string(), "{}", r.text);
    assert_eq!(r.body["scimType"].as_str(), scim_type, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/scim+json");
}

/// The role of `user` in `org`, or `None` when they are no member.
pub async fn role_of(app: &TestApp, org: &str, user: &str) -> Option<String> {
    let r = app.get(&format!("/organizations/{org}/memberships?user_id={user}")).await;
    r.ok()["data"].as_array().unwrap().first().map(|m| m["role"].as_str().unwrap().to_owned())
}

/// The Roster user a provisioned user is linked to: the member of `org` with the SCIM user's email.
pub async fn roster_user(app: &TestApp, email: &str) -> String {
    let r = app.get(&format!("/users?email_address={email}")).await;
    let users = r.ok().as_array().expect("users").clone();
    assert_eq!(users.len(), 1, "{users:?}");
    users[0]["id"].as_str().unwrap().to_owned()
}
