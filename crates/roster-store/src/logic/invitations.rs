//! Organization invitations (`roster_core::invitations`): created, revoked and accepted with the organization's
//! row locked, so the rules that span rows (one pending invitation per address, members plus pending
//! invitations within the quota) hold for concurrent requests and across nodes; listed per organization, per
//! user and per instance.

use std::collections::HashMap;

use roster_core::events::{EventType, NewEvent, Record};
use roster_core::invitations::{
    Invitation, InvitationFilter, InvitationOrder, InvitationOrderField, InvitationScope, InvitationStatus,
    NewInvitation,
};
use roster_core::model::{Membership, Page, PublicUserData, Role};
use roster_core::query::Pagination;
use roster_core::{now_millis, rules, DomainError};

use crate::logic::filter::Sql;
use crate::logic::rows::events::{append, append_all};
use crate::logic::rows::invitations::{
    count_pending_for_quota, has_pending, insert, invitation_from_row, member_with_email, set_status, NewRow,
    INVITATION_COLUMNS, INVITATION_FROM,
};
use crate::logic::rows::memberships::{insert_membership_row, set_members_count};
use crate::logic::rows::orgs::{org_by_id, org_by_id_for_update};
use crate::logic::rows::role_sets::allowed_role;
use crate::logic::rows::roles::RolesCache;
use crate::logic::rows::users::user_by_id;
use crate::logic::Tx;
use crate::sql::{vals, Db};

/// `user_id`'s public data if they are a member of the organization who may manage its memberships, else
/// `NotAnAdmin` (or 404 for no such user).
fn admin(
    c: &dyn Db,
    instance_id: &str,
    org_id: &str,
    user_id: &str,
    roles: &HashMap<String, Role>,
) -> Tx<PublicUserData> {
    let user = user_by_id(c, instance_id, user_id)?;
    let role_id: Option<String> = c
        .query_opt(
            "SELECT role_id FROM memberships WHERE organization_id = ?1 AND user_id = ?2",
            vals![org_id, user_id],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match role_id.and_then(|id| roles.get(&id)) {
        Some(role) if role.can_manage_memberships() => Ok(PublicUserData::of(&user)),
        _ => Err(DomainError::NotAnAdmin(format!("User {user_id}")).into()),
    }
}

pub fn create(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    org_id: &str,
    items: Vec<NewInvitation>,
) -> Tx<Vec<Invitation>> {
    let mut org = org_by_id_for_update(c, instance_id, org_id)?;
    let roles = cache.roles(c, instance_id)?;
    let now = now_millis();
    count_pending_for_quota(c, &mut org, now)?;
    // Every rule of every item first: an item that fails has changed nothing, and neither have the others.
    let mut seen = std::collections::HashSet::new();
    let mut checked = Vec::with_capacity(items.len());
    for (n, item) in items.into_iter().enumerate() {
        let role = allowed_role(c, instance_id, &org, &roles, &item.role)?;
        let inviter = match &item.inviter_user_id {
            Some(user_id) => Some(admin(c, instance_id, &org.id, user_id, &roles)?),
            None => None,
        };
        let email_lower = item.email_address.to_lowercase();
        if !seen.insert(email_lower.clone()) || has_pending(c, instance_id, &org.id, &email_lower, now)? {
            return Err(DomainError::InvitationNotUnique.into());
        }
        if member_with_email(c, instance_id, &org.id, &email_lower)?.is_some() {
            return Err(DomainError::AlreadyMember(item.email_address.clone()).into());
        }
        let pending = org.pending_invitations_count.unwrap_or(0) + n as i64;
        rules::check_quota(org.members_count + pending, org.max_allowed_memberships)?;
        checked.push((item, role, inviter));
    }
    let mut created = Vec::with_capacity(checked.len());
    for (item, role, inviter) in checked {
        let expires_at = item.expires_at(now);
        created.push(insert(
            c,
            NewRow {
                instance_id,
                org: &org,
                email_address: &item.email_address,
                role,
                inviter,
                domain_id: None,
                public_metadata: item.public_metadata,
                private_metadata: item.private_metadata,
                redirect_url: item.redirect_url.as_deref(),
                expires_at,
                now,
            },
        )?);
    }
    let events = created.iter().map(|i| NewEvent::new(EventType::InvitationCreated, Record::Invitation(i.clone())));
    append_all(c, instance_id, events.collect())?;
    Ok(created)
}

/// The invitation `invitation_id` of the organization, or 404.
pub fn get(c: &dyn Db, cache: &RolesCache, instance_id: &str, org_id: &str, invitation_id: &str) -> Tx<Invitation> {
    let roles = cache.roles(c, instance_id)?;
    let found = c.query_opt(
        &format!(
            "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} WHERE i.instance_id = ?1 AND i.organization_id = ?2 AND i.id = ?3"
        ),
        vals![instance_id, org_id, invitation_id],
    )?;
    match found {
        Some(mut row) => Ok(invitation_from_row(&mut row, &roles, now_millis())?),
        None => {
            org_by_id(c, instance_id, org_id)?;
            Err(DomainError::NotFound.into())
        }
    }
}

pub fn list(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    scope: &InvitationScope,
    f: &InvitationFilter,
    order: InvitationOrder,
    page: Pagination,
) -> Tx<Page<Invitation>> {
    let now = now_millis();
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let mut filters = format!("i.instance_id = {ins}");
    match scope {
        InvitationScope::Organization(org_id) => {
            org_by_id(c, instance_id, org_id)?;
            let org = sql.bind(org_id.to_string());
            filters.push_str(&format!(" AND i.organization_id = {org} AND i.domain_id IS NULL"));
        }
        InvitationScope::User(user_id) => {
            let user = user_by_id(c, instance_id, user_id)?;
            let emails: Vec<String> =
                user.email_addresses.iter().filter(|e| !e.reserved).map(|e| e.value.to_lowercase()).collect();
            if emails.is_empty() {
                return Ok(Page { data: Vec::new(), total_count: 0 });
            }
            filters.push_str(&format!(" AND i.email_lower IN {}", sql.bind_list(&emails)));
        }
        InvitationScope::Instance => {}
    }
    if !f.statuses.is_empty() {
        let timed = f.statuses.iter().any(|s| matches!(s, InvitationStatus::Pending | InvitationStatus::Expired));
        let at = if timed { sql.bind(now) } else { String::new() };
        let any: Vec<String> = f
            .statuses
            .iter()
            .map(|s| match s {
                InvitationStatus::Pending => format!("(i.status = 'pending' AND i.expires_at > {at})"),
                InvitationStatus::Expired => format!("(i.status = 'pending' AND i.expires_at <= {at})"),
                InvitationStatus::Accepted => "i.status = 'accepted'".to_owned(),
                InvitationStatus::Revoked => "i.status = 'revoked'".to_owned(),
            })
            .collect();
        sql.clause(format!("({})", any.join(" OR ")));
    }
    if let Some(email) = &f.email_address {
        let email = sql.bind(email.to_lowercase());
        sql.clause(format!("i.email_lower = {email}"));
    }
    if let Some(query) = &f.query {
        let needle = sql.bind(query.to_lowercase());
        sql.clause(sql.contains("i.email_lower", &needle));
    }
    filters.push_str(&sql.where_sql());
    let filter_params = sql.params.len();
    let total_count: i64 = c
        .query_one(&format!("SELECT count(*) FROM invitations i WHERE {filters}"), &sql.params[..filter_params])?
        .get(0)?;
    if total_count == 0 || page.offset >= total_count {
        return Ok(Page { data: Vec::new(), total_count });
    }
    let dir = if order.descending { "DESC" } else { "ASC" };
    let key = match order.field {
        InvitationOrderField::CreatedAt => "i.created_at",
        InvitationOrderField::EmailAddress => "i.email_lower",
    };
    let (limit, offset) = (sql.bind(page.limit), sql.bind(page.offset));
    let roles = cache.roles(c, instance_id)?;
    let data = c
        .query(
            &format!(
                "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} WHERE {filters} ORDER BY {key} {dir}, i.id {dir} \
                 LIMIT {limit} OFFSET {offset}"
            ),
            &sql.params,
        )?
        .into_iter()
        .map(|mut r| invitation_from_row(&mut r, &roles, now))
        .collect::<Result<_, _>>()?;
    Ok(Page { data, total_count })
}

pub fn revoke(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    org_id: &str,
    invitation_id: &str,
    requesting_user_id: Option<&str>,
) -> Tx<Invitation> {
    org_by_id_for_update(c, instance_id, org_id)?;
    let mut invitation = get(c, cache, instance_id, org_id, invitation_id)?;
    // Who asks is checked before what they ask for: a non-admin learns nothing of the invitation's status.
    if let Some(user_id) = requesting_user_id {
        let roles = cache.roles(c, instance_id)?;
        admin(c, instance_id, org_id, user_id, &roles)?;
    }
    if invitation.status != InvitationStatus::Pending {
        return Err(DomainError::InvitationNotPending.into());
    }
    set_status(c, &mut invitation, InvitationStatus::Revoked, now_millis())?;
    append(c, instance_id, NewEvent::new(EventType::InvitationRevoked, Record::Invitation(invitation.clone())))?;
    Ok(invitation)
}

pub fn accept(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    org_id: &str,
    invitation_id: &str,
    user_id: &str,
) -> Tx<(Invitation, Membership)> {
    let mut org = org_by_id_for_update(c, instance_id, org_id)?;
    let roles = cache.roles(c, instance_id)?;
    let mut invitation = get(c, cache, instance_id, org_id, invitation_id)?;
    match invitation.status {
        InvitationStatus::Pending => {}
        InvitationStatus::Revoked => return Err(DomainError::InvitationRevoked.into()),
        InvitationStatus::Accepted => return Err(DomainError::InvitationAlreadyAccepted.into()),
        InvitationStatus::Expired => return Err(DomainError::InvitationNotPending.into()),
    }
    let user = user_by_id(c, instance_id, user_id)?;
    let owns_address =
        user.email_addresses.iter().any(|e| !e.reserved && e.value.eq_ignore_ascii_case(&invitation.email_address));
    if !owns_address {
        return Err(DomainError::InvitationEmailMismatch.into());
    }
    let member = c
        .query_opt("SELECT 1 FROM memberships WHERE organization_id = ?1 AND user_id = ?2", vals![org_id, user_id])?
        .is_some();
    if member {
        return Err(DomainError::AlreadyMember(user_id.to_owned()).into());
    }
    let role = allowed_role(c, instance_id, &org, &roles, &invitation.role)?.clone();
    // The invitation held its seat: the quota counts it until it becomes the membership.
    let now = now_millis();
    count_pending_for_quota(c, &mut org, now)?;
    let pending_others = org.pending_invitations_count.map_or(0, |n| n - 1);
    rules::check_quota(org.members_count + pending_others, org.max_allowed_memberships)?;
    let id = insert_membership_row(
        c,
        instance_id,
        &org.id,
        user_id,
        &role.id,
        &invitation.public_metadata,
        &invitation.private_metadata,
        now,
    )?;
    org.members_count += 1;
    org.pending_invitations_count = org.pending_invitations_count.map(|n| n - 1);
    set_members_count(c, &org.id, org.members_count)?;
    set_status(c, &mut invitation, InvitationStatus::Accepted, now)?;
    c.execute(
        "UPDATE organization_suggestions SET status = 'accepted', updated_at = ?3 \
         WHERE organization_id = ?1 AND user_id = ?2",
        vals![org_id, user_id, now],
    )?;
    let membership = Membership {
        id,
        organization: org,
        public_user_data: PublicUserData::of(&user),
        role: role.key.clone(),
        role_name: role.name.clone(),
        permissions: role.permission_keys(),
        public_metadata: invitation.public_metadata.clone(),
        private_metadata: invitation.private_metadata.clone(),
        created_at: now,
        updated_at: now,
    };
    append_all(
        c,
        instance_id,
        vec![
            NewEvent::new(EventType::InvitationAccepted, Record::Invitation(invitation.clone())),
            NewEvent::new(EventType::MembershipCreated, Record::Membership(membership.clone())),
        ],
    )?;
    Ok((invitation, membership))
}

/// The pending, unexpired invitations of each of these organizations (absent: none).
pub fn pending_counts(c: &dyn Db, instance_id: &str, org_ids: &[String]) -> Tx<HashMap<String, i64>> {
    if org_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let list = sql.bind_list(org_ids);
    let now = sql.bind(now_millis());
    let rows = c.query(
        &format!(
            "SELECT organization_id, count(*) FROM invitations WHERE instance_id = {ins} AND organization_id IN {list} \
             AND status = 'pending' AND expires_at > {now} GROUP BY organization_id"
        ),
        &sql.params,
    )?;
    rows.into_iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}
