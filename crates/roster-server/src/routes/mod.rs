//! One module per resource, each with its `routes()` and the `Api` documenting them; merged here under `/v1`.

mod bulk;
mod domains;
mod events;
mod invitations;
mod jwt_templates;
mod memberships;
mod organizations;
mod role_sets;
mod roles;
pub mod scim_directories;
mod sessions;
mod tokens;
mod users;
mod webhook_endpoints;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(bulk::routes())
        .merge(memberships::routes())
        .merge(organizations::routes())
        .merge(roles::routes())
        .merge(sessions::routes())
        .merge(users::routes())
        .merge(tokens::routes())
        .merge(jwt_templates::routes())
        .merge(events::routes())
        .merge(webhook_endpoints::routes())
        .merge(invitations::routes())
        .merge(domains::routes())
        .merge(role_sets::routes())
        .merge(scim_directories::routes())
}

/// Every operation of `routes()`, for the OpenAPI document: a route added above belongs in its module's `Api`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = memberships::Api::openapi();
    doc.merge(bulk::Api::openapi());
    doc.merge(organizations::Api::openapi());
    doc.merge(roles::Api::openapi());
    doc.merge(sessions::Api::openapi());
    doc.merge(users::Api::openapi());
    doc.merge(tokens::Api::openapi());
    doc.merge(jwt_templates::Api::openapi());
    doc.merge(events::Api::openapi());
    doc.merge(webhook_endpoints::Api::openapi());
    doc.merge(invitations::Api::openapi());
    doc.merge(domains::Api::openapi());
    doc.merge(role_sets::Api::openapi());
    doc.merge(scim_directories::Api::openapi());
    doc
}
