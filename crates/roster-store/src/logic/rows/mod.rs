//! Row-level helpers one floor below the use cases (`super::{instances, memberships, orgs, roles, sessions,
//! users}`): decoding rows, reading a record by id, and the row writes more than one use case makes. They
//! call only down (`super::filter`, `crate::sql`) and never a use case; a use case that needs another's rows
//! reads them here.

pub mod domains;
pub mod events;
pub mod instances;
pub mod invitations;
pub mod memberships;
pub mod orgs;
pub mod role_sets;
pub mod roles;
pub mod sessions;
pub mod users;

use roster_core::metadata::Metadata;

pub fn json(text: String) -> Metadata {
    serde_json::from_str(&text).unwrap_or_default()
}

pub fn to_json(m: &Metadata) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".into())
}
