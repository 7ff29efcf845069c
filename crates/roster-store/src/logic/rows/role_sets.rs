//! Role sets: which roles an organization's members and invitations may hold.

use std::collections::HashMap;

use roster_core::model::{Organization, Role};
use roster_core::DomainError;

use crate::logic::Tx;
use crate::sql::Db;

/// The role of `roles` with this key that the organization may give, or 404 "Organization role not found".
pub fn allowed_role<'a>(
    _c: &dyn Db,
    _instance_id: &str,
    _org: &Organization,
    roles: &'a HashMap<String, Role>,
    key: &str,
) -> Tx<&'a Role> {
    roles.values().find(|r| r.key == key).ok_or_else(|| DomainError::role_not_found().into())
}
