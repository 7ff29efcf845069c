//! Seeding through the API itself: each helper asserts the create succeeded and returns what tests need.

use serde_json::{json, Value};

use crate::http::Api;

impl Api {
    /// Create a user from a JSON body; returns its id.
    pub async fn user(&self, body: Value) -> String {
        self.post("/users", body).await.ok()["id"].as_str().expect("user id").to_owned()
    }

    /// Create a user with just an email address; returns its id.
    pub async fn user_with_email(&self, email: &str) -> String {
        self.user(json!({ "email_address": [email] })).await
    }

    /// Create an organization from a JSON body; returns its id.
    pub async fn org(&self, body: Value) -> String {
        self.post("/organizations", body).await.ok()["id"].as_str().expect("organization id").to_owned()
    }

    /// Add a member; returns the membership JSON.
    pub async fn add_member(&self, org: &str, user: &str, role: &str) -> Value {
        self.post(&format!("/organizations/{org}/memberships"), json!({ "user_id": user, "role": role }))
            .await
            .ok()
            .clone()
    }

    /// The id of the role with this key (`org:admin`, a custom one).
    pub async fn role_id(&self, key: &str) -> String {
        let roles = self.get("/organization_roles?limit=500").await;
        let role = roles.ok()["data"].as_array().expect("roles").iter().find(|r| r["key"] == key).cloned();
        role.unwrap_or_else(|| panic!("no role {key}"))["id"].as_str().expect("role id").to_owned()
    }

    /// The id of the permission with this key (`org:sys_memberships:manage`, a custom one).
    pub async fn permission_id(&self, key: &str) -> String {
        let perms = self.get("/organization_permissions?limit=500").await;
        let perm = perms.ok()["data"].as_array().expect("permissions").iter().find(|p| p["key"] == key).cloned();
        perm.unwrap_or_else(|| panic!("no permission {key}"))["id"].as_str().expect("permission id").to_owned()
    }
}
