//! Documentation types of the OpenAPI 3.1 document (assembled in `app` from the route modules' `Api`s and
//! served without a key at `GET /v1/openapi.json`): the document's root (info, server, security scheme), the
//! error responses every operation shares, and the query parameters of the list endpoints. A leaf: it
//! imports nothing of the server.
//!
//! Each route module annotates its handlers with `#[utoipa::path]` (the Clerk spec's operationId, path,
//! parameters, body and responses). Request and response bodies are the types of `roster-api-types`, which
//! the handlers deserialize and serialize themselves; query strings are read by `extract::Params`, so the
//! parameter types here document them: keep them in step with the handlers. The drift test
//! (`tests/api/openapi.rs`) holds the document to the Clerk spec; `fuzz/run.sh` holds the server to the
//! document.

mod params;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

use roster_api_types as api;

pub use params::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster",
        description = "The part of the Clerk Backend API (spec 2026-05-12) that Roster implements: users, \
                       organizations, organization memberships, roles and permissions, organization settings \
                       and sessions. Paths, operationIds, parameters and schemas are the Clerk spec's."
    ),
    servers((url = "/v1")),
    // Error responses (`Always`, `BodyErrors`, …) refer to these; operations' 200 bodies register the rest.
    components(schemas(api::ClerkErrors, api::ClerkError)),
    security(("bearerAuth" = [])),
    modifiers(&BearerAuth)
)]
pub struct Root;

/// `bearerAuth`: the instance's secret key (`sk_test_…` or `sk_live_…`), as in the Clerk spec.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sk_<environment>_<secret value>")
                    .description(Some("A secret key of the instance: `sk_test_…` (development) or `sk_live_…`."))
                    .build(),
            ),
        );
    }
}

// ---- Error responses (every error body is `ClerkErrors`) ----

/// The statuses any authenticated operation can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Always {
    /// Invalid `Clerk-API-Version`, a body that is not a JSON object, or a rule of the operation
    /// (`already_a_member_in_organization`, `organization_minimum_permissions_needed`, `duplicate_record`, …).
    #[response(status = 400)]
    BadRequest(api::ClerkErrors),
    /// Missing, malformed or unknown secret key.
    #[response(status = 401)]
    Unauthorized(api::ClerkErrors),
    /// Over a rate limit (`ROSTER_RATE_LIMITS`, off by default).
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds until the limit resets")))]
    TooManyRequests(api::ClerkErrors),
}

/// The statuses of an operation that reads a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// The body is larger than `ROSTER_MAX_BODY_BYTES`.
    #[response(status = 413)]
    TooLarge(api::ClerkErrors),
    /// A non-empty body whose Content-Type is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(api::ClerkErrors),
    /// A body field missing, unknown, of the wrong type or invalid.
    #[response(status = 422)]
    Unprocessable(api::ClerkErrors),
}

/// A query parameter (or a rule of the operation) is invalid.
#[derive(IntoResponses)]
#[response(status = 422)]
#[allow(dead_code)]
pub struct Unprocessable(api::ClerkErrors);

/// Organizations are disabled in the instance (`organization_not_enabled_in_instance`), or a rule of the
/// operation forbids it.
#[derive(IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)]
pub struct Forbidden(api::ClerkErrors);

/// A resource of the path (or one the body names) does not exist in the instance.
#[derive(IntoResponses)]
#[response(status = 404)]
#[allow(dead_code)]
pub struct NotFound(api::ClerkErrors);

/// The permission is already assigned to the role.
#[derive(IntoResponses)]
#[response(status = 409)]
#[allow(dead_code)]
pub struct Conflict(api::ClerkErrors);
