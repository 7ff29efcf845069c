//! One webhook request: signed as Standard Webhooks (Svix) signs it, sent to the endpoint's URL only (no
//! redirects followed), with a timeout, reading at most `MAX_RESPONSE_BYTES` of the answer.

use std::time::{Duration, Instant};

use base64::Engine;

use super::MAX_RESPONSE_BYTES;

/// The `svix-signature` header: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` for each secret (the
/// current one, and the previous one during a rotation's overlap), space-separated.
pub fn signature(secrets: &[Vec<u8>], msg_id: &str, timestamp: i64, body: &str) -> String {
    let signed = format!("{msg_id}.{timestamp}.{body}");
    secrets
        .iter()
        .map(|key| {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
            let tag = ring::hmac::sign(&key, signed.as_bytes());
            format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(tag.as_ref()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What one request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub succeeded: bool,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// The client every delivery of a node shares (connections kept alive per receiver).
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Roster-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// POST `body` to `url`, signed with `keys` as message `msg_id` at this second. A 2xx answer succeeds;
/// anything else, a timeout or a connection error fails.
pub async fn post(client: &reqwest::Client, url: &str, keys: &[Vec<u8>], msg_id: &str, body: String) -> Outcome {
    let started = Instant::now();
    let timestamp = roster_core::now_millis() / 1000;
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("svix-id", msg_id)
        .header("svix-timestamp", timestamp.to_string())
        .header("svix-signature", signature(keys, msg_id, timestamp, &body))
        .body(body)
        .send()
        .await;
    let (succeeded, status_code, error) = match sent {
        Ok(mut response) => {
            let status = response.status();
            // Read (a bounded part of) the answer so the connection can be reused; its text explains a failure.
            let mut answer = Vec::new();
            while answer.len() < MAX_RESPONSE_BYTES {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        answer.extend_from_slice(&chunk[..chunk.len().min(MAX_RESPONSE_BYTES - answer.len())])
                    }
                    _ => break,
                }
            }
            let error = (!status.is_success()).then(|| {
                let text = String::from_utf8_lossy(&answer[..answer.len().min(200)]).into_owned();
                format!(
                    "the receiver answered {}{}",
                    status.as_u16(),
                    if text.is_empty() { String::new() } else { format!(": {text}") }
                )
            });
            (status.is_success(), Some(i64::from(status.as_u16())), error)
        }
        Err(e) if e.is_timeout() => (false, None, Some("timed out".to_owned())),
        Err(e) => (false, None, Some(format!("could not deliver: {}", error_chain(&e)))),
    };
    Outcome { succeeded, status_code, error, duration_ms: started.elapsed().as_millis() as i64 }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::secret_key;

    #[test]
    fn signs_as_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (and of Svix's documentation).
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[key], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
