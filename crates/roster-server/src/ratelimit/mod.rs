//! Rate limits, off by default (`ROSTER_RATE_LIMITS`).
//!
//! Clerk limits its Backend API per instance (1,000 requests per 10 s for a production instance, 100 per 10 s
//! for a development one) and per organization membership on `PATCH /organizations/{id}/memberships/{user_id}`
//! and `PATCH …/{user_id}/metadata` (10 per 10 s). Over a limit it answers 429 `too_many_requests` with a
//! `Retry-After` header. Roster does the same when asked to, and not otherwise: a local stand-in that refuses
//! requests would make test suites flaky.
//!
//! Three parts:
//!
//! - [`RateLimits`] is the configuration: `off`, `clerk` (Clerk's documented limits) or custom values such as
//!   `instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s`, parsed strictly.
//! - [`RateLimiter`] is where the counters live. [`StoreLimiter`] keeps them in the database when several nodes
//!   serve it (PostgreSQL): one row per key and window (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`), so
//!   every node behind a load balancer counts against the same windows. It lets requests through when the
//!   database cannot count them (a limiter outage must not become an API outage).
//! - [`MemoryLimiter`] keeps the counters in the process: exact on a single node, per node on several. One
//!   fixed window per key (it opens with the key's first request and lasts the limit's window), in a sharded
//!   `Mutex<HashMap>` whose expired windows are evicted as it grows and at least every few seconds, so memory
//!   stays bounded by the keys active within one window. The clock is injectable ([`Clock`]) for tests.
//!
//! [`RateLimit`] applies the configuration to requests: the request-context middleware checks the instance
//! limit right after authentication, and the two membership `PATCH` handlers check the membership limit.

mod config;
mod memory;
mod shared;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::http::StatusCode;
use serde_json::Value;

use roster_core::model::Instance;

use crate::error::{ApiError, ApiResult};

pub use config::{parse_duration, Limit, ParseRateLimitsError, RateLimits};
pub use memory::{Clock, MemoryLimiter, SystemClock};
pub use shared::StoreLimiter;

/// A refused request: the key's window resets in `resets_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub resets_in: Duration,
}

/// Where the counters live. Implementations count per key; the caller picks the key and the limit.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Count one request against `key` under `limit`, or refuse it (a refused request is not counted) once
    /// `limit.max` requests were counted in the key's current window.
    async fn hit(&self, key: &str, limit: Limit) -> Result<(), Exceeded>;
}

/// 429 `too_many_requests`, with `Retry-After` and `meta.resets_in` in whole seconds (at least 1).
pub fn too_many_requests(resets_in: Duration) -> ApiError {
    let secs = resets_in.as_secs() + u64::from(resets_in.subsec_nanos() > 0);
    let secs = secs.max(1);
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests",
        "Too many requests, retry later",
    );
    e.meta.insert("resets_in".into(), Value::from(secs));
    e.retry_after = Some(secs);
    e
}

/// The configured limits over a limiter: what the server checks requests against.
#[derive(Clone)]
pub struct RateLimit {
    limits: RateLimits,
    /// `None` while every limit is off, so that the default costs nothing.
    limiter: Option<Arc<dyn RateLimiter>>,
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit").field("limits", &self.limits.to_string()).finish_non_exhaustive()
    }
}

impl RateLimit {
    /// `limits` over in-process counters.
    pub fn new(limits: RateLimits) -> Self {
        let limiter: Option<Arc<dyn RateLimiter>> =
            if limits.is_off() { None } else { Some(Arc::new(MemoryLimiter::new())) };
        Self { limits, limiter }
    }

    /// `limits` over the limiter `store` calls for: windows in the database where several nodes share it,
    /// in-process counters otherwise.
    pub fn for_store(limits: RateLimits, store: &Arc<dyn roster_core::Store>) -> Self {
        if store.shares_rate_limits() {
            Self::with_limiter(limits, Arc::new(StoreLimiter::new(store.clone())))
        } else {
            Self::new(limits)
        }
    }

    /// `limits` over another limiter (one shared by several nodes, or one with a test clock).
    pub fn with_limiter(limits: RateLimits, limiter: Arc<dyn RateLimiter>) -> Self {
        Self { limits, limiter: (!limits.is_off()).then_some(limiter) }
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    async fn hit(&self, limit: Option<Limit>, key: impl FnOnce() -> String) -> ApiResult<()> {
        let (Some(limiter), Some(limit)) = (&self.limiter, limit) else { return Ok(()) };
        limiter.hit(&key(), limit).await.map_err(|e| too_many_requests(e.resets_in))
    }

    /// The per-instance limit, checked once per authenticated request.
    pub async fn check_instance(&self, instance: &Instance) -> ApiResult<()> {
        self.hit(self.limits.instance(instance.environment), || format!("instance:{}", instance.id)).await
    }

    /// The per-membership limit of `PATCH …/memberships/{user_id}` and `PATCH …/{user_id}/metadata`.
    pub async fn check_membership(&self, instance_id: &str, organization_id: &str, user_id: &str) -> ApiResult<()> {
        self.hit(self.limits.membership_patch, || format!("membership:{instance_id}:{organization_id}:{user_id}")).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::model::Environment;

    fn parse(s: &str) -> Result<RateLimits, String> {
        s.parse::<RateLimits>().map_err(|e| e.to_string())
    }

    #[test]
    fn retry_after_is_whole_seconds_at_least_one() {
        let e = too_many_requests(Duration::from_millis(1));
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.code, "too_many_requests");
        assert_eq!(e.retry_after, Some(1));
        assert_eq!(e.meta["resets_in"], 1);
        assert_eq!(too_many_requests(Duration::ZERO).retry_after, Some(1));
        assert_eq!(too_many_requests(Duration::from_secs(10)).retry_after, Some(10));
        assert_eq!(too_many_requests(Duration::from_millis(9_001)).retry_after, Some(10));
    }

    #[tokio::test]
    async fn off_has_no_limiter() {
        let off = RateLimit::new(RateLimits::OFF);
        assert!(off.limiter.is_none());
        let instance = Instance {
            id: "ins_1".into(),
            environment: Environment::Development,
            name: "dev".into(),
            created_at: 0,
            settings: Default::default(),
        };
        for _ in 0..1000 {
            off.check_instance(&instance).await.unwrap();
            off.check_membership("ins_1", "org_1", "user_1").await.unwrap();
        }
        let on = RateLimit::new(parse("instance_development=2/1h").unwrap());
        on.check_instance(&instance).await.unwrap();
        on.check_instance(&instance).await.unwrap();
        assert_eq!(on.check_instance(&instance).await.unwrap_err().code, "too_many_requests");
        // No membership limit configured: unlimited.
        for _ in 0..100 {
            on.check_membership("ins_1", "org_1", "user_1").await.unwrap();
        }
    }
}
