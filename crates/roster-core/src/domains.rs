//! Organization domains: an organization claims an email domain, and once the domain is verified, users whose
//! verified email address is at it may join as its enrollment mode says:
//!
//! - `manual_invitation`: nothing happens by itself; admins invite.
//! - `automatic_invitation`: each such user gets a pending invitation (with the instance's domains default
//!   role), as soon as both exist: when the domain becomes verified (or its mode becomes this) for the users
//!   already there, when a user is created for the domains already verified.
//! - `automatic_suggestion`: each such user gets a suggestion instead, listable per user.
//!
//! A domain name belongs to at most one organization of an instance. Roster does not prove ownership by DNS:
//! a domain is verified when created with `verified: true`, patched so, or by `verify_ownership` (Clerk's manual
//! override).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ids::{DomainId, InstanceId, OrgId, UserId};
use crate::invitations::PublicOrganizationData;
use crate::model::Page;
use crate::query::{Order, OrderField, Pagination};

/// What the operations below return (`crate::store::Result`, named here so this module needs nothing above it).
type Result<T> = std::result::Result<T, crate::DomainError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentMode {
    ManualInvitation,
    AutomaticInvitation,
    AutomaticSuggestion,
}

impl EnrollmentMode {
    pub const ALL: [Self; 3] = [Self::ManualInvitation, Self::AutomaticInvitation, Self::AutomaticSuggestion];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManualInvitation => "manual_invitation",
            Self::AutomaticInvitation => "automatic_invitation",
            Self::AutomaticSuggestion => "automatic_suggestion",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether users at a verified domain in this mode are enrolled without an admin.
    pub fn is_automatic(self) -> bool {
        self != Self::ManualInvitation
    }
}

/// How a domain came to be verified: `admin` (created or patched with `verified: true`) or `manual_override`
/// (`verify_ownership`).
pub const STRATEGY_ADMIN: &str = "admin";
pub const STRATEGY_MANUAL_OVERRIDE: &str = "manual_override";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub id: String,
    pub organization: PublicOrganizationData,
    /// Lowercase.
    pub name: String,
    pub enrollment_mode: EnrollmentMode,
    pub verified: bool,
    /// `STRATEGY_ADMIN` or `STRATEGY_MANUAL_OVERRIDE` once verified.
    pub strategy: Option<String>,
    pub verified_at: Option<i64>,
    pub total_pending_invitations: i64,
    pub total_pending_suggestions: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDomain {
    pub name: String,
    pub enrollment_mode: EnrollmentMode,
    pub verified: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainUpdate {
    pub enrollment_mode: Option<EnrollmentMode>,
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainOrderField {
    CreatedAt,
    Name,
}

impl OrderField for DomainOrderField {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "created_at" => Some(Self::CreatedAt),
            "name" => Some(Self::Name),
            _ => None,
        }
    }
}

pub type DomainOrder = Order<DomainOrderField>;

impl Default for DomainOrder {
    fn default() -> Self {
        Self { field: DomainOrderField::CreatedAt, descending: true }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainFilter {
    pub organization_id: Option<OrgId>,
    pub verified: Option<bool>,
    /// Only these modes (empty: any).
    pub modes: Vec<EnrollmentMode>,
    /// None of these modes.
    pub exclude_modes: Vec<EnrollmentMode>,
    /// A case-insensitive substring of the name.
    pub query: Option<String>,
    /// Only these names (empty: any).
    pub names: Vec<String>,
    pub order: DomainOrder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    Pending,
    Accepted,
}

/// An organization suggested to a user by a verified domain in `automatic_suggestion` mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub organization: PublicOrganizationData,
    pub domain_id: String,
    pub user_id: String,
    pub email_address: String,
    pub status: SuggestionStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Email providers whose domain no organization may claim (Clerk: `organization_domain_common`).
pub const COMMON_EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "yandex.com",
    "mail.com",
    "zoho.com",
    "qq.com",
    "163.com",
];

/// Whether `name` is a domain name: two or more dot-separated labels of letters, digits and inner hyphens, each
/// 1 to 63 characters, at most 253 in all, the last not all digits.
pub fn is_domain_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

/// The domain of an email address, lowercased.
pub fn email_domain(email: &str) -> Option<String> {
    email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase())
}

/// The domain operations of a store. Writes lock the organization's row.
#[async_trait]
pub trait Domains: Send + Sync {
    /// Add a domain to an organization; a verified one in an automatic mode enrolls the users already at it.
    async fn create_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain: NewDomain) -> Result<Domain>;
    async fn list_domains(
        &self,
        instance_id: &InstanceId,
        filter: DomainFilter,
        page: Pagination,
    ) -> Result<Page<Domain>>;
    async fn get_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain_id: &DomainId) -> Result<Domain>;
    async fn update_domain(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        domain_id: &DomainId,
        update: DomainUpdate,
    ) -> Result<Domain>;
    /// Delete a domain; its pending automatic invitations are revoked and its suggestions go.
    async fn delete_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain_id: &DomainId) -> Result<Domain>;
    /// Mark the domain's ownership verified (`manual_override`); a verified domain is returned as it is.
    async fn verify_domain(&self, instance_id: &InstanceId, org_id: &OrgId, domain_id: &DomainId) -> Result<Domain>;
    /// The suggestions of a user, newest first.
    async fn list_suggestions(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        page: Pagination,
    ) -> Result<Page<Suggestion>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names() {
        for ok in ["example.com", "a.b.c.example.co", "xn--bcher-kva.example", "x1-y.io"] {
            assert!(is_domain_name(ok), "{ok}");
        }
        let long = format!("{}.com", "a".repeat(64));
        for bad in ["", "com", "example..com", "-a.com", "a-.com", "a_b.com", "a.b.123", "exa mple.com", &long] {
            assert!(!is_domain_name(bad), "{bad}");
        }
    }

    #[test]
    fn modes_parse_back() {
        for m in EnrollmentMode::ALL {
            assert_eq!(EnrollmentMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(EnrollmentMode::parse("enterprise_sso"), None);
        assert!(!EnrollmentMode::ManualInvitation.is_automatic());
        assert_eq!(email_domain("A@Example.COM").as_deref(), Some("example.com"));
    }
}
