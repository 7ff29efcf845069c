//! RSA signing keys and the JWKS that publishes their public halves.

use std::collections::HashMap;

use ring::signature::{RsaKeyPair, RsaPublicKeyComponents, RSA_PKCS1_SHA256};
use serde::{Deserialize, Serialize};

use crate::b64;
use crate::jws::{signing_input, Algorithm, Header};

/// One public key as Clerk's `GET /v1/jwks` serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    #[serde(rename = "use")]
    pub use_: String,
    pub kty: String,
    pub kid: String,
    pub alg: String,
    pub n: String,
    pub e: String,
}

/// `{"keys": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// A JWKS decoded for verification: each RS256 key's modulus and exponent by `kid`.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, RsaPublicKeyComponents<Vec<u8>>>,
}

impl KeySet {
    pub fn get(&self, kid: &str) -> Option<&RsaPublicKeyComponents<Vec<u8>>> {
        self.keys.get(kid)
    }

    pub fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl From<&Jwks> for KeySet {
    /// Keys that are not RSA signing keys, or whose numbers do not decode, are left out.
    fn from(jwks: &Jwks) -> Self {
        let keys = jwks
            .keys
            .iter()
            .filter(|k| k.kty == "RSA" && (k.alg == "RS256" || k.alg.is_empty()) && k.use_ != "enc")
            .filter_map(|k| {
                Some((k.kid.clone(), RsaPublicKeyComponents { n: b64::decode(&k.n)?, e: b64::decode(&k.e)? }))
            })
            .collect();
        Self { keys }
    }
}

/// An instance's private key, ready to sign RS256 tokens under its `kid`.
pub struct RsaSigner {
    kid: String,
    pair: RsaKeyPair,
    rng: ring::rand::SystemRandom,
}

impl std::fmt::Debug for RsaSigner {
    /// The key itself is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigner").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl RsaSigner {
    /// A signer from a PKCS#8 (DER) RSA private key.
    pub fn from_pkcs8(kid: impl Into<String>, der: &[u8]) -> Result<Self, String> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| format!("not an RSA private key: {e}"))?;
        Ok(Self { kid: kid.into(), pair, rng: ring::rand::SystemRandom::new() })
    }

    /// A signer from a PKCS#8 or PKCS#1 (`RSAPrivateKey`) DER private key.
    pub fn from_der(kid: impl Into<String>, der: &[u8]) -> Result<Self, String> {
        let pair = RsaKeyPair::from_pkcs8(der)
            .or_else(|_| RsaKeyPair::from_der(der))
            .map_err(|e| format!("not an RSA private key: {e}"))?;
        Ok(Self { kid: kid.into(), pair, rng: ring::rand::SystemRandom::new() })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half, as the JWKS lists it.
    pub fn jwk(&self) -> Jwk {
        let public: RsaPublicKeyComponents<Vec<u8>> = self.pair.public().into();
        Jwk {
            use_: "sig".into(),
            kty: "RSA".into(),
            kid: self.kid.clone(),
            alg: "RS256".into(),
            n: b64::encode(&public.n),
            e: b64::encode(&public.e),
        }
    }

    /// A compact RS256 JWS of `claims`, with this key's `kid` in its header.
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let header = Header { alg: Algorithm::RS256, kid: Some(self.kid.clone()), typ: Some("JWT".into()) };
        let mut token = signing_input(&header, claims);
        let signature = self.sign_bytes(token.as_bytes());
        token.push('.');
        token.push_str(&b64::encode(&signature));
        token
    }

    /// The raw RS256 signature of `message` (the benchmark's baseline).
    pub fn sign_bytes(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature).expect("RSA signing with a valid key");
        signature
    }
}

/// A new 2048-bit RSA private key as PKCS#8 DER. Takes a few hundred milliseconds: run it off the async runtime.
#[cfg(feature = "keygen")]
pub fn generate_rsa_2048() -> Vec<u8> {
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key generation");
    key.to_pkcs8_der().expect("PKCS#8 encoding of a new key").as_bytes().to_vec()
}
