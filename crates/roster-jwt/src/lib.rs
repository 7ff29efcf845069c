//! Session tokens as Clerk issues them and its SDKs verify them: compact JWS (RS256 with an instance's RSA key, or
//! HS256 with a JWT template's secret), the JWKS that publishes the public keys, Clerk's version 2 session claims
//! (`v: 2`, the compact organization claim `o`), and verification with typed errors.
//!
//! The server signs with [`RsaSigner`]; an application verifies with [`verify`] against a [`Jwks`] (roster-client
//! adds the fetching and caching). Private keys are sealed at rest with [`Sealer`].

mod b64;
mod claims;
mod jws;
mod keys;
mod seal;
mod verify;

pub use claims::{features_of, OrganizationClaim, SessionClaims};
pub use jws::{sign_hs256, Algorithm, Header};
#[cfg(feature = "keygen")]
pub use keys::generate_rsa_2048;
pub use keys::{Jwk, Jwks, KeySet, RsaSigner};
pub use seal::{SealError, Sealer};
pub use verify::{decode_unverified, verify, verify_hs256, Validation, VerifyError};
