//! Query parameters of the list endpoints, as documentation types (the handlers read them with `Params`).

use utoipa::{IntoParams, ToSchema};

use roster_api_types as api;

// ---- Query parameters ----

/// `limit` and `offset`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page size.
    #[param(default = 10, minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// How many results to skip.
    #[param(default = 0, minimum = 0)]
    offset: Option<i64>,
}

/// `order_by`: a field with an optional `+` (ascending) or `-` (descending) prefix.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrderByParam {
    /// `phone_number`, `email_address`, `created_at`, `first_name`, `last_name` or `username`, with `+` or `-`
    /// (default `-created_at`).
    #[param(pattern = r"^[+-]?(phone_number|email_address|created_at|first_name|last_name|username)$")]
    order_by: Option<String>,
}

/// The filters of `GET /organizations/{organization_id}/memberships`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MembershipListParams {
    /// `phone_number`, `email_address`, `created_at`, `first_name`, `last_name` or `username`, with `+` or `-`
    /// (default `-created_at`).
    #[param(pattern = r"^[+-]?(phone_number|email_address|created_at|first_name|last_name|username)$")]
    order_by: Option<String>,
    /// Members with these user ids; `-id` excludes one.
    #[param(style = Form, explode)]
    user_id: Option<Vec<String>>,
    #[param(style = Form, explode)]
    email_address: Option<Vec<String>>,
    #[param(style = Form, explode)]
    phone_number: Option<Vec<String>>,
    #[param(style = Form, explode)]
    username: Option<Vec<String>>,
    #[param(style = Form, explode)]
    web3_wallet: Option<Vec<String>>,
    /// Members with one of these role keys.
    #[param(style = Form, explode)]
    role: Option<Vec<String>>,
    /// Case-insensitive substring of any identifier or name.
    query: Option<String>,
    email_address_query: Option<String>,
    phone_number_query: Option<String>,
    username_query: Option<String>,
    name_query: Option<String>,
    /// Users last active before this Unix time (milliseconds).
    last_active_at_before: Option<i64>,
    last_active_at_after: Option<i64>,
    /// Users created before this Unix time (milliseconds).
    created_at_before: Option<i64>,
    created_at_after: Option<i64>,
}

/// `include_members_count` and `include_missing_member_with_elevated_permissions`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrganizationViewParams {
    /// Add `members_count` and `pending_invitations_count` to each organization.
    include_members_count: Option<bool>,
    /// Add `missing_member_with_elevated_permissions` to each organization.
    include_missing_member_with_elevated_permissions: Option<bool>,
}

/// The filters of `GET /organizations`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrganizationListParams {
    /// Case-insensitive substring of the name, slug or id.
    query: Option<String>,
    /// Organizations these users are members of; `-id` excludes one.
    #[param(style = Form, explode)]
    user_id: Option<Vec<String>>,
    /// These organizations; `-id` excludes one.
    #[param(style = Form, explode)]
    organization_id: Option<Vec<String>>,
    /// `name`, `created_at` or `members_count`, with `+` or `-`.
    #[param(default = "-created_at", pattern = r"^[+-]?(name|created_at|members_count)$")]
    order_by: Option<String>,
}

/// The filters of `GET /users` and `GET /users/count`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UserFilterParams {
    #[param(style = Form, explode)]
    email_address: Option<Vec<String>>,
    #[param(style = Form, explode)]
    phone_number: Option<Vec<String>>,
    #[param(style = Form, explode)]
    external_id: Option<Vec<String>>,
    #[param(style = Form, explode)]
    username: Option<Vec<String>>,
    #[param(style = Form, explode)]
    web3_wallet: Option<Vec<String>>,
    /// These users; `-id` excludes one.
    #[param(style = Form, explode)]
    user_id: Option<Vec<String>>,
    /// Members of these organizations; `-id` excludes one.
    #[param(style = Form, explode)]
    organization_id: Option<Vec<String>>,
    /// Case-insensitive substring of any identifier or name.
    query: Option<String>,
    email_address_query: Option<String>,
    phone_number_query: Option<String>,
    username_query: Option<String>,
    name_query: Option<String>,
    banned: Option<bool>,
    /// Unix time in milliseconds, as every `*_before`/`*_after` filter.
    last_active_at_before: Option<i64>,
    last_active_at_after: Option<i64>,
    /// Deprecated alias of `last_active_at_after`.
    #[deprecated]
    last_active_at_since: Option<i64>,
    created_at_before: Option<i64>,
    created_at_after: Option<i64>,
    last_sign_in_at_before: Option<i64>,
    last_sign_in_at_after: Option<i64>,
}

/// `order_by` of `GET /users`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UserOrderParam {
    /// `created_at`, `updated_at`, `email_address`, `web3wallet`, `first_name`, `last_name`, `phone_number`,
    /// `username`, `last_active_at` or `last_sign_in_at`, with `+` or `-`.
    #[param(
        default = "-created_at",
        pattern = r"^[+-]?(created_at|updated_at|email_address|web3wallet|first_name|last_name|phone_number|username|last_active_at|last_sign_in_at)$"
    )]
    order_by: Option<String>,
}

/// `query` and `order_by` of the role and permission lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// Case-insensitive substring of the name or key.
    query: Option<String>,
    /// `name`, `key` or `created_at`, with `+` or `-` (default `-created_at`).
    #[param(pattern = r"^[+-]?(name|key|created_at)$")]
    order_by: Option<String>,
}

/// The filters of `GET /sessions`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SessionListParams {
    client_id: Option<String>,
    user_id: Option<String>,
    #[param(inline)]
    status: Option<SessionStatus>,
    /// Answer `{data, total_count}` instead of an array.
    paginated: Option<bool>,
}

/// `paginated` of the lists that answer an array by default.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PaginatedParams {
    /// Answer `{data, total_count}` instead of an array.
    paginated: Option<bool>,
}

#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum SessionStatus {
    Abandoned,
    Active,
    Ended,
    Expired,
    Removed,
    Replaced,
    Revoked,
    Pending,
}

/// `GET /jwt_templates`: an array, or `{data, total_count}` with `paginated=true`.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum JwtTemplateList {
    Array(Vec<api::JwtTemplate>),
    Paginated(api::JwtTemplates),
}

/// `GET /sessions`: an array, or `{data, total_count}` with `paginated=true`.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum SessionList {
    Array(Vec<api::Session>),
    Paginated(api::Sessions),
}

/// The query of `GET /events`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EventParams {
    /// Only events after this one (its id, `evt_…`): the cursor a consumer keeps. Default: from the oldest
    /// event retained.
    after: Option<String>,
    /// How many events to return.
    #[param(default = 100, minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Only these event types: comma-separated, or the parameter repeated.
    types: Option<String>,
    /// Only events of this organization (its own events and its memberships').
    organization_id: Option<String>,
}
