//! One module per resource, each with its `routes()`; merged here under `/v1`.

mod memberships;
mod organizations;
mod roles;
mod sessions;
mod users;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(memberships::routes())
        .merge(organizations::routes())
        .merge(roles::routes())
        .merge(sessions::routes())
        .merge(users::routes())
}
