//! Per-call request options.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::RetryConfig;

/// Options for one call, overriding the client-wide defaults.
///
/// ```
/// use std::time::Duration;
/// use roster_client::{RequestOptions, RetryConfig};
///
/// let options = RequestOptions::default()
///     .header("x-request-id", "42")
///     .timeout(Duration::from_secs(5))
///     .retries(RetryConfig::None);
/// assert_eq!(options.headers["x-request-id"], "42");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Extra headers, sent after (and so replacing) the client's own.
    pub headers: HeaderMap,
    /// The timeout of each attempt; the client's timeout when `None`.
    pub timeout: Option<Duration>,
    /// The retry policy of this call; the client's when `None`.
    pub retries: Option<RetryConfig>,
}

impl RequestOptions {
    /// Add a header.
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not a valid header name or value; build [`RequestOptions::headers`] directly
    /// to handle that case.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("valid header name");
        let value = HeaderValue::from_str(value).expect("valid header value");
        self.headers.insert(name, value);
        self
    }

    /// Set the timeout of each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Set the retry policy.
    pub fn retries(mut self, retries: RetryConfig) -> Self {
        self.retries = Some(retries);
        self
    }
}
