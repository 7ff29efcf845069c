//! Roster's domain: the vocabulary (ids, users, organizations, roles, memberships), the rules that hold
//! whatever database is underneath (quota, last admin, metadata merge and limits), and the `Store` trait
//! every backend implements. No HTTP, no SQL driver: the server and the stores both depend on this crate.
#![forbid(unsafe_code)]

pub mod bulk;
pub mod domains;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod ids;
pub mod invitations;
pub mod keys;
pub mod metadata;
pub mod model;
pub mod query;
pub mod role_sets;
pub mod roles;
pub mod rules;
pub mod scim;
pub mod store;
pub mod tokens;
pub mod webhooks;

pub use error::{DomainError, Param};
pub use ids::{DirectoryId, DomainId, InstanceId, InvitationId, KeyId, OrgId, PermissionId, RoleId, SessionId, UserId};
pub use store::Store;

/// Milliseconds since the Unix epoch, the unit of every timestamp on Clerk's wire.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}
