//! Session token verification, as @clerk/backend's `verifyToken` and `authenticateRequest` do it for Node apps:
//! a [`JwksCache`] of the instance's public keys (fetched from `GET /v1/jwks` with the secret key, kept for a
//! TTL, refetched when a token names a key it does not hold), and a [`Verifier`] that checks a token's
//! signature, `exp`/`nbf`/`iat` (with leeway), issuer and authorized party, and returns its
//! [`SessionClaims`].
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use roster_client::tokens::{TokenError, Verifier, VerifyError};
//!
//! let verifier = Verifier::new("http://127.0.0.1:8080/v1", "sk_test_roster_readme_key")?
//!     .authorized_parties(["https://app.example.com"]);
//! # let token = "";
//! match verifier.verify_token(token).await {
//!     Ok(claims) if claims.has_permission("org:invoices:read") => println!("{} may read", claims.user_id()),
//!     Ok(_) => println!("forbidden"),
//!     Err(TokenError::Invalid(VerifyError::Expired { .. })) => println!("refresh the token"),
//!     Err(e) => println!("unauthenticated: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! With the `axum` feature, `Auth` is an extractor that does this for every request.

mod cache;
#[cfg(feature = "axum")]
mod extract;

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

pub use cache::{JwksCache, DEFAULT_JWKS_TTL, DEFAULT_MIN_REFETCH_INTERVAL};
#[cfg(feature = "axum")]
pub use extract::{session_token, Auth, AuthRejection};
pub use roster_jwt::{Jwk, Jwks, OrganizationClaim, SessionClaims, Validation, VerifyError};

use crate::{Clerk, Error};

/// Why a token was not accepted: it is invalid ([`VerifyError`]), or the keys to check it could not be fetched.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is refused: malformed, badly signed, signed by a key the JWKS does not have (after a refetch),
    /// expired, not yet valid, or from the wrong issuer or authorized party.
    #[error(transparent)]
    Invalid(#[from] VerifyError),
    /// The JWKS could not be fetched (the server is unreachable, or refused the secret key).
    #[error("could not fetch the JWKS: {0}")]
    JwksFetch(Arc<Error>),
}

impl TokenError {
    /// The reason as @clerk/backend's `TokenVerificationErrorReason` names it (`token-expired`,
    /// `token-invalid-signature`, `jwk-remote-missing`, `jwk-remote-failed-to-load`, ...).
    pub fn reason(&self) -> &'static str {
        match self {
            TokenError::Invalid(e) => match e {
                VerifyError::Malformed(_) | VerifyError::BadClaims(_) | VerifyError::WrongIssuer { .. } => {
                    "token-invalid"
                }
                VerifyError::UnsupportedAlgorithm(_) => "token-invalid-algorithm",
                VerifyError::UnknownKey(_) => "jwk-remote-missing",
                VerifyError::BadSignature => "token-invalid-signature",
                VerifyError::Expired { .. } => "token-expired",
                VerifyError::NotYetValid { .. } => "token-not-active-yet",
                VerifyError::IssuedInTheFuture { .. } => "token-iat-in-the-future",
                VerifyError::UnauthorizedParty(_) => "token-invalid-authorized-parties",
            },
            TokenError::JwksFetch(_) => "jwk-remote-failed-to-load",
        }
    }

    /// Whether the token expired (the client should get a fresh one).
    pub fn is_expired(&self) -> bool {
        matches!(self, TokenError::Invalid(VerifyError::Expired { .. }))
    }

    /// The verification error, when the token itself was refused.
    pub fn verify_error(&self) -> Option<&VerifyError> {
        match self {
            TokenError::Invalid(e) => Some(e),
            TokenError::JwksFetch(_) => None,
        }
    }
}

/// Verifies session tokens against an instance's keys, with the checks of a [`Validation`] (default: no
/// issuer or authorized party required, 5 s leeway).
///
/// Cheap to clone (the cache is shared). Put one in an `Arc` in your app's state.
#[derive(Debug, Clone)]
pub struct Verifier {
    cache: Arc<JwksCache>,
    validation: Validation,
}

impl Verifier {
    /// A verifier whose keys come from the Backend API at `server_url` (for example `http://127.0.0.1:8080/v1`
    /// or `https://api.clerk.com/v1`), fetched with `secret_key`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a malformed URL or key.
    pub fn new(server_url: impl Into<String>, secret_key: impl Into<String>) -> Result<Self, Error> {
        Ok(Self::with_cache(JwksCache::new(server_url, secret_key)?))
    }

    /// A verifier whose keys are fetched through this client.
    pub fn from_client(clerk: &Clerk) -> Self {
        Self::with_cache(JwksCache::from_client(clerk))
    }

    /// A verifier over this cache (shared with other verifiers when it is an `Arc`).
    pub fn with_cache(cache: impl Into<Arc<JwksCache>>) -> Self {
        Self { cache: cache.into(), validation: Validation::default() }
    }

    /// Require this `iss` (Roster's default issuer is `https://clerk.roster.local`).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.validation.issuer = Some(issuer.into());
        self
    }

    /// Accept only tokens whose `azp` is one of these origins (a token without `azp` is accepted, as in Clerk).
    pub fn authorized_parties<I, P>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.validation.authorized_parties = parties.into_iter().map(Into::into).collect();
        self
    }

    /// The clock skew allowed on `exp`, `nbf` and `iat`. Default 5 s.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.validation.leeway = leeway;
        self
    }

    /// Replace every check at once (its `now` fixes the time tokens are verified at; `None` is the clock).
    pub fn with_validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// The checks made beyond the signature.
    pub fn validation(&self) -> &Validation {
        &self.validation
    }

    /// The key cache.
    pub fn cache(&self) -> &Arc<JwksCache> {
        &self.cache
    }

    /// Fetch the keys if they were never fetched or are stale, so the first requests take the warm path.
    ///
    /// # Errors
    ///
    /// [`TokenError::JwksFetch`] when the request fails.
    pub async fn warm(&self) -> Result<(), TokenError> {
        self.cache.ensure_fresh().await
    }

    /// Verify `token` with the keys held now, without fetching and without waiting: the fast path, for a warm
    /// cache. A token signed by a key not held is [`VerifyError::UnknownKey`]; keys past their TTL are still
    /// used (call [`Verifier::verify_token`] to refresh them).
    ///
    /// # Errors
    ///
    /// [`TokenError::Invalid`] with the reason.
    pub fn verify_cached(&self, token: &str) -> Result<SessionClaims, TokenError> {
        self.verify_cached_with(token, &self.validation)
    }

    /// [`Verifier::verify_cached`] with other checks, and claims of any shape.
    ///
    /// # Errors
    ///
    /// [`TokenError::Invalid`] with the reason.
    pub fn verify_cached_with<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, TokenError> {
        Ok(roster_jwt::verify(token, &self.cache.snapshot().keys, validation)?)
    }

    /// Verify `token`, fetching the keys first when they are missing or stale, and again (at most once per
    /// minimum interval, shared by concurrent callers) when the token names a key not held.
    ///
    /// # Errors
    ///
    /// [`TokenError::Invalid`] with the reason; [`TokenError::JwksFetch`] when the keys were needed and could
    /// not be fetched.
    pub async fn verify_token(&self, token: &str) -> Result<SessionClaims, TokenError> {
        self.verify_with(token, &self.validation).await
    }

    /// [`Verifier::verify_token`] with other checks, and claims of any shape (a JWT template's, say).
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_token`].
    pub async fn verify_with<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, TokenError> {
        let mut keys = self.cache.snapshot();
        if !self.cache.is_fresh(&keys) {
            keys = self.cache.refresh_for(cache::Need::Fresh).await?;
        }
        match roster_jwt::verify(token, &keys.keys, validation) {
            Err(VerifyError::UnknownKey(kid)) => {
                let keys = self.cache.refresh_for(cache::Need::Kid(&kid)).await?;
                Ok(roster_jwt::verify(token, &keys.keys, validation)?)
            }
            other => Ok(other?),
        }
    }
}
