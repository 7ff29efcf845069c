//! The embedded SQLite store. WAL mode; writes go through the group-commit `Writer` (one connection,
//! one thread), reads through a pool of read-only connections on the blocking thread pool. With the
//! default `Durability::Full` every commit is fsynced before any request in it is answered.
//!
//! The use-case logic is the backend-neutral `crate::logic`, run here on a `rusqlite::Connection` as `&dyn Db`
//! (`db.rs`); this module holds what is SQLite's own: the writer thread, the read pool, pragmas, migrations,
//! and the operator's stats and integrity check.

mod db;
mod migrate;
mod ops;
pub mod writer;

use std::path::Path;

use async_trait::async_trait;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

use roster_core::model::{
    ApiKey, Environment, Instance, Membership, Organization, OrganizationSettings, Page, Permission, Role, Session,
    User,
};
use roster_core::query::{
    KeyedOrder, MembershipFilter, MembershipOrder, OrganizationFilter, OrganizationOrder, Pagination, SessionFilter,
    UserFilter, UserOrder,
};
use roster_core::store::{
    Bootstrap, KeyCandidate, MetadataUpdate, NewMembership, NewOrganization, NewPermission, NewRole, NewUser,
    OrganizationUpdate, PermissionUpdate, Result, RoleUpdate, SettingsUpdate, StoreStats, UserUpdate,
};
use roster_core::{DomainError, Store};

use crate::logic::{instances, memberships, orgs, roles, rows, sessions, users};
pub use crate::logic::{StoreError, Tx};

pub use migrate::latest as latest_schema_version;
pub use ops::integrity_check;
pub use writer::Writer;

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a write is acknowledged only once fsynced. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: WAL is fsynced at checkpoints only; a power loss can lose the last commits.
    Normal,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub durability: Durability,
    pub read_connections: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self { durability: Durability::Full, read_connections: 8 }
    }
}

/// A SQLite error as a store error.
pub(crate) fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Sql(e.into())
}

/// Run `work` in one read transaction (one snapshot for a list and its count).
fn snapshot<T>(conn: &Connection, work: impl FnOnce(&Connection) -> Tx<T>) -> Result<T> {
    let begin = conn.prepare_cached("BEGIN").and_then(|mut s| s.execute([]));
    begin.map_err(|e| DomainError::from(db(e)))?;
    let out = work(conn);
    let _ = conn.prepare_cached("COMMIT").and_then(|mut s| s.execute([]));
    out.map_err(DomainError::from)
}

pub struct SqliteStore {
    path: String,
    roles: std::sync::Arc<rows::RolesCache>,
    writer: Writer,
    readers: r2d2::Pool<SqliteConnectionManager>,
}

fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let sync = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    Ok(())
}

impl SqliteStore {
    /// Open (creating if needed) the database at `path`, apply migrations, start the writer.
    pub async fn open(path: &str, options: Options) -> Result<Self> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || Self::open_blocking(&path, options))
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?
    }

    fn open_blocking(path: &str, options: Options) -> Result<Self> {
        let internal = |e: rusqlite::Error| DomainError::Internal(format!("opening {path}: {e}"));
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() && !parent.exists() {
                std::fs::create_dir_all(parent).map_err(|e| DomainError::Internal(e.to_string()))?;
            }
        }
        let mut conn = Connection::open(path).map_err(internal)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(internal)?;
        configure(&conn, options.durability).map_err(internal)?;
        migrate::run(&mut conn).map_err(internal)?;

        let durability = options.durability;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI)
            .with_init(move |c| configure(c, durability));
        let readers = r2d2::Pool::builder()
            .max_size(options.read_connections.max(1))
            // A local file connection does not go stale: skip the per-checkout probe.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| DomainError::Internal(format!("read pool: {e}")))?;
        Ok(Self { path: path.to_owned(), roles: Default::default(), writer: Writer::start(conn), readers })
    }

    /// The group-commit writer (its counters, or to run custom work in its transactions).
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Run a small indexed read (a point lookup of a few rows) right here on the async thread when a pooled
    /// connection is idle: microseconds of work that a trip to the blocking pool would multiply. Falls back to
    /// `read` when every connection is busy, so an async thread never waits for the pool.
    async fn read_small<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Tx<T> + Send + 'static,
    {
        match self.readers.try_get() {
            Some(conn) => snapshot(&conn, work),
            None => self.read(work).await,
        }
    }

    /// Run a read on a pooled connection, off the async threads, in one snapshot.
    async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Tx<T> + Send + 'static,
    {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.get().map_err(|e| DomainError::Internal(format!("read pool: {e}")))?;
            snapshot(&conn, work)
        })
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn close(&self) -> Result<()> {
        // Fold the write-ahead log into the database and truncate it, so the next start has no log to replay.
        // A checkpoint cannot run inside the writer's batch transaction, so it runs on a connection of its own.
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = Connection::open(&path).map_err(|e| DomainError::Internal(e.to_string()))?;
            conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| DomainError::Internal(e.to_string()))?;
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").map_err(|e| DomainError::Internal(e.to_string()))
        })
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
    }

    fn stats(&self) -> StoreStats {
        self.collect_stats()
    }

    async fn ping(&self) -> Result<()> {
        self.ping_db().await
    }

    async fn create_instance(&self, environment: Environment, name: &str) -> Result<Instance> {
        let name = name.to_owned();
        self.writer.write(move |c| instances::create(c, environment, &name)).await
    }

    async fn list_instances(&self) -> Result<Vec<Instance>> {
        self.read(|c| instances::list(c)).await
    }

    async fn bootstrap(&self, secret_key: Option<&str>) -> Result<Bootstrap> {
        let secret = secret_key.map(str::to_owned);
        self.writer.write(move |c| instances::bootstrap(c, secret.as_deref())).await
    }

    async fn create_key(&self, instance_id: &str, secret: Option<&str>) -> Result<(ApiKey, String)> {
        let (id, secret) = (instance_id.to_owned(), secret.map(str::to_owned));
        self.writer.write(move |c| instances::create_key(c, &id, secret.as_deref())).await
    }

    async fn list_keys(&self, instance_id: Option<&str>) -> Result<Vec<ApiKey>> {
        let id = instance_id.map(str::to_owned);
        self.read(move |c| instances::list_keys(c, id.as_deref())).await
    }

    async fn revoke_key(&self, key_id: &str) -> Result<ApiKey> {
        let id = key_id.to_owned();
        self.writer.write(move |c| instances::revoke_key(c, &id)).await
    }

    async fn find_keys(&self, lookup: &str) -> Result<Vec<KeyCandidate>> {
        let lookup = lookup.to_owned();
        self.read_small(move |c| instances::find_keys(c, &lookup)).await
    }

    async fn update_organization_settings(
        &self,
        instance_id: &str,
        update: SettingsUpdate,
    ) -> Result<OrganizationSettings> {
        let ins = instance_id.to_owned();
        self.writer.write(move |c| instances::update_settings(c, &ins, update)).await
    }

    async fn list_roles(&self, instance_id: &str) -> Result<Vec<Role>> {
        let id = instance_id.to_owned();
        self.read(move |c| rows::load_roles(c, &id)).await
    }

    async fn search_roles(
        &self,
        instance_id: &str,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<Role>> {
        let ins = instance_id.to_owned();
        self.read(move |c| roles::search_roles(c, &ins, query, order, page)).await
    }

    async fn get_role(&self, instance_id: &str, role_id: &str) -> Result<Role> {
        let (ins, id) = (instance_id.to_owned(), role_id.to_owned());
        self.read_small(move |c| roles::get_role(c, &ins, &id)).await
    }

    async fn create_role(&self, instance_id: &str, role: NewRole) -> Result<Role> {
        let ins = instance_id.to_owned();
        let out = self.writer.write(move |c| roles::create_role(c, &ins, role)).await;
        self.roles.invalidate();
        out
    }

    async fn update_role(&self, instance_id: &str, role_id: &str, update: RoleUpdate) -> Result<Role> {
        let (ins, id) = (instance_id.to_owned(), role_id.to_owned());
        let out = self.writer.write(move |c| roles::update_role(c, &ins, &id, update)).await;
        self.roles.invalidate();
        out
    }

    async fn delete_role(&self, instance_id: &str, role_id: &str) -> Result<Role> {
        let (ins, id) = (instance_id.to_owned(), role_id.to_owned());
        let out = self.writer.write(move |c| roles::delete_role(c, &ins, &id)).await;
        self.roles.invalidate();
        out
    }

    async fn add_role_permission(&self, instance_id: &str, role_id: &str, permission_id: &str) -> Result<Role> {
        let (ins, id, perm) = (instance_id.to_owned(), role_id.to_owned(), permission_id.to_owned());
        let out = self.writer.write(move |c| roles::add_role_permission(c, &ins, &id, &perm)).await;
        self.roles.invalidate();
        out
    }

    async fn remove_role_permission(&self, instance_id: &str, role_id: &str, permission_id: &str) -> Result<Role> {
        let (ins, id, perm) = (instance_id.to_owned(), role_id.to_owned(), permission_id.to_owned());
        let out = self.writer.write(move |c| roles::remove_role_permission(c, &ins, &id, &perm)).await;
        self.roles.invalidate();
        out
    }

    async fn search_permissions(
        &self,
        instance_id: &str,
        query: Option<String>,
        order: KeyedOrder,
        page: Pagination,
    ) -> Result<Page<Permission>> {
        let ins = instance_id.to_owned();
        self.read(move |c| roles::search_permissions(c, &ins, query, order, page)).await
    }

    async fn get_permission(&self, instance_id: &str, permission_id: &str) -> Result<Permission> {
        let (ins, id) = (instance_id.to_owned(), permission_id.to_owned());
        self.read_small(move |c| roles::get_permission(c, &ins, &id)).await
    }

    async fn create_permission(&self, instance_id: &str, permission: NewPermission) -> Result<Permission> {
        let ins = instance_id.to_owned();
        let out = self.writer.write(move |c| roles::create_permission(c, &ins, permission)).await;
        self.roles.invalidate();
        out
    }

    async fn update_permission(
        &self,
        instance_id: &str,
        permission_id: &str,
        update: PermissionUpdate,
    ) -> Result<Permission> {
        let (ins, id) = (instance_id.to_owned(), permission_id.to_owned());
        let out = self.writer.write(move |c| roles::update_permission(c, &ins, &id, update)).await;
        self.roles.invalidate();
        out
    }

    async fn delete_permission(&self, instance_id: &str, permission_id: &str) -> Result<Permission> {
        let (ins, id) = (instance_id.to_owned(), permission_id.to_owned());
        let out = self.writer.write(move |c| roles::delete_permission(c, &ins, &id)).await;
        self.roles.invalidate();
        out
    }

    async fn create_session(
        &self,
        instance_id: &str,
        user_id: &str,
        active_organization_id: Option<String>,
    ) -> Result<Session> {
        let (ins, user) = (instance_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| sessions::create(c, &ins, &user, active_organization_id)).await
    }

    async fn get_session(&self, instance_id: &str, session_id: &str) -> Result<Session> {
        let (ins, id) = (instance_id.to_owned(), session_id.to_owned());
        self.read_small(move |c| sessions::get(c, &ins, &id)).await
    }

    async fn list_sessions(&self, instance_id: &str, filter: SessionFilter, page: Pagination) -> Result<Page<Session>> {
        let ins = instance_id.to_owned();
        self.read(move |c| sessions::list(c, &ins, &filter, page)).await
    }

    async fn create_user(&self, instance_id: &str, user: NewUser) -> Result<User> {
        let id = instance_id.to_owned();
        self.writer.write(move |c| users::create(c, &id, user)).await
    }

    async fn get_user(&self, instance_id: &str, user_id: &str) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.read_small(move |c| users::get(c, &ins, &id)).await
    }

    async fn list_users(
        &self,
        instance_id: &str,
        filter: UserFilter,
        order: UserOrder,
        page: Pagination,
    ) -> Result<Page<User>> {
        let ins = instance_id.to_owned();
        self.read(move |c| users::list(c, &ins, &filter, order, page)).await
    }

    async fn update_user(&self, instance_id: &str, user_id: &str, update: UserUpdate) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| users::update(c, &ins, &id, update)).await
    }

    async fn delete_user(&self, instance_id: &str, user_id: &str) -> Result<()> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| users::delete(c, &ins, &id)).await
    }

    async fn update_user_metadata(&self, instance_id: &str, user_id: &str, update: MetadataUpdate) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| users::update_metadata(c, &ins, &id, update)).await
    }

    async fn set_user_flags(
        &self,
        instance_id: &str,
        user_id: &str,
        banned: Option<bool>,
        locked: Option<bool>,
    ) -> Result<User> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| users::set_flags(c, &ins, &id, banned, locked)).await
    }

    async fn create_organization(&self, instance_id: &str, org: NewOrganization) -> Result<Organization> {
        let ins = instance_id.to_owned();
        self.writer.write(move |c| orgs::create(c, &ins, org)).await
    }

    async fn get_organization(
        &self,
        instance_id: &str,
        id_or_slug: &str,
        with_missing_admin: bool,
    ) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), id_or_slug.to_owned());
        self.read_small(move |c| orgs::get(c, &ins, &id, with_missing_admin)).await
    }

    async fn list_organizations(
        &self,
        instance_id: &str,
        filter: OrganizationFilter,
        order: OrganizationOrder,
        page: Pagination,
    ) -> Result<Page<Organization>> {
        let ins = instance_id.to_owned();
        self.read(move |c| orgs::list(c, &ins, &filter, order, page)).await
    }

    async fn update_organization(
        &self,
        instance_id: &str,
        org_id: &str,
        update: OrganizationUpdate,
    ) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), org_id.to_owned());
        self.writer.write(move |c| orgs::update(c, &ins, &id, update)).await
    }

    async fn delete_organization(&self, instance_id: &str, org_id: &str) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), org_id.to_owned());
        self.writer.write(move |c| orgs::delete(c, &ins, &id)).await
    }

    async fn update_organization_metadata(
        &self,
        instance_id: &str,
        org_id: &str,
        update: MetadataUpdate,
    ) -> Result<Organization> {
        let (ins, id) = (instance_id.to_owned(), org_id.to_owned());
        self.writer.write(move |c| orgs::update_metadata(c, &ins, &id, update)).await
    }

    async fn create_membership(&self, instance_id: &str, membership: NewMembership) -> Result<Membership> {
        let ins = instance_id.to_owned();
        self.writer.write(move |c| memberships::create(c, &ins, membership)).await
    }

    async fn list_memberships(
        &self,
        instance_id: &str,
        org_id: Option<&str>,
        filter: MembershipFilter,
        order: MembershipOrder,
        page: Pagination,
    ) -> Result<Page<Membership>> {
        let (ins, org) = (instance_id.to_owned(), org_id.map(str::to_owned));
        let cache = self.roles.clone();
        self.read_small(move |c| memberships::list(c, &cache, &ins, org.as_deref(), &filter, order, page)).await
    }

    async fn list_user_memberships(
        &self,
        instance_id: &str,
        user_id: &str,
        page: Pagination,
    ) -> Result<Page<Membership>> {
        let (ins, id) = (instance_id.to_owned(), user_id.to_owned());
        let cache = self.roles.clone();
        self.read(move |c| memberships::list_for_user(c, &cache, &ins, &id, page)).await
    }

    async fn update_membership_role(
        &self,
        instance_id: &str,
        org_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<Membership> {
        let (ins, org, user, role) = (instance_id.to_owned(), org_id.to_owned(), user_id.to_owned(), role.to_owned());
        self.writer.write(move |c| memberships::update_role(c, &ins, &org, &user, &role)).await
    }

    async fn delete_membership(&self, instance_id: &str, org_id: &str, user_id: &str) -> Result<Membership> {
        let (ins, org, user) = (instance_id.to_owned(), org_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| memberships::delete(c, &ins, &org, &user)).await
    }

    async fn update_membership_metadata(
        &self,
        instance_id: &str,
        org_id: &str,
        user_id: &str,
        update: MetadataUpdate,
    ) -> Result<Membership> {
        let (ins, org, user) = (instance_id.to_owned(), org_id.to_owned(), user_id.to_owned());
        self.writer.write(move |c| memberships::update_metadata(c, &ins, &org, &user, update)).await
    }
}
