//! Verify the webhooks Roster sends (and Clerk sends, through Svix): the Standard Webhooks scheme that
//! `verifyWebhook` of `@clerk/backend` checks. A delivery carries `svix-id`, `svix-timestamp` (seconds) and
//! `svix-signature` (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, several space-separated while a
//! secret is rotated); [`Webhook::verify`] checks one of them with the endpoint's `whsec_…` secret, in constant
//! time, refuses a timestamp more than five minutes off, and parses the body.
//!
//! ```no_run
//! use roster_client::webhooks::Webhook;
//! use roster_client::OrganizationMembership;
//!
//! # fn handle(headers: &reqwest::header::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let webhook = Webhook::new(&std::env::var("ROSTER_WEBHOOK_SECRET")?)?;
//! let event = webhook.verify(headers, body)?; // answer 400 on an error
//! if event.event_type == "organizationMembership.created" {
//!     let membership: OrganizationMembership = event.data_as()?;
//!     println!("{} joined {}", membership.public_user_data.user_id, membership.organization.id);
//! }
//! // Deliveries come at least once: skip an `event.id` you have processed already.
//! # Ok(()) }
//! ```

use base64::Engine;
use serde::de::DeserializeOwned;

/// How far a delivery's timestamp may be from now, in seconds (the Standard Webhooks default).
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The secret given to [`Webhook::new`] is not `whsec_` and base64.
    #[error("the secret is not a whsec_ secret (whsec_ and base64)")]
    Secret,
    /// A `svix-*` header is missing (or not text).
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// `svix-timestamp` is not a number.
    #[error("svix-timestamp is not a number of seconds")]
    Timestamp,
    /// `svix-timestamp` is too far from now: a replayed delivery, or a clock that is off.
    #[error("svix-timestamp is more than {TOLERANCE_SECONDS} s away from now (replayed, or a clock is off)")]
    OutsideTolerance,
    /// No `v1,` signature matches: the body was changed, or another secret signed it.
    #[error("no signature of the delivery matches the secret")]
    Signature,
    /// Signed, but not an event body.
    #[error("the body is not an event: {0}")]
    Body(#[from] serde_json::Error),
}

/// A verified delivery: Clerk's event body, and the message id to de-duplicate on.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// `svix-id`: the event's id, the same on every retry of it.
    pub id: String,
    /// `organizationMembership.created`, `user.deleted`, …
    pub event_type: String,
    /// When the write happened, Unix milliseconds.
    pub timestamp: i64,
    /// The instance the event belongs to.
    pub instance_id: String,
    /// The resource as the API returns it.
    pub data: serde_json::Value,
}

impl WebhookEvent {
    /// `data` as a wire type (`OrganizationMembership`, `User`, `Organization`, …).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.data.clone())
    }
}

/// An endpoint's secret, ready to verify its deliveries.
#[derive(Clone)]
pub struct Webhook {
    key: ring::hmac::Key,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Webhook { key: <redacted> }")
    }
}

impl Webhook {
    /// From the endpoint's `whsec_…` secret (as `POST /webhook_endpoints` answered it).
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret.strip_prefix("whsec_").ok_or(WebhookError::Secret)?;
        let key = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| WebhookError::Secret)?;
        if key.is_empty() {
            return Err(WebhookError::Secret);
        }
        Ok(Self { key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key) })
    }

    /// Verify a delivery from its headers and raw body (the bytes as received: re-serialized JSON does not
    /// verify), at the current time.
    pub fn verify(&self, headers: &reqwest::header::HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let header = |name: &'static str| {
            headers.get(name).and_then(|v| v.to_str().ok()).ok_or(WebhookError::MissingHeader(name))
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        self.verify_at(header("svix-id")?, header("svix-timestamp")?, header("svix-signature")?, body, now)
    }

    /// [`verify`](Self::verify) with the three headers' values and the time (Unix seconds) given.
    pub fn verify_at(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now: i64,
    ) -> Result<WebhookEvent, WebhookError> {
        let seconds: i64 = timestamp.trim().parse().map_err(|_| WebhookError::Timestamp)?;
        if (now - seconds).abs() > TOLERANCE_SECONDS {
            return Err(WebhookError::OutsideTolerance);
        }
        let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
        signed.extend_from_slice(id.as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(timestamp.as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(body);
        let b64 = base64::engine::general_purpose::STANDARD;
        let matches = signatures
            .split(' ')
            .filter_map(|s| s.strip_prefix("v1,"))
            .filter_map(|s| b64.decode(s).ok())
            .any(|tag| ring::hmac::verify(&self.key, &signed, &tag).is_ok());
        if !matches {
            return Err(WebhookError::Signature);
        }
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(rename = "type")]
            event_type: String,
            timestamp: i64,
            #[serde(default)]
            instance_id: String,
            data: serde_json::Value,
        }
        let parsed: Body = serde_json::from_slice(body)?;
        Ok(WebhookEvent {
            id: id.to_owned(),
            event_type: parsed.event_type,
            timestamp: parsed.timestamp,
            instance_id: parsed.instance_id,
            data: parsed.data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const AT: i64 = 1614265330;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn body() -> Vec<u8> {
        br#"{"test": 2432232314}"#.to_vec()
    }

    fn check(signatures: &str, body: &[u8], now: i64) -> Result<(), WebhookError> {
        let webhook = Webhook::new(SECRET).unwrap();
        match webhook.verify_at(ID, &AT.to_string(), signatures, body, now) {
            // The specification's body is no event: a verified signature then fails on the body.
            Err(WebhookError::Body(_)) | Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }

    #[test]
    fn verifies_the_specifications_example_and_refuses_changes() {
        check(SIGNATURE, &body(), AT).unwrap();
        check(&format!("v1,bm90IGl0 {SIGNATURE}"), &body(), AT + 299).unwrap();
        assert!(matches!(check(SIGNATURE, br#"{"test": 2432232315}"#, AT), Err(WebhookError::Signature)));
        assert!(matches!(check("v1,bm90IGl0", &body(), AT), Err(WebhookError::Signature)));
        assert!(matches!(check(&SIGNATURE.replace("v1,", "v2,"), &body(), AT), Err(WebhookError::Signature)));
        assert!(matches!(check(SIGNATURE, &body(), AT + 301), Err(WebhookError::OutsideTolerance)));
        assert!(matches!(check(SIGNATURE, &body(), AT - 301), Err(WebhookError::OutsideTolerance)));
        assert!(matches!(Webhook::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Err(WebhookError::Secret)));
        assert!(matches!(Webhook::new("whsec_!!"), Err(WebhookError::Secret)));
        let other = Webhook::new("whsec_c2Vjb25kIHNlY3JldCBvZiAyNCBieXRlcw==").unwrap();
        let refused = other.verify_at(ID, &AT.to_string(), SIGNATURE, &body(), AT);
        assert!(matches!(refused, Err(WebhookError::Signature)));
        assert!(format!("{other:?}").contains("redacted"));
    }
}
