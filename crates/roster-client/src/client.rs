//! The client, its builder and the request pipeline (headers, retries, error mapping).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::retry::parse_retry_after;
use crate::{
    Error, OrganizationDomainsApi, OrganizationInvitationsApi, OrganizationMembershipsApi, OrganizationsApi,
    RequestOptions, RetryConfig, RoleSetsApi, RolesApi, UsersApi,
};

/// The production Backend API base URL.
pub const DEFAULT_SERVER_URL: &str = "https://api.clerk.com/v1";

/// The `Clerk-API-Version` this SDK sends.
pub const API_VERSION: &str = "2026-05-12";

/// The default `User-Agent`: `roster-client/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("roster-client/", env!("CARGO_PKG_VERSION"));

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    secret_key: String,
    server_url: String,
    timeout: Option<Duration>,
    user_agent: String,
    retry_config: RetryConfig,
    idempotency_keys: bool,
}

/// A Backend API client: Clerk's, or Roster's with another `server_url`.
///
/// Cheap to clone (one `Arc` inside) and `Send + Sync`: create one and share it.
///
/// ```no_run
/// # async fn run() -> Result<(), roster_client::Error> {
/// use roster_client::Clerk;
///
/// let clerk = Clerk::new(std::env::var("CLERK_SECRET_KEY").unwrap_or_default());
/// let roster = Clerk::builder()
///     .secret_key("sk_test_roster_readme_key")
///     .server_url("http://127.0.0.1:8080/v1")
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// # let _ = (clerk, roster);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Clerk {
    inner: Arc<Inner>,
}

impl Clerk {
    /// A client for Clerk's production API (`https://api.clerk.com/v1`) with this secret key and the
    /// default retry policy.
    pub fn new(secret_key: impl Into<String>) -> Self {
        Clerk {
            inner: Arc::new(Inner {
                http: reqwest::Client::new(),
                secret_key: secret_key.into(),
                server_url: DEFAULT_SERVER_URL.to_owned(),
                timeout: None,
                user_agent: DEFAULT_USER_AGENT.to_owned(),
                retry_config: RetryConfig::default(),
                idempotency_keys: true,
            }),
        }
    }

    /// A builder to set the server URL, timeout, user agent, retry policy or HTTP client.
    pub fn builder() -> ClerkBuilder {
        ClerkBuilder::default()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn server_url(&self) -> &str {
        &self.inner.server_url
    }

    /// The client-wide retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry_config
    }

    /// Organization memberships: the five operations of Clerk's `organizationMemberships` plus the
    /// instance-wide and per-user lists.
    pub fn organization_memberships(&self) -> OrganizationMembershipsApi {
        OrganizationMembershipsApi::new(self.clone())
    }

    /// Organization invitations: create (one or in bulk), the organization's lists, get, revoke, Roster's
    /// `accept`, and the instance-wide and per-user lists.
    pub fn organization_invitations(&self) -> OrganizationInvitationsApi {
        OrganizationInvitationsApi::new(self.clone())
    }

    /// Organization domains: create, list (per organization and instance-wide), update, delete, verify
    /// ownership, and the organizations a user's domains suggest.
    pub fn organization_domains(&self) -> OrganizationDomainsApi {
        OrganizationDomainsApi::new(self.clone())
    }

    /// Role sets: list, create, get, update, add roles, replace a role (moving its members) and replace a set
    /// by another (moving its organizations).
    pub fn role_sets(&self) -> RoleSetsApi {
        RoleSetsApi::new(self.clone())
    }

    /// Users (create, get, delete).
    pub fn users(&self) -> UsersApi {
        UsersApi::new(self.clone())
    }

    /// Organizations (create, get, delete).
    pub fn organizations(&self) -> OrganizationsApi {
        OrganizationsApi::new(self.clone())
    }

    /// Organization roles (list).
    pub fn roles(&self) -> RolesApi {
        RolesApi::new(self.clone())
    }

    /// Send one operation, with retries, and map the answer.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        op: Operation,
        options: Option<&RequestOptions>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.server_url, op.path);
        let auth = HeaderValue::from_str(&format!("Bearer {}", inner.secret_key))
            .map_err(|_| Error::InvalidConfig("the secret key is not a valid header value".into()))?;
        let user_agent = HeaderValue::from_str(&inner.user_agent)
            .map_err(|_| Error::InvalidConfig("the user agent is not a valid header value".into()))?;
        let body = op.body.as_ref().map(|b| b.to_string().into_bytes());
        let retries = options.and_then(|o| o.retries.as_ref()).unwrap_or(&inner.retry_config);
        let timeout = options.and_then(|o| o.timeout).or(inner.timeout);

        // One key for every attempt of a write, so a retry of an attempt whose answer was lost is answered with
        // that attempt's response instead of running again. A key set in `options.headers` is the caller's.
        let caller_key = options.is_some_and(|o| o.headers.contains_key(IDEMPOTENCY_KEY));
        let key = (inner.idempotency_keys && op.method != Method::GET && !caller_key).then(new_idempotency_key);
        // A request that may run twice without harm: a read, or a write under a key.
        let repeatable = op.method == Method::GET || key.is_some() || caller_key;

        let start = Instant::now();
        let mut retry = 0u32;
        loop {
            let mut rb = inner
                .http
                .request(op.method.clone(), &url)
                .header(AUTHORIZATION, auth.clone())
                .header("Clerk-API-Version", API_VERSION)
                .header(USER_AGENT, user_agent.clone());
            if let Some(key) = &key {
                rb = rb.header(IDEMPOTENCY_KEY, key.as_str());
            }
            if !op.query.is_empty() {
                rb = rb.query(&op.query);
            }
            if let Some(body) = &body {
                rb = rb.header(CONTENT_TYPE, "application/json").body(body.clone());
            }
            if let Some(t) = timeout {
                rb = rb.timeout(t);
            }
            if let Some(o) = options {
                for (name, value) in &o.headers {
                    rb = rb.header(name, value);
                }
            }
            let outcome = rb.send().await;
            let wait = match (&outcome, retries) {
                (Ok(resp), RetryConfig::Backoff { strategy, .. }) if resp.status().is_server_error() => {
                    let after =
                        resp.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
                    Some((after.unwrap_or_else(|| strategy.delay(retry)), strategy))
                }
                (Err(e), RetryConfig::Backoff { strategy, retry_connection_errors: true })
                    if e.is_connect() || e.is_timeout() || (repeatable && e.is_request()) =>
                {
                    Some((strategy.delay(retry), strategy))
                }
                _ => None,
            };
            if let Some((wait, strategy)) = wait {
                if start.elapsed() + wait <= strategy.max_elapsed_time {
                    tokio::time::sleep(wait).await;
                    retry += 1;
                    continue;
                }
            }
            return map_response(outcome?, op.clerk_error_statuses).await;
        }
    }
}

/// The header that makes a write safe to retry (see Roster's README, "Idempotency keys").
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A fresh idempotency key: 128 random bits, hex.
fn new_idempotency_key() -> String {
    format!("roster_{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// Turn an answer into the decoded body or the right [`Error`].
async fn map_response<T: DeserializeOwned>(resp: reqwest::Response, declared: &[u16]) -> Result<T, Error> {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            source,
        });
    }
    if declared.contains(&status) {
        if let Ok(e) = serde_json::from_slice::<roster_api_types::ClerkErrors>(&bytes) {
            return Err(Error::ClerkErrors { status, errors: e.errors, clerk_trace_id: e.clerk_trace_id });
        }
    }
    Err(Error::Api { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
}

/// One HTTP operation: method, path (already escaped), query, JSON body and the statuses answered with
/// Clerk's structured errors.
pub(crate) struct Operation {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    pub clerk_error_statuses: &'static [u16],
}

impl Operation {
    pub(crate) fn new(method: Method, path: String, clerk_error_statuses: &'static [u16]) -> Self {
        Operation { method, path, query: Vec::new(), body: None, clerk_error_statuses }
    }

    pub(crate) fn body<T: Serialize>(mut self, body: &T) -> Result<Self, Error> {
        self.body = Some(serde_json::to_value(body).map_err(|e| Error::InvalidConfig(format!("request body: {e}")))?);
        Ok(self)
    }

    pub(crate) fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }
}

/// Percent-encode one path segment (everything but RFC 3986 unreserved characters).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `order_by`, `limit` and `offset` query parameters of a list, those that are set.
pub(crate) fn paging(
    order_by: Option<&String>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    q.extend(order_by.map(|o| ("order_by", o.clone())));
    q.extend(limit.map(|l| ("limit", l.to_string())));
    q.extend(offset.map(|o| ("offset", o.to_string())));
    q
}

/// Builder of a [`Clerk`] client.
///
/// ```no_run
/// # fn run() -> Result<(), roster_client::Error> {
/// use std::time::Duration;
/// use roster_client::{BackoffStrategy, Clerk, RetryConfig};
///
/// let clerk = Clerk::builder()
///     .secret_key("sk_test_...")
///     .server_url("http://127.0.0.1:8080/v1")
///     .timeout(Duration::from_secs(30))
///     .user_agent("my-app/1.0")
///     .retry_config(RetryConfig::Backoff {
///         strategy: BackoffStrategy { max_elapsed_time: Duration::from_secs(60), ..Default::default() },
///         retry_connection_errors: true,
///     })
///     .http_client(reqwest::Client::new())
///     .build()?;
/// # let _ = clerk; Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct ClerkBuilder {
    secret_key: Option<String>,
    server_url: Option<String>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    retry_config: Option<RetryConfig>,
    http_client: Option<reqwest::Client>,
    no_idempotency_keys: bool,
}

impl ClerkBuilder {
    /// The secret key (`sk_live_...`/`sk_test_...`), sent as `Authorization: Bearer`. Required.
    pub fn secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.secret_key = Some(secret_key.into());
        self
    }

    /// The base URL, for example `http://127.0.0.1:8080/v1` for a local Roster. Default
    /// [`DEFAULT_SERVER_URL`].
    pub fn server_url(mut self, server_url: impl Into<String>) -> Self {
        self.server_url = Some(server_url.into());
        self
    }

    /// The timeout of each attempt (per-call [`RequestOptions::timeout`] wins). Default: none.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header. Default [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The client-wide retry policy (per-call [`RequestOptions::retries`] wins). Default
    /// [`RetryConfig::default`].
    pub fn retry_config(mut self, retry_config: RetryConfig) -> Self {
        self.retry_config = Some(retry_config);
        self
    }

    /// Whether every write carries a generated `Idempotency-Key` (the same on each of its retries), so a write
    /// retried after its answer was lost runs once. Default: on. A key set in [`RequestOptions::headers`] is
    /// sent instead.
    pub fn idempotency_keys(mut self, on: bool) -> Self {
        self.no_idempotency_keys = !on;
        self
    }

    /// Use this `reqwest::Client` (for proxies, custom TLS, connection pools...).
    pub fn http_client(mut self, http_client: reqwest::Client) -> Self {
        self.http_client = Some(http_client);
        self
    }

    /// Build the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] when the secret key is missing or not a valid header value, the user agent is
    /// not a valid header value, or the server URL is not an `http(s)` URL.
    pub fn build(self) -> Result<Clerk, Error> {
        let secret_key = self.secret_key.ok_or_else(|| Error::InvalidConfig("a secret key is required".into()))?;
        HeaderValue::from_str(&format!("Bearer {secret_key}"))
            .map_err(|_| Error::InvalidConfig("the secret key is not a valid header value".into()))?;
        let user_agent = self.user_agent.unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
        HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::InvalidConfig("the user agent is not a valid header value".into()))?;
        let server_url = self.server_url.unwrap_or_else(|| DEFAULT_SERVER_URL.to_owned());
        let server_url = server_url.trim_end_matches('/').to_owned();
        if !(server_url.starts_with("http://") || server_url.starts_with("https://")) {
            return Err(Error::InvalidConfig(format!("server URL {server_url:?} is not an http(s) URL")));
        }
        Ok(Clerk {
            inner: Arc::new(Inner {
                http: self.http_client.unwrap_or_default(),
                secret_key,
                server_url,
                timeout: self.timeout,
                user_agent,
                retry_config: self.retry_config.unwrap_or_default(),
                idempotency_keys: !self.no_idempotency_keys,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn client_is_send_sync_clone() {
        assert_send_sync::<Clerk>();
    }

    #[test]
    fn builder_validates() {
        assert!(matches!(Clerk::builder().build(), Err(Error::InvalidConfig(_))));
        assert!(matches!(Clerk::builder().secret_key("a\nb").build(), Err(Error::InvalidConfig(_))));
        assert!(matches!(Clerk::builder().secret_key("k").server_url("ftp://x").build(), Err(Error::InvalidConfig(_))));
        let c = Clerk::builder().secret_key("k").server_url("http://localhost:1/v1/").build().unwrap();
        assert_eq!(c.server_url(), "http://localhost:1/v1");
        assert_eq!(Clerk::new("k").server_url(), DEFAULT_SERVER_URL);
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(seg("org_1A-b.c~"), "org_1A-b.c~");
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }
}
