//! Secret keys: `sk_test_…` for development instances, `sk_live_…` for production ones. Only a SHA-256
//! digest is stored. A key is found by a short lookup tag (the first 8 bytes of the digest, an index
//! column), then its full digest is compared in constant time, so neither the key nor a timing side
//! channel on the comparison leaves the process. Keys carry 256 random bits, so a fast hash is the
//! right choice (a password hash would only slow every request).

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::model::Environment;

/// The stored form of a key: what the database keeps instead of the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDigest {
    /// Hex of the first 8 bytes of the SHA-256: the indexed lookup column.
    pub lookup: String,
    /// Hex of the whole SHA-256.
    pub hash: String,
}

/// Digest a presented key.
pub fn digest(secret: &str) -> KeyDigest {
    let sum = Sha256::digest(secret.as_bytes());
    KeyDigest { lookup: hex::encode(&sum[..8]), hash: hex::encode(sum) }
}

/// Constant-time comparison of a presented key's digest with a stored one.
pub fn verify(presented: &KeyDigest, stored_hash: &str) -> bool {
    presented.hash.as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// The environment a key claims by its prefix, or `None` if it is not a Clerk secret key at all.
pub fn environment_of(secret: &str) -> Option<Environment> {
    if secret.starts_with("sk_test_") {
        Some(Environment::Development)
    } else if secret.starts_with("sk_live_") {
        Some(Environment::Production)
    } else {
        None
    }
}

/// Mint a fresh secret key for an instance of `env`.
pub fn generate(env: Environment) -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let prefix = match env {
        Environment::Development => "sk_test_",
        Environment::Production => "sk_live_",
    };
    format!("{prefix}{}", hex::encode(raw))
}

/// What an operator may see of a key after creation: its prefix and last four characters.
pub fn redact(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let head = if secret.starts_with("sk_live_") { "sk_live_" } else { "sk_test_" };
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_verify_and_others_do_not() {
        let key = generate(Environment::Development);
        assert!(key.starts_with("sk_test_"));
        assert_eq!(environment_of(&key), Some(Environment::Development));
        let stored = digest(&key);
        assert!(verify(&digest(&key), &stored.hash));
        assert!(!verify(&digest(&format!("{key}x")), &stored.hash));
        assert_eq!(stored.lookup.len(), 16);
        assert!(generate(Environment::Production).starts_with("sk_live_"));
        assert_eq!(environment_of("pk_test_abc"), None);
    }
}
