//! Each instance's signing keys as this node uses them: the published keys (read from the store, kept for a few
//! seconds so a rotation made on another node is seen quickly), their private halves opened and parsed once,
//! and the first key made when an instance first needs one.
//!
//! Which key signs is decided by time, not by which node rotated: every key carries `active_at`, and the key
//! that signs at `now` is the one activated last at or before `now`. Nodes of one PostgreSQL deployment all
//! read the same rows, so they switch together (within their clocks' skew and this cache's lifetime).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roster_core::ids::{new_id, prefix};
use roster_core::tokens::{KeyAddition, SigningKey};
use roster_core::{now_millis, DomainError, Store};
use roster_jwt::{Jwk, Jwks, RsaSigner, Sealer};

/// How long a node trusts its copy of an instance's keys.
const KEYS_TTL: Duration = Duration::from_secs(5);

struct Loaded {
    at: Instant,
    keys: Arc<Vec<SigningKey>>,
}

pub struct KeyRing {
    sealer: Arc<Sealer>,
    instances: Mutex<HashMap<String, Arc<Loaded>>>,
    signers: Mutex<HashMap<String, Arc<RsaSigner>>>,
    /// One first-key generation at a time per process, so that requests racing on a new instance make one key
    /// between them instead of one each.
    generating: tokio::sync::Mutex<()>,
}

impl KeyRing {
    pub fn new(sealer: Arc<Sealer>) -> Self {
        Self { sealer, instances: Mutex::default(), signers: Mutex::default(), generating: tokio::sync::Mutex::new(()) }
    }

    /// The instance's published keys, making its first key if it has none.
    pub async fn keys(&self, store: &dyn Store, instance_id: &str) -> Result<Arc<Vec<SigningKey>>, DomainError> {
        if let Some(keys) = self.cached(instance_id) {
            return Ok(keys);
        }
        let mut keys = store.signing_keys(&instance_id.into()).await?;
        if keys.is_empty() {
            let _one = self.generating.lock().await;
            keys = store.signing_keys(&instance_id.into()).await?;
            if keys.is_empty() {
                let key = self.generate(instance_id, now_millis()).await?;
                keys = store.add_signing_key(key, KeyAddition::First).await?;
            }
        }
        Ok(self.remember(instance_id, keys))
    }

    fn cached(&self, instance_id: &str) -> Option<Arc<Vec<SigningKey>>> {
        let map = self.instances.lock().unwrap_or_else(|e| e.into_inner());
        map.get(instance_id).filter(|l| l.at.elapsed() < KEYS_TTL).map(|l| l.keys.clone())
    }

    fn remember(&self, instance_id: &str, keys: Vec<SigningKey>) -> Arc<Vec<SigningKey>> {
        let keys = Arc::new(keys);
        let loaded = Arc::new(Loaded { at: Instant::now(), keys: keys.clone() });
        self.instances.lock().unwrap_or_else(|e| e.into_inner()).insert(instance_id.to_owned(), loaded);
        keys
    }

    /// A new key for `instance_id`, activating at `active_at`, its private half sealed.
    async fn generate(&self, instance_id: &str, active_at: i64) -> Result<SigningKey, DomainError> {
        let der = tokio::task::spawn_blocking(roster_jwt::generate_rsa_2048)
            .await
            .map_err(|e| DomainError::Internal(format!("key generation: {e}")))?;
        seal_key(&self.sealer, instance_id, &der, active_at)
    }

    /// Rotate the instance's key: a new key is published now and signs from `grace_ms` on; the keys signing
    /// until then leave the JWKS `retain_ms` after the switch. Refused where the instance's keys are encrypted
    /// at rest and this process has no encryption key (the next key would be stored in the clear). Returns the
    /// published keys after.
    pub async fn rotate(
        &self,
        store: &dyn Store,
        instance_id: &str,
        grace_ms: i64,
        retain_ms: i64,
    ) -> Result<Vec<SigningKey>, DomainError> {
        // The instance's first key exists before the rotation (a rotation retires it).
        let current = self.keys(store, instance_id).await?;
        if !self.sealer.encrypts() && current.iter().any(|k| !k.private_key.starts_with("plain.")) {
            return Err(DomainError::SigningKeyUnavailable(format!(
                "the keys of {instance_id} are encrypted at rest: set ROSTER_KEY_ENCRYPTION_KEY to rotate (the next key \
                 would be stored in the clear)"
            )));
        }
        let active_at = now_millis() + grace_ms;
        let key = self.generate(instance_id, active_at).await?;
        let keys = store.add_signing_key(key, KeyAddition::Rotate { retire_previous_at: active_at + retain_ms }).await;
        self.instances.lock().unwrap_or_else(|e| e.into_inner()).remove(instance_id);
        keys
    }

    /// The key that signs for the instance now.
    pub async fn signer(&self, store: &dyn Store, instance_id: &str) -> Result<Arc<RsaSigner>, DomainError> {
        let keys = self.keys(store, instance_id).await?;
        let key = current_key(&keys, now_millis())
            .or_else(|| keys.first())
            .ok_or_else(|| DomainError::Internal("the instance has no signing key".into()))?;
        if let Some(signer) = self.signers.lock().unwrap_or_else(|e| e.into_inner()).get(&key.kid) {
            return Ok(signer.clone());
        }
        let signer = Arc::new(open_key(&self.sealer, key)?);
        self.signers.lock().unwrap_or_else(|e| e.into_inner()).insert(key.kid.clone(), signer.clone());
        Ok(signer)
    }

    /// The instance's JWKS: every published key, the next one of a rotation included.
    pub async fn jwks(&self, store: &dyn Store, instance_id: &str) -> Result<Jwks, DomainError> {
        let keys = self.keys(store, instance_id).await?;
        Ok(Jwks { keys: keys.iter().map(jwk).collect() })
    }
}

/// The key that signs at `now`: the one activated last at or before it.
pub fn current_key(keys: &[SigningKey], now: i64) -> Option<&SigningKey> {
    keys.iter().filter(|k| k.active_at <= now).max_by_key(|k| (k.active_at, k.created_at))
}

pub fn jwk(key: &SigningKey) -> Jwk {
    Jwk {
        use_: "sig".into(),
        kty: "RSA".into(),
        kid: key.kid.clone(),
        alg: "RS256".into(),
        n: key.n.clone(),
        e: key.e.clone(),
    }
}

/// What a sealed private key is bound to: its instance and kid.
fn aad(instance_id: &str, kid: &str) -> String {
    format!("roster-signing-key/{instance_id}/{kid}")
}

/// A signing key record for `der` (PKCS#8), sealed with `sealer`.
pub fn seal_key(sealer: &Sealer, instance_id: &str, der: &[u8], active_at: i64) -> Result<SigningKey, DomainError> {
    let kid = new_id(prefix::SIGNING_KEY);
    let public = RsaSigner::from_pkcs8(kid.clone(), der).map_err(DomainError::Internal)?.jwk();
    Ok(SigningKey {
        private_key: sealer.seal(der, &aad(instance_id, &kid)),
        kid,
        instance_id: instance_id.to_owned(),
        n: public.n,
        e: public.e,
        created_at: now_millis(),
        active_at,
        retire_at: None,
    })
}

fn open_key(sealer: &Sealer, key: &SigningKey) -> Result<RsaSigner, DomainError> {
    let der = sealer.open(&key.private_key, &aad(&key.instance_id, &key.kid)).map_err(|e| {
        tracing::error!(kid = %key.kid, error = %e, "cannot open the instance's signing key (ROSTER_KEY_ENCRYPTION_KEY)");
        DomainError::SigningKeyUnavailable(e.to_string())
    })?;
    RsaSigner::from_pkcs8(key.kid.clone(), &der).map_err(DomainError::SigningKeyUnavailable)
}
