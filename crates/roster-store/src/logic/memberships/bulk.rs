//! Bulk membership writes: many creates, updates or deletes of one organization's memberships in one
//! transaction, each item by the same function as its single write (`create_in`, `update_role_in`,
//! `update_metadata_in`, `delete_in`), so quota, last manager, role and uniqueness rules hold item by item, as
//! they would for the same single writes sent in order. The organization is locked once (FOR UPDATE on
//! PostgreSQL), so single writes and other bulk writes to it wait, and its `members_count` is stored once.
//!
//! The users of the creates are looked up in two statements for the whole write, not two per item.
//!
//! A failing item leaves nothing behind: each `*_in` function checks all its rules before its first write, so
//! an item that fails with a rule has written nothing. The one item that writes twice, an update of both role
//! and metadata (whose merge may still fail after the role changed), runs in a savepoint. (A savepoint per
//! item made a bulk create three times slower: SQLite journals every page an item touches again for each.)

use std::collections::HashMap;

use roster_core::events::NewEvent;
use roster_core::model::Membership;
use roster_core::store::{BulkItem, BulkResults, BulkWrite, NewMembership};
use roster_core::{DomainError, UserId};

use super::{
    check_unmanaged, create_in, created_event, delete_in, deleted_event, joiners, update_metadata_in, update_role_in,
    updated_event,
};
use crate::logic::rows::events::append_all;
use crate::logic::rows::invitations::count_pending_for_quota;
use crate::logic::rows::memberships::set_members_count;
use crate::logic::rows::orgs::org_by_id_for_update;
use crate::logic::rows::roles::RolesCache;
use crate::logic::{StoreError, Tx};
use crate::sql::Db;

pub fn bulk(c: &dyn Db, cache: &RolesCache, instance_id: &str, write: BulkWrite) -> Tx<BulkResults> {
    let mut org = org_by_id_for_update(c, instance_id, &write.organization_id)?;
    count_pending_for_quota(c, &mut org, roster_core::now_millis())?;
    let members_before = org.members_count;
    let roles = cache.roles(c, instance_id)?;
    let creating: Vec<UserId> = write
        .items
        .iter()
        .filter_map(|item| match item {
            BulkItem::Create { user_id, .. } => Some(user_id.clone()),
            _ => None,
        })
        .collect();
    let mut joiners = if creating.is_empty() { HashMap::new() } else { joiners(c, instance_id, &org.id, &creating)? };
    let mut results = Vec::with_capacity(write.items.len());
    let mut events = Vec::with_capacity(write.items.len());
    for item in write.items {
        // A role change or removal of a member a SCIM directory manages is the directory's to make.
        let managed = match &item {
            BulkItem::Update { user_id, role: Some(_), .. } | BulkItem::Delete { user_id } => {
                check_unmanaged(c, &org.id, user_id)
            }
            _ => Ok(()),
        };
        let outcome: Tx<(Membership, NewEvent)> = if let Err(e) = managed {
            Err(e)
        } else {
            match item {
                BulkItem::Create { user_id, role, public_metadata, private_metadata } => {
                    let new = NewMembership {
                        organization_id: write.organization_id.clone(),
                        user_id,
                        role,
                        public_metadata,
                        private_metadata,
                    };
                    let joiner = joiners.entry(new.user_id.to_string()).or_default();
                    create_in(c, instance_id, &mut org, &roles, new, joiner).map(|m| {
                        let event = created_event(&m);
                        (m, event)
                    })
                }
                BulkItem::Update { user_id, role: Some(role), metadata: Some(update) } => {
                    c.execute("SAVEPOINT bulk_item", &[])?;
                    // One item, one event: from before the role change to after the metadata change.
                    let changed =
                        update_role_in(c, instance_id, &org, &roles, &user_id, &role).and_then(|(before, _)| {
                            let (_, after) = update_metadata_in(c, instance_id, &org.id, &roles, &user_id, update)?;
                            let event = updated_event(before, &after);
                            Ok((after, event))
                        });
                    if matches!(changed, Err(StoreError::Domain(_))) {
                        c.execute("ROLLBACK TO bulk_item", &[])?;
                    }
                    c.execute("RELEASE bulk_item", &[])?;
                    changed
                }
                BulkItem::Update { user_id, role: Some(role), metadata: None } => {
                    update_role_in(c, instance_id, &org, &roles, &user_id, &role).map(|(before, after)| {
                        let event = updated_event(before, &after);
                        (after, event)
                    })
                }
                BulkItem::Update { user_id, role: None, metadata: Some(update) } => {
                    update_metadata_in(c, instance_id, &org.id, &roles, &user_id, update).map(|(before, after)| {
                        let event = updated_event(before, &after);
                        (after, event)
                    })
                }
                BulkItem::Update { role: None, metadata: None, .. } => {
                    Err(DomainError::ParamMissing("role".into()).into())
                }
                BulkItem::Delete { user_id } => delete_in(c, instance_id, &mut org, &roles, &user_id).map(|m| {
                    let event = deleted_event(&m);
                    (m, event)
                }),
            }
        };
        match outcome {
            Ok((membership, event)) => {
                results.push(Ok(membership));
                events.push(event);
            }
            Err(StoreError::Domain(e)) => results.push(Err(e)),
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
    if org.members_count != members_before {
        set_members_count(c, &org.id, org.members_count)?;
    }
    append_all(c, instance_id, events)?;
    Ok(results)
}
