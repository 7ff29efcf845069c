//! What every handler shares: the store, the server settings, the rate limits and the metrics.

use std::sync::Arc;
use std::time::Duration;

use roster_core::Store;

use crate::metrics::Metrics;
use crate::ratelimit;

/// How long an idempotency key keeps its response unless configured otherwise.
pub const DEFAULT_IDEMPOTENCY_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// Server settings that handlers read.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted, in bytes (larger: 413 `request_body_too_large`).
    pub max_body_bytes: usize,
    /// Largest body of a bulk membership write (`ROSTER_MAX_BULK_BODY_BYTES`): 500 items with full metadata
    /// (8 KB each of public and private) need about 8.5 MB; 10 MiB by default.
    pub max_bulk_body_bytes: usize,
    /// Rate limits (`ROSTER_RATE_LIMITS`); off by default.
    pub rate_limits: ratelimit::RateLimits,
    /// How long an idempotency key keeps its response (`ROSTER_IDEMPOTENCY_RETENTION`); 24 hours by default.
    pub idempotency_retention: Duration,
    /// How long a session created by `POST /sessions` lasts before it reads as `expired`
    /// (`ROSTER_SESSION_LIFETIME`); a week by default, as in Clerk.
    pub session_lifetime: Duration,
    /// The service's public base URL (`ROSTER_PUBLIC_URL`, no trailing `/`): the base of SCIM endpoint URLs.
    /// `None`: `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// `iss` and `azp` of the tokens (`ROSTER_ISSUER`, `ROSTER_AUTHORIZED_PARTY`).
    pub tokens: crate::tokens::TokenSettings,
    /// Seals signing keys, template secrets and webhook secrets at rest (`ROSTER_KEY_ENCRYPTION_KEY`; plain
    /// without one).
    pub sealer: Arc<roster_jwt::Sealer>,
    /// Event retention and webhook deliveries (`ROSTER_EVENT_RETENTION`, `ROSTER_WEBHOOK_*`).
    pub webhooks: crate::webhooks::WebhookSettings,
}

/// The path suffix of the bulk membership writes, which take `max_bulk_body_bytes`.
pub const BULK_PATH_SUFFIX: &str = "/memberships/bulk";

impl Config {
    /// The body limit of a request to `path`.
    pub fn body_limit(&self, path: &str) -> usize {
        if path.ends_with(BULK_PATH_SUFFIX) {
            self.max_bulk_body_bytes.max(self.max_body_bytes)
        } else {
            self.max_body_bytes
        }
    }

    /// Idempotency keys used before this instant (milliseconds since the epoch) have expired, seen at `now`.
    pub fn idempotency_expired_before(&self, now: i64) -> i64 {
        now.saturating_sub(i64::try_from(self.idempotency_retention.as_millis()).unwrap_or(i64::MAX))
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_bulk_body_bytes: 10 * 1024 * 1024,
            rate_limits: ratelimit::RateLimits::OFF,
            idempotency_retention: DEFAULT_IDEMPOTENCY_RETENTION,
            session_lifetime: Duration::from_millis(roster_core::store::DEFAULT_SESSION_LIFETIME_MS as u64),
            public_url: None,
            tokens: crate::tokens::TokenSettings::default(),
            sealer: Arc::new(roster_jwt::Sealer::plain()),
            webhooks: crate::webhooks::WebhookSettings::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// `config.rate_limits` over in-process counters, or over the database where several nodes share it.
    pub rate_limit: ratelimit::RateLimit,
    /// Prometheus metrics (`GET /metrics`).
    pub metrics: Arc<Metrics>,
    /// The instances' signing keys as this node uses them.
    pub keys: Arc<crate::tokens::keyring::KeyRing>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let rate_limit = ratelimit::RateLimit::for_store(config.rate_limits, &store);
        let metrics = Arc::new(Metrics::new(store.clone()));
        let keys = Arc::new(crate::tokens::keyring::KeyRing::new(config.sealer.clone()));
        Self { store, config: Arc::new(config), rate_limit, metrics, keys }
    }
}
