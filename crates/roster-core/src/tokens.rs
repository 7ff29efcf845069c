//! What session tokens are made of, as the store keeps it: an instance's signing keys (sealed; the server
//! signs), JWT templates, and the data a token's claims are computed from at issue time.

use crate::metadata::Metadata;
use crate::model::Session;

/// One RSA signing key of an instance. `private_key` is sealed (see roster-jwt's `Sealer`): the store never
/// sees it in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    pub instance_id: String,
    /// The public modulus and exponent, base64url, as the JWKS serves them.
    pub n: String,
    pub e: String,
    pub private_key: String,
    pub created_at: i64,
    /// Signs from here until a later key's `active_at`.
    pub active_at: i64,
    /// Published until here; `None`: not scheduled.
    pub retire_at: Option<i64>,
}

/// How a key joins an instance's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAddition {
    /// The instance's first key: added only if the instance has none (of two nodes racing, one key wins and
    /// both get it).
    First,
    /// A rotation: the new key's `active_at` is in the future; every key without a retirement is retired at
    /// `retire_previous_at`. Refused while an earlier rotation's key is still waiting to sign.
    Rotate { retire_previous_at: i64 },
}

/// The data of a session token, read in one snapshot when the token is issued.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenContext {
    pub session: Session,
    /// The session's active organization and the user's membership in it.
    pub organization: Option<OrganizationContext>,
    /// Every permission key the instance's roles hold (the features of `fea` come from these).
    pub instance_permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationContext {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub public_metadata: Metadata,
    /// The membership's role key (`org:admin`).
    pub role: String,
    /// The role's permission keys (`org:sys_memberships:read`, `org:invoices:read`).
    pub permissions: Vec<String>,
    pub membership_public_metadata: Metadata,
}

/// A JWT template (`/v1/jwt_templates`).
#[derive(Debug, Clone, PartialEq)]
pub struct JwtTemplate {
    pub id: String,
    pub name: String,
    /// The claims with their shortcodes, as given.
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// Token lifetime, seconds.
    pub lifetime: i64,
    /// Clock skew allowed when the token is verified, seconds (becomes `nbf = iat - skew`).
    pub allowed_clock_skew: i64,
    pub custom_signing_key: bool,
    /// `RS256` (the instance key, or a custom key) or `HS256` (the template's secret).
    pub signing_algorithm: String,
    /// The custom signing key, sealed; `None` signs with the instance key. Never returned by the API.
    pub signing_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Fields to change on a template; `None` leaves one alone. `signing_key: Some(None)` goes back to the instance
/// key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JwtTemplateUpdate {
    pub name: Option<String>,
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
    pub lifetime: Option<i64>,
    pub allowed_clock_skew: Option<i64>,
    pub custom_signing_key: Option<bool>,
    pub signing_algorithm: Option<String>,
    pub signing_key: Option<Option<String>>,
}
