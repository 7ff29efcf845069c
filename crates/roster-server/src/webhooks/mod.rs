//! Webhooks: the settings every node delivers with, endpoint secrets (Standard Webhooks `whsec_…`), and
//! signing and sending one request (`send`). The worker that drives deliveries is `crate::delivery`.

pub mod send;

use std::time::Duration;

use base64::Engine;
use rand::RngCore;

use roster_core::webhooks::RetryPolicy;

/// How long events (and their deliveries and attempts) are kept unless configured otherwise: 30 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Svix's request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// The most of a receiver's answer that is read (and kept for the attempt's error); the rest is dropped.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// How long the previous secret keeps signing beside the new one after a rotation (Svix: 24 hours).
pub const PREVIOUS_SECRET_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// How this node delivers (`ROSTER_WEBHOOK_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Retries and when an endpoint is disabled (`ROSTER_WEBHOOK_RETRY_SCHEDULE`, `ROSTER_WEBHOOK_DISABLE_AFTER`).
    pub policy: RetryPolicy,
    /// One request's timeout (`ROSTER_WEBHOOK_TIMEOUT`).
    pub timeout: Duration,
    /// How long events are kept (`ROSTER_EVENT_RETENTION`).
    pub retention: Duration,
    /// How often an idle worker looks for work.
    pub poll: Duration,
    /// Whether this node runs a delivery worker at all.
    pub deliver: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            retention: DEFAULT_RETENTION,
            poll: Duration::from_millis(50),
            deliver: true,
        }
    }
}

/// The longest URL accepted (an endpoint's, an invitation's `redirect_url`).
const MAX_URL_LEN: usize = 2048;

/// An `http://` or `https://` URL with a host: the only places deliveries go.
pub fn checked_url(url: &str) -> crate::error::ApiResult<String> {
    http_url("url", url)
}

/// `url` if it is an `http://` or `https://` URL with a host and no password, else 422 naming `param`.
pub fn http_url(param: &str, url: &str) -> crate::error::ApiResult<String> {
    let parsed = reqwest::Url::parse(url).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()) && u.password().is_none()
    });
    if url.len() > MAX_URL_LEN || parsed.is_none() {
        return Err(roster_core::DomainError::ParamFormat {
            param: param.into(),
            long_message: format!("{param} must be an http:// or https:// URL of at most {MAX_URL_LEN} characters."),
        }
        .into());
    }
    Ok(url.to_owned())
}

/// A new endpoint secret: `whsec_` and 24 random bytes in base64, as Svix makes them.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The HMAC key of a `whsec_…` secret, if it is one (Standard Webhooks: base64 after the prefix).
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix("whsec_")?;
    base64::engine::general_purpose::STANDARD.decode(encoded).ok().filter(|k| (16..=64).contains(&k.len()))
}

/// The HMAC keys of an endpoint's secrets as stored (sealed to it): those that open with `sealer` and are
/// `whsec_…` secrets.
pub fn open_keys(sealer: &roster_jwt::Sealer, endpoint_id: &str, sealed: &[String]) -> Vec<Vec<u8>> {
    sealed
        .iter()
        .filter_map(|s| sealer.open(s, &secret_aad(endpoint_id)).ok())
        .filter_map(|plain| String::from_utf8(plain).ok())
        .filter_map(|secret| secret_key(&secret))
        .collect()
}

/// What a secret is sealed to: its endpoint, so a sealed value moved to another row does not open.
pub fn secret_aad(endpoint_id: &str) -> String {
    format!("webhook_endpoint:{endpoint_id}")
}

/// Parse `ROSTER_WEBHOOK_RETRY_SCHEDULE`: comma-separated waits before each retry (`5s,5m,30m`), `none` for
/// no retries.
pub fn parse_schedule(text: &str) -> Result<Vec<i64>, String> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let wait = crate::ratelimit::parse_duration(part.trim())?;
            i64::try_from(wait.as_millis()).map_err(|_| format!("{part}: too long"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_standard_webhooks_secrets() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(secret_key(&secret).map(|k| k.len()), Some(24));
        assert_eq!(secret_key("whsec_short"), None);
        assert_eq!(secret_key("sk_test_x"), None);
    }

    #[test]
    fn schedules_parse() {
        assert_eq!(parse_schedule("100ms,1s,2m").unwrap(), vec![100, 1000, 120_000]);
        assert_eq!(parse_schedule("none").unwrap(), Vec::<i64>::new());
        assert!(parse_schedule("5 parsecs").is_err());
        assert!(parse_schedule("").is_err());
        assert_eq!(crate::ratelimit::parse_duration("5d").unwrap(), Duration::from_secs(5 * 86400));
    }
}
