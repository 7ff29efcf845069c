//! Seeding through the API, many requests at once: users, organizations, and the members of the
//! organization the read workloads use.

use std::sync::Arc;

use anyhow::{Context, Result};
use reqwest::Client;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

pub struct Api {
    pub client: Client,
    pub base: String,
    pub key: String,
}

impl Api {
    pub async fn post(&self, path: &str, body: Value) -> Result<Value> {
        let r = self.client.post(format!("{}{path}", self.base)).bearer_auth(&self.key).json(&body).send().await?;
        let status = r.status();
        let v: Value = r.json().await?;
        anyhow::ensure!(status.is_success(), "POST {path} -> {status}: {v}");
        Ok(v)
    }

    pub async fn get(&self, path: &str) -> Result<Value> {
        let r = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.key).send().await?;
        let status = r.status();
        let v: Value = r.json().await?;
        anyhow::ensure!(status.is_success(), "GET {path} -> {status}: {v}");
        Ok(v)
    }
}

pub async fn many<F, Fut>(count: usize, concurrency: usize, f: F) -> Result<Vec<String>>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<Value>> + Send + 'static,
{
    let sem = Arc::new(Semaphore::new(concurrency));
    let mut handles = Vec::with_capacity(count);
    for i in 0..count {
        let permit = sem.clone().acquire_owned().await?;
        let fut = f(i);
        handles.push(tokio::spawn(async move {
            let out = fut.await;
            drop(permit);
            out
        }));
    }
    let mut ids = Vec::with_capacity(count);
    for h in handles {
        let v = h.await??;
        ids.push(v["id"].as_str().context("id")?.to_owned());
    }
    Ok(ids)
}

/// What `seed` created.
pub struct Seeded {
    pub users: Vec<String>,
    pub orgs: Vec<String>,
    /// The organization the read workloads query, and its members.
    pub read_org: String,
    pub members: Vec<String>,
}

/// `count` organizations named `{name} {i}`; their ids.
pub async fn organizations(api: Arc<Api>, count: usize, name: &'static str) -> Result<Vec<String>> {
    many(count, 64, move |i| {
        let api = api.clone();
        async move { api.post("/organizations", json!({"name": format!("{name} {i}")})).await }
    })
    .await
}

/// `count` users `user{i}@bench.example` with names; their ids.
pub async fn users(api: Arc<Api>, count: usize) -> Result<Vec<String>> {
    many(count, 64, move |i| {
        let a = api.clone();
        async move {
            a.post(
                "/users",
                json!({"email_address": [format!("user{i}@bench.example")], "first_name": format!("First{i}"), "last_name": format!("Last{}", i % 97)}),
            )
            .await
        }
    })
    .await
}

/// `users` users, `orgs` organizations, and `members` members in a read org.
pub async fn seed(api: Arc<Api>, users: usize, orgs: usize, members: usize) -> Result<Seeded> {
    let user_ids = self::users(api.clone(), users).await?;
    let org_ids = organizations(api.clone(), orgs, "Bench Org").await?;
    let read_org =
        api.post("/organizations", json!({"name": "Read Org"})).await?["id"].as_str().context("id")?.to_owned();
    let members = members.min(users);
    let a = api.clone();
    let (org, ids) = (read_org.clone(), user_ids.clone());
    many(members, 64, move |i| {
        let (a, org, user) = (a.clone(), org.clone(), ids[i].clone());
        async move {
            a.post(&format!("/organizations/{org}/memberships"), json!({"user_id": user, "role": "org:member"})).await
        }
    })
    .await?;
    let member_ids = user_ids[..members].to_vec();
    Ok(Seeded { users: user_ids, orgs: org_ids, read_org, members: member_ids })
}
