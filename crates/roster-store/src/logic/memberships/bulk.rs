//! Bulk membership writes: many creates, updates or deletes of one organization's memberships in one
//! transaction, each item by the same function as its single write (`create_in`, `update_role_in`,
//! `update_metadata_in`, `delete_in`), so quota, last manager, role and uniqueness rules hold item by item, as
//! they would for the same single writes sent in order. The organization is locked once (FOR UPDATE on
//! PostgreSQL), so single writes and other bulk writes to it wait; each item runs in a savepoint, so a failing
//! item leaves nothing behind.

use roster_core::model::Membership;
use roster_core::store::{BulkItem, BulkResults, BulkWrite, NewMembership};
use roster_core::DomainError;

use super::{create_in, delete_in, update_metadata_in, update_role_in};
use crate::logic::rows::orgs::org_by_id_for_update;
use crate::logic::rows::roles::RolesCache;
use crate::logic::{StoreError, Tx};
use crate::sql::Db;

pub fn bulk(c: &dyn Db, cache: &RolesCache, instance_id: &str, write: BulkWrite) -> Tx<BulkResults> {
    let mut org = org_by_id_for_update(c, instance_id, &write.organization_id)?;
    let roles = cache.roles(c, instance_id)?;
    let mut results = Vec::with_capacity(write.items.len());
    for item in write.items {
        c.execute("SAVEPOINT bulk_item", &[])?;
        let outcome: Tx<Membership> = match item {
            BulkItem::Create { user_id, role, public_metadata, private_metadata } => {
                let new = NewMembership {
                    organization_id: write.organization_id.clone(),
                    user_id,
                    role,
                    public_metadata,
                    private_metadata,
                };
                create_in(c, instance_id, &mut org, &roles, new)
            }
            BulkItem::Update { user_id, role, metadata } => {
                let mut updated = None;
                if let Some(role) = role {
                    updated = Some(update_role_in(c, instance_id, &org.id, &roles, &user_id, &role));
                }
                match (updated, metadata) {
                    (Some(Err(e)), _) => Err(e),
                    (_, Some(update)) => update_metadata_in(c, instance_id, &org.id, &roles, &user_id, update),
                    (Some(done), None) => done,
                    (None, None) => Err(DomainError::ParamMissing("role".into()).into()),
                }
            }
            BulkItem::Delete { user_id } => {
                let deleted = delete_in(c, instance_id, &org.id, &roles, &user_id);
                if deleted.is_ok() {
                    org.members_count -= 1;
                }
                deleted
            }
        };
        match outcome {
            Ok(membership) => {
                c.execute("RELEASE bulk_item", &[])?;
                results.push(Ok(membership));
            }
            Err(StoreError::Domain(e)) => {
                c.execute("ROLLBACK TO bulk_item", &[])?;
                c.execute("RELEASE bulk_item", &[])?;
                results.push(Err(e));
            }
            Err(database) => return Err(database),
        }
    }
    if write.atomic {
        let failed: Vec<(usize, DomainError)> =
            results.iter().enumerate().filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e.clone()))).collect();
        if !failed.is_empty() {
            return Err(DomainError::BulkRejected(failed).into());
        }
    }
    Ok(results)
}
