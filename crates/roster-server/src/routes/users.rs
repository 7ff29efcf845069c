//! Users: create, list, count, get, update, delete, ban/unban, lock/unlock, merge and replace metadata.
//! Roster keeps no passwords: `password` only sets `password_enabled` (Roster signs nobody in).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types::{self as api, CreateUserRequest, UpdateUserRequest, UserMetadataRequest};
use roster_core::ids::UserId;
use roster_core::query::{split_signed, Pagination, UserFilter, UserOrder};
use roster_core::rules;
use roster_core::store::{MetadataMode, MetadataUpdate, NewIdentification, NewUser, UserUpdate};

use crate::context::Ctx;
use crate::docs::{Always, BodyErrors, NotFound, PageParams, Unprocessable, UserFilterParams, UserOrderParam};
use crate::error::{ApiError, ApiResult};
use crate::extract::{datetime, non_negative, Body, Params, PathId};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", post(create_user).get(get_user_list))
        .route("/users/count", get(get_users_count))
        .route("/users/{user_id}", get(get_user).patch(update_user).delete(delete_user))
        .route("/users/{user_id}/ban", post(ban_user))
        .route("/users/{user_id}/unban", post(unban_user))
        .route("/users/{user_id}/lock", post(lock_user))
        .route("/users/{user_id}/unlock", post(unlock_user))
        .route("/users/{user_id}/metadata", axum::routing::patch(update_user_metadata).put(replace_user_metadata))
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_user,
    get_user_list,
    get_users_count,
    get_user,
    update_user,
    delete_user,
    ban_user,
    unban_user,
    lock_user,
    unlock_user,
    update_user_metadata,
    replace_user_metadata
))]
pub(super) struct Api;

/// Values with their identification statuses (`verified` by default, or `reserved`).
fn identifications(
    key: &str,
    values: Vec<String>,
    status_key: Option<&str>,
    statuses: Vec<String>,
    validate: fn(&str, &str) -> Result<(), roster_core::DomainError>,
) -> ApiResult<Vec<NewIdentification>> {
    let mut seen = std::collections::HashSet::new();
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            validate(key, &value)?;
            if !seen.insert(value.to_lowercase()) {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "form_param_duplicate",
                    "duplicate values",
                    format!("{key} contains duplicate values"),
                )
                .param(key));
            }
            let reserved = match statuses.get(i).map(String::as_str) {
                None | Some("verified") => false,
                Some("reserved") => true,
                Some(other) => {
                    return Err(ApiError::invalid(
                        status_key.unwrap_or(key),
                        format!(
                            "{other} does not match one of the allowed values for parameter {}",
                            status_key.unwrap_or(key)
                        ),
                    ))
                }
            };
            Ok(NewIdentification { value, reserved })
        })
        .collect()
}

/// `password` sets `password_enabled`; it is checked for length and then dropped.
fn password_given(password: &Option<String>, skip_checks: Option<bool>, digest: &Option<String>) -> ApiResult<bool> {
    let skip = skip_checks.unwrap_or(false);
    if let Some(p) = password {
        if p.chars().count() < 8 && !skip {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "form_password_length_too_short",
                "Passwords must be 8 characters or more.",
                "Passwords must be 8 characters or more.",
            )
            .param("password"));
        }
    }
    Ok(password.is_some() || digest.is_some())
}

fn username(value: Option<Option<String>>) -> ApiResult<Option<Option<String>>> {
    if let Some(Some(u)) = &value {
        rules::validate_username(u)?;
    }
    Ok(value)
}

#[utoipa::path(
    post,
    path = "/users",
    operation_id = "CreateUser",
    tag = "Users",
    summary = "Create a new user",
    request_body(content = Option<CreateUserRequest>, description = "An absent or empty body reads as `{}`"),
    responses((status = 200, description = "The new user", body = api::User), Always, BodyErrors)
)]
async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Body(body): Body<CreateUserRequest>,
) -> ApiResult<Response> {
    let username = username(body.username.map(Some))?.flatten();
    let password_enabled = password_given(&body.password, body.skip_password_checks, &body.password_digest)?;
    let new = NewUser {
        external_id: body.external_id.filter(|s| !s.is_empty()),
        first_name: body.first_name,
        last_name: body.last_name,
        locale: body.locale,
        username,
        email_addresses: identifications(
            "email_address",
            body.email_address,
            Some("email_address_identification_status"),
            body.email_address_identification_status,
            rules::validate_email,
        )?,
        phone_numbers: identifications(
            "phone_number",
            body.phone_number,
            Some("phone_number_identification_status"),
            body.phone_number_identification_status,
            rules::validate_phone,
        )?,
        web3_wallets: identifications("web3_wallet", body.web3_wallet, None, Vec::new(), rules::validate_web3_wallet)?,
        password_enabled,
        public_metadata: body.public_metadata.unwrap_or_default(),
        private_metadata: body.private_metadata.unwrap_or_default(),
        unsafe_metadata: body.unsafe_metadata.unwrap_or_default(),
        banned: body.banned.unwrap_or(false),
        locked: body.locked.unwrap_or(false),
        delete_self_enabled: body.delete_self_enabled.unwrap_or(true),
        create_organization_enabled: body.create_organization_enabled.unwrap_or(true),
        create_organizations_limit: non_negative("create_organizations_limit", body.create_organizations_limit)?,
        bypass_client_trust: body.bypass_client_trust.unwrap_or(false),
        legal_accepted_at: datetime("legal_accepted_at", body.legal_accepted_at)?,
        created_at: datetime("created_at", body.created_at)?,
    };
    written(wire::user, state.store.create_user(&ctx.instance.id, new)).await
}

fn user_filter(q: &Params) -> ApiResult<UserFilter> {
    let (user_ids, exclude_user_ids) = split_signed(q.strings("user_id")?);
    let (organization_ids, exclude_organization_ids) = split_signed(q.strings("organization_id")?);
    Ok(UserFilter {
        user_ids,
        exclude_user_ids,
        organization_ids,
        exclude_organization_ids,
        email_addresses: q.strings("email_address")?,
        phone_numbers: q.phones("phone_number")?,
        usernames: q.strings("username")?,
        web3_wallets: q.strings("web3_wallet")?,
        external_ids: q.strings("external_id")?,
        query: q.text("query"),
        email_address_query: q.text("email_address_query"),
        phone_number_query: q.phone_text("phone_number_query"),
        username_query: q.text("username_query"),
        name_query: q.text("name_query"),
        banned: q.bool("banned")?,
        created_at_before: q.int("created_at_before")?,
        created_at_after: q.int("created_at_after")?,
        last_active_at_before: q.int("last_active_at_before")?,
        last_active_at_after: q.int("last_active_at_after")?.or(q.int("last_active_at_since")?),
        last_sign_in_at_before: q.int("last_sign_in_at_before")?,
        last_sign_in_at_after: q.int("last_sign_in_at_after")?,
    })
}

#[utoipa::path(
    get,
    path = "/users",
    operation_id = "GetUserList",
    tag = "Users",
    summary = "List all users",
    params(UserFilterParams, UserOrderParam, PageParams),
    responses((status = 200, description = "A page of users", body = Vec<api::User>), Always, Unprocessable)
)]
async fn get_user_list(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    let filter = user_filter(&q)?;
    let order = q.order(UserOrder::default())?;
    let pagination = q.pagination()?;
    let page = state.store.list_users(&ctx.instance.id, filter, order, pagination).await?;
    Ok(json_body(&page.data.iter().map(wire::user).collect::<Vec<_>>()))
}

#[utoipa::path(
    get,
    path = "/users/count",
    operation_id = "GetUsersCount",
    tag = "Users",
    summary = "Count users",
    params(UserFilterParams),
    responses((status = 200, description = "How many users match", body = api::TotalCount), Always, Unprocessable)
)]
async fn get_users_count(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    let filter = user_filter(&q)?;
    let page = state
        .store
        .list_users(&ctx.instance.id, filter, UserOrder::default(), Pagination { limit: 0, offset: 0 })
        .await?;
    Ok(json_body(&api::TotalCount { object: "total_count".into(), total_count: page.total_count }))
}

#[utoipa::path(
    get,
    path = "/users/{user_id}",
    operation_id = "GetUser",
    tag = "Users",
    summary = "Retrieve a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    responses((status = 200, description = "The user", body = api::User), Always, NotFound)
)]
async fn get_user(State(state): State<AppState>, ctx: Ctx, PathId(user): PathId<UserId>) -> ApiResult<Response> {
    Ok(json_body(&wire::user(&state.store.get_user(&ctx.instance.id, &user).await?)))
}

#[utoipa::path(
    patch,
    path = "/users/{user_id}",
    operation_id = "UpdateUser",
    tag = "Users",
    summary = "Update a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    request_body(content = Option<UpdateUserRequest>, description = "An absent or empty body reads as `{}`"),
    responses((status = 200, description = "The updated user", body = api::User), Always, BodyErrors, NotFound)
)]
async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(user): PathId<UserId>,
    Body(body): Body<UpdateUserRequest>,
) -> ApiResult<Response> {
    if !ctx.version.metadata_on_update() {
        let metadata = [
            ("public_metadata", &body.public_metadata),
            ("private_metadata", &body.private_metadata),
            ("unsafe_metadata", &body.unsafe_metadata),
        ];
        if let Some((key, _)) = metadata.iter().find(|(_, given)| given.is_some()) {
            return Err(ApiError::unknown(key));
        }
    }
    let password = password_given(&body.password, body.skip_password_checks, &body.password_digest)?;
    let update = UserUpdate {
        external_id: body.external_id.map(|v| v.filter(|s| !s.is_empty())),
        first_name: body.first_name,
        last_name: body.last_name,
        locale: body.locale,
        username: username(body.username)?,
        primary_email_address_id: body.primary_email_address_id,
        primary_phone_number_id: body.primary_phone_number_id,
        primary_web3_wallet_id: body.primary_web3_wallet_id,
        password_enabled: password.then_some(true),
        delete_self_enabled: body.delete_self_enabled,
        create_organization_enabled: body.create_organization_enabled,
        create_organizations_limit: body.create_organizations_limit,
        bypass_client_trust: body.bypass_client_trust,
        legal_accepted_at: datetime("legal_accepted_at", body.legal_accepted_at)?.map(Some),
        created_at: datetime("created_at", body.created_at)?,
        metadata: MetadataUpdate {
            mode: MetadataMode::Replace,
            public: body.public_metadata,
            private: body.private_metadata,
            unsafe_: body.unsafe_metadata,
        },
    };
    written(wire::user, state.store.update_user(&ctx.instance.id, &user, update)).await
}

#[utoipa::path(
    delete,
    path = "/users/{user_id}",
    operation_id = "DeleteUser",
    tag = "Users",
    summary = "Delete a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    responses((status = 200, description = "The deleted user", body = api::DeletedObject), Always, NotFound)
)]
async fn delete_user(State(state): State<AppState>, ctx: Ctx, PathId(id): PathId<UserId>) -> ApiResult<Response> {
    let deleted = {
        let id = id.clone();
        move |(): &()| wire::deleted("user", &id, None)
    };
    written(deleted, state.store.delete_user(&ctx.instance.id, &id)).await
}

async fn set_flag(
    state: AppState,
    ctx: Ctx,
    user: UserId,
    banned: Option<bool>,
    locked: Option<bool>,
) -> ApiResult<Response> {
    written(wire::user, state.store.set_user_flags(&ctx.instance.id, &user, banned, locked)).await
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/ban",
    operation_id = "BanUser",
    tag = "Users",
    summary = "Ban a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    responses((status = 200, description = "The banned user", body = api::User), Always, NotFound)
)]
async fn ban_user(State(state): State<AppState>, ctx: Ctx, PathId(user): PathId<UserId>) -> ApiResult<Response> {
    set_flag(state, ctx, user, Some(true), None).await
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/unban",
    operation_id = "UnbanUser",
    tag = "Users",
    summary = "Unban a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    responses((status = 200, description = "The unbanned user", body = api::User), Always, NotFound)
)]
async fn unban_user(State(state): State<AppState>, ctx: Ctx, PathId(user): PathId<UserId>) -> ApiResult<Response> {
    set_flag(state, ctx, user, Some(false), None).await
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/lock",
    operation_id = "LockUser",
    tag = "Users",
    summary = "Lock a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    responses((status = 200, description = "The locked user", body = api::User), Always, NotFound)
)]
async fn lock_user(State(state): State<AppState>, ctx: Ctx, PathId(user): PathId<UserId>) -> ApiResult<Response> {
    set_flag(state, ctx, user, None, Some(true)).await
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/unlock",
    operation_id = "UnlockUser",
    tag = "Users",
    summary = "Unlock a user",
    params(("user_id" = String, Path, description = "The ID of the user")),
    responses((status = 200, description = "The unlocked user", body = api::User), Always, NotFound)
)]
async fn unlock_user(State(state): State<AppState>, ctx: Ctx, PathId(user): PathId<UserId>) -> ApiResult<Response> {
    set_flag(state, ctx, user, None, Some(false)).await
}

async fn change_metadata(
    state: AppState,
    ctx: Ctx,
    user: UserId,
    body: UserMetadataRequest,
    mode: MetadataMode,
) -> ApiResult<Response> {
    let update = MetadataUpdate {
        mode,
        public: body.public_metadata,
        private: body.private_metadata,
        unsafe_: body.unsafe_metadata,
    };
    written(wire::user, state.store.update_user_metadata(&ctx.instance.id, &user, update)).await
}

#[utoipa::path(
    patch,
    path = "/users/{user_id}/metadata",
    operation_id = "UpdateUserMetadata",
    tag = "Users",
    summary = "Merge and update a user's metadata",
    params(("user_id" = String, Path, description = "The ID of the user")),
    request_body(content = Option<UserMetadataRequest>, description = "An absent or empty body reads as `{}`"),
    responses((status = 200, description = "The updated user", body = api::User), Always, BodyErrors, NotFound)
)]
async fn update_user_metadata(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(user): PathId<UserId>,
    Body(body): Body<UserMetadataRequest>,
) -> ApiResult<Response> {
    change_metadata(state, ctx, user, body, MetadataMode::Merge).await
}

#[utoipa::path(
    put,
    path = "/users/{user_id}/metadata",
    operation_id = "ReplaceUserMetadata",
    tag = "Users",
    summary = "Replace a user's metadata",
    params(("user_id" = String, Path, description = "The ID of the user")),
    request_body(content = Option<UserMetadataRequest>, description = "An absent or empty body reads as `{}`"),
    responses((status = 200, description = "The updated user", body = api::User), Always, BodyErrors, NotFound)
)]
async fn replace_user_metadata(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(user): PathId<UserId>,
    Body(body): Body<UserMetadataRequest>,
) -> ApiResult<Response> {
    change_metadata(state, ctx, user, body, MetadataMode::Replace).await
}
