//! Session tokens: the claims of a session token and of a JWT template's token, computed at issue time from
//! the store's current data, and signed with the instance's key (`keyring`) or the template's own.

pub mod keyring;
pub mod template;

use roster_core::tokens::TokenContext;
use roster_core::DomainError;
use roster_jwt::{features_of, OrganizationClaim, SessionClaims};
use serde_json::Value;

/// The issuer of tokens unless `ROSTER_ISSUER` says otherwise. Clerk's `iss` is an instance's frontend API
/// (`https://clerk.example.com`); a publishable key for this default is `pk_test_` + base64(`clerk.roster.local$`).
pub const DEFAULT_ISSUER: &str = "https://clerk.roster.local";

/// A session token lasts a minute unless asked otherwise, as in Clerk.
pub const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 60;

/// What every token of this server carries besides its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    pub issuer: String,
    /// `azp`, the authorized party (`ROSTER_AUTHORIZED_PARTY`): the origin of the app the tokens are for. Not
    /// set: tokens carry no `azp`.
    pub authorized_party: Option<String>,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self { issuer: DEFAULT_ISSUER.to_owned(), authorized_party: None }
    }
}

/// Tokens are issued only for active sessions: revoked, ended and expired ones get Clerk's error instead.
pub fn check_active(ctx: &TokenContext) -> Result<(), DomainError> {
    if ctx.session.status == "active" {
        Ok(())
    } else {
        Err(DomainError::SessionActionInvalid { action: "create a token for", session_id: ctx.session.id.clone() })
    }
}

/// The version 2 session claims of `ctx` at `now` (seconds), valid for `lifetime` seconds.
pub fn session_claims(ctx: &TokenContext, settings: &TokenSettings, now: u64, lifetime: u64) -> SessionClaims {
    let features = features_of(ctx.instance_permissions.iter().map(String::as_str));
    let o = ctx
        .organization
        .as_ref()
        .map(|org| OrganizationClaim::new(&org.id, &org.slug, &org.role, &org.permissions, &features));
    let fea = (o.is_some() && !features.is_empty())
        .then(|| features.iter().map(|f| format!("o:{f}")).collect::<Vec<_>>().join(","));
    let signed_in_minutes = (now as i64 - ctx.session.created_at / 1000).max(0) / 60;
    SessionClaims {
        sub: ctx.session.user_id.clone(),
        sid: ctx.session.id.clone(),
        iss: settings.issuer.clone(),
        azp: settings.authorized_party.clone(),
        iat: now,
        nbf: now.saturating_sub(10),
        exp: now + lifetime,
        fva: Some([signed_in_minutes, -1]),
        v: 2,
        fea,
        o,
    }
}

/// The claims as the JSON a signer takes.
pub fn to_value(claims: &SessionClaims) -> Value {
    serde_json::to_value(claims).expect("claims serialize")
}

/// Seconds since the Unix epoch, the unit of JWT times.
pub fn now_secs() -> u64 {
    (roster_core::now_millis() / 1000).max(0) as u64
}
