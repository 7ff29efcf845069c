//! The Clerk errors of invitations, domains, role sets and SCIM directories.

use axum::http::StatusCode;

use roster_core::DomainError;

use super::ApiError;

impl ApiError {
    /// The errors of invitations, domains and role sets (the variants `From<DomainError>` sends here).
    pub(super) fn enrollment(e: DomainError) -> Self {
        use DomainError as D;
        let (status, code, short, long) = match e {
            D::InvitationNotUnique => (
                StatusCode::BAD_REQUEST,
                "organization_invitation_not_unique",
                "organization invitation not unique",
                "Organizations cannot have duplicate pending invitations for an email address.".to_owned(),
            ),
            D::InvitationNotPending => (
                StatusCode::NOT_FOUND,
                "organization_invitation_not_pending",
                "not pending",
                "The organization invitation is not in the 'pending' status.".to_owned(),
            ),
            D::InvitationRevoked => (
                StatusCode::BAD_REQUEST,
                "organization_invitation_revoked_code",
                "invitation has been revoked",
                "This invitation has been revoked and cannot be used anymore.".to_owned(),
            ),
            D::InvitationAlreadyAccepted => (
                StatusCode::BAD_REQUEST,
                "organization_invitation_already_accepted",
                "invitation has already been accepted",
                "This invitation has already been accepted. Sign in instead.".to_owned(),
            ),
            D::InvitationEmailMismatch => {
                return Self::new(
                    StatusCode::BAD_REQUEST,
                    "organization_invitation_identification_not_exist",
                    "identification not found",
                    "The user has no verified email address equal to the invitation's.",
                )
                .param("user_id")
            }
            D::NotAnAdmin(who) => (
                StatusCode::FORBIDDEN,
                "not_an_admin_in_organization",
                "not an administrator",
                format!("{who} is not an administrator in the organization. Only administrators can perform this action."),
            ),
            D::RoleInInvitations => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "organization_role_exists_in_invitations",
                "role exists in pending organization invitations",
                "The organization role exists in one or more pending organization invitations. Please revoke these invitations to proceed.".to_owned(),
            ),
            D::DomainsDisabled => (
                StatusCode::FORBIDDEN,
                "organization_domains_not_enabled",
                "organization domains not enabled",
                "This instance does not have domains enabled for organizations.".to_owned(),
            ),
            D::EnrollmentModeNotEnabled(mode) => (
                StatusCode::FORBIDDEN,
                "organization_domain_enrollment_mode_not_enabled",
                "organization enrollment mode not enabled",
                format!("Enrollment mode {mode} is not enabled for this instances's organizations."),
            ),
            D::DomainCommon => {
                return Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "organization_domain_common",
                    "common email domain",
                    "This is a common email provider domain. Please use a different one.",
                )
                .param("name")
            }
            D::DomainTaken { same_organization } => {
                let (code, long) = if same_organization {
                    ("organization_domain_already_exists_same_organization", "This domain is already used by your organization.")
                } else {
                    ("organization_domain_already_exists", "This domain is already used by another organization.")
                };
                return Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, "organization domain already exists", long)
                    .param("name");
            }
            D::CannotDeleteInitialRoleSet => (
                StatusCode::FORBIDDEN,
                "cannot_delete_initial_role_set",
                "cannot delete initial role set",
                "Cannot delete the initial role set.".to_owned(),
            ),
            D::RoleSetMappingsMissing(keys) | D::RolesOutsideRoleSet(keys) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "organization_role_set_reassignment_mappings_missing",
                "reassignment mappings missing",
                format!("The following roles are missing from the reassignment mappings: {}", keys.join(", ")),
            ),
            D::RoleSetMappingInvalid(key) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "organization_role_set_reassignment_mappings_invalid",
                "reassignment mappings invalid",
                format!("The role {key} is invalid in the reassignment mappings. It must be present in the new role set."),
            ),
            D::DirectoryOrganizationUsed => {
                return Self::new(
                    StatusCode::BAD_REQUEST,
                    "scim_directory_organization_already_used",
                    "organization already has a SCIM directory",
                    "This organization is already associated with another SCIM directory.",
                )
                .param("organization_id")
            }
            D::MembershipManagedByDirectory => (
                StatusCode::CONFLICT,
                "organization_membership_managed_by_scim",
                "membership role managed by directory sync",
                "This membership is managed by a directory and cannot be changed manually.".to_owned(),
            ),
            D::GroupRoleMappingDisabled => (
                StatusCode::BAD_REQUEST,
                "feature_not_enabled",
                "role mapping disabled",
                "Role mapping is disabled for this directory. Enable role mapping to add, edit, or remove mappings.".to_owned(),
            ),
            // Reported by the SCIM endpoint in SCIM's own error body; through the Clerk API only if a bug leads here.
            D::ScimUniqueness(detail) => (StatusCode::CONFLICT, "duplicate_record", "duplicate record", detail),
            D::ScimRefused { detail, .. } => (StatusCode::BAD_REQUEST, "form_param_value_invalid", "invalid value", detail),
            D::ScimVersionMismatch(v) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "precondition failed",
                format!("The resource changed since version {v}."),
            ),
            other => return Self::internal(format!("unmapped domain error: {other}")),
        };
        Self::new(status, code, short, long)
    }
}
