//! Session token settings of `roster serve`, and the signing keys of instances: made with `roster instances
//! create`, rotated with `roster keys rotate` (both through the server's `KeyRing`).

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;

use roster_core::Store;
use roster_jwt::Sealer;
use roster_server::tokens::keyring::KeyRing;

/// A secret given on the command line or in the environment: never printed, not even by `Debug`.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Encrypts instances' signing keys (and JWT template secrets) at rest with AES-256-GCM: 32 bytes as 64 hex
    /// digits or base64. Keys stored without it stay readable; keys stored with it need it to be used.
    #[arg(long, global = true, env = "ROSTER_KEY_ENCRYPTION_KEY", hide_env_values = true)]
    pub key_encryption_key: Option<Secret>,
}

impl KeyArgs {
    pub fn sealer(&self) -> Result<Arc<Sealer>> {
        Ok(Arc::new(match &self.key_encryption_key {
            Some(key) => Sealer::from_key_text(&key.0).context("ROSTER_KEY_ENCRYPTION_KEY")?,
            None => Sealer::plain(),
        }))
    }
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The `iss` claim of session tokens (Clerk's is the instance's frontend API URL).
    #[arg(long, env = "ROSTER_ISSUER", default_value = roster_server::tokens::DEFAULT_ISSUER)]
    pub issuer: String,
    /// The `azp` claim of session tokens: the origin of the app they are for. Unset: no `azp`.
    #[arg(long, env = "ROSTER_AUTHORIZED_PARTY")]
    pub authorized_party: Option<String>,
}

impl TokenArgs {
    pub fn settings(&self) -> roster_server::tokens::TokenSettings {
        roster_server::tokens::TokenSettings {
            issuer: self.issuer.clone(),
            authorized_party: self.authorized_party.clone(),
        }
    }
}

/// The instance's first signing key (`roster instances create`).
pub async fn first_key(store: &dyn Store, sealer: Arc<Sealer>, instance_id: &str) -> Result<()> {
    KeyRing::new(sealer).keys(store, instance_id).await?;
    Ok(())
}

/// `roster keys rotate`: publish a new key now, sign with it after `grace`, retire the current one `retain`
/// after the switch. Prints the instance's keys after.
pub async fn rotate(
    store: &dyn Store,
    sealer: Arc<Sealer>,
    instance_id: &str,
    grace: std::time::Duration,
    retain: std::time::Duration,
) -> Result<()> {
    let ring = KeyRing::new(sealer);
    let keys = ring.rotate(store, instance_id, grace.as_millis() as i64, retain.as_millis() as i64).await?;
    for k in keys {
        let retire = k.retire_at.map_or("-".to_owned(), |r| r.to_string());
        println!("{}\tactive_at={}\tretire_at={retire}", k.kid, k.active_at);
    }
    Ok(())
}
