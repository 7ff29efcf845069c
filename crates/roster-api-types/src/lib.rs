//! Wire types of the Clerk Backend API (spec 2026-05-12) as Roster serves and reads them, named as the spec names
//! them. Serde only: shared by the server (which serializes them) and the SDK (which deserializes them).
//! The `openapi` feature (the server's, never the SDK's) derives `utoipa::ToSchema` on each, under the
//! spec's component names, for the OpenAPI document Roster serves at `GET /v1/openapi.json`.
//! Field presence follows what the official SDKs need, not only what the spec marks required: for
//! example `public_user_data` is always present on memberships and live objects never carry `deleted`.
#![forbid(unsafe_code)]

pub mod enrollment;
pub mod events;
pub mod requests;
pub mod responses;
pub mod scim;
pub mod tokens;
pub mod values;

pub use enrollment::*;
pub use events::*;
pub use requests::*;
pub use responses::*;
pub use scim::*;
pub use tokens::*;
pub use values::Metadata;
