//! The OpenAPI 3.1 document of what Roster serves, generated from the code with utoipa and served without a
//! key at `GET /v1/openapi.json`. Each route module annotates its handlers with `#[utoipa::path]` (the Clerk
//! spec's operationId, path, parameters, body and responses) and lists them in its `Api`; the wire types of
//! `roster-api-types` are the response schemas, under the spec's component names.
//!
//! The handlers read query strings and bodies field by field (`extract::Params`, `extract::Form`), so the types
//! below exist only to document those inputs: keep them in step with the handlers. The drift test
//! (`tests/api/openapi.rs`) holds the document to the Clerk spec; `fuzz/run.sh` holds the server to the
//! document.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, ToSchema};

use roster_api_types as api;

/// A metadata object (`public_metadata`, …): any JSON object, at most 8 KB serialized; `null` means `{}`.
type Metadata = Map<String, Value>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster",
        description = "The part of the Clerk Backend API (spec 2026-05-12) that Roster implements: users, \
                       organizations, organization memberships, roles and permissions, organization settings \
                       and sessions. Paths, operationIds, parameters and schemas are the Clerk spec's."
    ),
    servers((url = "/v1")),
    // Error responses (`Always`, `BodyErrors`, …) refer to these; operations' 200 bodies register the rest.
    components(schemas(api::ClerkErrors, api::ClerkError)),
    security(("bearerAuth" = [])),
    modifiers(&BearerAuth)
)]
struct Root;

/// `bearerAuth`: the instance's secret key (`sk_test_…` or `sk_live_…`), as in the Clerk spec.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sk_<environment>_<secret value>")
                    .description(Some("A secret key of the instance: `sk_test_…` (development) or `sk_live_…`."))
                    .build(),
            ),
        );
    }
}

/// The whole document: the root (info, server, security) and every route module's operations.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Root::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.merge(crate::routes::openapi());
    optional_bodies(&mut doc);
    doc
}

/// A body declared `Option<T>` is one a request may leave out (Roster reads it as `{}`): utoipa renders it as
/// `oneOf: [T, null]`, which would also admit a JSON `null` body (400 `request_body_invalid`). Keep `T`; the
/// body stays `required: false`.
fn optional_bodies(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Schema};
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for op in operations.into_iter().flatten() {
            let Some(RefOr::T(body)) = op.request_body.as_mut() else { continue };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
                    if let [schema @ RefOr::Ref(_), _null] = one_of.items.as_slice() {
                        content.schema = Some(schema.clone());
                    }
                }
            }
        }
    }
}

/// `GET /v1/openapi.json`: the document, rendered once, `Content-Type: application/json` exactly.
pub async fn serve() -> Response {
    static JSON: OnceLock<Vec<u8>> = OnceLock::new();
    let body = JSON.get_or_init(|| serde_json::to_vec(&document()).expect("the OpenAPI document serializes"));
    let mut response = (StatusCode::OK, body.clone()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

// ---- Error responses (every error body is `ClerkErrors`) ----

/// The statuses any authenticated operation can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Always {
    /// Invalid `Clerk-API-Version`, a body that is not a JSON object, or a rule of the operation
    /// (`already_a_member_in_organization`, `organization_minimum_permissions_needed`, `duplicate_record`, …).
    #[response(status = 400)]
    BadRequest(api::ClerkErrors),
    /// Missing, malformed or unknown secret key.
    #[response(status = 401)]
    Unauthorized(api::ClerkErrors),
    /// Over a rate limit (`ROSTER_RATE_LIMITS`, off by default).
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds until the limit resets")))]
    TooManyRequests(api::ClerkErrors),
}

/// The statuses of an operation that reads a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// The body is larger than `ROSTER_MAX_BODY_BYTES`.
    #[response(status = 413)]
    TooLarge(api::ClerkErrors),
    /// A non-empty body whose Content-Type is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(api::ClerkErrors),
    /// A body field missing, unknown, of the wrong type or invalid.
    #[response(status = 422)]
    Unprocessable(api::ClerkErrors),
}

/// A query parameter (or a rule of the operation) is invalid.
#[derive(IntoResponses)]
#[response(status = 422)]
#[allow(dead_code)]
pub struct Unprocessable(api::ClerkErrors);

/// Organizations are disabled in the instance (`organization_not_enabled_in_instance`), or a rule of the
/// operation forbids it.
#[derive(IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)]
pub struct Forbidden(api::ClerkErrors);

/// A resource of the path (or one the body names) does not exist in the instance.
#[derive(IntoResponses)]
#[response(status = 404)]
#[allow(dead_code)]
pub struct NotFound(api::ClerkErrors);

/// The permission is already assigned to the role.
#[derive(IntoResponses)]
#[response(status = 409)]
#[allow(dead_code)]
pub struct Conflict(api::ClerkErrors);

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

/// `GET /sessions`: an array, or `{data, total_count}` with `paginated=true`.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum SessionList {
    Array(Vec<api::Session>),
    Paginated(api::Sessions),
}

// ---- Request bodies (absent or empty bodies read as `{}`) ----

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateOrganizationMembershipRequest {
    /// A user of the instance who is not yet a member.
    #[schema(pattern = r"\S")]
    user_id: String,
    /// The key of an existing role.
    #[schema(example = "org:member", pattern = r"\S")]
    role: String,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdateOrganizationMembershipRequest {
    /// The key of an existing role.
    #[schema(example = "org:admin", pattern = r"\S")]
    role: String,
}

/// Deep merge: nested objects merge, `null` deletes a key at any depth.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UpdateOrganizationMembershipMetadataRequest {
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateOrganizationRequest {
    /// No URLs or HTML; not blank.
    #[schema(max_length = 256, pattern = r"\S")]
    name: String,
    /// A user of the instance, who becomes a member with the creator role.
    created_by: Option<String>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    /// Lowercase letters, digits and `-`; unique in the instance (derived from the name when absent).
    #[schema(pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", max_length = 256)]
    slug: Option<String>,
    /// 0 = unlimited; the instance's setting when absent.
    #[schema(minimum = 0)]
    max_allowed_memberships: Option<i64>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    role_set_key: Option<String>,
}

/// Metadata is accepted here only with a `Clerk-API-Version` before 2026-05-12 (422 `form_param_unknown`
/// from 2026-05-12 on).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UpdateOrganizationRequest {
    /// No URLs or HTML; not blank.
    #[schema(max_length = 256, pattern = r"\S")]
    name: Option<String>,
    /// Lowercase letters, digits and `-`; unique in the instance.
    #[schema(pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", max_length = 256)]
    slug: Option<String>,
    #[schema(minimum = 0)]
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    role_set_key: Option<String>,
    /// Replaces the organization's public metadata (API versions before 2026-05-12 only).
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    /// Replaces the organization's private metadata (API versions before 2026-05-12 only).
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
}

/// `PATCH` deep-merges (`null` deletes a key at any depth); `PUT` replaces.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct OrganizationMetadataRequest {
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
}

/// An email address as Roster checks it: one `@`, a dotted domain, no whitespace.
#[derive(ToSchema)]
#[schema(pattern = r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$", max_length = 320)]
#[allow(dead_code)]
pub struct EmailAddressValue(String);

/// A phone number in E.164: `+` and 7 to 15 digits.
#[derive(ToSchema)]
#[schema(pattern = r"^\+[0-9]{7,15}$")]
#[allow(dead_code)]
pub struct PhoneNumberValue(String);

/// An Ethereum address: `0x` and 40 hex digits.
#[derive(ToSchema)]
#[schema(pattern = r"^0x[0-9a-fA-F]{40}$")]
#[allow(dead_code)]
pub struct Web3WalletValue(String);

#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum IdentificationStatus {
    Verified,
    Reserved,
}

/// Roster keeps no passwords: `password` and `password_digest` only set `password_enabled`; the
/// `password_hasher`, `totp_secret`, `backup_codes` and `skip_*` fields are accepted and ignored.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateUserRequest {
    external_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    /// Unique in the instance; the first is the primary one.
    email_address: Option<Vec<EmailAddressValue>>,
    /// One status per email address, by position (`verified` when absent).
    email_address_identification_status: Option<Vec<IdentificationStatus>>,
    /// E.164, unique in the instance; the first is the primary one.
    phone_number: Option<Vec<PhoneNumberValue>>,
    phone_number_identification_status: Option<Vec<IdentificationStatus>>,
    /// Unique in the instance; the first is the primary one.
    web3_wallet: Option<Vec<Web3WalletValue>>,
    /// Unique in the instance.
    #[schema(min_length = 4, max_length = 64)]
    username: Option<String>,
    /// At least 8 characters unless `skip_password_checks`.
    password: Option<String>,
    password_digest: Option<String>,
    password_hasher: Option<String>,
    skip_password_checks: Option<bool>,
    skip_password_requirement: Option<bool>,
    totp_secret: Option<String>,
    backup_codes: Option<Vec<String>>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Metadata>,
    delete_self_enabled: Option<bool>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    legal_accepted_at: Option<String>,
    skip_legal_checks: Option<bool>,
    skip_user_requirement: Option<bool>,
    create_organization_enabled: Option<bool>,
    #[schema(minimum = 0)]
    create_organizations_limit: Option<i64>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    bypass_client_trust: Option<bool>,
    banned: Option<bool>,
    locked: Option<bool>,
}

/// Metadata is accepted here only with a `Clerk-API-Version` before 2026-05-12 (422 `form_param_unknown`
/// from 2026-05-12 on). The `password_hasher`, `totp_secret`, `backup_codes`, `skip_*`, `notify_*`,
/// `sign_out_of_other_sessions` and `profile_image_id` fields are accepted and ignored.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UpdateUserRequest {
    external_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    primary_email_address_id: Option<String>,
    notify_primary_email_address_changed: Option<bool>,
    primary_phone_number_id: Option<String>,
    primary_web3_wallet_id: Option<String>,
    /// Unique in the instance; `null` removes it.
    #[schema(min_length = 4, max_length = 64)]
    username: Option<String>,
    profile_image_id: Option<String>,
    password: Option<String>,
    password_digest: Option<String>,
    password_hasher: Option<String>,
    skip_password_checks: Option<bool>,
    sign_out_of_other_sessions: Option<bool>,
    totp_secret: Option<String>,
    backup_codes: Option<Vec<String>>,
    delete_self_enabled: Option<bool>,
    create_organization_enabled: Option<bool>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    legal_accepted_at: Option<String>,
    skip_legal_checks: Option<bool>,
    create_organizations_limit: Option<i64>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    bypass_client_trust: Option<bool>,
    /// Replaces (API versions before 2026-05-12 only).
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    /// Replaces (API versions before 2026-05-12 only).
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
    /// Replaces (API versions before 2026-05-12 only).
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Metadata>,
}

/// `PATCH` deep-merges (`null` deletes a key at any depth); `PUT` replaces.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UserMetadataRequest {
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Metadata>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Metadata>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CreateOrganizationRoleRequest {
    /// Not blank.
    #[schema(pattern = r"\S")]
    name: String,
    /// `org:` then lowercase letters, digits and `_`; unique in the instance.
    #[schema(pattern = r"^org:[a-z0-9_]{1,64}$", example = "org:billing_manager")]
    key: String,
    description: Option<String>,
    /// Permission ids.
    permissions: Option<Vec<String>>,
    /// Accepted and ignored (Roster has no role sets).
    include_in_initial_role_set: Option<bool>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdateOrganizationRoleRequest {
    name: Option<String>,
    /// `org:` then lowercase letters, digits and `_`; unique in the instance.
    #[schema(pattern = r"^org:[a-z0-9_]{1,64}$")]
    key: Option<String>,
    description: Option<String>,
    /// Permission ids: replaces the role's permissions.
    permissions: Option<Vec<String>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateOrganizationPermissionRequest {
    /// Not blank.
    #[schema(pattern = r"\S")]
    name: String,
    /// `org:<feature>:<action>`, lowercase letters, digits and `_`; `org:sys_` is reserved for the system
    /// permissions. Unique in the instance.
    #[schema(pattern = r"^org:[a-z0-9_]+:[a-z0-9_]+$", max_length = 128, example = "org:invoices:read")]
    key: String,
    description: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdateOrganizationPermissionRequest {
    name: Option<String>,
    /// `org:<feature>:<action>` as on creation.
    #[schema(pattern = r"^org:[a-z0-9_]+:[a-z0-9_]+$", max_length = 128)]
    key: Option<String>,
    description: Option<String>,
}

#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum EnrollmentMode {
    ManualInvitation,
    AutomaticInvitation,
    AutomaticSuggestion,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UpdateInstanceOrganizationSettingsRequest {
    enabled: Option<bool>,
    /// The default for new organizations; 0 = unlimited.
    #[schema(minimum = 0)]
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    domains_enabled: Option<bool>,
    slug_disabled: Option<bool>,
    domains_enrollment_modes: Option<Vec<EnrollmentMode>>,
    /// A role holding `org:sys_memberships:manage`, `org:sys_memberships:read` and `org:sys_profile:delete`.
    creator_role_id: Option<String>,
    domains_default_role_id: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateSessionRequest {
    #[schema(pattern = r"\S")]
    user_id: String,
    /// An organization the user is a member of (default: the one they joined last).
    active_organization_id: Option<String>,
}
