//! Session tokens over real HTTP: the claims Clerk's SDKs decode, computed from the data at issue time (after
//! role, permission and membership changes, on one node and on two), the JWKS that verifies them, key
//! rotation, keys sealed at rest, and JWT templates.

mod keys;
mod session_tokens;
mod templates;

use serde_json::{json, Value};

use roster_jwt::{Jwks, KeySet, SessionClaims, Validation, VerifyError};
use roster_testkit::http::Api;
use roster_testkit::json::str_of;

/// A session of `user` with `org` active; returns its id.
async fn session_in(api: &Api, user: &str, org: Option<&str>) -> String {
    let r = api.post("/sessions", json!({"user_id": user, "active_organization_id": org})).await;
    str_of(r.ok(), "id")
}

/// A session token for `session`.
async fn token(api: &Api, session: &str) -> String {
    let r = api.post(&format!("/sessions/{session}/tokens"), json!({})).await;
    assert_eq!(r.ok()["object"], "token");
    str_of(r.ok(), "jwt")
}

async fn jwks(api: &Api) -> Jwks {
    serde_json::from_value(api.get("/jwks").await.ok().clone()).expect("a JWKS")
}

/// Verify `jwt` against the JWKS `api` serves now.
async fn verify(api: &Api, jwt: &str) -> Result<SessionClaims, VerifyError> {
    roster_jwt::verify(jwt, &KeySet::from(&jwks(api).await), &Validation::default())
}

/// A custom permission `key`; returns its id.
async fn permission(api: &Api, key: &str) -> String {
    let r = api.post("/organization_permissions", json!({"name": key, "key": key})).await;
    str_of(r.ok(), "id")
}

/// A custom role with these permission ids; returns its id.
async fn role(api: &Api, key: &str, permissions: &[&str]) -> String {
    let r = api.post("/organization_roles", json!({"name": key, "key": key, "permissions": permissions})).await;
    str_of(r.ok(), "id")
}

fn kid(jwt: &str) -> String {
    roster_jwt::decode_unverified(jwt).expect("a JWT").0.kid.expect("a kid")
}

fn payload(jwt: &str) -> Value {
    roster_jwt::decode_unverified(jwt).expect("a JWT").1
}
