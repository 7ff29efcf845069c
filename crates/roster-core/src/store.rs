//! The `Store` trait: what the server asks of a database, shaped by use case (not by table). Each write
//! is one atomic unit that enforces the rules of `crate::rules` inside its transaction, so concurrent
//! requests (and other nodes on a shared database) cannot break them. Every method is scoped to an
//! instance: a store never returns or touches a record of another instance.

use async_trait::async_trait;

use crate::ids::{InstanceId, KeyId, OrgId, PermissionId, RoleId, SessionId, UserId};
use crate::keys;
use crate::metadata::Metadata;
use crate::model::{
    ApiKey, Environment, Instance, Membership, Organization, OrganizationSettings, Page, Permission, Role, Session,
    User,
};
use crate::query::{
    KeyedOrder, MembershipFilter, MembershipOrder, OrganizationFilter, OrganizationOrder, Pagination, SessionFilter,
    UserFilter, UserOrder,
};
use crate::tokens::{JwtTemplate, JwtTemplateUpdate, KeyAddition, SigningKey, TokenContext};
use crate::DomainError;

pub use crate::bulk::{BulkItem, BulkResults, BulkWrite};
pub use crate::metadata::{MetadataMode, MetadataUpdate};

/// How long a session lasts unless configured otherwise: a week, Clerk's default.
pub const DEFAULT_SESSION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;

pub type Result<T> = std::result::Result<T, DomainError>;

/// An identification to create: the value and whether it is only reserved (not verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentification {
    pub value: String,
    pub reserved: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewUser {
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub username: Option<String>,
    pub email_addresses: Vec<NewIdentification>,
    pub phone_numbers: Vec<NewIdentification>,
    pub web3_wallets: Vec<NewIdentification>,
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
    pub legal_accepted_at: Option<i64>,
    pub created_at: Option<i64>,
}

/// A partial update: `None` leaves a field alone, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserUpdate {
    pub external_id: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    pub password_enabled: Option<bool>,
    pub delete_self_enabled: Option<bool>,
    pub create_organization_enabled: Option<bool>,
    pub create_organizations_limit: Option<Option<i64>>,
    pub bypass_client_trust: Option<bool>,
    pub legal_accepted_at: Option<Option<i64>>,
    pub created_at: Option<i64>,
    /// Older API versions replace metadata through `PATCH /users/{id}`.
    pub metadata: MetadataUpdate,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewOrganization {
    pub name: String,
    pub slug: Option<String>,
    pub created_by: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub created_at: Option<i64>,
    pub role_set_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationUpdate {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub admin_delete_enabled: Option<bool>,
    pub created_at: Option<i64>,
    pub role_set_key: Option<Option<String>>,
    /// Older API versions replace metadata through `PATCH /organizations/{id}`.
    pub metadata: MetadataUpdate,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewMembership {
    pub organization_id: OrgId,
    pub user_id: UserId,
    pub role: String,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRole {
    pub name: String,
    pub key: String,
    pub description: Option<String>,
    /// Permission ids.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleUpdate {
    pub name: Option<String>,
    pub key: Option<String>,
    pub description: Option<Option<String>>,
    /// Replaces the role's permission set (ids) when given.
    pub permissions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPermission {
    pub name: String,
    pub key: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionUpdate {
    pub name: Option<String>,
    pub key: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsUpdate {
    pub enabled: Option<bool>,
    pub max_allowed_memberships: Option<i64>,
    pub admin_delete_enabled: Option<bool>,
    pub domains_enabled: Option<bool>,
    pub slug_disabled: Option<bool>,
    pub domains_enrollment_modes: Option<Vec<String>>,
    pub creator_role_id: Option<String>,
    pub domains_default_role_id: Option<String>,
}

/// A stored key matched by its lookup tag, for constant-time verification in `Store::authenticate`.
#[derive(Debug, Clone)]
pub struct KeyCandidate {
    pub hash: String,
    pub revoked: bool,
    pub instance: Instance,
}

/// What `bootstrap` did on start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// The database was empty: a development instance was created with this freshly minted key.
    Created { instance: Instance, secret_key: Option<String> },
    /// The database already had instances.
    Existing,
}

/// What a store tells about itself, for metrics. A backend fills in what it has; the rest stays `None`.
/// The outcome of counting a request against a shared rate-limit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHit {
    /// False when the window was already full (the request is refused and not counted).
    pub allowed: bool,
    /// Milliseconds until the window ends.
    pub resets_in_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Write transactions committed (or failed) so far.
    pub write_batches: Option<u64>,
    /// Write requests run so far, over all batches.
    pub write_requests: Option<u64>,
    /// The most write requests one transaction carried.
    pub largest_write_batch: Option<u64>,
    /// Write requests waiting for the writer now.
    pub queued_writes: Option<u64>,
    /// Batch sizes as a histogram: `(upper bound, batches of at most that size and more than the bound
    /// before)`, bounds ascending. The counts add up to `write_batches`.
    pub write_batch_sizes: Option<Vec<(u64, u64)>>,
    /// Read connections open now (idle or in use), idle ones, and the most the pool opens.
    pub read_connections: Option<u32>,
    pub idle_read_connections: Option<u32>,
    pub max_read_connections: Option<u32>,
}

#[async_trait]
pub trait Store:
    crate::webhooks::EventLog
    + crate::invitations::Invitations
    + crate::domains::Domains
    + crate::role_sets::RoleSets
    + crate::scim::Directories
    + Send
    + Sync
    + 'static
{
    // --- operations ------------------------------------------------------------------------------
    /// Counters and gauges for metrics; cheap, never touches the database.
    fn stats(&self) -> StoreStats {
        StoreStats::default()
    }

    /// Count one request against the fixed window of `key` in the database, shared by every process on it:
    /// `None` where the store keeps no such windows (`shares_rate_limits` is false; the process counts).
    async fn hit_rate_limit(&self, key: &str, max: u32, window_ms: i64) -> Result<Option<RateLimitHit>> {
        let _ = (key, max, window_ms);
        Ok(None)
    }

    /// Whether several processes serve this database, so rate limits must be counted in it.
    fn shares_rate_limits(&self) -> bool {
        false
    }

    /// A trivial read, for readiness probes: `Ok` when the database answers.
    async fn ping(&self) -> Result<()> {
        self.list_instances().await.map(|_| ())
    }

    /// What the idempotency key `key` of the instance holds, unless it is absent or older than
    /// `expired_before_ms`. Writes claim keys themselves (see `crate::idempotency`); this is the check before
    /// a request is handled.
    async fn idempotent_response(
        &self,
        instance_id: &InstanceId,
        key: &str,
        expired_before_ms: i64,
    ) -> Result<Option<crate::idempotency::Recorded>>;

    /// Delete the idempotency keys of every instance used before `before_ms`; how many went.
    async fn purge_idempotency_keys(&self, before_ms: i64) -> Result<u64>;

    /// Called once when the server has drained, before the process exits: flush whatever makes the next start
    /// quick (SQLite folds its write-ahead log into the database file).
    async fn close(&self) -> Result<()> {
        Ok(())
    }

    // --- instances and keys ------------------------------------------------------------------
    async fn create_instance(&self, environment: Environment, name: &str) -> Result<Instance>;
    async fn list_instances(&self) -> Result<Vec<Instance>>;
    /// Create a development instance if there is none. With `secret_key`, make sure the development
    /// instance accepts that key (stored hashed); without one, mint a key only for a new instance.
    async fn bootstrap(&self, secret_key: Option<&str>) -> Result<Bootstrap>;
    /// Store a new key for an instance; returns its record and the secret (shown once).
    async fn create_key(&self, instance_id: &InstanceId, secret: Option<&str>) -> Result<(ApiKey, String)>;
    async fn list_keys(&self, instance_id: Option<&InstanceId>) -> Result<Vec<ApiKey>>;
    async fn revoke_key(&self, key_id: &KeyId) -> Result<ApiKey>;
    async fn find_keys(&self, lookup: &str) -> Result<Vec<KeyCandidate>>;

    /// The instance a secret key belongs to, if the key is known and not revoked.
    async fn authenticate(&self, secret: &str) -> Result<Option<Instance>> {
        let presented = keys::digest(secret);
        let mut found = None;
        for candidate in self.find_keys(&presented.lookup).await? {
            // Every candidate is compared, in constant time, whatever matched before.
            if keys::verify(&presented, &candidate.hash) && !candidate.revoked {
                found = Some(candidate.instance);
            }
        }
        Ok(found)
    }

    // --- organization settings -----------------------------------------------------------------
    async fn update_organization_settings(
        &self,
        instance_id: &InstanceId,
        update: SettingsUpdate,
    ) -> Result<OrganizationSettings>;

    // --- roles and permissions -----------------------------------------------------------------
    /// Every role of the instance with its permissions.
    async fn list_roles(&self, instance_id: &InstanceId) -> Result<Vec<Role>>;
    /// Roles matching `query` (name or key, case-insensitive substring), ordered and paged.
    async fn search_roles(
        &self,
        instance_id: &InstanceId,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<Role>>;
    async fn get_role(&self, instance_id: &InstanceId, role_id: &RoleId) -> Result<Role>;
    async fn create_role(&self, instance_id: &InstanceId, role: NewRole) -> Result<Role>;
    async fn update_role(&self, instance_id: &InstanceId, role_id: &RoleId, update: RoleUpdate) -> Result<Role>;
    /// Refused for the creator role, the domains default role, and roles members hold.
    async fn delete_role(&self, instance_id: &InstanceId, role_id: &RoleId) -> Result<Role>;
    async fn add_role_permission(
        &self,
        instance_id: &InstanceId,
        role_id: &RoleId,
        permission_id: &PermissionId,
    ) -> Result<Role>;
    async fn remove_role_permission(
        &self,
        instance_id: &InstanceId,
        role_id: &RoleId,
        permission_id: &PermissionId,
    ) -> Result<Role>;
    async fn search_permissions(
        &self,
        instance_id: &InstanceId,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<Permission>>;
    async fn get_permission(&self, instance_id: &InstanceId, permission_id: &PermissionId) -> Result<Permission>;
    async fn create_permission(&self, instance_id: &InstanceId, permission: NewPermission) -> Result<Permission>;
    /// System permissions cannot be changed.
    async fn update_permission(
        &self,
        instance_id: &InstanceId,
        permission_id: &PermissionId,
        update: PermissionUpdate,
    ) -> Result<Permission>;
    /// System permissions cannot be deleted.
    async fn delete_permission(&self, instance_id: &InstanceId, permission_id: &PermissionId) -> Result<Permission>;

    // --- sessions ------------------------------------------------------------------------------
    /// A new active session. Its active organization is `active_organization_id` (the user must be a
    /// member), else the organization the user joined most recently, else none. It expires `lifetime_ms` after
    /// creation (default `DEFAULT_SESSION_LIFETIME_MS`): from then on it reads as `expired`. Sets the user's
    /// `last_active_at`.
    async fn create_session(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        active_organization_id: Option<OrgId>,
        lifetime_ms: Option<i64>,
    ) -> Result<Session>;
    async fn get_session(&self, instance_id: &InstanceId, session_id: &SessionId) -> Result<Session>;
    /// Make `organization_id` (the user must be a member) or no organization the active one of an active
    /// session; any other status is `SessionActionInvalid`.
    async fn set_session_active_organization(
        &self,
        instance_id: &InstanceId,
        session_id: &SessionId,
        organization_id: Option<OrgId>,
    ) -> Result<Session>;
    /// Mark an active session `revoked`; any other status is `SessionActionInvalid`.
    async fn revoke_session(&self, instance_id: &InstanceId, session_id: &SessionId) -> Result<Session>;
    async fn list_sessions(
        &self,
        instance_id: &InstanceId,
        filter: SessionFilter,
        page: Pagination,
    ) -> Result<Page<Session>>;

    // --- session tokens ------------------------------------------------------------------------
    /// The instance's published signing keys (not retired), oldest activation first.
    async fn signing_keys(&self, instance_id: &InstanceId) -> Result<Vec<SigningKey>>;
    /// Add a signing key (the instance's first, or a rotation); returns the published keys after.
    async fn add_signing_key(&self, key: SigningKey, addition: KeyAddition) -> Result<Vec<SigningKey>>;
    /// What a session token for `session_id` is computed from, read in one snapshot.
    async fn token_context(&self, instance_id: &InstanceId, session_id: &SessionId) -> Result<TokenContext>;
    async fn list_jwt_templates(&self, instance_id: &InstanceId) -> Result<Vec<JwtTemplate>>;
    /// A template by id or by name.
    async fn get_jwt_template(&self, instance_id: &InstanceId, id_or_name: &str) -> Result<JwtTemplate>;
    async fn create_jwt_template(&self, instance_id: &InstanceId, template: JwtTemplate) -> Result<JwtTemplate>;
    async fn update_jwt_template(
        &self,
        instance_id: &InstanceId,
        template_id: &str,
        update: JwtTemplateUpdate,
    ) -> Result<JwtTemplate>;
    async fn delete_jwt_template(&self, instance_id: &InstanceId, template_id: &str) -> Result<JwtTemplate>;

    // --- users -------------------------------------------------------------------------------
    async fn create_user(&self, instance_id: &InstanceId, user: NewUser) -> Result<User>;
    async fn get_user(&self, instance_id: &InstanceId, user_id: &UserId) -> Result<User>;
    async fn list_users(
        &self,
        instance_id: &InstanceId,
        filter: UserFilter,
        order: UserOrder,
        page: Pagination,
    ) -> Result<Page<User>>;
    async fn update_user(&self, instance_id: &InstanceId, user_id: &UserId, update: UserUpdate) -> Result<User>;
    /// Delete a user and every membership of theirs (organization counts follow).
    async fn delete_user(&self, instance_id: &InstanceId, user_id: &UserId) -> Result<()>;
    async fn update_user_metadata(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        update: MetadataUpdate,
    ) -> Result<User>;
    /// Ban/unban and lock/unlock; `None` leaves a flag as it is.
    async fn set_user_flags(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        banned: Option<bool>,
        locked: Option<bool>,
    ) -> Result<User>;

    // --- organizations -----------------------------------------------------------------------
    async fn create_organization(&self, instance_id: &InstanceId, org: NewOrganization) -> Result<Organization>;
    /// By id or by slug.
    async fn get_organization(
        &self,
        instance_id: &InstanceId,
        id_or_slug: &str,
        with_missing_admin: bool,
    ) -> Result<Organization>;
    async fn list_organizations(
        &self,
        instance_id: &InstanceId,
        filter: OrganizationFilter,
        order: OrganizationOrder,
        page: Pagination,
    ) -> Result<Page<Organization>>;
    async fn update_organization(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        update: OrganizationUpdate,
    ) -> Result<Organization>;
    /// Delete an organization and all its memberships; returns the deleted record.
    async fn delete_organization(&self, instance_id: &InstanceId, org_id: &OrgId) -> Result<Organization>;
    async fn update_organization_metadata(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        update: MetadataUpdate,
    ) -> Result<Organization>;

    // --- memberships -------------------------------------------------------------------------
    async fn create_membership(&self, instance_id: &InstanceId, membership: NewMembership) -> Result<Membership>;
    /// Memberships of one organization, or of the whole instance with `org_id: None`.
    async fn list_memberships(
        &self,
        instance_id: &InstanceId,
        org_id: Option<&OrgId>,
        filter: MembershipFilter,
        order: MembershipOrder,
        page: Pagination,
    ) -> Result<Page<Membership>>;
    async fn list_user_memberships(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        page: Pagination,
    ) -> Result<Page<Membership>>;
    async fn update_membership_role(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        user_id: &UserId,
        role: &str,
    ) -> Result<Membership>;
    async fn delete_membership(&self, instance_id: &InstanceId, org_id: &OrgId, user_id: &UserId)
        -> Result<Membership>;
    async fn update_membership_metadata(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        user_id: &UserId,
        update: MetadataUpdate,
    ) -> Result<Membership>;
    /// Create, update or delete many memberships of one organization in one transaction (`BulkWrite`).
    async fn bulk_memberships(&self, instance_id: &InstanceId, write: BulkWrite) -> Result<BulkResults>;
}
