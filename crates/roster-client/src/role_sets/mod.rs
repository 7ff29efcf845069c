//! Role sets: the operations of Clerk's `roleSets` resource.
//!
//! A role set bounds the roles an organization's members and invitations may hold: an organization with a
//! `role_set_key` may give only the roles of that set (and its creator gets the set's creator role); one without
//! may give every role of the instance. New organizations get the instance's `initial` set, when there is one.
//! Replacing a role in a set, or a set by another, moves the members and pending invitations of the
//! organizations using it, in the same transaction.

use reqwest::Method;
use roster_api_types::{DeletedObject, RoleSet, RoleSets};

use crate::client::{seg, Operation};
use crate::{Clerk, Error, RequestOptions};

mod requests;

pub use requests::*;
pub use roster_api_types::{
    AddRolesToRoleSetRequestBody, CreateRoleSetRequestBody, ReplaceRoleInRoleSetRequestBody, ReplaceRoleSetRequestBody,
    UpdateRoleSetRequestBody,
};

/// The most roles a role set holds, and one [`RoleSetsApi::create`] or [`RoleSetsApi::add_roles`] may name (the
/// server answers 422 `form_param_array_size_exceeded` beyond).
pub const MAX_ROLE_SET_ROLES: usize = 10;

/// Statuses answered with Clerk's structured errors, per operation (from the API spec).
mod declared {
    pub const LIST: &[u16] = &[400, 401, 403, 422];
    pub const CREATE: &[u16] = &[400, 401, 402, 403, 404, 422];
    pub const GET: &[u16] = &[401, 403, 404];
    pub const UPDATE: &[u16] = &[400, 401, 403, 404, 422];
    pub const ADD_ROLES: &[u16] = &[400, 401, 403, 404, 422];
    pub const REPLACE_ROLE: &[u16] = &[400, 401, 403, 404, 422];
    pub const REPLACE: &[u16] = &[400, 401, 403, 404, 422];
}

fn role_set_path(role_set_key_or_id: &str) -> String {
    format!("/role_sets/{}", seg(role_set_key_or_id))
}

/// The role sets resource: get it with [`Clerk::role_sets`].
///
/// Per-call options apply to every call made through the handle returned by
/// [`with_options`](Self::with_options).
#[derive(Debug, Clone)]
pub struct RoleSetsApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

impl RoleSetsApi {
    pub(crate) fn new(clerk: Clerk) -> Self {
        Self { clerk, options: None }
    }

    /// This handle with per-call options (headers, timeout, retries) for the calls made through it.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Get a list of the instance's role sets, one page at a time (newest first unless `order_by` says
    /// otherwise). Each role of a set carries its `members_count` across the organizations using the set.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401, 403 and 422 (an invalid `order_by` or paging); [`Error::Api`] for
    /// other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListRoleSetsRequest;
    ///
    /// let page = clerk
    ///     .role_sets()
    ///     .list(ListRoleSetsRequest {
    ///         query: Some("eng".into()),
    ///         order_by: Some("+name".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// for set in page.data {
    ///     println!("{} ({}, {} roles)", set.key, set.kind, set.roles.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, request: ListRoleSetsRequest) -> Result<RoleSets, Error> {
        let op = Operation::new(Method::GET, "/role_sets".into(), declared::LIST);
        self.send(op.query(request.query())).await
    }

    /// Create a role set of 1 to [`MAX_ROLE_SET_ROLES`] roles, with its default role (what new members get) and
    /// creator role (what an organization's creator gets, which must be able to manage the organization), both
    /// among its roles. The key is made from the name when absent; `type: "initial"` makes it the set new
    /// organizations get (the previous initial set becomes `custom`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400 (`duplicate_record`: the key is taken), 401, 402, 403, 404
    /// (`resource_not_found`: an unknown role) and 422 (`form_param_missing`, `form_param_format_invalid` for a
    /// bad key, `form_param_value_invalid` for a default or creator role outside the set or an unknown type,
    /// `form_param_array_size_exceeded`, `organization_missing_creator_role_permissions`); [`Error::Api`] for
    /// other error statuses.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, CreateRoleSetRequestBody};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let set = clerk
    ///     .role_sets()
    ///     .create(CreateRoleSetRequestBody {
    ///         name: "Engineering Team".into(),
    ///         key: Some("role_set:engineering".into()),
    ///         roles: vec!["org:member".into(), "org:admin".into()],
    ///         default_role_key: "org:member".into(),
    ///         creator_role_key: "org:admin".into(),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{} ({})", set.key, set.id);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateRoleSetRequestBody) -> Result<RoleSet, Error> {
        let op = Operation::new(Method::POST, "/role_sets".into(), declared::CREATE);
        self.send(op.body(&request)?).await
    }

    /// Retrieve a role set by its key or its id.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401, 403 and 404 (`resource_not_found`: no set with that key or id);
    /// [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::GetRoleSetRequest;
    ///
    /// let set = clerk
    ///     .role_sets()
    ///     .get(GetRoleSetRequest { role_set_key_or_id: "role_set:engineering".into() })
    ///     .await?;
    /// println!("default role: {:?}", set.default_role.map(|r| r.key));
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, request: GetRoleSetRequest) -> Result<RoleSet, Error> {
        let path = role_set_path(&request.role_set_key_or_id);
        self.send(Operation::new(Method::GET, path, declared::GET)).await
    }

    /// Update a role set's name, key (the organizations using it follow), description (`Some(None)` clears
    /// it), default or creator role (among its roles), or make it the initial set (`type: "initial"`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400 (`duplicate_record`), 401, 403, 404 (an unknown set or role) and 422
    /// (`form_param_value_invalid` for a role outside the set or a type other than `initial`,
    /// `form_param_format_invalid` for a bad key); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{UpdateRoleSetRequest, UpdateRoleSetRequestBody};
    ///
    /// let set = clerk
    ///     .role_sets()
    ///     .update(UpdateRoleSetRequest {
    ///         role_set_key_or_id: "role_set:engineering".into(),
    ///         request_body: UpdateRoleSetRequestBody {
    ///             name: Some("Engineering".into()),
    ///             kind: Some("initial".into()),
    ///             ..Default::default()
    ///         },
    ///     })
    ///     .await?;
    /// assert_eq!(set.kind, "initial");
    /// # Ok(()) }
    /// ```
    pub async fn update(&self, request: UpdateRoleSetRequest) -> Result<RoleSet, Error> {
        let path = role_set_path(&request.role_set_key_or_id);
        self.send(Operation::new(Method::PATCH, path, declared::UPDATE).body(&request.request_body)?).await
    }

    /// Add roles to a role set (those it already holds are skipped; at most [`MAX_ROLE_SET_ROLES`] in all),
    /// optionally making one of them the default or creator role.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401, 403, 404 (an unknown set or role) and 422 (`form_param_missing` for
    /// no role, `form_param_array_size_exceeded`, `form_param_value_invalid`); [`Error::Api`] for other error
    /// statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{AddRolesToRoleSetRequest, AddRolesToRoleSetRequestBody};
    ///
    /// let set = clerk
    ///     .role_sets()
    ///     .add_roles(AddRolesToRoleSetRequest {
    ///         role_set_key_or_id: "role_set:engineering".into(),
    ///         request_body: AddRolesToRoleSetRequestBody {
    ///             role_keys: vec!["org:billing".into()],
    ///             ..Default::default()
    ///         },
    ///     })
    ///     .await?;
    /// # let _ = set; Ok(()) }
    /// ```
    pub async fn add_roles(&self, request: AddRolesToRoleSetRequest) -> Result<RoleSet, Error> {
        let path = format!("{}/roles", role_set_path(&request.role_set_key_or_id));
        self.send(Operation::new(Method::POST, path, declared::ADD_ROLES).body(&request.request_body)?).await
    }

    /// Replace a role in a role set by another: `role_key` leaves the set, `to_role_key` joins it (in its place
    /// as default or creator role), and the members and pending invitations holding `role_key` in the
    /// organizations using the set move to `to_role_key`.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401, 403, 404 (an unknown set or role) and 422
    /// (`form_param_value_invalid`: `role_key` is not in the set, or equals `to_role_key`); [`Error::Api`] for
    /// other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{ReplaceRoleInRoleSetRequest, ReplaceRoleInRoleSetRequestBody};
    ///
    /// let set = clerk
    ///     .role_sets()
    ///     .replace_role(ReplaceRoleInRoleSetRequest {
    ///         role_set_key_or_id: "role_set:engineering".into(),
    ///         request_body: ReplaceRoleInRoleSetRequestBody {
    ///             role_key: "org:lead".into(),
    ///             to_role_key: "org:senior".into(),
    ///         },
    ///     })
    ///     .await?;
    /// # let _ = set; Ok(()) }
    /// ```
    pub async fn replace_role(&self, request: ReplaceRoleInRoleSetRequest) -> Result<RoleSet, Error> {
        let path = format!("{}/roles/replace", role_set_path(&request.role_set_key_or_id));
        self.send(Operation::new(Method::POST, path, declared::REPLACE_ROLE).body(&request.request_body)?).await
    }

    /// Replace a role set by another, deleting it: the organizations using it move to `dest_role_set_key`, and
    /// their members and pending invitations holding a role the destination lacks move to the role
    /// `reassignment_mappings` maps it to. The answer is the deleted object (`object: "role_set"`).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401, 403 (`cannot_delete_initial_role_set`), 404 (an unknown set) and
    /// 422 (`organization_role_set_reassignment_mappings_missing`,
    /// `organization_role_set_reassignment_mappings_invalid` for a mapping to a role outside the destination,
    /// `form_param_value_invalid` for an unknown destination); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{ReplaceRoleSetRequest, ReplaceRoleSetRequestBody};
    ///
    /// let deleted = clerk
    ///     .role_sets()
    ///     .replace(ReplaceRoleSetRequest {
    ///         role_set_key_or_id: "role_set:old".into(),
    ///         request_body: ReplaceRoleSetRequestBody {
    ///             dest_role_set_key: "role_set:new".into(),
    ///             reassignment_mappings: Some([("org:lead".to_owned(), "org:admin".to_owned())].into()),
    ///         },
    ///     })
    ///     .await?;
    /// assert!(deleted.deleted);
    /// # Ok(()) }
    /// ```
    pub async fn replace(&self, request: ReplaceRoleSetRequest) -> Result<DeletedObject, Error> {
        let path = format!("{}/replace", role_set_path(&request.role_set_key_or_id));
        self.send(Operation::new(Method::POST, path, declared::REPLACE).body(&request.request_body)?).await
    }
}
