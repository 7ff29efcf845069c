//! SCIM error responses (RFC 7644 §3.12).

use serde_json::{json, Value};

/// The `schemas` URN of a SCIM error message.
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A protocol-level failure, rendered with [`ScimError::body`] as an RFC 7644 §3.12 error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SCIM {status}{}: {detail}", scim_type.map(|t| format!(" ({t})")).unwrap_or_default())]
pub struct ScimError {
    /// The HTTP status code to answer with.
    pub status: u16,
    /// The RFC 7644 `scimType` keyword (only defined for 400 and 409 responses).
    pub scim_type: Option<&'static str>,
    /// A human-readable explanation.
    pub detail: String,
}

impl ScimError {
    /// An error with an arbitrary status and `scimType`.
    pub fn new(status: u16, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self { status, scim_type, detail: detail.into() }
    }

    /// The JSON error body: `{"schemas":[Error URN],"status":"400","scimType":"...","detail":"..."}`.
    /// `status` is a string, as RFC 7644 §3.12 specifies; `scimType` is omitted when `None`.
    pub fn body(&self) -> Value {
        let mut v = json!({
            "schemas": [ERROR_URN],
            "status": self.status.to_string(),
        });
        if let (Some(t), Some(obj)) = (self.scim_type, v.as_object_mut()) {
            obj.insert("scimType".into(), Value::String(t.into()));
        }
        if let Some(obj) = v.as_object_mut() {
            obj.insert("detail".into(), Value::String(self.detail.clone()));
        }
        v
    }

    /// 400 `invalidFilter`: the filter syntax was invalid or named an unknown attribute.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidFilter"), detail)
    }
    /// 400 `invalidSyntax`: the request body did not conform to the message schema.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidSyntax"), detail)
    }
    /// 400 `invalidValue`: a value was of the wrong type, missing when required, or malformed.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidValue"), detail)
    }
    /// 400 `invalidPath`: a PATCH path was malformed or not applicable.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidPath"), detail)
    }
    /// 400 `noTarget`: a PATCH path (or its value filter) selected nothing, or `remove` had no path.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(400, Some("noTarget"), detail)
    }
    /// 400 `mutability`: an attempt to change a readOnly/immutable attribute or unassign a required one.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(400, Some("mutability"), detail)
    }
    /// 409 `uniqueness`: a unique attribute value (e.g. `userName`) is already taken.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some("uniqueness"), detail)
    }
    /// 400 `tooMany`: the query would return more results than the server is willing to process.
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::new(400, Some("tooMany"), detail)
    }
    /// 400 `invalidVers`: the SCIM protocol version is not supported.
    pub fn invalid_vers(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidVers"), detail)
    }
    /// 400 `sensitive`: the request contained sensitive information in the URI.
    pub fn sensitive(detail: impl Into<String>) -> Self {
        Self::new(400, Some("sensitive"), detail)
    }
    /// 404 (no `scimType`): the resource or endpoint does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }
    /// 412: an `If-Match` precondition failed (the resource version changed).
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(412, None, detail)
    }
    /// 413: the request body was larger than the server accepts.
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(413, None, detail)
    }
    /// 401: missing or invalid bearer token.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(401, None, detail)
    }
    /// 403: the token is valid but not allowed to do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, None, detail)
    }
    /// 409 without `scimType`: a conflict that is not a uniqueness violation.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(409, None, detail)
    }
    /// 405: the HTTP method is not supported on this endpoint.
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(405, None, detail)
    }
    /// 501: the operation is not implemented (e.g. `/Bulk`).
    pub fn not_implemented(detail: impl Into<String>) -> Self {
        Self::new(501, None, detail)
    }
    /// 500: an unexpected server failure.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, None, detail)
    }
}
