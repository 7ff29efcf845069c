//! Invitation rows: the columns and their decoding, the pending count an organization's quota adds to its
//! members, and the checks and the insert that admins' invitations and domains' automatic enrollment share.

use std::collections::HashMap;

use roster_core::ids::{new_id, prefix};
use roster_core::invitations::{Invitation, InvitationStatus, PublicOrganizationData};
use roster_core::metadata::Metadata;
use roster_core::model::{Organization, PublicUserData, Role};

use super::users::{public_user_columns, public_user_data_opt};
use super::{json, to_json};
use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

/// The columns `invitation_from_row` decodes, over `INVITATION_FROM`.
pub const INVITATION_COLUMNS: &str = concat!(
    "i.id, i.organization_id, o.name, o.slug, i.email_address, i.role_id, i.role_key, i.inviter_id, i.domain_id, ",
    "i.status, i.public_metadata, i.private_metadata, i.url, i.expires_at, i.created_at, i.updated_at, ",
    public_user_columns!()
);
/// An invitation with its organization and inviter (who may have been deleted since).
pub const INVITATION_FROM: &str = "FROM invitations i JOIN organizations o ON o.id = i.organization_id \
     LEFT JOIN users u ON u.id = i.inviter_id AND u.instance_id = i.instance_id";

/// Decode a row of `INVITATION_COLUMNS`; the role's key and name are read from `roles` (by id), so a renamed
/// role shows its new name, and a deleted one its key as it was. The status is read at `now`.
pub fn invitation_from_row(r: &mut Row, roles: &HashMap<String, Role>, now: i64) -> Result<Invitation, DbError> {
    let role_id: String = r.take(5)?;
    let role_key: String = r.take(6)?;
    let role = roles.get(&role_id);
    let stored: String = r.take(9)?;
    let expires_at: i64 = r.take(13)?;
    let stored = InvitationStatus::parse(&stored).unwrap_or(InvitationStatus::Revoked);
    Ok(Invitation {
        id: r.take(0)?,
        organization: PublicOrganizationData { id: r.take(1)?, name: r.take(2)?, slug: r.take(3)? },
        email_address: r.take(4)?,
        role: role.map(|r| r.key.clone()).unwrap_or(role_key),
        role_name: role.map(|r| r.name.clone()).unwrap_or_default(),
        inviter_id: r.take(7)?,
        domain_id: r.take(8)?,
        status: InvitationStatus::read(stored, Some(expires_at), now),
        public_metadata: json(r.take(10)?),
        private_metadata: json(r.take(11)?),
        url: r.take(12)?,
        expires_at: Some(expires_at),
        created_at: r.take(14)?,
        updated_at: r.take(15)?,
        public_inviter_data: public_user_data_opt(r, 16)?,
    })
}

/// How many invitations of the organization are pending and not expired at `now`.
pub fn pending_count(c: &dyn Db, org_id: &str, now: i64) -> Tx<i64> {
    Ok(c.query_one(
        "SELECT count(*) FROM invitations WHERE organization_id = ?1 AND status = 'pending' AND expires_at > ?2",
        vals![org_id, now],
    )?
    .get(0)?)
}

/// Fill `org.pending_invitations_count` where the quota needs it (a limited organization), for
/// `rules::check_quota` to count with the members.
pub fn count_pending_for_quota(c: &dyn Db, org: &mut Organization, now: i64) -> Tx<()> {
    if org.max_allowed_memberships > 0 && org.pending_invitations_count.is_none() {
        org.pending_invitations_count = Some(pending_count(c, &org.id, now)?);
    }
    Ok(())
}

/// Whether the organization has a pending, unexpired invitation for this (lowercased) address.
pub fn has_pending(c: &dyn Db, instance_id: &str, org_id: &str, email_lower: &str, now: i64) -> Tx<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM invitations WHERE instance_id = ?1 AND email_lower = ?2 AND organization_id = ?3 \
         AND status = 'pending' AND expires_at > ?4",
        vals![instance_id, email_lower, org_id, now],
    )?
    .is_some())
}

/// The member of the organization who owns this (lowercased) email address, verified, if any.
pub fn member_with_email(c: &dyn Db, instance_id: &str, org_id: &str, email_lower: &str) -> Tx<Option<String>> {
    Ok(c.query_opt(
        "SELECT m.user_id FROM identifications e JOIN memberships m ON m.user_id = e.user_id \
         WHERE e.instance_id = ?1 AND e.kind = 'email_address' AND e.value_lower = ?2 AND e.reserved = ?4 \
         AND m.organization_id = ?3",
        vals![instance_id, email_lower, org_id, false],
    )?
    .map(|r| r.get(0))
    .transpose()?)
}

/// An invitation to insert; its rules are checked.
pub struct NewRow<'a> {
    pub instance_id: &'a str,
    pub org: &'a Organization,
    pub email_address: &'a str,
    pub role: &'a Role,
    pub inviter: Option<PublicUserData>,
    pub domain_id: Option<&'a str>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub redirect_url: Option<&'a str>,
    pub expires_at: i64,
    pub now: i64,
}

/// `redirect_url` with the invitation's ticket as its `__clerk_ticket` query parameter (before any fragment).
pub fn ticket_url(redirect_url: &str, ticket: &str) -> String {
    let (base, fragment) = match redirect_url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (redirect_url, None),
    };
    let join = if base.contains('?') { '&' } else { '?' };
    let mut url = format!("{base}{join}__clerk_ticket={ticket}");
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Insert a pending invitation; returns it as a read would.
pub fn insert(c: &dyn Db, new: NewRow<'_>) -> Tx<Invitation> {
    let id = new_id(prefix::INVITATION);
    let url = new.redirect_url.map(|r| ticket_url(r, &new_id("tkt")));
    let inviter_id = new.inviter.as_ref().map(|u| u.user_id.clone());
    c.execute(
        "INSERT INTO invitations (id, instance_id, organization_id, email_address, email_lower, role_id, role_key, \
         inviter_id, domain_id, status, public_metadata, private_metadata, url, expires_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?12, ?13, ?14, ?14)",
        vals![
            &id,
            new.instance_id,
            &new.org.id,
            new.email_address,
            new.email_address.to_lowercase(),
            &new.role.id,
            &new.role.key,
            &inviter_id,
            new.domain_id,
            to_json(&new.public_metadata),
            to_json(&new.private_metadata),
            &url,
            new.expires_at,
            new.now,
        ],
    )?;
    Ok(Invitation {
        id,
        organization: PublicOrganizationData {
            id: new.org.id.clone(),
            name: new.org.name.clone(),
            slug: new.org.slug.clone(),
        },
        email_address: new.email_address.to_owned(),
        role: new.role.key.clone(),
        role_name: new.role.name.clone(),
        inviter_id,
        public_inviter_data: new.inviter,
        status: InvitationStatus::Pending,
        public_metadata: new.public_metadata,
        private_metadata: new.private_metadata,
        url,
        domain_id: new.domain_id.map(str::to_owned),
        expires_at: Some(new.expires_at),
        created_at: new.now,
        updated_at: new.now,
    })
}

/// Set a stored invitation's status (`accepted` or `revoked`).
pub fn set_status(c: &dyn Db, invitation: &mut Invitation, status: InvitationStatus, now: i64) -> Tx<()> {
    c.execute(
        "UPDATE invitations SET status = ?2, updated_at = ?3 WHERE id = ?1",
        vals![&invitation.id, status.as_str(), now],
    )?;
    invitation.status = status;
    invitation.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ticket_url;

    #[test]
    fn the_ticket_joins_the_redirect_urls_query() {
        assert_eq!(ticket_url("https://a.example/join", "t1"), "https://a.example/join?__clerk_ticket=t1");
        assert_eq!(ticket_url("https://a.example/join?x=1", "t1"), "https://a.example/join?x=1&__clerk_ticket=t1");
        assert_eq!(ticket_url("https://a.example/j?x=1#top", "t1"), "https://a.example/j?x=1&__clerk_ticket=t1#top");
    }
}
