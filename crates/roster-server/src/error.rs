//! The one error response: `{"errors":[{message,long_message,code,meta}],"clerk_trace_id"}` with
//! `Content-Type: application/json` exactly. Statuses, codes and messages come from Clerk's error
//! catalog. Domain errors map here and nowhere else; 5xx bodies are generic and the cause is logged once
//! with the trace id.

mod enrollment;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use roster_core::DomainError;

/// A Clerk error response. Boxed so `Result<T, ApiError>` stays one pointer wide on the happy path.
#[derive(Debug, Clone)]
pub struct ApiError(Box<ErrorBody>);

#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub long_message: String,
    pub meta: Map<String, Value>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// For 5xx: what is logged (never sent).
    pub cause: Option<String>,
    /// More errors of the same response, after this one (an atomic bulk write's failing items).
    pub others: Vec<ApiError>,
}

impl std::ops::Deref for ApiError {
    type Target = ErrorBody;

    fn deref(&self) -> &ErrorBody {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ErrorBody {
        &mut self.0
    }
}

impl ApiError {
    /// What the error says: status, code, messages (and, for a 5xx, the logged cause).
    pub fn body(&self) -> &ErrorBody {
        &self.0
    }

    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>, long: impl Into<String>) -> Self {
        Self(Box::new(ErrorBody {
            status,
            code,
            message: message.into(),
            long_message: long.into(),
            meta: Map::new(),
            retry_after: None,
            cause: None,
            others: Vec::new(),
        }))
    }

    /// The errors of many items as one response: each error with its item's position in `meta.index`, the
    /// status that of the first.
    pub fn of_items(items: impl IntoIterator<Item = (usize, ApiError)>) -> Self {
        let mut errors = items.into_iter().map(|(index, mut e)| {
            e.meta.insert("index".into(), Value::from(index));
            e
        });
        let Some(mut first) = errors.next() else { return Self::internal("a bulk rejection without items") };
        first.others = errors.collect();
        first
    }

    /// This error (and the others it carries) as the entries of Clerk's `errors` array.
    pub fn entries(&self) -> Vec<roster_api_types::ClerkError> {
        std::iter::once(self)
            .chain(&self.others)
            .map(|e| roster_api_types::ClerkError {
                message: e.message.clone(),
                long_message: e.long_message.clone(),
                code: e.code.to_owned(),
                meta: e.meta.clone(),
            })
            .collect()
    }

    pub fn param(mut self, name: &str) -> Self {
        self.meta.insert("param_name".into(), Value::String(name.to_owned()));
        self
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "resource_not_found", "not found", "Resource not found")
    }

    pub fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_missing",
            "is missing",
            format!("{param} must be included."),
        )
        .param(param)
    }

    pub fn unknown(param: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_unknown",
            "is unknown",
            format!("{param} is not a valid parameter for this request."),
        )
        .param(param)
    }

    pub fn invalid(param: &str, long: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "form_param_value_invalid", "is invalid", long).param(param)
    }

    /// A JSON value of the wrong type (catalog `FailedToParseRequestBody`).
    pub fn wrong_type(param: &str, received: &Value, expected: &str) -> Self {
        let got = match received {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        Self::invalid(param, format!("{param} is invalid. Received {got}, must be of type {expected}."))
    }

    pub fn body_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "request_body_invalid",
            "Request body invalid",
            "The request body is invalid. Please consult the API documentation for more information.",
        )
    }

    /// An `Idempotency-Key` header that is not 1 to 255 printable ASCII characters.
    pub fn idempotency_key_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_invalid",
            "Idempotency key invalid",
            "The Idempotency-Key header must be between 1 and 255 printable ASCII characters.",
        )
    }

    /// An idempotency key already used, within its retention, by a request with another method, path, API
    /// version or body.
    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency key reused",
            "This Idempotency-Key was already used by a different request. Use a new key for a new request, \
             or send the same method, path, API version and body again to get the first response.",
        )
    }

    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_body_too_large",
            "Request body too large",
            format!("The request body exceeds the maximum allowed size of {limit} bytes."),
        )
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            "There was an internal error on our servers. We've been notified and are working on fixing it.",
        );
        e.cause = Some(cause.into());
        e
    }

    /// Render with a trace id (the middleware fills it in for errors that left handlers).
    pub fn into_response_with(self, trace_id: &str) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(clerk_trace_id = trace_id, status = self.status.as_u16(), cause = %cause, "request failed");
        }
        let body = json!({ "errors": self.entries(), "clerk_trace_id": trace_id });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Errors are rendered by the trace middleware, which knows the request's trace id: handlers return the
/// error as a response extension and the middleware writes the body.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = self.status;
        response.extensions_mut().insert(self);
        response
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        use DomainError as D;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match e {
            D::UserNotFound(id) => {
                Self::new(StatusCode::NOT_FOUND, "resource_not_found", "not found", format!("No user was found with id {id}"))
            }
            D::OrganizationNotFound => {
                Self::new(StatusCode::NOT_FOUND, "resource_not_found", "not found", "Given organization not found.")
            }
            D::MembershipNotFound | D::NotFound => Self::not_found(),
            D::PermissionNotFound => {
                Self::new(StatusCode::NOT_FOUND, "resource_not_found", "not found", "Organization permission not found")
            }
            D::SessionNotFound(id) => Self::new(
                StatusCode::NOT_FOUND,
                "resource_not_found",
                "Session not found",
                format!("No session was found with id {id}"),
            ),
            D::SessionActionInvalid { action, session_id } => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_action_for_session",
                "Invalid action for user session",
                format!("Unable to {action} session {session_id}"),
            ),
            D::KeyRotationPending { kid, active_at } => Self::new(
                StatusCode::CONFLICT,
                "signing_key_rotation_pending",
                "a key rotation is pending",
                format!("Signing key {kid} starts signing at {active_at}; rotate again after that."),
            ),
            D::SigningKeyUnavailable(_) => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "signing_key_unavailable",
                "Signing key unavailable",
                "The instance's signing key cannot be used by this server (see its log).",
            ),
            D::DuplicateRecord { what, key } => Self::new(
                StatusCode::BAD_REQUEST,
                "duplicate_record",
                format!("duplicate {what}"),
                format!("the key {key} already exists"),
            )
            .param("key"),
            D::RoleIsCreatorRole => Self::new(
                unprocessable,
                "organization_role_default_creator_role",
                "role is used as the creator role",
                "The organization role cannot be deleted as it is currently used as the creator role.",
            ),
            D::RoleIsDomainDefaultRole => Self::new(
                unprocessable,
                "organization_role_domain_default_role",
                "role is used as the domain default role",
                "The organization role cannot be deleted as it is currently used as the default domain role.",
            ),
            D::RoleAssignedToMembers => Self::new(
                unprocessable,
                "organization_role_assigned_members",
                "role is assigned to organization members",
                "The organization role is currently assigned to one or more organization members.",
            ),
            D::MissingCreatorRolePermissions(keys) => Self::new(
                unprocessable,
                "organization_missing_creator_role_permissions",
                "missing permissions for creator role",
                format!("The creator role must contain the following permissions: {}", keys.join(", ")),
            ),
            D::SystemPermissionNotModifiable => Self::new(
                StatusCode::FORBIDDEN,
                "organization_system_permission_not_modifiable",
                "organization system permission cannot be modified",
                "This organization permission cannot be modified because it is a system permission.",
            ),
            D::RolePermissionExists => Self::new(
                StatusCode::CONFLICT,
                "organization_role_permission_association_exists",
                "permission already assigned to role",
                "This organization permission is already associated to this organization role.",
            ),
            D::RolePermissionNotFound => Self::new(
                StatusCode::NOT_FOUND,
                "organization_role_permission_association_not_found",
                "permission not assigned to role",
                "This organization permission is not associated with the organization role.",
            ),
            D::OrganizationsDisabled => Self::new(
                StatusCode::FORBIDDEN,
                "organization_not_enabled_in_instance",
                "access denied",
                "The organizations feature is not enabled for this instance. You can enable it at https://dashboard.clerk.com.",
            ),
            D::CreatorNotFound(id) => Self::new(
                StatusCode::BAD_REQUEST,
                "organization_creator_not_found",
                "creator not found",
                format!("No users found with id {id}."),
            ),
            D::RoleNotFound { param } => {
                Self::new(StatusCode::NOT_FOUND, "resource_not_found", "not found", "Organization role not found")
                    .param(&param)
            }
            D::AlreadyMember(user) => Self::new(
                StatusCode::BAD_REQUEST,
                "already_a_member_in_organization",
                "already a member",
                format!("User {user} is already a member of the organization."),
            ),
            D::MembershipQuotaExceeded(limit) => Self::new(
                StatusCode::FORBIDDEN,
                "organization_membership_quota_exceeded",
                "organization membership quota exceeded",
                format!("You have reached your limit of {limit} organization memberships, including outstanding invitations."),
            ),
            D::MinimumPermissionsNeeded => Self::new(
                StatusCode::BAD_REQUEST,
                "organization_minimum_permissions_needed",
                "minimum organization permissions needed",
                "There has to be at least one organization member with the minimum required permissions",
            ),
            D::IdentifierExists { param, what } => {
                let sentence = format!("That {what} is taken. Please try another.");
                Self::new(unprocessable, "form_identifier_exists", sentence.clone(), sentence).param(&param)
            }
            D::ParamMissing(p) => Self::missing(&p),
            D::ParamUnknown(p) => Self::unknown(&p),
            D::ParamInvalid { param, long_message } => Self::invalid(&param, long_message),
            D::ParamFormat { param, long_message } => {
                Self::new(unprocessable, "form_param_format_invalid", "is invalid", long_message).param(&param)
            }
            D::UsernameLength => Self::new(
                unprocessable,
                "form_username_invalid_length",
                "Username must be between 4 and 64 characters long.",
                "Username must be between 4 and 64 characters long.",
            )
            .param("username"),
            D::MetadataTooLarge { param, limit } => {
                let sentence = format!(
                    "The given {param} exceeds the maximum allowed size of {limit} bytes ({} KB).",
                    limit / 1024
                );
                Self::new(unprocessable, "form_param_exceeds_allowed_size", sentence.clone(), sentence).param(&param)
            }
            D::MetadataNotObject(p) => Self::new(
                unprocessable,
                "form_param_value_invalid",
                "is invalid",
                format!("{p} is invalid: the given metadata is not a valid key-value object."),
            )
            .param(&p),
            D::ArrayTooLong { param, limit } => Self::new(
                unprocessable,
                "form_param_array_size_exceeded",
                "exceeds maximum size",
                format!("{param} should not exceed {limit} items."),
            )
            .param(&param),
            D::InvalidForEnvironment(env) => Self::new(
                StatusCode::BAD_REQUEST,
                "request_invalid_for_environment",
                "Invalid request for environment",
                format!("Request only valid for {env} instances."),
            ),
            D::IdempotencyKeyReused => Self::idempotency_key_reused(),
            // Only a write whose handler renders through `respond::written` claims a key, and `written` answers
            // a replay itself: one reaching here is a bug.
            D::IdempotentReplay(_) => Self::internal("an idempotent replay reached a handler that cannot send it"),
            D::BulkRejected(items) => Self::of_items(items.into_iter().map(|(i, e)| (i, Self::from(e)))),
            D::Internal(cause) => Self::internal(cause),
            e @ (D::InvitationNotUnique
            | D::InvitationNotPending
            | D::InvitationRevoked
            | D::InvitationAlreadyAccepted
            | D::InvitationEmailMismatch
            | D::NotAnAdmin(_)
            | D::RoleInInvitations
            | D::DomainsDisabled
            | D::EnrollmentModeNotEnabled(_)
            | D::DomainCommon
            | D::DomainTaken { .. }
            | D::CannotDeleteInitialRoleSet
            | D::RoleSetMappingsMissing(_)
            | D::RoleSetMappingInvalid(_)
            | D::RolesOutsideRoleSet(_)
            | D::DirectoryOrganizationUsed
            | D::MembershipManagedByDirectory
            | D::GroupRoleMappingDisabled
            | D::ScimUniqueness(_)
            | D::ScimRefused { .. }
            | D::ScimVersionMismatch(_)) => Self::enrollment(e),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
