//! Offline verification of a token against a JWKS, with the checks @clerk/backend's `verifyToken` makes: the
//! signature under the key its `kid` names (RS256 only: an `alg` the key does not take is refused, never
//! trusted), `exp` and `nbf` (and an `iat` from the future) with leeway, and, where asked, `iss` and `azp`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::signature::RSA_PKCS1_2048_8192_SHA256;
use serde::de::DeserializeOwned;

use crate::b64;
use crate::jws::{Algorithm, Header};
use crate::keys::KeySet;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the token is not a well-formed JWT: {0}")]
    Malformed(&'static str),
    #[error("the token's algorithm {0} is not accepted (RS256 only)")]
    UnsupportedAlgorithm(String),
    #[error("the token is signed with key {0:?}, which is not in the JWKS")]
    UnknownKey(String),
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token expired at {exp} (now {now})")]
    Expired { exp: u64, now: u64 },
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid { nbf: u64, now: u64 },
    #[error("the token was issued at {iat}, in the future (now {now})")]
    IssuedInTheFuture { iat: u64, now: u64 },
    #[error("the token's issuer {found:?} is not {expected:?}")]
    WrongIssuer { expected: String, found: Option<String> },
    #[error("the token's authorized party {0:?} is not one of the accepted ones")]
    UnauthorizedParty(String),
    #[error("the token's claims do not have the expected shape: {0}")]
    BadClaims(String),
}

/// What a verification checks beyond the signature.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The `iss` a token must carry; `None` accepts any.
    pub issuer: Option<String>,
    /// Accepted `azp` values; empty accepts any (a token without `azp` is accepted too, as Clerk does).
    pub authorized_parties: Vec<String>,
    /// Clock skew allowed on `exp`, `nbf` and `iat` (Clerk's default: 5 s).
    pub leeway: Duration,
    /// The time to verify at; `None` is now.
    pub now: Option<SystemTime>,
}

impl Default for Validation {
    fn default() -> Self {
        Self { issuer: None, authorized_parties: Vec::new(), leeway: Duration::from_secs(5), now: None }
    }
}

/// The header and claims of a token, without checking anything.
pub fn decode_unverified(token: &str) -> Result<(Header, serde_json::Value), VerifyError> {
    let (header, payload, _, _) = split(token)?;
    Ok((header, payload))
}

fn split(token: &str) -> Result<(Header, serde_json::Value, &str, Vec<u8>), VerifyError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(VerifyError::Malformed("a JWT has three dot-separated parts"));
    };
    let header = b64::decode(h).ok_or(VerifyError::Malformed("the header is not base64url"))?;
    let header: Header = serde_json::from_slice(&header).map_err(|_| VerifyError::Malformed("the header"))?;
    let payload = b64::decode(p).ok_or(VerifyError::Malformed("the payload is not base64url"))?;
    let payload: serde_json::Value =
        serde_json::from_slice(&payload).map_err(|_| VerifyError::Malformed("the payload is not JSON"))?;
    if !payload.is_object() {
        return Err(VerifyError::Malformed("the payload is not a JSON object"));
    }
    let signature = b64::decode(s).ok_or(VerifyError::Malformed("the signature is not base64url"))?;
    Ok((header, payload, &token[..h.len() + 1 + p.len()], signature))
}

/// Verify an RS256 token against `keys` and `validation`, and read its claims as `T`.
pub fn verify<T: DeserializeOwned>(token: &str, keys: &KeySet, validation: &Validation) -> Result<T, VerifyError> {
    let (header, payload, signed, signature) = split(token)?;
    if header.alg != Algorithm::RS256 {
        return Err(VerifyError::UnsupportedAlgorithm(header.alg.as_str().into()));
    }
    let kid = header.kid.ok_or(VerifyError::Malformed("the header has no kid"))?;
    let key = keys.get(&kid).ok_or(VerifyError::UnknownKey(kid))?;
    key.verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature).map_err(|_| VerifyError::BadSignature)?;
    check_claims(payload, validation)
}

/// Verify an HS256 token (a JWT template with its own secret) and read its claims as `T`.
pub fn verify_hs256<T: DeserializeOwned>(
    token: &str,
    secret: &[u8],
    validation: &Validation,
) -> Result<T, VerifyError> {
    let (header, payload, signed, signature) = split(token)?;
    if header.alg != Algorithm::HS256 {
        return Err(VerifyError::UnsupportedAlgorithm(header.alg.as_str().into()));
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::verify(&key, signed.as_bytes(), &signature).map_err(|_| VerifyError::BadSignature)?;
    check_claims(payload, validation)
}

fn check_claims<T: DeserializeOwned>(payload: serde_json::Value, v: &Validation) -> Result<T, VerifyError> {
    let now = v.now.unwrap_or_else(SystemTime::now).duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let leeway = v.leeway.as_secs();
    let number = |name: &str| payload.get(name).and_then(serde_json::Value::as_u64);
    let exp = number("exp").ok_or(VerifyError::Malformed("the token has no exp"))?;
    if now >= exp.saturating_add(leeway) {
        return Err(VerifyError::Expired { exp, now });
    }
    if let Some(nbf) = number("nbf") {
        if now.saturating_add(leeway) < nbf {
            return Err(VerifyError::NotYetValid { nbf, now });
        }
    }
    if let Some(iat) = number("iat") {
        if now.saturating_add(leeway) < iat {
            return Err(VerifyError::IssuedInTheFuture { iat, now });
        }
    }
    if let Some(expected) = &v.issuer {
        let found = payload.get("iss").and_then(|i| i.as_str());
        if found != Some(expected.as_str()) {
            return Err(VerifyError::WrongIssuer { expected: expected.clone(), found: found.map(str::to_owned) });
        }
    }
    if let Some(azp) = payload.get("azp").and_then(|a| a.as_str()) {
        if !v.authorized_parties.is_empty() && !v.authorized_parties.iter().any(|p| p == azp) {
            return Err(VerifyError::UnauthorizedParty(azp.to_owned()));
        }
    }
    serde_json::from_value(payload).map_err(|e| VerifyError::BadClaims(e.to_string()))
}
