//! The standalone functions of role sets (`role_sets_<method>`). The module is private: its functions are
//! re-exported by `funcs`.
//!
//! ```no_run
//! # async fn run() -> Result<(), roster_client::Error> {
//! use roster_client::funcs::role_sets_get;
//! use roster_client::{Clerk, GetRoleSetRequest};
//!
//! let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
//! let result = role_sets_get(&clerk, GetRoleSetRequest { role_set_key_or_id: "<key or id>".into() }, None).await?;
//! println!("{result:?}");
//! # Ok(()) }
//! ```

use roster_api_types::{CreateRoleSetRequestBody, DeletedObject, RoleSet, RoleSets};

use crate::{
    AddRolesToRoleSetRequest, Clerk, Error, GetRoleSetRequest, ListRoleSetsRequest, ReplaceRoleInRoleSetRequest,
    ReplaceRoleSetRequest, RequestOptions, RoleSetsApi, UpdateRoleSetRequest,
};

fn api(clerk: &Clerk, options: Option<RequestOptions>) -> RoleSetsApi {
    let api = clerk.role_sets();
    match options {
        Some(o) => api.with_options(o),
        None => api,
    }
}

/// Get a list of the instance's role sets; see [`RoleSetsApi::list`].
///
/// # Errors
///
/// As [`RoleSetsApi::list`].
pub async fn role_sets_list(
    clerk: &Clerk,
    request: ListRoleSetsRequest,
    options: Option<RequestOptions>,
) -> Result<RoleSets, Error> {
    api(clerk, options).list(request).await
}

/// Create a role set; see [`RoleSetsApi::create`].
///
/// # Errors
///
/// As [`RoleSetsApi::create`].
pub async fn role_sets_create(
    clerk: &Clerk,
    request: CreateRoleSetRequestBody,
    options: Option<RequestOptions>,
) -> Result<RoleSet, Error> {
    api(clerk, options).create(request).await
}

/// Retrieve a role set by key or id; see [`RoleSetsApi::get`].
///
/// # Errors
///
/// As [`RoleSetsApi::get`].
pub async fn role_sets_get(
    clerk: &Clerk,
    request: GetRoleSetRequest,
    options: Option<RequestOptions>,
) -> Result<RoleSet, Error> {
    api(clerk, options).get(request).await
}

/// Update a role set; see [`RoleSetsApi::update`].
///
/// # Errors
///
/// As [`RoleSetsApi::update`].
pub async fn role_sets_update(
    clerk: &Clerk,
    request: UpdateRoleSetRequest,
    options: Option<RequestOptions>,
) -> Result<RoleSet, Error> {
    api(clerk, options).update(request).await
}

/// Add roles to a role set; see [`RoleSetsApi::add_roles`].
///
/// # Errors
///
/// As [`RoleSetsApi::add_roles`].
pub async fn role_sets_add_roles(
    clerk: &Clerk,
    request: AddRolesToRoleSetRequest,
    options: Option<RequestOptions>,
) -> Result<RoleSet, Error> {
    api(clerk, options).add_roles(request).await
}

/// Replace a role in a role set, moving its members to the other; see [`RoleSetsApi::replace_role`].
///
/// # Errors
///
/// As [`RoleSetsApi::replace_role`].
pub async fn role_sets_replace_role(
    clerk: &Clerk,
    request: ReplaceRoleInRoleSetRequest,
    options: Option<RequestOptions>,
) -> Result<RoleSet, Error> {
    api(clerk, options).replace_role(request).await
}

/// Replace a role set by another, moving its organizations; see [`RoleSetsApi::replace`].
///
/// # Errors
///
/// As [`RoleSetsApi::replace`].
pub async fn role_sets_replace(
    clerk: &Clerk,
    request: ReplaceRoleSetRequest,
    options: Option<RequestOptions>,
) -> Result<DeletedObject, Error> {
    api(clerk, options).replace(request).await
}
