//! The limiter for several nodes: windows counted in the database every node shares (`Store::hit_rate_limit`),
//! so a client spreading requests over the nodes meets the same limit as on one.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use roster_core::Store;

use super::{Exceeded, Limit, RateLimiter};

pub struct StoreLimiter {
    store: Arc<dyn Store>,
}

impl StoreLimiter {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl RateLimiter for StoreLimiter {
    async fn hit(&self, key: &str, limit: Limit) -> Result<(), Exceeded> {
        let window_ms = i64::try_from(limit.window.as_millis()).unwrap_or(i64::MAX);
        match self.store.hit_rate_limit(key, limit.max, window_ms).await {
            Ok(Some(hit)) if !hit.allowed => {
                Err(Exceeded { resets_in: Duration::from_millis(u64::try_from(hit.resets_in_ms).unwrap_or(0)) })
            }
            Ok(_) => Ok(()),
            // A limiter outage must not become an API outage: the request goes through (and is logged).
            Err(e) => {
                tracing::warn!(error = %e, "rate limit window unavailable; request let through");
                Ok(())
            }
        }
    }
}
