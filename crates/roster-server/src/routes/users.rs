//! Users: create, list, count, get, update, delete, ban/unban, lock/unlock, merge and replace metadata.
//! Roster keeps no passwords: `password` only sets `password_enabled` (Roster signs nobody in).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use roster_api_types as api;
use roster_core::ids::UserId;
use roster_core::query::{split_signed, Pagination, UserFilter, UserOrder};
use roster_core::rules;
use roster_core::store::{MetadataMode, MetadataUpdate, NewIdentification, NewUser, UserUpdate};

use crate::context::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Form, Ids, Params};
use crate::openapi::{
    Always, BodyErrors, CreateUserRequest, NotFound, PageParams, Unprocessable, UpdateUserRequest, UserFilterParams,
    UserMetadataRequest, UserOrderParam,
};
use crate::{json_body, wire, AppState};

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

/// The operations above, for the OpenAPI document (`crate::openapi`).
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

const CREATE_FIELDS: &[&str] = &[
    "external_id",
    "first_name",
    "last_name",
    "locale",
    "email_address",
    "email_address_identification_status",
    "phone_number",
    "phone_number_identification_status",
    "web3_wallet",
    "username",
    "password",
    "password_digest",
    "password_hasher",
    "skip_password_checks",
    "skip_password_requirement",
    "totp_secret",
    "backup_codes",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "delete_self_enabled",
    "legal_accepted_at",
    "skip_legal_checks",
    "skip_user_requirement",
    "create_organization_enabled",
    "create_organizations_limit",
    "created_at",
    "bypass_client_trust",
    "banned",
    "locked",
];

const UPDATE_FIELDS: &[&str] = &[
    "external_id",
    "first_name",
    "last_name",
    "locale",
    "primary_email_address_id",
    "notify_primary_email_address_changed",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
    "username",
    "profile_image_id",
    "password",
    "password_digest",
    "password_hasher",
    "skip_password_checks",
    "sign_out_of_other_sessions",
    "totp_secret",
    "backup_codes",
    "delete_self_enabled",
    "create_organization_enabled",
    "legal_accepted_at",
    "skip_legal_checks",
    "create_organizations_limit",
    "created_at",
    "bypass_client_trust",
];

/// Values with their identification statuses (`verified` by default, or `reserved`).
fn identifications(
    form: &mut Form,
    key: &str,
    status_key: Option<&str>,
    validate: fn(&str, &str) -> Result<(), roster_core::DomainError>,
) -> ApiResult<Vec<NewIdentification>> {
    let values = form.strings(key)?;
    let statuses = match status_key {
        Some(k) => form.strings(k)?,
        None => Vec::new(),
    };
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
fn password_given(form: &mut Form) -> ApiResult<bool> {
    let password = form.string("password")?;
    let skip = form.bool("skip_password_checks")?.unwrap_or(false);
    if let Some(p) = &password {
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
    let digest = form.string("password_digest")?;
    Ok(password.is_some() || digest.is_some())
}

fn username(form: &mut Form) -> ApiResult<Option<Option<String>>> {
    let value = form.nullable_string("username")?;
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
async fn create_user(State(state): State<AppState>, ctx: Ctx, Body(mut form): Body) -> ApiResult<Response> {
    form.only(CREATE_FIELDS)?;
    let new = NewUser {
        external_id: form.string("external_id")?.filter(|s| !s.is_empty()),
        first_name: form.string("first_name")?,
        last_name: form.string("last_name")?,
        locale: form.string("locale")?,
        username: username(&mut form)?.flatten(),
        email_addresses: identifications(
            &mut form,
            "email_address",
            Some("email_address_identification_status"),
            rules::validate_email,
        )?,
        phone_numbers: identifications(
            &mut form,
            "phone_number",
            Some("phone_number_identification_status"),
            rules::validate_phone,
        )?,
        web3_wallets: identifications(&mut form, "web3_wallet", None, rules::validate_web3_wallet)?,
        password_enabled: password_given(&mut form)?,
        public_metadata: form.metadata("public_metadata")?.unwrap_or_default(),
        private_metadata: form.metadata("private_metadata")?.unwrap_or_default(),
        unsafe_metadata: form.metadata("unsafe_metadata")?.unwrap_or_default(),
        banned: form.bool("banned")?.unwrap_or(false),
        locked: form.bool("locked")?.unwrap_or(false),
        delete_self_enabled: form.bool("delete_self_enabled")?.unwrap_or(true),
        create_organization_enabled: form.bool("create_organization_enabled")?.unwrap_or(true),
        create_organizations_limit: form.non_negative_int("create_organizations_limit")?,
        bypass_client_trust: form.bool("bypass_client_trust")?.unwrap_or(false),
        legal_accepted_at: form.datetime("legal_accepted_at")?,
        created_at: form.datetime("created_at")?,
    };
    let user = state.store.create_user(&ctx.instance.id, new).await?;
    Ok(json_body(&wire::user(&user)))
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
async fn get_user(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    Ok(json_body(&wire::user(&state.store.get_user(&ctx.instance.id, &UserId::from(ids.one())).await?)))
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
async fn update_user(State(state): State<AppState>, ctx: Ctx, ids: Ids, Body(mut form): Body) -> ApiResult<Response> {
    let mut allowed = UPDATE_FIELDS.to_vec();
    if ctx.version.metadata_on_update() {
        allowed.extend(["public_metadata", "private_metadata", "unsafe_metadata"]);
    }
    form.only(&allowed)?;
    let password = password_given(&mut form)?;
    let update = UserUpdate {
        external_id: form.nullable_string("external_id")?.map(|v| v.filter(|s| !s.is_empty())),
        first_name: form.nullable_string("first_name")?,
        last_name: form.nullable_string("last_name")?,
        locale: form.nullable_string("locale")?,
        username: username(&mut form)?,
        primary_email_address_id: form.string("primary_email_address_id")?,
        primary_phone_number_id: form.string("primary_phone_number_id")?,
        primary_web3_wallet_id: form.string("primary_web3_wallet_id")?,
        password_enabled: password.then_some(true),
        delete_self_enabled: form.bool("delete_self_enabled")?,
        create_organization_enabled: form.bool("create_organization_enabled")?,
        create_organizations_limit: form.nullable_int("create_organizations_limit")?,
        bypass_client_trust: form.bool("bypass_client_trust")?,
        legal_accepted_at: form.datetime("legal_accepted_at")?.map(Some),
        created_at: form.datetime("created_at")?,
        metadata: MetadataUpdate {
            mode: MetadataMode::Replace,
            public: form.metadata("public_metadata")?,
            private: form.metadata("private_metadata")?,
            unsafe_: form.metadata("unsafe_metadata")?,
        },
    };
    let user = state.store.update_user(&ctx.instance.id, &UserId::from(ids.one()), update).await?;
    Ok(json_body(&wire::user(&user)))
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
async fn delete_user(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    let id = ids.one();
    state.store.delete_user(&ctx.instance.id, &UserId::new(&id)).await?;
    Ok(json_body(&wire::deleted("user", &id, None)))
}

async fn set_flag(
    state: AppState,
    ctx: Ctx,
    ids: Ids,
    banned: Option<bool>,
    locked: Option<bool>,
) -> ApiResult<Response> {
    let user = state.store.set_user_flags(&ctx.instance.id, &UserId::from(ids.one()), banned, locked).await?;
    Ok(json_body(&wire::user(&user)))
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
async fn ban_user(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    set_flag(state, ctx, ids, Some(true), None).await
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
async fn unban_user(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    set_flag(state, ctx, ids, Some(false), None).await
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
async fn lock_user(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    set_flag(state, ctx, ids, None, Some(true)).await
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
async fn unlock_user(State(state): State<AppState>, ctx: Ctx, ids: Ids) -> ApiResult<Response> {
    set_flag(state, ctx, ids, None, Some(false)).await
}

async fn change_metadata(
    state: AppState,
    ctx: Ctx,
    ids: Ids,
    mut form: Form,
    mode: MetadataMode,
) -> ApiResult<Response> {
    form.only(&["public_metadata", "private_metadata", "unsafe_metadata"])?;
    let update = MetadataUpdate {
        mode,
        public: form.metadata("public_metadata")?,
        private: form.metadata("private_metadata")?,
        unsafe_: form.metadata("unsafe_metadata")?,
    };
    let user = state.store.update_user_metadata(&ctx.instance.id, &UserId::from(ids.one()), update).await?;
    Ok(json_body(&wire::user(&user)))
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
    ids: Ids,
    Body(form): Body,
) -> ApiResult<Response> {
    change_metadata(state, ctx, ids, form, MetadataMode::Merge).await
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
    ids: Ids,
    Body(form): Body,
) -> ApiResult<Response> {
    change_metadata(state, ctx, ids, form, MetadataMode::Replace).await
}
