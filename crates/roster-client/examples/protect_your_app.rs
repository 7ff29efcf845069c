//! Protect your app: an axum API whose `/invoices` needs a session token of a member holding
//! `org:invoices:read` in the active organization.
//!
//! ```sh
//! ROSTER_API_URL=http://127.0.0.1:8080/v1 ROSTER_SECRET_KEY=sk_test_... \
//!     cargo run -p roster-client --example protect_your_app --features axum
//! curl -H "Authorization: Bearer $SESSION_TOKEN" http://127.0.0.1:3000/invoices
//! ```

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use roster_client::tokens::{Auth, AuthRejection, Verifier};
use serde_json::{json, Value};

/// The app: every route behind `Auth` gets verified claims, or the client gets a 401.
pub fn app(verifier: Arc<Verifier>) -> Router {
    Router::new().route("/invoices", get(list_invoices)).with_state(verifier)
}

async fn list_invoices(auth: Auth) -> Result<Json<Value>, AuthRejection> {
    auth.require_permission("org:invoices:read")?; // 403 otherwise
    Ok(Json(json!({
        "user_id": auth.user_id(),
        "organization_id": auth.org_id(),
        "invoices": [],
    })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let api_url = std::env::var("ROSTER_API_URL").unwrap_or_else(|_| "http://127.0.0.1:8080/v1".into());
    let secret_key = std::env::var("ROSTER_SECRET_KEY")?;
    let verifier = Verifier::new(api_url, secret_key)?;
    verifier.warm().await?; // fetch the JWKS once at startup
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app(Arc::new(verifier))).await?;
    Ok(())
}
