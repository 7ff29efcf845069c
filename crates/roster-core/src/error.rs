//! The one error type of the domain. Each variant is a fact the API reports with a Clerk catalog error;
//! the server maps variants to status, code and message, so no layer below it speaks HTTP. Store failures
//! that are not rules (I/O, corruption) arrive as `Internal` and become a generic 500.

use thiserror::Error;

/// A request parameter named in an error's `meta.param_name`.
pub type Param = String;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("no user was found with id {0}")]
    UserNotFound(String),
    #[error("organization not found")]
    OrganizationNotFound,
    #[error("organization membership not found")]
    MembershipNotFound,
    /// `created_by` names no user of the instance.
    #[error("no users found with id {0}")]
    CreatorNotFound(String),
    #[error("organization role not found")]
    RoleNotFound { param: Param },
    #[error("resource not found")]
    NotFound,
    #[error("organization permission not found")]
    PermissionNotFound,
    #[error("no session was found with id {0}")]
    SessionNotFound(String),
    /// The session's status does not allow the action (revoking a session that is no longer active).
    #[error("unable to {action} session {session_id}")]
    SessionActionInvalid { action: &'static str, session_id: String },
    /// A role or permission key already used in the instance.
    #[error("{what} {key} already exists")]
    DuplicateRecord { what: &'static str, key: String },
    #[error("the role is the creator role")]
    RoleIsCreatorRole,
    #[error("the role is the domains default role")]
    RoleIsDomainDefaultRole,
    #[error("the role is assigned to members")]
    RoleAssignedToMembers,
    #[error("the creator role must contain {0:?}")]
    MissingCreatorRolePermissions(Vec<String>),
    #[error("system permissions cannot be modified")]
    SystemPermissionNotModifiable,
    #[error("the permission is already assigned to the role")]
    RolePermissionExists,
    #[error("the permission is not assigned to the role")]
    RolePermissionNotFound,
    #[error("organizations are not enabled in this instance")]
    OrganizationsDisabled,
    #[error("{0} is already a member of the organization")]
    AlreadyMember(String),
    #[error("organization membership quota of {0} reached")]
    MembershipQuotaExceeded(i64),
    #[error("at least one member must keep the minimum organization permissions")]
    MinimumPermissionsNeeded,
    /// An identifier (email, phone, username, web3 wallet, external id, slug) already taken in the instance.
    #[error("{param} is taken")]
    IdentifierExists { param: Param, what: &'static str },
    #[error("{0} is missing")]
    ParamMissing(Param),
    #[error("{0} is unknown")]
    ParamUnknown(Param),
    /// A value of the wrong type or outside the allowed set; `long_message` is the sentence to show.
    #[error("{long_message}")]
    ParamInvalid { param: Param, long_message: String },
    /// A value in the wrong format (`form_param_format_invalid`).
    #[error("{long_message}")]
    ParamFormat { param: Param, long_message: String },
    #[error("username must be between 4 and 64 characters long")]
    UsernameLength,
    #[error("{param} exceeds {limit} bytes")]
    MetadataTooLarge { param: Param, limit: usize },
    #[error("{0} is not a key-value object")]
    MetadataNotObject(Param),
    #[error("{param} exceeds {limit} items")]
    ArrayTooLong { param: Param, limit: usize },
    #[error("request only valid for {0} instances")]
    InvalidForEnvironment(&'static str),
    /// The request's idempotency key already holds the response of this same request: send that one back.
    #[error("the idempotency key was used by a request that completed")]
    IdempotentReplay(Box<crate::idempotency::StoredResponse>),
    /// The request's idempotency key was used by a different request.
    #[error("the idempotency key was used by a different request")]
    IdempotencyKeyReused,
    /// An atomic bulk write changed nothing: these items (by position) failed, each with its error.
    #[error("{} items of the bulk write failed", .0.len())]
    BulkRejected(Vec<(usize, DomainError)>),
    /// A key rotation was asked for while the previous rotation's key has not started signing yet.
    #[error("signing key {kid} starts signing at {active_at}; rotate again after that")]
    KeyRotationPending { kid: String, active_at: i64 },
    /// The session's signing keys cannot be used (sealed under an encryption key this process does not have).
    #[error("signing key unavailable: {0}")]
    SigningKeyUnavailable(String),
    /// The organization has a pending invitation for this email address already.
    #[error("a pending invitation for this email address exists")]
    InvitationNotUnique,
    /// The invitation is no longer pending (revoking one that was accepted, revoked or expired; accepting an
    /// expired one).
    #[error("the invitation is not pending")]
    InvitationNotPending,
    #[error("the invitation was revoked")]
    InvitationRevoked,
    #[error("the invitation was accepted")]
    InvitationAlreadyAccepted,
    /// The accepting user owns no verified email address equal to the invitation's.
    #[error("the user has no verified email address equal to the invitation's")]
    InvitationEmailMismatch,
    /// This user (an inviter or requesting user) is not a member who may manage the organization's memberships.
    #[error("{0} is not an administrator in the organization")]
    NotAnAdmin(String),
    /// A role pending invitations hold cannot be deleted.
    #[error("the role is used by pending invitations")]
    RoleInInvitations,
    #[error("organization domains are not enabled")]
    DomainsDisabled,
    #[error("enrollment mode {0} is not enabled")]
    EnrollmentModeNotEnabled(String),
    /// A common email provider's domain (gmail.com, ...), which no organization may claim.
    #[error("common email provider domain")]
    DomainCommon,
    /// The domain name belongs to an organization of the instance already.
    #[error("the domain is used by an organization")]
    DomainTaken { same_organization: bool },
    #[error("the initial role set cannot be deleted")]
    CannotDeleteInitialRoleSet,
    /// Roles of the replaced set that members hold, which the destination lacks and no mapping names.
    #[error("roles missing from the reassignment mappings: {0:?}")]
    RoleSetMappingsMissing(Vec<String>),
    /// A mapping's target is not a role of the destination set.
    #[error("role {0} is not in the destination role set")]
    RoleSetMappingInvalid(String),
    /// Members hold roles the organization's new role set lacks.
    #[error("members hold roles the role set lacks: {0:?}")]
    RolesOutsideRoleSet(Vec<String>),
    /// The organization has a SCIM directory already.
    #[error("organization already has a SCIM directory")]
    DirectoryOrganizationUsed,
    /// The membership's role and existence are a SCIM directory's to change.
    #[error("the membership is managed by a directory")]
    MembershipManagedByDirectory,
    /// Group role mappings are switched off on the directory.
    #[error("role mapping is disabled for this directory")]
    GroupRoleMappingDisabled,
    /// A SCIM resource would break a uniqueness rule (`userName`, a user linked twice): SCIM's 409 `uniqueness`.
    #[error("{0}")]
    ScimUniqueness(String),
    /// A SCIM request refused by the protocol while its write ran (a PATCH that does not apply to the stored
    /// resource): SCIM's status, `scimType` and detail, as the protocol layer said them.
    #[error("{detail}")]
    ScimRefused { status: u16, scim_type: Option<String>, detail: String },
    /// A SCIM resource changed since the version the request names (`If-Match`): SCIM's 412.
    #[error("the resource changed since version {0}")]
    ScimVersionMismatch(i64),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(param: impl Into<String>, long_message: impl Into<String>) -> Self {
        Self::ParamInvalid { param: param.into(), long_message: long_message.into() }
    }

    pub fn role_not_found() -> Self {
        Self::RoleNotFound { param: "role".into() }
    }
}
