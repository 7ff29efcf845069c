//! SCIM 2.0 (RFC 7643 / RFC 7644) service-provider protocol library for Roster.
//!
//! Pure and storage-agnostic: the server stores each resource as a JSON "resource body"
//! (everything except `id` and `meta`, attribute names canonicalized, as produced by
//! [`resource::normalize`]) and calls into this crate for discovery documents, validation,
//! filtering, PATCH, attribute projection and list responses.
#![forbid(unsafe_code)]

pub mod discovery;
mod error;
pub mod fields;
pub mod filter;
mod kind;
pub mod list;
pub mod patch;
pub mod resource;
pub mod schema;
mod time;

pub use error::{ScimError, ERROR_URN};
pub use fields::{display_name, external_id, group_members, user_fields, value_at, UserFields};
pub(crate) use kind::short;
pub use kind::ResourceKind;
