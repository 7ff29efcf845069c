//! The `Store` implementation every SQL backend shares: each use case is a call into the backend-neutral
//! `logic`, run by the backend as a read (one snapshot) or a write (one transaction). A backend supplies
//! only how work reaches a connection (`Backend`): SQLite through its group-commit writer and read pool,
//! PostgreSQL through a connection pool with a transaction per request.

use async_trait::async_trait;

use roster_core::model::{
    ApiKey, Environment, Instance, Membership, Organization, OrganizationSettings, Page, Permission, Role, Session,
    User,
};
use roster_core::query::{
    KeyedOrder, MembershipFilter, MembershipOrder, OrganizationFilter, OrganizationOrder, Pagination, SessionFilter,
    UserFilter, UserOrder,
};
use roster_core::store::{
    Bootstrap, BulkResults, BulkWrite, KeyCandidate, MetadataUpdate, NewMembership, NewOrganization, NewPermission,
    NewRole, NewUser, OrganizationUpdate, PermissionUpdate, RateLimitHit, Result, RoleUpdate, SettingsUpdate,
    StoreStats, UserUpdate,
};
use roster_core::tokens::{JwtTemplate, JwtTemplateUpdate, KeyAddition, SigningKey, TokenContext};
use roster_core::{InstanceId, KeyId, OrgId, PermissionId, RoleId, SessionId, Store, UserId};

use crate::logic::{instances, limits, memberships, orgs, roles, rows, sessions, tokens, users};

mod backend;
mod enrollment;
mod events;
mod idempotency;
mod scim;
mod sql_store;
mod writes;

pub use backend::Backend;
pub use sql_store::SqlStore;

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    async fn close(&self) -> Result<()> {
        self.backend.close().await
    }

    fn stats(&self) -> StoreStats {
        self.backend.stats()
    }

    async fn ping(&self) -> Result<()> {
        self.backend.ping().await
    }

    fn shares_rate_limits(&self) -> bool {
        !self.backend.sole_writer()
    }

    async fn hit_rate_limit(&self, key: &str, max: u32, window_ms: i64) -> Result<Option<RateLimitHit>> {
        if self.backend.sole_writer() {
            // One process: its in-memory counters are exact, and cost no write.
            return Ok(None);
        }
        let key = key.to_owned();
        let now = roster_core::now_millis();
        self.backend.write(move |c| limits::hit(c, &key, max, window_ms, now)).await.map(Some)
    }

    async fn idempotent_response(
        &self,
        instance_id: &InstanceId,
        key: &str,
        expired_before_ms: i64,
    ) -> Result<Option<roster_core::idempotency::Recorded>> {
        self.find_idempotency_key(instance_id, key, expired_before_ms).await
    }

    async fn purge_idempotency_keys(&self, before_ms: i64) -> Result<u64> {
        self.purge_expired_idempotency_keys(before_ms).await
    }

    async fn create_instance(&self, environment: Environment, name: &str) -> Result<Instance> {
        let name = name.to_owned();
        self.key_write(move |c| instances::create(c, environment, &name)).await
    }

    async fn list_instances(&self) -> Result<Vec<Instance>> {
        self.backend.read(|c| instances::list(c)).await
    }

    async fn bootstrap(&self, secret_key: Option<&str>) -> Result<Bootstrap> {
        let secret = secret_key.map(str::to_owned);
        self.key_write(move |c| instances::bootstrap(c, secret.as_deref())).await
    }

    async fn create_key(&self, instance_id: &InstanceId, secret: Option<&str>) -> Result<(ApiKey, String)> {
        let (id, secret) = (instance_id.to_owned(), secret.map(str::to_owned));
        self.key_write(move |c| instances::create_key(c, &id, secret.as_deref())).await
    }

    async fn list_keys(&self, instance_id: Option<&InstanceId>) -> Result<Vec<ApiKey>> {
        let id = instance_id.cloned();
        self.backend.read(move |c| instances::list_keys(c, id.as_deref())).await
    }

    async fn revoke_key(&self, key_id: &KeyId) -> Result<ApiKey> {
        let id = key_id.to_owned();
        let revoked = self.key_write(move |c| instances::revoke_key(c, &id)).await?;
        if self.keys.is_some() {
            // A server on this database in another process may have the key cached: by the end of the window
            // every entry read before this commit has expired, so from the return on the key is refused.
            tokio::time::sleep(crate::keycache::WINDOW).await;
        }
        Ok(revoked)
    }

    async fn find_keys(&self, lookup: &str) -> Result<Vec<KeyCandidate>> {
        let Some(cache) = &self.keys else {
            let lookup = lookup.to_owned();
            // Every authenticated request starts here: one statement, no transaction where a backend can skip it.
            return self.backend.read_statement(move |c| instances::find_keys(c, &lookup)).await;
        };
        if let Some(found) = cache.get(lookup) {
            return Ok(found);
        }
        let stamp = cache.stamp();
        let owned = lookup.to_owned();
        let found = self.backend.read_statement(move |c| instances::find_keys(c, &owned)).await?;
        cache.put(lookup, stamp, &found);
        Ok(found)
    }

    async fn update_organization_settings(
        &self,
        instance_id: &InstanceId,
        update: SettingsUpdate,
    ) -> Result<OrganizationSettings> {
        let ins = instance_id.to_owned();
        self.key_write(move |c| instances::update_settings(c, &ins, update)).await
    }

    async fn list_roles(&self, instance_id: &InstanceId) -> Result<Vec<Role>> {
        let id = instance_id.to_owned();
        self.backend.read(move |c| rows::roles::load_roles(c, &id)).await
    }

    async fn search_roles(
        &self,
        instance_id: &InstanceId,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<Role>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| roles::search_roles(c, &ins, query, order, page)).await
    }

    async fn get_role(&self, instance_id: &InstanceId, role_id: &RoleId) -> Result<Role> {
        let (ins, id) = (instance_id.to_owned(), role_id.to_owned());
        self.backend.read_small(move |c| roles::get_role(c, &ins, &id)).await
    }

    async fn create_role(&self, instance_id: &InstanceId, role: NewRole) -> Result<Role> {
        let ins = instance_id.to_owned();
        self.role_write(instance_id, move |c| roles::create_role(c, &ins, role)).await
    }

    async fn update_role(&self, instance_id: &InstanceId, role_id: &RoleId, update: RoleUpdate) -> Result<Role> {
        let (ins, id) = (instance_id.to_owned(), role_id.to_owned());
        self.role_write(instance_id, move |c| roles::update_role(c, &ins, &id, update)).await
    }

    async fn delete_role(&self, instance_id: &InstanceId, role_id: &RoleId) -> Result<Role> {
        let (ins, id) = (instance_id.to_owned(), role_id.to_owned());
        self.role_write(instance_id, move |c| roles::delete_role(c, &ins, &id)).await
    }

    async fn add_role_permission(
        &self,
        instance_id: &InstanceId,
        role_id: &RoleId,
        permission_id: &PermissionId,
    ) -> Result<Role> {
        let (ins, id, perm) = (instance_id.to_owned(), role_id.to_owned(), permission_id.to_owned());
        self.role_write(instance_id, move |c| roles::add_role_permission(c, &ins, &id, &perm)).await
    }

    async fn remove_role_permission(
        &self,
        instance_id: &InstanceId,
        role_id: &RoleId,
        permission_id: &PermissionId,
    ) -> Result<Role> {
        let (ins, id, perm) = (instance_id.to_owned(), role_id.to_owned(), permission_id.to_owned());
        self.role_write(instance_id, move |c| roles::remove_role_permission(c, &ins, &id, &perm)).await
    }

    async fn search_permissions(
        &self,
        instance_id: &InstanceId,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<Permission>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| roles::search_permissions(c, &ins, query, order, page)).await
    }

    async fn get_permission(&self, instance_id: &InstanceId, permission_id: &PermissionId) -> Result<Permission> {
        let (ins, id) = (instance_id.to_owned(), permission_id.to_owned());
        self.backend.read_small(move |c| roles::get_permission(c, &ins, &id)).await
    }

    async fn create_permission(&self, instance_id: &InstanceId, permission: NewPermission) -> Result<Permission> {
        let ins = instance_id.to_owned();
        self.role_write(instance_id, move |c| roles::create_permission(c, &ins, permission)).await
    }

    async fn update_permission(
        &self,
        instance_id: &InstanceId,
        permission_id: &PermissionId,
        update: PermissionUpdate,
    ) -> Result<Permission> {
        let (ins, id) = (instance_id.to_owned(), permission_id.to_owned());
        self.role_write(instance_id, move |c| roles::update_permission(c, &ins, &id, update)).await
    }

    async fn delete_permission(&self, instance_id: &InstanceId, permission_id: &PermissionId) -> Result<Permission> {
        let (ins, id) = (instance_id.to_owned(), permission_id.to_owned());
        self.role_write(instance_id, move |c| roles::delete_permission(c, &ins, &id)).await
    }

    async fn create_session(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        active_organization_id: Option<OrgId>,
        lifetime_ms: Option<i64>,
    ) -> Result<Session> {
        let (ins, user) = (instance_id.to_owned(), user_id.to_owned());
        let active = active_organization_id.map(String::from);
        self.write(move |c| sessions::create(c, &ins, &user, active, lifetime_ms)).await
    }

    async fn signing_keys(&self, instance_id: &InstanceId) -> Result<Vec<SigningKey>> {
        let ins = instance_id.to_owned();
        self.backend.read_small(move |c| tokens::signing_keys(c, &ins)).await
    }

    async fn add_signing_key(&self, key: SigningKey, addition: KeyAddition) -> Result<Vec<SigningKey>> {
        self.backend.write(move |c| tokens::add_signing_key(c, &key, addition)).await
    }

    async fn token_context(&self, instance_id: &InstanceId, session_id: &SessionId) -> Result<TokenContext> {
        let (ins, id, roles) = (instance_id.to_owned(), session_id.to_owned(), self.roles.clone());
        // One statement (the roles from memory): no transaction around it on PostgreSQL.
        self.backend.read_statement(move |c| tokens::token_context(c, &roles, &ins, &id)).await
    }

    async fn list_jwt_templates(&self, instance_id: &InstanceId) -> Result<Vec<JwtTemplate>> {
        let ins = instance_id.to_owned();
        self.backend.read_small(move |c| tokens::list_templates(c, &ins)).await
    }

    async fn get_jwt_template(&self, instance_id: &InstanceId, id_or_name: &str) -> Result<JwtTemplate> {
        let (ins, id) = (instance_id.to_owned(), id_or_name.to_owned());
        self.backend.read_small(move |c| tokens::get_template(c, &ins, &id)).await
    }

    async fn create_jwt_template(&self, instance_id: &InstanceId, template: JwtTemplate) -> Result<JwtTemplate> {
        let ins = instance_id.to_owned();
        self.backend.write(move |c| tokens::create_template(c, &ins, template)).await
    }

    async fn update_jwt_template(
        &self,
        instance_id: &InstanceId,
        template_id: &str,
        update: JwtTemplateUpdate,
    ) -> Result<JwtTemplate> {
        let (ins, id) = (instance_id.to_owned(), template_id.to_owned());
        self.backend.write(move |c| tokens::update_template(c, &ins, &id, update)).await
    }

    async fn delete_jwt_template(&self, instance_id: &InstanceId, template_id: &str) -> Result<JwtTemplate> {
        let (ins, id) = (instance_id.to_owned(), template_id.to_owned());
        self.backend.write(move |c| tokens::delete_template(c, &ins, &id)).await
    }

    async fn get_session(&self, instance_id: &InstanceId, session_id: &SessionId) -> Result<Session> {
        let (ins, id) = (instance_id.to_owned(), session_id.to_owned());
        self.backend.read_small(move |c| sessions::get(c, &ins, &id)).await
    }

    async fn set_session_active_organization(
        &self,
        instance_id: &InstanceId,
        session_id: &SessionId,
        organization_id: Option<OrgId>,
    ) -> Result<Session> {
        let (ins, id) = (instance_id.to_owned(), session_id.to_owned());
        self.write(move |c| sessions::set_active_organization(c, &ins, &id, organization_id.as_deref())).await
    }

    async fn revoke_session(&self, instance_id: &InstanceId, session_id: &SessionId) -> Result<Session> {
        let (ins, id) = (instance_id.to_owned(), session_id.to_owned());
        self.write(move |c| sessions::revoke(c, &ins, &id)).await
    }

    async fn list_sessions(
        &self,
        instance_id: &InstanceId,
        filter: SessionFilter,
        page: Pagination,
    ) -> Result<Page<Session>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| sessions::list(c, &ins, &filter, page)).await
    }

    async fn create_user(&self, instance_id: &InstanceId, user: NewUser) -> Result<User> {
        let id = instance_id.to_owned();
        self.write(move |c| users::create(c, &id, user)).await
    }

    async fn get_user(&self, instance_id: &InstanceId, user_id: &UserId) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.backend.read_small(move |c| users::get(c, &ins, &id)).await
    }

    async fn list_users(
        &self,
        instance_id: &InstanceId,
        filter: UserFilter,
        order: UserOrder,
        page: Pagination,
    ) -> Result<Page<User>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| users::list(c, &ins, &filter, order, page)).await
    }

    async fn update_user(&self, instance_id: &InstanceId, user_id: &UserId, update: UserUpdate) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.write(move |c| users::update(c, &ins, &id, update)).await
    }

    async fn delete_user(&self, instance_id: &InstanceId, user_id: &UserId) -> Result<()> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.write(move |c| users::delete(c, &ins, &id)).await
    }

    async fn update_user_metadata(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        update: MetadataUpdate,
    ) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.write(move |c| users::update_metadata(c, &ins, &id, update)).await
    }

    async fn set_user_flags(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        banned: Option<bool>,
        locked: Option<bool>,
    ) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.write(move |c| users::set_flags(c, &ins, &id, banned, locked)).await
    }

    async fn create_organization(&self, instance_id: &InstanceId, org: NewOrganization) -> Result<Organization> {
        let ins = instance_id.to_owned();
        self.write(move |c| orgs::create(c, &ins, org)).await
    }

    async fn get_organization(
        &self,
        instance_id: &InstanceId,
        id_or_slug: &str,
        with_missing_admin: bool,
    ) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), id_or_slug.to_owned());
        self.backend.read_small(move |c| orgs::get(c, &ins, &id, with_missing_admin)).await
    }

    async fn list_organizations(
        &self,
        instance_id: &InstanceId,
        filter: OrganizationFilter,
        order: OrganizationOrder,
        page: Pagination,
    ) -> Result<Page<Organization>> {
        let ins = instance_id.to_owned();
        self.backend.read(move |c| orgs::list(c, &ins, &filter, order, page)).await
    }

    async fn update_organization(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        update: OrganizationUpdate,
    ) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), org_id.to_owned());
        self.write(move |c| orgs::update(c, &ins, &id, update)).await
    }

    async fn delete_organization(&self, instance_id: &InstanceId, org_id: &OrgId) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), org_id.to_owned());
        self.write(move |c| orgs::delete(c, &ins, &id)).await
    }

    async fn update_organization_metadata(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        update: MetadataUpdate,
    ) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), org_id.to_owned());
        self.write(move |c| orgs::update_metadata(c, &ins, &id, update)).await
    }

    async fn create_membership(&self, instance_id: &InstanceId, membership: NewMembership) -> Result<Membership> {
        let (ins, cache) = (instance_id.to_owned(), self.write_roles.clone());
        self.write(move |c| memberships::create(c, &cache, &ins, membership)).await
    }

    async fn list_memberships(
        &self,
        instance_id: &InstanceId,
        org_id: Option<&OrgId>,
        filter: MembershipFilter,
        order: MembershipOrder,
        page: Pagination,
    ) -> Result<Page<Membership>> {
        let (ins, org) = (instance_id.to_owned(), org_id.cloned());
        let cache = self.roles.clone();
        self.backend.read_small(move |c| memberships::list(c, &cache, &ins, org.as_deref(), &filter, order, page)).await
    }

    async fn list_user_memberships(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
        page: Pagination,
    ) -> Result<Page<Membership>> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        let cache = self.roles.clone();
        self.backend.read(move |c| memberships::list_for_user(c, &cache, &ins, &id, page)).await
    }

    async fn update_membership_role(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        user_id: &UserId,
        role: &str,
    ) -> Result<Membership> {
        let (ins, org, user, role) = (instance_id.to_owned(), org_id.to_owned(), user_id.to_owned(), role.to_owned());
        let cache = self.write_roles.clone();
        self.write(move |c| memberships::update_membership_role(c, &cache, &ins, &org, &user, &role)).await
    }

    async fn delete_membership(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        user_id: &UserId,
    ) -> Result<Membership> {
        let (ins, org, user) = (instance_id.to_owned(), org_id.to_owned(), user_id.to_owned());
        let cache = self.write_roles.clone();
        self.write(move |c| memberships::delete(c, &cache, &ins, &org, &user)).await
    }

    async fn update_membership_metadata(
        &self,
        instance_id: &InstanceId,
        org_id: &OrgId,
        user_id: &UserId,
        update: MetadataUpdate,
    ) -> Result<Membership> {
        let (ins, org, user) = (instance_id.to_owned(), org_id.to_owned(), user_id.to_owned());
        let cache = self.write_roles.clone();
        self.write(move |c| memberships::update_metadata(c, &cache, &ins, &org, &user, update)).await
    }

    async fn bulk_memberships(&self, instance_id: &InstanceId, write: BulkWrite) -> Result<BulkResults> {
        let (ins, cache) = (instance_id.to_owned(), self.write_roles.clone());
        self.write(move |c| memberships::bulk(c, &cache, &ins, write)).await
    }
}
