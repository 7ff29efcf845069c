//! An authenticated client of a running Roster, over real HTTP.

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// The `Clerk-API-Version` the clients send unless told otherwise.
pub const VERSION: &str = "2026-05-12";

/// A client of one Roster: its `/v1` base URL and the key it authenticates with.
#[derive(Clone, Debug)]
pub struct Api {
    /// `http://127.0.0.1:PORT/v1`
    pub base: String,
    pub key: String,
    pub client: reqwest::Client,
}

/// A reply, read whole: status, headers, the raw text and the JSON body (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
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

    /// Assert a Clerk error with this status and code (and the rest of Clerk's error shape); returns the first
    /// error object.
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

    /// The first error's code, or "" on a success.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
}

impl Api {
    /// A client of the Roster whose `/v1` base URL is `base`, authenticated with `key`.
    pub fn new(base: impl Into<String>, key: impl Into<String>) -> Self {
        Self { base: base.into(), key: key.into(), client: reqwest::Client::new() }
    }

    /// The same server, another key (another instance's, a revoked one, a wrong one).
    pub fn with_key(&self, key: &str) -> Self {
        Self { key: key.to_owned(), ..self.clone() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Send a request and read the whole reply.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let r = rb.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("reply body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, text, body }
    }

    /// An authenticated request with an explicit `Clerk-API-Version` (or none at all).
    pub fn request_version(&self, method: Method, path: &str, version: Option<&str>) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, self.url(path)).bearer_auth(&self.key);
        match version {
            Some(v) => rb.header("Clerk-API-Version", v),
            None => rb,
        }
    }

    /// An authenticated request with the current API version.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.request_version(method, path, Some(VERSION))
    }

    /// A request with an explicit API version and an optional JSON body.
    pub async fn call_version(&self, version: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self.request_version(method, path, Some(version));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.send(rb).await
    }

    /// A request with the current API version and an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.call_version(VERSION, method, path, body).await
    }

    /// A request authenticated with another key (e.g. another instance's), current API version.
    pub async fn call_as(&self, key: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.with_key(key).call(method, path, body).await
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
}
