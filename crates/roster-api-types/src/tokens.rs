//! Session tokens, the JWKS, key rotation (a Roster extension) and JWT templates.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Body of `POST /sessions/{session_id}/tokens[/{template_name}]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateSessionTokenRequest {
    /// Lifetime of the token, 30 to 315360000 seconds (default: 60, or the template's lifetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<i64>,
}

/// `{"object": "token", "jwt": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    pub object: String,
    pub jwt: String,
}

/// One public key of `GET /jwks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = JWKS::rsa::PublicKey))]
pub struct JwksRsaPublicKey {
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub kty: String,
    pub n: String,
    pub e: String,
}

/// `GET /jwks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = JWKS))]
pub struct Jwks {
    pub keys: Vec<JwksRsaPublicKey>,
}

/// Body of `POST /jwks/rotate` (a Roster extension).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateSigningKeyRequest {
    /// Seconds between publishing the next key and signing with it (default 3600, at least 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i64>,
    /// Seconds the current key stays published after the switch (default 86400, at least the longest token
    /// lifetime you issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_seconds: Option<i64>,
}

/// One key of an instance, as `POST /jwks/rotate` answers (public data only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningKeyState {
    pub object: String,
    pub kid: String,
    /// Unix milliseconds from which the key signs.
    pub active_at: i64,
    /// Unix milliseconds at which the key leaves the JWKS; `null`: not scheduled.
    pub retire_at: Option<i64>,
    /// `next` (published, not yet signing), `current` (signing), or `retiring` (published, no longer signing).
    pub status: String,
    pub created_at: i64,
}

/// `POST /jwks/rotate`: the instance's published keys after the rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningKeyList {
    pub data: Vec<SigningKeyState>,
    pub total_count: i64,
}

/// A JWT template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = JWTTemplate))]
pub struct JwtTemplate {
    pub object: String,
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub claims: Map<String, Value>,
    pub lifetime: i64,
    pub allowed_clock_skew: i64,
    pub custom_signing_key: bool,
    pub signing_algorithm: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `GET /jwt_templates?paginated=true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JwtTemplates {
    pub data: Vec<JwtTemplate>,
    pub total_count: i64,
}

/// Body of `POST /jwt_templates` and `PATCH /jwt_templates/{template_id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateJwtTemplateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub claims: Option<Value>,
    /// 30 to 315360000 seconds; default 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<i64>,
    /// 0 to 300 seconds; default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_clock_skew: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_signing_key: Option<bool>,
    /// `RS256` or `HS256`; required when `custom_signing_key` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_algorithm: Option<String>,
    /// The private key (RS256: PEM) or secret (HS256); required when `custom_signing_key` is true. Never returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
}
