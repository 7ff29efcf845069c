//! Retry policy: exponential backoff with jitter on 5XX answers and connection errors.

use std::time::Duration;

/// Parameters of exponential backoff.
///
/// The n-th retry (n = 0, 1, ...) waits `initial_interval * exponent^n`, capped at `max_interval`, with
/// ±25 % random jitter. No retry starts once `max_elapsed_time` has passed since the first attempt (or would
/// pass during the wait).
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffStrategy {
    /// The wait before the first retry. Default 500 ms.
    pub initial_interval: Duration,
    /// The longest wait between two attempts. Default 60 s.
    pub max_interval: Duration,
    /// The growth factor of the wait. Default 1.5.
    pub exponent: f64,
    /// The total time budget for all attempts. Default 1 hour.
    pub max_elapsed_time: Duration,
}

impl Default for BackoffStrategy {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(60),
            exponent: 1.5,
            max_elapsed_time: Duration::from_secs(3600),
        }
    }
}

/// Whether and how to retry a failed request.
///
/// Requests are retried on 5XX answers and, when `retry_connection_errors` is set, on connection errors and
/// timeouts; a read, or a write under an idempotency key (every write, unless
/// [`ClerkBuilder::idempotency_keys`](crate::ClerkBuilder::idempotency_keys) is off), is also retried when the
/// connection fails after the request was sent (closed or reset before the answer), since repeating it cannot
/// apply it twice. A `Retry-After` header (seconds or an HTTP date) on a retried answer replaces the computed
/// wait. The default is [`RetryConfig::Backoff`] with [`BackoffStrategy::default`] and
/// `retry_connection_errors: true`.
///
/// ```
/// use std::time::Duration;
/// use roster_client::{BackoffStrategy, RetryConfig};
///
/// let quick = RetryConfig::Backoff {
///     strategy: BackoffStrategy { max_elapsed_time: Duration::from_secs(10), ..Default::default() },
///     retry_connection_errors: true,
/// };
/// assert_ne!(quick, RetryConfig::None);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RetryConfig {
    /// Send each request exactly once.
    None,
    /// Retry with exponential backoff.
    Backoff {
        /// The backoff parameters.
        strategy: BackoffStrategy,
        /// Also retry when the connection fails (refused, reset, timed out).
        retry_connection_errors: bool,
    },
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig::Backoff { strategy: BackoffStrategy::default(), retry_connection_errors: true }
    }
}

impl BackoffStrategy {
    /// The jittered wait before retry number `retry` (0-based).
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        let base = self.initial_interval.as_secs_f64() * self.exponent.powi(retry.min(64) as i32);
        let capped = base.min(self.max_interval.as_secs_f64());
        let jittered = capped * (0.75 + fastrand::f64() * 0.5);
        Duration::from_secs_f64(jittered.min(self.max_interval.as_secs_f64()).max(0.0))
    }
}

/// Parse a `Retry-After` value: delay in seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let s = BackoffStrategy {
            initial_interval: Duration::from_millis(100),
            max_interval: Duration::from_millis(300),
            exponent: 2.0,
            max_elapsed_time: Duration::from_secs(1),
        };
        let d0 = s.delay(0);
        assert!(d0 >= Duration::from_millis(75) && d0 <= Duration::from_millis(125), "{d0:?}");
        for n in 2..10 {
            assert!(s.delay(n) <= Duration::from_millis(300));
            assert!(s.delay(n) >= Duration::from_millis(225));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        let future = std::time::SystemTime::now() + Duration::from_secs(30);
        let d = parse_retry_after(&httpdate::fmt_http_date(future)).unwrap();
        assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30), "{d:?}");
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
