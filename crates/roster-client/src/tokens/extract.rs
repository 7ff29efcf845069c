//! The axum extractor (feature `axum`): [`Auth`] verifies the request's session token and hands the handler its
//! claims; a request without a valid one is answered 401 with Clerk's error shape.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::tokens::{SessionClaims, TokenError, Verifier};

/// The verified session of a request: its token's claims.
///
/// The token is read from `Authorization: Bearer <token>`, or else from the `__session` cookie (as Clerk's
/// frontend sets it). The [`Verifier`] comes from the router's state, through `Arc<Verifier>: FromRef<S>` (the
/// state is an `Arc<Verifier>`, or a struct with one and a [`FromRef`] implementation).
///
/// - No token: 401 `authentication_invalid`.
/// - An expired token: 401 `token_expired`; any other invalid token: 401 `authentication_invalid` (the
///   reason, as @clerk/backend names it, in `meta.reason`).
/// - The keys could not be fetched: 503 `authentication_unavailable`.
///
/// `Option<Auth>` accepts requests without a token (`None`) and still refuses invalid ones.
///
/// ```no_run
/// use std::sync::Arc;
/// use axum::{routing::get, Router};
/// use roster_client::tokens::{Auth, AuthRejection, Verifier};
///
/// async fn me(auth: Auth) -> Result<String, AuthRejection> {
///     auth.require_permission("org:invoices:read")?;
///     Ok(format!("{} in {:?}", auth.user_id(), auth.org_id()))
/// }
///
/// # fn app(verifier: Verifier) -> Router {
/// Router::new().route("/me", get(me)).with_state(Arc::new(verifier))
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Auth(pub SessionClaims);

impl std::ops::Deref for Auth {
    type Target = SessionClaims;

    fn deref(&self) -> &SessionClaims {
        &self.0
    }
}

impl Auth {
    /// `Ok` when the member holds `permission` in the active organization, else a 403 to return.
    ///
    /// # Errors
    ///
    /// [`AuthRejection`] 403 `authorization_invalid`.
    pub fn require_permission(&self, permission: &str) -> Result<(), AuthRejection> {
        if self.0.has_permission(permission) {
            Ok(())
        } else {
            Err(AuthRejection::forbidden(format!("This request requires the permission {permission}.")))
        }
    }

    /// `Ok` when the member has `role` in the active organization, else a 403 to return.
    ///
    /// # Errors
    ///
    /// [`AuthRejection`] 403 `authorization_invalid`.
    pub fn require_role(&self, role: &str) -> Result<(), AuthRejection> {
        if self.0.has_role(role) {
            Ok(())
        } else {
            Err(AuthRejection::forbidden(format!("This request requires the role {role}.")))
        }
    }
}

/// The session token of a request: `Authorization: Bearer <token>`, or else the `__session` cookie.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    });
    bearer.or_else(|| {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, value)| *name == "__session" && !value.is_empty())
            .map(|(_, value)| value.trim_matches('"'))
    })
}

/// Why a request was refused: answered with its status and Clerk's error body
/// `{"errors": [{"message", "long_message", "code", "meta": {"reason"}}]}`.
#[derive(Debug, Clone)]
pub struct AuthRejection {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    long_message: String,
    error: Option<TokenError>,
}

impl AuthRejection {
    /// 401 `authentication_invalid`: the request carries no session token.
    pub fn missing() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "authentication_invalid",
            message: "Unauthenticated",
            long_message: "No session token: send `Authorization: Bearer <session token>` or the __session cookie."
                .into(),
            error: None,
        }
    }

    /// 403 `authorization_invalid`: authenticated, but not allowed.
    pub fn forbidden(long_message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "authorization_invalid",
            message: "Unauthorized request",
            long_message: long_message.into(),
            error: None,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error code of the answer (`authentication_invalid`, `token_expired`, `authorization_invalid`,
    /// `authentication_unavailable`).
    pub fn code(&self) -> &str {
        self.code
    }

    /// The verification error, when a token was refused or its keys could not be fetched.
    pub fn token_error(&self) -> Option<&TokenError> {
        self.error.as_ref()
    }
}

impl From<TokenError> for AuthRejection {
    fn from(error: TokenError) -> Self {
        let (status, code, message) = match &error {
            TokenError::JwksFetch(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "authentication_unavailable", "Authentication unavailable")
            }
            e if e.is_expired() => (StatusCode::UNAUTHORIZED, "token_expired", "Token expired"),
            _ => (StatusCode::UNAUTHORIZED, "authentication_invalid", "Invalid authentication"),
        };
        Self { status, code, message, long_message: error.to_string(), error: Some(error) }
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({
            "message": self.message,
            "long_message": self.long_message,
            "code": self.code,
        });
        if let Some(e) = &self.error {
            error["meta"] = serde_json::json!({ "reason": e.reason() });
        }
        (self.status, Json(serde_json::json!({ "errors": [error] }))).into_response()
    }
}

impl<S> FromRequestParts<S> for Auth
where
    Arc<Verifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(AuthRejection::missing)?;
        let verifier = Arc::<Verifier>::from_ref(state);
        Ok(Auth(verifier.verify_token(token).await?))
    }
}

impl<S> OptionalFromRequestParts<S> for Auth
where
    Arc<Verifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let Some(token) = session_token(&parts.headers) else { return Ok(None) };
        let verifier = Arc::<Verifier>::from_ref(state);
        Ok(Some(Auth(verifier.verify_token(token).await?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_token_comes_from_the_bearer_header_or_the_session_cookie() {
        assert_eq!(session_token(&headers(&[("authorization", "Bearer abc")])), Some("abc"));
        assert_eq!(session_token(&headers(&[("authorization", "bearer  abc ")])), Some("abc"));
        assert_eq!(session_token(&headers(&[("cookie", "a=1; __session=xyz; b=2")])), Some("xyz"));
        let both = headers(&[("authorization", "Bearer abc"), ("cookie", "__session=xyz")]);
        assert_eq!(session_token(&both), Some("abc"));
        let basic = headers(&[("authorization", "Basic abc"), ("cookie", "__session=xyz")]);
        assert_eq!(session_token(&basic), Some("xyz"));
        assert_eq!(session_token(&headers(&[("authorization", "Bearer ")])), None);
        assert_eq!(session_token(&headers(&[("cookie", "__session_x=1; __session=")])), None);
        assert_eq!(session_token(&HeaderMap::new()), None);
    }
}
