//! Test harness: each `TestApp` is a real Roster on a database of its own, served over real HTTP on an
//! ephemeral port, with a known development key. The database is a fresh SQLite file, or, when
//! `ROSTER_TEST_BACKEND=postgres`, a fresh schema on the PostgreSQL server `ROSTER_TEST_POSTGRES_URL` names (`roster_testdb`): the whole
//! suite runs against either backend.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;
use roster_core::Store;
use roster_server::{AppState, Config};
use roster_testdb::TestDb;

pub const KEY: &str = "sk_test_roster_integration_tests";
pub const VERSION: &str = "2026-05-12";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub key: String,
    pub store: Arc<dyn Store>,
    /// The database (dropped after the store: fields drop in order).
    pub db: TestDb,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// Assert a 200 and return the JSON body.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "expected 200, got {}: {}", self.status, self.text);
        &self.body
    }

    /// Assert a Clerk error with this status and code; returns the first error object.
    #[track_caller]
    pub fn err(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "expected {status} {code}, got {}: {}", self.status, self.text);
        let errors = self.body["errors"].as_array().unwrap_or_else(|| panic!("no errors array: {}", self.text));
        assert_eq!(errors[0]["code"], code, "body: {}", self.text);
        assert!(errors[0]["message"].is_string() && errors[0]["long_message"].is_string(), "{}", self.text);
        assert!(self.body["clerk_trace_id"].as_str().is_some_and(|t| t.len() == 32), "{}", self.text);
        assert_eq!(self.headers["content-type"], "application/json");
        &errors[0]
    }

    /// The `meta.param_name` of the first error.
    pub fn param(&self) -> &str {
        self.body["errors"][0]["meta"]["param_name"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Config::default()).await
    }

    pub async fn spawn_with(config: Config) -> Self {
        let db = TestDb::new();
        let store = open_store(&db.url).await;
        store.bootstrap(Some(KEY)).await.expect("bootstrap");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(store.clone(), config);
        tokio::spawn(roster_server::serve(listener, state, std::future::pending()));
        Self { base: format!("http://{addr}/v1"), client: reqwest::Client::new(), key: KEY.to_owned(), store, db }
    }

    /// Whether this run's backend is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    /// Create another instance and return a key for it.
    pub async fn other_instance(&self, env: Environment) -> String {
        let instance = self.store.create_instance(env, "other").await.unwrap();
        self.store.create_key(&instance.id, None).await.unwrap().1
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let r = rb.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, text, body }
    }

    /// An authenticated request with the current API version.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(&self.key).header("Clerk-API-Version", VERSION)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.send(rb).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }

    /// Create a user from a JSON body; returns its id.
    pub async fn user(&self, body: Value) -> String {
        self.post("/users", body).await.ok()["id"].as_str().unwrap().to_owned()
    }

    /// Create a user with just an email address.
    pub async fn user_with_email(&self, email: &str) -> String {
        self.user(json!({ "email_address": [email] })).await
    }

    /// Create an organization from a JSON body; returns its id.
    pub async fn org(&self, body: Value) -> String {
        self.post("/organizations", body).await.ok()["id"].as_str().unwrap().to_owned()
    }

    /// Add a member; returns the membership JSON.
    pub async fn add_member(&self, org: &str, user: &str, role: &str) -> Value {
        self.post(&format!("/organizations/{org}/memberships"), json!({ "user_id": user, "role": role }))
            .await
            .ok()
            .clone()
    }
}

impl TestApp {
    /// An authenticated request with an explicit `Clerk-API-Version` (or none at all).
    pub fn request_version(&self, method: Method, path: &str, version: Option<&str>) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, self.url(path)).bearer_auth(&self.key);
        match version {
            Some(v) => rb.header("Clerk-API-Version", v),
            None => rb,
        }
    }

    /// Like `call`, with an explicit API version.
    pub async fn call_version(&self, version: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self.request_version(method, path, Some(version));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.send(rb).await
    }

    /// A request authenticated with another key (e.g. another instance's), current API version.
    pub async fn call_as(&self, key: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self.client.request(method, self.url(path)).bearer_auth(key).header("Clerk-API-Version", VERSION);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.send(rb).await
    }
}

/// A store on the database `url` names, as `roster serve` opens it.
pub async fn open_store(url: &str) -> Arc<dyn Store> {
    let pg = roster_store::postgres::Options { max_connections: 8, ..Default::default() };
    roster_store::open(url, roster_store::sqlite::Options::default(), pg).await.expect("open store")
}
