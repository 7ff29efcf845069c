//! Domain records as the stores return them. Field names follow the Clerk spec so the wire mapping in
//! the server stays a plain copy; timestamps are Unix milliseconds.

use serde::{Deserialize, Serialize};

use crate::ids::InstanceId;
use crate::metadata::Metadata;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Production => "production",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "development" => Some(Self::Development),
            "production" => Some(Self::Production),
            _ => None,
        }
    }
}

/// An instance: the unit of data isolation, as in Clerk. Every other record belongs to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: InstanceId,
    pub environment: Environment,
    pub name: String,
    pub created_at: i64,
    pub settings: OrganizationSettings,
}

/// The instance's organization settings (Clerk's `OrganizationSettings`, as far as Roster holds the data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSettings {
    pub enabled: bool,
    /// Default `max_allowed_memberships` for new organizations; 0 means unlimited.
    pub max_allowed_memberships: i64,
    /// Key of the role given to `created_by` (read live from the role, so renaming it cascades).
    pub creator_role: String,
    /// Default of `admin_delete_enabled` for new organizations.
    pub admin_delete_enabled: bool,
    pub domains_enabled: bool,
    pub slug_disabled: bool,
    pub domains_enrollment_modes: Vec<String>,
    /// Key of the domains default role.
    pub domains_default_role: String,
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_allowed_memberships: 0,
            creator_role: crate::roles::ADMIN.to_owned(),
            admin_delete_enabled: true,
            domains_enabled: false,
            slug_disabled: false,
            domains_enrollment_modes: Vec::new(),
            domains_default_role: crate::roles::MEMBER.to_owned(),
        }
    }
}

/// A session, as far as Roster keeps them: who, which client, and the active organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub status: String,
    pub last_active_organization_id: Option<String>,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A secret key's record, without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub instance_id: String,
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identification {
    pub id: String,
    /// The address, number or wallet as given.
    pub value: String,
    /// `true` when created with identification status `reserved` instead of `verified`.
    pub reserved: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub email_addresses: Vec<Identification>,
    pub phone_numbers: Vec<Identification>,
    pub web3_wallets: Vec<Identification>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    pub password_enabled: bool,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub unsafe_metadata: Metadata,
    pub banned: bool,
    pub locked: bool,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: bool,
    pub last_active_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    fn primary<'a>(list: &'a [Identification], id: &Option<String>) -> Option<&'a Identification> {
        id.as_ref().and_then(|id| list.iter().find(|i| &i.id == id))
    }

    pub fn primary_email(&self) -> Option<&str> {
        Self::primary(&self.email_addresses, &self.primary_email_address_id).map(|i| i.value.as_str())
    }

    pub fn primary_phone(&self) -> Option<&str> {
        Self::primary(&self.phone_numbers, &self.primary_phone_number_id).map(|i| i.value.as_str())
    }

    pub fn primary_web3(&self) -> Option<&str> {
        Self::primary(&self.web3_wallets, &self.primary_web3_wallet_id).map(|i| i.value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub created_by: Option<String>,
    pub role_set_key: Option<String>,
    /// Exact count of memberships, maintained in the same transaction as every membership write.
    pub members_count: i64,
    /// Whether no member holds `org:sys_memberships:manage` (filled when requested).
    pub missing_member_with_elevated_permissions: Option<bool>,
    /// Pending invitations not yet expired (filled when a write's quota check or a read needs them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_invitations_count: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    /// `system` for Clerk's `org:sys_*` permissions, `user` for custom ones.
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub is_creator_eligible: bool,
    pub permissions: Vec<Permission>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Role {
    pub fn permission_keys(&self) -> Vec<String> {
        self.permissions.iter().map(|p| p.key.clone()).collect()
    }

    pub fn can_manage_memberships(&self) -> bool {
        self.permissions.iter().any(|p| p.key == crate::roles::MANAGE_MEMBERSHIPS)
    }
}

/// The member's side of a membership, as `public_user_data` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUserData {
    pub user_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub identifier: Option<String>,
    pub username: Option<String>,
    pub banned: bool,
}

impl PublicUserData {
    /// The member's side of a membership of `user`: its identifier is the primary email address, else the
    /// primary phone number, else the primary web3 wallet, else the username.
    pub fn of(user: &User) -> Self {
        let identifier = user.primary_email().or(user.primary_phone()).or(user.primary_web3()).map(str::to_owned);
        Self {
            user_id: user.id.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            identifier: identifier.or_else(|| user.username.clone()),
            username: user.username.clone(),
            banned: user.banned,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub id: String,
    pub organization: Organization,
    pub public_user_data: PublicUserData,
    pub role: String,
    pub role_name: String,
    pub permissions: Vec<String>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One page of a list and the count of all matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub total_count: i64,
}
