//! Roster's HTTP server: the Clerk Backend API surface for organizations, users and organization
//! memberships over any `roster_core::Store`. `router(state)` builds the app; `serve` runs it on a
//! listener until a shutdown signal, letting requests in flight finish.
#![forbid(unsafe_code)]

mod app;
pub mod context;
pub mod delivery;
pub mod docs;
pub mod error;
pub mod events;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod observe;
pub mod ratelimit;
pub mod respond;
mod routes;
mod scim;
pub mod state;
pub mod tokens;
pub mod webhooks;
pub mod wire;

pub use app::{document, panic_response, router, serve};
pub use state::{AppState, Config};
