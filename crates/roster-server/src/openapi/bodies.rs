//! Request bodies, as documentation types (the handlers read them field by field with `Form`).

use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A metadata object (`public_metadata`, …): any JSON object, at most 8 KB serialized; `null` means `{}`.
type Metadata = Map<String, Value>;

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
