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
//! - [`RateLimiter`] is where the counters live. It is a trait so that a limiter holding across several nodes
//!   can be added next to the in-process one: a PostgreSQL-backed limiter would keep one row per key and window
//!   (`INSERT … ON CONFLICT … DO UPDATE SET count = count + 1 … RETURNING`), so every node behind a load
//!   balancer counts against the same windows. Such a limiter should let requests through when its storage
//!   cannot be reached (a limiter outage must not become an API outage).
//! - [`MemoryLimiter`] keeps the counters in the process: exact on a single node, per node on several. One
//!   fixed window per key (it opens with the key's first request and lasts the limit's window), in a sharded
//!   `Mutex<HashMap>` whose expired windows are evicted as it grows and at least every few seconds, so memory
//!   stays bounded by the keys active within one window. The clock is injectable ([`Clock`]) for tests.
//!
//! [`RateLimit`] applies the configuration to requests: the request-context middleware checks the instance
//! limit right after authentication, and the two membership `PATCH` handlers check the membership limit.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::http::StatusCode;
use serde_json::Value;

use roster_core::model::{Environment, Instance};

use crate::error::{ApiError, ApiResult};

/// At most `max` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }

    pub const fn per_seconds(max: u32, secs: u64) -> Self {
        Self::new(max, Duration::from_secs(secs))
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.window.as_millis();
        let secs = self.window.as_secs();
        if self.window.subsec_millis() != 0 {
            write!(f, "{}/{ms}ms", self.max)
        } else if secs != 0 && secs / 3600 * 3600 == secs {
            write!(f, "{}/{}h", self.max, secs / 3600)
        } else if secs != 0 && secs / 60 * 60 == secs {
            write!(f, "{}/{}m", self.max, secs / 60)
        } else {
            write!(f, "{}/{secs}s", self.max)
        }
    }
}

/// The configured limits; `None` is unlimited. The default is off: no limit at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimits {
    /// Requests per production instance.
    pub instance_production: Option<Limit>,
    /// Requests per development instance.
    pub instance_development: Option<Limit>,
    /// `PATCH /organizations/{id}/memberships/{user_id}` and `PATCH …/{user_id}/metadata`, per membership
    /// (the two routes share one budget).
    pub membership_patch: Option<Limit>,
}

/// The keys of a custom value, in the order they are printed.
const KEYS: [&str; 3] = ["instance_production", "instance_development", "membership_patch"];

/// Longest window accepted (longer ones are surely a typo).
const MAX_WINDOW: Duration = Duration::from_secs(24 * 3600);

impl RateLimits {
    /// No limits (the default).
    pub const OFF: Self = Self { instance_production: None, instance_development: None, membership_patch: None };

    /// Clerk's documented Backend API limits.
    pub const CLERK: Self = Self {
        instance_production: Some(Limit::per_seconds(1000, 10)),
        instance_development: Some(Limit::per_seconds(100, 10)),
        membership_patch: Some(Limit::per_seconds(10, 10)),
    };

    pub fn is_off(&self) -> bool {
        *self == Self::OFF
    }

    /// The per-instance limit for an instance of this environment.
    pub fn instance(&self, environment: Environment) -> Option<Limit> {
        match environment {
            Environment::Production => self.instance_production,
            Environment::Development => self.instance_development,
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<Limit>> {
        match key {
            "instance_production" => Some(&mut self.instance_production),
            "instance_development" => Some(&mut self.instance_development),
            "membership_patch" => Some(&mut self.membership_patch),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> Option<Limit> {
        match key {
            "instance_production" => self.instance_production,
            "instance_development" => self.instance_development,
            _ => self.membership_patch,
        }
    }
}

/// Why a `ROSTER_RATE_LIMITS` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; expected `off`, `clerk`, or KEY=COUNT/WINDOW pairs separated by commas (keys: instance_production, instance_development, membership_patch; windows like 10s, 500ms, 1m, 1h; `KEY=off` for no limit; a leading `clerk,` starts from Clerk's limits), e.g. `instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s`")]
pub struct ParseRateLimitsError(String);

fn parse_count(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_window(s: &str) -> Result<Duration, String> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = s.split_at(digits);
    let n = parse_count(number).ok_or_else(|| format!("window {s:?} must be a whole number followed by a unit"))?;
    let window = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(format!("window {s:?} needs a unit: ms, s, m or h")),
    };
    if window.is_zero() {
        return Err(format!("window {s:?} must be longer than zero"));
    }
    if window > MAX_WINDOW {
        return Err(format!("window {s:?} is longer than 24h"));
    }
    Ok(window)
}

fn parse_limit(key: &str, value: &str) -> Result<Option<Limit>, String> {
    if value == "off" {
        return Ok(None);
    }
    let (count, window) = value.split_once('/').ok_or_else(|| format!("{key}={value:?} is not COUNT/WINDOW"))?;
    let max = parse_count(count)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| format!("{key}: count {count:?} must be a whole number from 1 to {}", u32::MAX))?;
    let window = parse_window(window).map_err(|e| format!("{key}: {e}"))?;
    Ok(Some(Limit { max, window }))
}

impl FromStr for RateLimits {
    type Err = ParseRateLimitsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| ParseRateLimitsError(format!("invalid rate limits {s:?}: {reason}"));
        match s.trim() {
            "off" => return Ok(Self::OFF),
            "clerk" => return Ok(Self::CLERK),
            "" => return Err(fail("empty value".into())),
            _ => {}
        }
        let mut items = s.split(',').map(str::trim).peekable();
        let mut limits = Self::OFF;
        if items.peek() == Some(&"clerk") {
            items.next();
            limits = Self::CLERK;
        }
        let mut seen: Vec<&str> = Vec::new();
        for item in items {
            if item.is_empty() {
                return Err(fail("empty item (stray comma?)".into()));
            }
            let (key, value) = item.split_once('=').ok_or_else(|| {
                if item == "off" || item == "clerk" {
                    fail(format!("`{item}` stands alone (or `clerk` first, to start from Clerk's limits)"))
                } else {
                    fail(format!("{item:?} is not KEY=VALUE"))
                }
            })?;
            let (key, value) = (key.trim(), value.trim());
            let slot = limits.slot(key).ok_or_else(|| fail(format!("unknown key {key:?}")))?;
            if seen.contains(&key) {
                return Err(fail(format!("{key} is given twice")));
            }
            seen.push(key);
            *slot = parse_limit(key, value).map_err(fail)?;
        }
        Ok(limits)
    }
}

impl fmt::Display for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_off() {
            return f.write_str("off");
        }
        for (i, key) in KEYS.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            match self.get(key) {
                Some(limit) => write!(f, "{sep}{key}={limit}")?,
                None => write!(f, "{sep}{key}=off")?,
            }
        }
        Ok(())
    }
}

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

/// A source of monotonic time, injectable for tests.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

const SHARDS: usize = 16;
/// A shard drops its expired windows at least this often (on its next request)...
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// ...and whenever it has doubled since its last sweep (but not below this size).
const MIN_SWEEP_LEN: usize = 1024;

#[derive(Debug, Clone, Copy)]
struct Window {
    ends: Instant,
    count: u32,
}

struct Shard {
    windows: HashMap<String, Window>,
    next_sweep: Instant,
    sweep_at_len: usize,
}

impl Shard {
    fn sweep_if_due(&mut self, now: Instant) {
        if now < self.next_sweep && self.windows.len() < self.sweep_at_len {
            return;
        }
        self.windows.retain(|_, w| w.ends > now);
        self.next_sweep = now + SWEEP_EVERY;
        self.sweep_at_len = (self.windows.len() * 2).max(MIN_SWEEP_LEN);
    }
}

/// In-process counters: one fixed window per key in a sharded map (see the module documentation).
pub struct MemoryLimiter {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
    clock: Arc<dyn Clock>,
}

impl Default for MemoryLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryLimiter {
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    windows: HashMap::new(),
                    next_sweep: now + SWEEP_EVERY,
                    sweep_at_len: MIN_SWEEP_LEN,
                })
            })
            .collect();
        Self { shards, hasher: RandomState::new(), clock }
    }

    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, Shard> {
        let i = (self.hasher.hash_one(key) % SHARDS as u64) as usize;
        // A panic while holding the lock cannot leave a window half-written: recover the map.
        self.shards[i].lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Count one request now (the synchronous core of [`RateLimiter::hit`]).
    pub fn check(&self, key: &str, limit: Limit) -> Result<(), Exceeded> {
        let now = self.clock.now();
        let mut shard = self.shard(key);
        shard.sweep_if_due(now);
        let fresh = Window { ends: now + limit.window, count: 0 };
        let window = match shard.windows.get_mut(key) {
            Some(w) => w,
            None => shard.windows.entry(key.to_owned()).or_insert(fresh),
        };
        if window.ends <= now {
            *window = fresh;
        }
        if window.count >= limit.max {
            return Err(Exceeded { resets_in: window.ends - now });
        }
        window.count += 1;
        Ok(())
    }

    /// Windows held, expired ones not yet evicted included.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).windows.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl RateLimiter for MemoryLimiter {
    async fn hit(&self, key: &str, limit: Limit) -> Result<(), Exceeded> {
        self.check(key, limit)
    }
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

    fn parse(s: &str) -> Result<RateLimits, String> {
        s.parse::<RateLimits>().map_err(|e| e.to_string())
    }

    #[test]
    fn off_and_clerk() {
        assert_eq!(parse("off").unwrap(), RateLimits::OFF);
        assert_eq!(RateLimits::default(), RateLimits::OFF);
        assert!(RateLimits::default().is_off());
        let clerk = parse("clerk").unwrap();
        assert_eq!(clerk.instance_production, Some(Limit::per_seconds(1000, 10)));
        assert_eq!(clerk.instance_development, Some(Limit::per_seconds(100, 10)));
        assert_eq!(clerk.membership_patch, Some(Limit::per_seconds(10, 10)));
        assert_eq!(parse(" clerk ").unwrap(), clerk);
    }

    #[test]
    fn custom_values() {
        let all = "instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s";
        assert_eq!(parse(all).unwrap(), RateLimits::CLERK);
        // Keys left out are unlimited; spaces around items are fine.
        let some = parse(" instance_development = 5/1h , membership_patch=3/500ms").unwrap();
        assert_eq!(some.instance_production, None);
        assert_eq!(some.instance_development, Some(Limit::per_seconds(5, 3600)));
        assert_eq!(some.membership_patch, Some(Limit::new(3, Duration::from_millis(500))));
        assert_eq!(parse("membership_patch=1/2m").unwrap().membership_patch, Some(Limit::per_seconds(1, 120)));
        // `clerk` first starts from Clerk's limits; `KEY=off` removes one.
        let tuned = parse("clerk,membership_patch=off,instance_development=200/10s").unwrap();
        assert_eq!(tuned.instance_production, Some(Limit::per_seconds(1000, 10)));
        assert_eq!(tuned.instance_development, Some(Limit::per_seconds(200, 10)));
        assert_eq!(tuned.membership_patch, None);
        assert!(parse("instance_production=off").unwrap().is_off());
    }

    #[test]
    fn display_round_trips() {
        for s in
            ["off", "clerk", "instance_development=5/1h", "clerk,membership_patch=7/1500ms", "membership_patch=2/90s"]
        {
            let limits = parse(s).unwrap();
            assert_eq!(parse(&limits.to_string()).unwrap(), limits, "{s} -> {limits}");
        }
        assert_eq!(
            RateLimits::CLERK.to_string(),
            "instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s"
        );
        assert_eq!(RateLimits::OFF.to_string(), "off");
    }

    #[test]
    fn refuses_bad_values() {
        for bad in [
            "",
            " ",
            "on",
            "Off",
            "CLERK",
            "off,clerk",
            "membership_patch=10/10s,clerk",
            "instance=100/10s",
            "instance_production",
            "instance_production=",
            "instance_production=100",
            "instance_production=100/",
            "instance_production=/10s",
            "instance_production=0/10s",
            "instance_production=-1/10s",
            "instance_production=+1/10s",
            "instance_production=1.5/10s",
            "instance_production=4294967296/10s",
            "instance_production=100/10",
            "instance_production=100/s",
            "instance_production=100/0s",
            "instance_production=100/10d",
            "instance_production=100/10 s",
            "instance_production=100/25h",
            "instance_production=100/99999999999999999999s",
            "instance_production=100/10s,",
            ",instance_production=100/10s",
            "instance_production=100/10s,,membership_patch=1/1s",
            "instance_production=100/10s,instance_production=200/10s",
            "instance_production=100/10s;membership_patch=1/1s",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.starts_with("invalid rate limits"), "{bad}: {err}");
            assert!(err.contains("expected `off`, `clerk`"), "{bad}: {err}");
        }
        assert!(parse("instance=100/10s").unwrap_err().contains("unknown key \"instance\""));
        assert!(parse("membership_patch=0/10s").unwrap_err().contains("count \"0\""));
        assert!(parse("membership_patch=1/10x").unwrap_err().contains("unit"));
    }

    /// A clock moved by hand.
    struct TestClock(Mutex<Instant>);

    impl TestClock {
        fn advance(&self, d: Duration) {
            *self.0.lock().unwrap() += d;
        }
    }

    impl Clock for TestClock {
        fn now(&self) -> Instant {
            *self.0.lock().unwrap()
        }
    }

    fn limiter() -> (Arc<TestClock>, MemoryLimiter) {
        let clock = Arc::new(TestClock(Mutex::new(Instant::now())));
        (clock.clone(), MemoryLimiter::with_clock(clock))
    }

    #[test]
    fn fixed_window_per_key() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(3, 10);
        for _ in 0..3 {
            l.check("a", limit).unwrap();
        }
        assert_eq!(l.check("a", limit), Err(Exceeded { resets_in: Duration::from_secs(10) }));
        // Another key has its own window.
        l.check("b", limit).unwrap();
        clock.advance(Duration::from_millis(9_500));
        assert_eq!(l.check("a", limit), Err(Exceeded { resets_in: Duration::from_millis(500) }));
        clock.advance(Duration::from_millis(500));
        // The window is over: a fresh one opens.
        for _ in 0..3 {
            l.check("a", limit).unwrap();
        }
        assert!(l.check("a", limit).is_err());
    }

    #[test]
    fn refused_requests_are_not_counted() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(1, 1);
        l.check("k", limit).unwrap();
        for _ in 0..100 {
            assert!(l.check("k", limit).is_err());
        }
        clock.advance(Duration::from_secs(1));
        l.check("k", limit).unwrap();
    }

    #[test]
    fn expired_windows_are_evicted_as_the_map_grows() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(1, 1);
        for i in 0..20_000 {
            l.check(&format!("old{i}"), limit).unwrap();
        }
        // Growth sweeps ran, but nothing had expired.
        assert_eq!(l.len(), 20_000);
        clock.advance(Duration::from_secs(1));
        // Before the periodic sweep is due, each shard drops its expired windows once it has doubled.
        for i in 0..20_000 {
            l.check(&format!("new{i}"), limit).unwrap();
        }
        assert_eq!(l.len(), 20_000);
    }

    #[test]
    fn expired_windows_are_evicted_periodically() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(1, 1);
        for i in 0..5000 {
            l.check(&format!("key{i}"), limit).unwrap();
        }
        assert_eq!(l.len(), 5000);
        clock.advance(SWEEP_EVERY);
        // Each shard sweeps on its next request.
        for i in 0..200 {
            l.check(&format!("new{i}"), limit).unwrap();
        }
        assert_eq!(l.len(), 200);
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
