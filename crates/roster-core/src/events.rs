//! The event log: every write that changes a user, organization, membership, role, permission or session
//! appends what changed, in the write's own transaction, so an acknowledged write always has its event.
//!
//! A store keeps each event's record in its domain form (`Payload`, versioned JSON); the server renders it as
//! the API returns the resource when it lists events or delivers them (`crate::webhooks`). Events are read in
//! `seq` order, the order in which they became visible: on SQLite the commit order (one writer), on PostgreSQL
//! the order a sequencer gives committed events (`EventLog::advance_events`), which keeps the order of any two
//! writes of one organization (the second waited on the first's row lock, so it was appended after the
//! first committed). An event's id encodes its `seq`, so ids sort in that order and a cursor is an id.

use serde::{Deserialize, Serialize};

use crate::domains::Domain;
use crate::invitations::Invitation;
use crate::model::{Membership, Organization, Permission, Role, Session, User};

/// What an event is about, as Clerk names its webhook event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    UserCreated,
    UserUpdated,
    UserDeleted,
    OrganizationCreated,
    OrganizationUpdated,
    OrganizationDeleted,
    MembershipCreated,
    MembershipUpdated,
    MembershipDeleted,
    RoleCreated,
    RoleUpdated,
    RoleDeleted,
    PermissionCreated,
    PermissionUpdated,
    PermissionDeleted,
    SessionCreated,
    /// A session's active organization changed. Roster's own type: Clerk has none for this change.
    SessionUpdated,
    SessionRevoked,
    InvitationCreated,
    InvitationAccepted,
    InvitationRevoked,
    DomainCreated,
    DomainUpdated,
    DomainDeleted,
}

impl EventType {
    pub const ALL: [EventType; 24] = [
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDeleted,
        Self::OrganizationCreated,
        Self::OrganizationUpdated,
        Self::OrganizationDeleted,
        Self::MembershipCreated,
        Self::MembershipUpdated,
        Self::MembershipDeleted,
        Self::RoleCreated,
        Self::RoleUpdated,
        Self::RoleDeleted,
        Self::PermissionCreated,
        Self::PermissionUpdated,
        Self::PermissionDeleted,
        Self::SessionCreated,
        Self::SessionUpdated,
        Self::SessionRevoked,
        Self::InvitationCreated,
        Self::InvitationAccepted,
        Self::InvitationRevoked,
        Self::DomainCreated,
        Self::DomainUpdated,
        Self::DomainDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::UserDeleted => "user.deleted",
            Self::OrganizationCreated => "organization.created",
            Self::OrganizationUpdated => "organization.updated",
            Self::OrganizationDeleted => "organization.deleted",
            Self::MembershipCreated => "organizationMembership.created",
            Self::MembershipUpdated => "organizationMembership.updated",
            Self::MembershipDeleted => "organizationMembership.deleted",
            Self::RoleCreated => "role.created",
            Self::RoleUpdated => "role.updated",
            Self::RoleDeleted => "role.deleted",
            Self::PermissionCreated => "permission.created",
            Self::PermissionUpdated => "permission.updated",
            Self::PermissionDeleted => "permission.deleted",
            Self::SessionCreated => "session.created",
            Self::SessionUpdated => "session.updated",
            Self::SessionRevoked => "session.revoked",
            Self::InvitationCreated => "organizationInvitation.created",
            Self::InvitationAccepted => "organizationInvitation.accepted",
            Self::InvitationRevoked => "organizationInvitation.revoked",
            Self::DomainCreated => "organizationDomain.created",
            Self::DomainUpdated => "organizationDomain.updated",
            Self::DomainDeleted => "organizationDomain.deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether events of this type carry the record's state before the change.
    pub fn is_update(self) -> bool {
        self.as_str().ends_with(".updated")
    }
}

/// A deleted user or organization, as Clerk's `*.deleted` events show it: `{"id","object","deleted":true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    /// `user` or `organization`.
    pub object: String,
    pub id: String,
}

/// The record an event carries, in its domain form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum Record {
    User(User),
    Organization(Organization),
    Membership(Membership),
    Role(Role),
    Permission(Permission),
    Session(Session),
    Deleted(Deleted),
    Invitation(Invitation),
    Domain(Domain),
}

impl Record {
    /// The organization the event belongs to, if any: its `organization_id` for filters and ordering.
    pub fn organization_id(&self) -> Option<&str> {
        match self {
            Self::Organization(o) => Some(&o.id),
            Self::Membership(m) => Some(&m.organization.id),
            Self::Deleted(d) if d.object == "organization" => Some(&d.id),
            Self::Invitation(i) => Some(&i.organization.id),
            Self::Domain(d) => Some(&d.organization.id),
            _ => None,
        }
    }

    /// What deliveries to one endpoint are ordered by: events with the same key are delivered one after
    /// another in `seq` order, a failing one holding back the later ones. The organization for organization
    /// membership, invitation and domain events; the user for user and session events; the role or permission itself.
    pub fn order_key(&self) -> &str {
        match self {
            Self::User(u) => &u.id,
            Self::Organization(o) => &o.id,
            Self::Membership(m) => &m.organization.id,
            Self::Role(r) => &r.id,
            Self::Permission(p) => &p.id,
            Self::Session(s) => &s.user_id,
            Self::Deleted(d) => &d.id,
            Self::Invitation(i) => &i.organization.id,
            Self::Domain(d) => &d.organization.id,
        }
    }
}

/// What a write appends to the log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: EventType,
    pub data: Record,
    /// The record before the change, for `*.updated` events.
    pub previous: Option<Record>,
}

impl NewEvent {
    pub fn new(event_type: EventType, data: Record) -> Self {
        Self { event_type, data, previous: None }
    }

    pub fn updated(event_type: EventType, previous: Record, data: Record) -> Self {
        Self { event_type, data, previous: Some(previous) }
    }

    pub fn deleted(event_type: EventType, object: &str, id: &str) -> Self {
        Self::new(event_type, Record::Deleted(Deleted { object: object.to_owned(), id: id.to_owned() }))
    }
}

/// How a store keeps an event's records: versioned, so a later release can read what an earlier one wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub v: u32,
    pub data: Record,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Record>,
}

impl Payload {
    pub const VERSION: u32 = 1;
}

/// An event as the log holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The position in the log; `id()` encodes it.
    pub seq: i64,
    pub instance_id: String,
    pub event_type: String,
    /// When the write happened, milliseconds since the epoch.
    pub created_at: i64,
    pub data: Record,
    pub previous: Option<Record>,
}

impl Event {
    pub fn id(&self) -> String {
        event_id(self.seq)
    }
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Base62 digits of an event id: 62^11 exceeds `i64::MAX`.
const ID_DIGITS: usize = 11;

/// The id of the event at `seq`: `evt_` and its position in fixed-width base62, so ids sort as the log does.
pub fn event_id(seq: i64) -> String {
    let mut n = u64::try_from(seq).unwrap_or_default();
    let mut digits = [b'0'; ID_DIGITS];
    for d in digits.iter_mut().rev() {
        *d = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    format!("evt_{}", String::from_utf8_lossy(&digits))
}

/// The position an event id names, if it is one.
pub fn parse_event_id(id: &str) -> Option<i64> {
    let digits = id.strip_prefix("evt_")?;
    if digits.len() != ID_DIGITS {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits.bytes() {
        let d = ALPHABET.iter().position(|&a| a == b)? as i64;
        n = n.checked_mul(62)?.checked_add(d)?;
    }
    Some(n)
}

/// Which events to list: those after the cursor, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only events after this position (0: from the start of what is retained).
    pub after: i64,
    /// At most this many, 1..=500.
    pub limit: i64,
    /// Only these types (empty: all).
    pub types: Vec<String>,
    pub organization_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_sort_as_their_positions_and_parse_back() {
        let seqs = [0, 1, 61, 62, 3843, 1_000_000, i64::MAX];
        let ids: Vec<String> = seqs.iter().map(|&s| event_id(s)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for (id, seq) in ids.iter().zip(seqs) {
            assert_eq!(id.len(), 4 + ID_DIGITS);
            assert_eq!(parse_event_id(id), Some(seq), "{id}");
        }
        assert_eq!(parse_event_id("evt_1"), None);
        assert_eq!(parse_event_id("usr_00000000001"), None);
        assert_eq!(parse_event_id("evt_0000000000-"), None);
        assert_eq!(parse_event_id("evt_zzzzzzzzzzz"), None, "beyond i64");
    }

    #[test]
    fn every_type_parses_back() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("user.exploded"), None);
        assert!(EventType::UserUpdated.is_update() && !EventType::UserCreated.is_update());
    }
}
