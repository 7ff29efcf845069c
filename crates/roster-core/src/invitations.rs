//! Organization invitations: how most members arrive. An invitation names an email address and a role; it is
//! `pending` until it is accepted (which creates the membership, with the invited role and metadata, in the same
//! transaction), revoked, or past its `expires_at`, when it reads as `expired` (nothing rewrites it: expiry is a
//! reading of the clock, so a node's clock decides only what it shows).
//!
//! The rules, checked inside the write's transaction with the organization's row locked (so two requests, or two
//! nodes, cannot both pass them): no second pending invitation for one email address in one organization, none
//! for a member, the role must exist and be in the organization's role set, and the organization's
//! `max_allowed_memberships` counts its members and its pending invitations together.
//!
//! Roster sends no email: the invitation's `url` (when the request gave a `redirect_url`) carries its ticket,
//! and `organizationInvitation.created` goes to the event log and webhooks, for the application to send.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ids::{InstanceId, InvitationId, OrgId, UserId};
use crate::metadata::Metadata;
use crate::model::{Membership, Page, PublicUserData};
use crate::query::{Order, OrderField, Pagination};

/// What the operations below return (`crate::store::Result`, named here so this module needs nothing above it).
type Result<T> = std::result::Result<T, crate::DomainError>;

/// How long an invitation is valid unless the request says otherwise: 30 days, Clerk's default.
pub const DEFAULT_EXPIRES_IN_DAYS: i64 = 30;
/// The most days an invitation may be valid.
pub const MAX_EXPIRES_IN_DAYS: i64 = 365;
/// The most invitations one bulk create takes (Clerk's limit).
pub const MAX_BULK_INVITATIONS: usize = 10;
const DAY_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Accepted, Self::Revoked, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The status a stored invitation reads as at `now`: a pending one past its expiry is expired.
    pub fn read(stored: Self, expires_at: Option<i64>, now: i64) -> Self {
        match (stored, expires_at) {
            (Self::Pending, Some(at)) if at <= now => Self::Expired,
            (status, _) => status,
        }
    }
}

/// The organization an invitation is to, as `public_organization_data` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicOrganizationData {
    pub id: String,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: String,
    pub organization: PublicOrganizationData,
    pub email_address: String,
    pub role: String,
    pub role_name: String,
    pub inviter_id: Option<String>,
    /// The inviter's public data, while the inviter is a user of the instance.
    pub public_inviter_data: Option<PublicUserData>,
    /// As read when the invitation was loaded (see `InvitationStatus::read`).
    pub status: InvitationStatus,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    /// The request's `redirect_url` with the invitation's ticket (`__clerk_ticket`), or `None`.
    pub url: Option<String>,
    /// The organization domain whose enrollment created it (automatic invitations), if any.
    pub domain_id: Option<String>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One invitation to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewInvitation {
    pub email_address: String,
    pub role: String,
    pub inviter_user_id: Option<UserId>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub redirect_url: Option<String>,
    /// 1..=365; `None`: `DEFAULT_EXPIRES_IN_DAYS`.
    pub expires_in_days: Option<i64>,
}

impl NewInvitation {
    /// When an invitation created at `now` expires.
    pub fn expires_at(&self, now: i64) -> i64 {
        now + self.expires_in_days.unwrap_or(DEFAULT_EXPIRES_IN_DAYS) * DAY_MS
    }
}

/// Which invitations a list covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationScope {
    /// One organization's, except those its domains' automatic enrollment created (as Clerk lists them).
    Organization(OrgId),
    /// Those to any email address of this user.
    User(UserId),
    /// Every invitation of the instance.
    Instance,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvitationFilter {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<InvitationStatus>,
    /// Exactly this address (case-insensitive).
    pub email_address: Option<String>,
    /// A case-insensitive substring of the address.
    pub query: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationOrderField {
    CreatedAt,
    EmailAddress,
}

impl OrderField for InvitationOrderField {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "created_at" => Some(Self::CreatedAt),
            "email_address" => Some(Self::EmailAddress),
            _ => None,
        }
    }
}

pub type InvitationOrder = Order<InvitationOrderField>;

impl Default for InvitationOrder {
    fn default() -> Self {
        Self { field: InvitationOrderField::CreatedAt, descending: true }
    }
}

/// The invitation operations of a store. Every write locks the organization's row first.
#[async_trait]
pub trait Invitations: Send + Sync {
    /// Create invitations to one organization, all or none (a bulk create is the same call with more items);
    /// appends `organizationInvitation.created` for each.
    async fn create_invitations(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitations: Vec<NewInvitation>,
    ) -> Result<Vec<Invitation>>;
    async fn list_invitations(
        &self,
        instance_id: &InstanceId,
        scope: InvitationScope,
        filter: InvitationFilter,
        order: InvitationOrder,
        page: Pagination,
    ) -> Result<Page<Invitation>>;
    async fn get_invitation(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitation_id: &InvitationId,
    ) -> Result<Invitation>;
    /// Revoke a pending invitation; `requesting_user_id`, when given, must be a member who manages memberships.
    async fn revoke_invitation(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitation_id: &InvitationId,
        requesting_user_id: Option<UserId>,
    ) -> Result<Invitation>;
    /// Accept a pending invitation for `user_id`, who must own a verified email address equal to the
    /// invitation's: the membership is created with the invited role and metadata and the invitation marked
    /// accepted, in one transaction.
    async fn accept_invitation(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        invitation_id: &InvitationId,
        user_id: &UserId,
    ) -> Result<(Invitation, Membership)>;
    /// How many pending, unexpired invitations each of these organizations has (absent: none).
    async fn pending_invitation_counts(
        &self,
        instance_id: &InstanceId,
        org_ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, i64>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_invitation_reads_expired_from_its_expiry_on() {
        use InvitationStatus::*;
        assert_eq!(InvitationStatus::read(Pending, Some(100), 99), Pending);
        assert_eq!(InvitationStatus::read(Pending, Some(100), 100), Expired);
        assert_eq!(InvitationStatus::read(Accepted, Some(100), 200), Accepted);
        assert_eq!(InvitationStatus::read(Revoked, Some(100), 200), Revoked);
        assert_eq!(InvitationStatus::read(Pending, None, 200), Pending);
    }

    #[test]
    fn expiry_defaults_to_thirty_days() {
        let new = NewInvitation::default();
        assert_eq!(new.expires_at(0), 30 * DAY_MS);
        let week = NewInvitation { expires_in_days: Some(7), ..NewInvitation::default() };
        assert_eq!(week.expires_at(10), 10 + 7 * DAY_MS);
    }
}
