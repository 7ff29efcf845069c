//! Private keys and template secrets at rest. With an encryption key (32 bytes, from the environment) a value is
//! sealed with AES-256-GCM, bound to the record it belongs to (`aad`, e.g. the instance and key id), and stored as
//! `v1.<base64url(nonce || ciphertext || tag)>`. Without one it is stored as `plain.<base64url(bytes)>`, and
//! says so. A sealed value needs the same encryption key to open; a plain one opens with or without.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::b64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the encryption key must be 32 bytes, as 64 hex digits or base64")]
    BadKey,
    #[error("the value is encrypted at rest and no encryption key is configured")]
    NoKey,
    #[error("the value does not open with the configured encryption key (wrong key, or the value was altered)")]
    CannotOpen,
    #[error("the stored value is not in a known format")]
    Malformed,
}

/// Seals and opens values with the configured encryption key, if any.
pub struct Sealer {
    key: Option<LessSafeKey>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").field("encrypts", &self.key.is_some()).finish()
    }
}

impl Sealer {
    /// No encryption key: values are stored plain.
    pub fn plain() -> Self {
        Self { key: None, rng: SystemRandom::new() }
    }

    /// An encryption key given as 64 hex digits or as base64 (standard or url-safe) of 32 bytes.
    pub fn from_key_text(text: &str) -> Result<Self, SealError> {
        use base64::Engine;
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16)).collect::<Result<Vec<_>, _>>().ok()
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()
                .or_else(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok())
        };
        let bytes = bytes.filter(|b| b.len() == 32).ok_or(SealError::BadKey)?;
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SealError::BadKey)?;
        Ok(Self { key: Some(LessSafeKey::new(key)), rng: SystemRandom::new() })
    }

    pub fn encrypts(&self) -> bool {
        self.key.is_some()
    }

    pub fn seal(&self, plaintext: &[u8], aad: &str) -> String {
        let Some(key) = &self.key else {
            return format!("plain.{}", b64::encode(plaintext));
        };
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).expect("the system random source");
        let mut data = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad.as_bytes()), &mut data)
            .expect("AES-GCM sealing");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("v1.{}", b64::encode(&out))
    }

    pub fn open(&self, stored: &str, aad: &str) -> Result<Vec<u8>, SealError> {
        if let Some(plain) = stored.strip_prefix("plain.") {
            return b64::decode(plain).ok_or(SealError::Malformed);
        }
        let sealed = stored.strip_prefix("v1.").and_then(b64::decode).ok_or(SealError::Malformed)?;
        let key = self.key.as_ref().ok_or(SealError::NoKey)?;
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, data) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Malformed)?;
        let mut data = data.to_vec();
        let plain =
            key.open_in_place(nonce, Aad::from(aad.as_bytes()), &mut data).map_err(|_| SealError::CannotOpen)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_its_record() {
        let sealer = Sealer::from_key_text(KEY).unwrap();
        let stored = sealer.seal(b"private", "ins_1/kid_1");
        assert!(stored.starts_with("v1.") && !stored.contains("private"));
        assert_eq!(sealer.open(&stored, "ins_1/kid_1").unwrap(), b"private");
        assert_eq!(sealer.open(&stored, "ins_2/kid_1"), Err(SealError::CannotOpen));
        let other = Sealer::from_key_text(&KEY.replace("1f", "1e")).unwrap();
        assert_eq!(other.open(&stored, "ins_1/kid_1"), Err(SealError::CannotOpen));
        assert_eq!(Sealer::plain().open(&stored, "ins_1/kid_1"), Err(SealError::NoKey));
    }

    #[test]
    fn without_a_key_values_are_stored_plain_and_say_so() {
        let stored = Sealer::plain().seal(b"private", "x");
        assert!(stored.starts_with("plain."));
        assert_eq!(Sealer::from_key_text(KEY).unwrap().open(&stored, "x").unwrap(), b"private");
    }

    #[test]
    fn keys_of_the_wrong_size_are_refused() {
        assert_eq!(Sealer::from_key_text("abcd").unwrap_err(), SealError::BadKey);
        assert_eq!(Sealer::from_key_text(&"0".repeat(62)).unwrap_err(), SealError::BadKey);
        assert!(Sealer::from_key_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_ok());
    }
}
