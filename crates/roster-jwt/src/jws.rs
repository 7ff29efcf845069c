//! Compact JWS: `base64url(header) . base64url(payload) . base64url(signature)`.

use serde::{Deserialize, Serialize};

use crate::b64;

/// The signing algorithms a token can carry: RS256 for instance keys, HS256 for templates with their own secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    RS256,
    HS256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::HS256 => "HS256",
        }
    }
}

/// The JOSE header: `alg`, the signing key's `kid` (RS256), and `typ: "JWT"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub alg: Algorithm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

/// `header.payload`, the part a signature covers.
pub(crate) fn signing_input(header: &Header, claims: &serde_json::Value) -> String {
    let header = serde_json::to_vec(header).expect("a header serializes");
    let claims = serde_json::to_vec(claims).expect("claims serialize");
    let mut out = b64::encode(&header);
    out.push('.');
    out.push_str(&b64::encode(&claims));
    out
}

/// An HS256 token over `claims` with `secret`.
pub fn sign_hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    let header = Header { alg: Algorithm::HS256, kid: None, typ: Some("JWT".into()) };
    let mut token = signing_input(&header, claims);
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let tag = ring::hmac::sign(&key, token.as_bytes());
    token.push('.');
    token.push_str(&b64::encode(tag.as_ref()));
    token
}
