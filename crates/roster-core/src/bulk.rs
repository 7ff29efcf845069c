//! Bulk membership writes (`Store::bulk_memberships`): the items, the write, and each item's outcome.

use crate::ids::{OrgId, UserId};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::model::Membership;
use crate::DomainError;

/// One item of a bulk membership write (`Store::bulk_memberships`): what the single write of its kind takes,
/// for the bulk's organization.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkItem {
    Create {
        user_id: UserId,
        role: String,
        public_metadata: Metadata,
        private_metadata: Metadata,
    },
    /// A new role, a metadata merge, or both (at least one).
    Update {
        user_id: UserId,
        role: Option<String>,
        metadata: Option<MetadataUpdate>,
    },
    Delete {
        user_id: UserId,
    },
}

/// A bulk membership write: its items apply in order, each under the rules of its single write, in one
/// transaction. Atomic: the first item that fails rolls everything back (`DomainError::BulkRejected`, with
/// every failing item). Partial: a failing item changes nothing and is answered with its error; the others
/// commit.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkWrite {
    pub organization_id: OrgId,
    pub atomic: bool,
    pub items: Vec<BulkItem>,
}

/// Each item's outcome, in the order of the items.
pub type BulkResults = Vec<std::result::Result<Membership, DomainError>>;
