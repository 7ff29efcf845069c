//! Organization domain rows, and automatic enrollment: what a verified domain in an automatic mode gives the
//! users at it. Domain writes enroll the users already there; a user's creation enrolls them at the domains
//! already verified. Both run it in their own transaction, with the domain's organization locked.

use std::collections::HashMap;

use roster_core::domains::{Domain, EnrollmentMode};
use roster_core::events::{EventType, NewEvent, Record};
use roster_core::ids::{new_id, prefix};
use roster_core::invitations::{NewInvitation, PublicOrganizationData};
use roster_core::model::Role;
use roster_core::{rules, DomainError};

use super::invitations::{count_pending_for_quota, has_pending, insert, NewRow};
use super::orgs::org_by_id_for_update;
use super::roles::roles_by_id;
use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

/// The columns `domain_from_row` decodes, over `DOMAIN_FROM`; `?` is bound to "now" by the caller as `at`.
pub fn domain_columns(now: &str) -> String {
    format!(
        "d.id, d.organization_id, o.name, o.slug, d.name, d.enrollment_mode, d.verified, d.strategy, d.verified_at, \
         d.created_at, d.updated_at, \
         (SELECT count(*) FROM invitations i WHERE i.domain_id = d.id AND i.status = 'pending' AND i.expires_at > {now}), \
         (SELECT count(*) FROM organization_suggestions s WHERE s.domain_id = d.id AND s.status = 'pending')"
    )
}
pub const DOMAIN_FROM: &str = "FROM organization_domains d JOIN organizations o ON o.id = d.organization_id";

pub fn domain_from_row(r: &mut Row) -> Result<Domain, DbError> {
    let mode: String = r.take(5)?;
    Ok(Domain {
        id: r.take(0)?,
        organization: PublicOrganizationData { id: r.take(1)?, name: r.take(2)?, slug: r.take(3)? },
        name: r.take(4)?,
        enrollment_mode: EnrollmentMode::parse(&mode).unwrap_or(EnrollmentMode::ManualInvitation),
        verified: r.take(6)?,
        strategy: r.take(7)?,
        verified_at: r.take(8)?,
        created_at: r.take(9)?,
        updated_at: r.take(10)?,
        total_pending_invitations: r.take(11)?,
        total_pending_suggestions: r.take(12)?,
    })
}

/// The domain `domain_id` of the organization, or 404.
pub fn domain_by_id(c: &dyn Db, instance_id: &str, org_id: &str, domain_id: &str, now: i64) -> Tx<Domain> {
    c.query_opt(
        &format!(
            "SELECT {} {DOMAIN_FROM} WHERE d.instance_id = ?1 AND d.organization_id = ?2 AND d.id = ?3",
            domain_columns("?4")
        ),
        vals![instance_id, org_id, domain_id, now],
    )?
    .map(|mut r| domain_from_row(&mut r))
    .transpose()?
    .ok_or_else(|| DomainError::NotFound.into())
}

/// The role automatic invitations get: the instance's domains default role (`org:member` unless configured).
fn default_role(c: &dyn Db, instance_id: &str, roles: &HashMap<String, Role>) -> Tx<Role> {
    let id: Option<String> =
        c.query_one("SELECT org_domains_default_role_id FROM instances WHERE id = ?1", vals![instance_id])?.get(0)?;
    id.and_then(|id| roles.get(&id))
        .or_else(|| roles.values().find(|r| r.key == roster_core::roles::MEMBER))
        .cloned()
        .ok_or_else(|| DomainError::role_not_found().into())
}

/// The users of the instance with a verified email address at `name`: (user id, address).
pub fn users_at(c: &dyn Db, instance_id: &str, name: &str) -> Tx<Vec<(String, String)>> {
    let rows = c.query(
        "SELECT user_id, value FROM identifications WHERE instance_id = ?1 AND kind = 'email_address' \
         AND reserved = ?3 AND value_lower LIKE ?2 ORDER BY created_at, id",
        vals![instance_id, format!("%@{name}"), false],
    )?;
    rows.into_iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

/// Enroll `users` (id, verified address at the domain) in the domain's organization, as its mode says: a pending
/// invitation with the domains default role each (none for a member, for an address with a pending invitation,
/// or beyond the organization's quota, which automatic enrollment never exceeds), or a suggestion each (none
/// for a member or a user suggested already). Returns the events to append.
pub fn enroll(
    c: &dyn Db,
    instance_id: &str,
    domain: &Domain,
    users: &[(String, String)],
    now: i64,
) -> Tx<Vec<NewEvent>> {
    if !domain.verified || !domain.enrollment_mode.is_automatic() || users.is_empty() {
        return Ok(Vec::new());
    }
    let mut org = org_by_id_for_update(c, instance_id, &domain.organization.id)?;
    let mut events = Vec::new();
    // The role automatic invitations get; suggestions need none.
    let role = match domain.enrollment_mode {
        EnrollmentMode::AutomaticInvitation => Some(default_role(c, instance_id, &roles_by_id(c, instance_id)?)?),
        _ => None,
    };
    count_pending_for_quota(c, &mut org, now)?;
    for (user_id, email) in users {
        let member = c
            .query_opt(
                "SELECT 1 FROM memberships WHERE organization_id = ?1 AND user_id = ?2",
                vals![&org.id, user_id],
            )?
            .is_some();
        if member {
            continue;
        }
        match domain.enrollment_mode {
            EnrollmentMode::AutomaticInvitation => {
                let Some(role) = &role else { continue };
                let email_lower = email.to_lowercase();
                let pending = org.pending_invitations_count.unwrap_or(0);
                if has_pending(c, instance_id, &org.id, &email_lower, now)?
                    || rules::check_quota(org.members_count + pending, org.max_allowed_memberships).is_err()
                {
                    continue;
                }
                let expires_at = NewInvitation::default().expires_at(now);
                let invitation = insert(
                    c,
                    NewRow {
                        instance_id,
                        org: &org,
                        email_address: email,
                        role,
                        inviter: None,
                        domain_id: Some(&domain.id),
                        public_metadata: Default::default(),
                        private_metadata: Default::default(),
                        redirect_url: None,
                        expires_at,
                        now,
                    },
                )?;
                org.pending_invitations_count = org.pending_invitations_count.map(|n| n + 1);
                events.push(NewEvent::new(EventType::InvitationCreated, Record::Invitation(invitation)));
            }
            EnrollmentMode::AutomaticSuggestion => {
                let exists = c
                    .query_opt(
                        "SELECT 1 FROM organization_suggestions WHERE organization_id = ?1 AND user_id = ?2",
                        vals![&org.id, user_id],
                    )?
                    .is_some();
                if !exists {
                    c.execute(
                        "INSERT INTO organization_suggestions (id, instance_id, organization_id, domain_id, user_id, \
                         email_address, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)",
                        vals![new_id(prefix::SUGGESTION), instance_id, &org.id, &domain.id, user_id, email, now],
                    )?;
                }
            }
            EnrollmentMode::ManualInvitation => {}
        }
    }
    Ok(events)
}

/// Enroll a new user at every verified, automatic domain of the instance one of `emails` (verified addresses)
/// is at; the events to append.
pub fn enroll_new_user(c: &dyn Db, instance_id: &str, user_id: &str, emails: &[String], now: i64) -> Tx<Vec<NewEvent>> {
    let mut by_domain: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for email in emails {
        if let Some(domain) = roster_core::domains::email_domain(email) {
            by_domain.entry(domain).or_default().push((user_id.to_owned(), email.clone()));
        }
    }
    if by_domain.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = by_domain.keys().cloned().collect();
    let mut sql = crate::logic::filter::Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let list = sql.bind_list(&names);
    let at = sql.bind(now);
    let verified = sql.bind(true);
    let domains: Vec<Domain> = c
        .query(
            &format!(
                "SELECT {} {DOMAIN_FROM} WHERE d.instance_id = {ins} AND d.name IN {list} AND d.verified = {verified} \
                 AND d.enrollment_mode <> 'manual_invitation' ORDER BY d.created_at, d.id",
                domain_columns(&at)
            ),
            &sql.params,
        )?
        .into_iter()
        .map(|mut r| domain_from_row(&mut r))
        .collect::<Result<_, _>>()?;
    let mut events = Vec::new();
    for domain in &domains {
        events.extend(enroll(c, instance_id, domain, &by_domain[&domain.name], now)?);
    }
    Ok(events)
}
