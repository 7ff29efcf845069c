//! Session tokens: the issue rate of `POST /sessions/{id}/tokens` beside the raw RS256 signing rate of the same
//! machine in the same run (issue 15's goal: issue >= 0.7 of raw signing), and offline verification on one core
//! with a warm JWKS (goal: >= 20k verifications/s).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use reqwest::Method;
use serde_json::{json, Value};

use crate::load::{self, Outcome, Req};
use crate::seed::Api;

/// A session of `user` in `org` (its first token issued): its id.
pub async fn session(api: &Api, user: &str, org: &str) -> Result<String> {
    let s: Value = api.post("/sessions", json!({"user_id": user, "active_organization_id": org})).await?;
    let id = s["id"].as_str().map(str::to_owned).context("a session id")?;
    // The instance's signing key is made with its first token: not inside a measured run.
    api.post(&format!("/sessions/{id}/tokens"), json!({})).await?;
    Ok(id)
}

/// Issue tokens for `session` for `duration` on `conns` connections.
pub async fn issue(base: &str, key: &str, conns: usize, duration: Duration, session: &str) -> Outcome {
    let url = format!("{base}/sessions/{session}/tokens");
    load::run(conns, duration, Some(key.into()), move |_| Req {
        idempotency_key: None,
        method: Method::POST,
        url: url.clone(),
        body: None,
    })
    .await
}

/// RS256 signatures per second of a token-sized message, one thread per core, for `duration`.
pub fn raw_signing(duration: Duration) -> f64 {
    let signer = std::sync::Arc::new(
        roster_jwt::RsaSigner::from_pkcs8("bench", &roster_jwt::generate_rsa_2048()).expect("a fresh key"),
    );
    let message = vec![b'x'; 420];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let threads: Vec<_> = (0..cores)
        .map(|_| {
            let (signer, message) = (signer.clone(), message.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while start.elapsed() < duration {
                    std::hint::black_box(signer.sign_bytes(&message));
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap_or(0)).sum();
    total as f64 / start.elapsed().as_secs_f64()
}

/// Verifications per second on one thread of `jwt` by roster-client's `Verifier` with a warm JWKS cache.
pub fn verification(jwt: &str, jwks: roster_jwt::Jwks, duration: Duration) -> Result<f64> {
    use roster_client::tokens::{JwksCache, Verifier};
    let verifier = Verifier::with_cache(JwksCache::from_jwks(jwks));
    verifier.verify_cached(jwt).context("the token verifies")?;
    let (start, mut n) = (Instant::now(), 0u64);
    while start.elapsed() < duration {
        for _ in 0..64 {
            std::hint::black_box(verifier.verify_cached(jwt).is_ok());
        }
        n += 64;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}
