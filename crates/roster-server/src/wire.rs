//! Domain records to wire types. Keys the official SDKs dereference are always present (for example
//! `public_user_data`, `image_url`), and live objects never carry a `deleted` key.

use roster_api_types as api;
use roster_core::model::{
    Identification, Membership, Organization, OrganizationSettings, Permission, Role, Session, User,
};

/// Options that change how an organization is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrgView {
    pub members_count: bool,
}

pub fn organization(o: &Organization, view: OrgView) -> api::Organization {
    api::Organization {
        object: "organization".into(),
        id: o.id.clone(),
        name: o.name.clone(),
        slug: o.slug.clone(),
        image_url: String::new(),
        has_image: false,
        members_count: view.members_count.then_some(o.members_count),
        missing_member_with_elevated_permissions: o.missing_member_with_elevated_permissions,
        pending_invitations_count: view.members_count.then_some(o.pending_invitations_count.unwrap_or(0)),
        max_allowed_memberships: o.max_allowed_memberships,
        admin_delete_enabled: o.admin_delete_enabled,
        public_metadata: o.public_metadata.clone(),
        private_metadata: o.private_metadata.clone(),
        created_by: o.created_by.clone(),
        role_set_key: o.role_set_key.clone(),
        created_at: o.created_at,
        updated_at: o.updated_at,
    }
}

pub fn membership(m: &Membership) -> api::OrganizationMembership {
    let u = &m.public_user_data;
    api::OrganizationMembership {
        object: "organization_membership".into(),
        id: m.id.clone(),
        role: m.role.clone(),
        role_name: m.role_name.clone(),
        permissions: m.permissions.clone(),
        public_metadata: m.public_metadata.clone(),
        private_metadata: m.private_metadata.clone(),
        organization: organization(&m.organization, OrgView::default()),
        public_user_data: api::OrganizationMembershipPublicUserData {
            user_id: u.user_id.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            profile_image_url: Some(String::new()),
            image_url: String::new(),
            has_image: false,
            identifier: u.identifier.clone(),
            username: u.username.clone(),
            banned: u.banned,
            deprovisioned: false,
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn verification(reserved: bool) -> Option<api::Verification> {
    (!reserved).then(|| api::Verification {
        object: "verification_admin".into(),
        status: "verified".into(),
        strategy: "admin".into(),
        attempts: None,
        expire_at: None,
    })
}

fn email(i: &Identification) -> api::EmailAddress {
    api::EmailAddress {
        id: i.id.clone(),
        object: "email_address".into(),
        email_address: i.value.clone(),
        reserved: i.reserved,
        verification: verification(i.reserved),
        linked_to: Vec::new(),
        matches_sso_connection: false,
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

fn phone(i: &Identification) -> api::PhoneNumber {
    api::PhoneNumber {
        id: i.id.clone(),
        object: "phone_number".into(),
        phone_number: i.value.clone(),
        reserved_for_second_factor: false,
        default_second_factor: false,
        reserved: i.reserved,
        verification: verification(i.reserved),
        linked_to: Vec::new(),
        backup_codes: None,
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

fn web3(i: &Identification) -> api::Web3Wallet {
    api::Web3Wallet {
        id: i.id.clone(),
        object: "web3_wallet".into(),
        web3_wallet: i.value.clone(),
        verification: verification(i.reserved),
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

pub fn user(u: &User) -> api::User {
    api::User {
        id: u.id.clone(),
        object: "user".into(),
        external_id: u.external_id.clone(),
        primary_email_address_id: u.primary_email_address_id.clone(),
        primary_phone_number_id: u.primary_phone_number_id.clone(),
        primary_web3_wallet_id: u.primary_web3_wallet_id.clone(),
        username: u.username.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        locale: u.locale.clone(),
        profile_image_url: String::new(),
        image_url: String::new(),
        has_image: false,
        public_metadata: u.public_metadata.clone(),
        private_metadata: Some(u.private_metadata.clone()),
        unsafe_metadata: u.unsafe_metadata.clone(),
        email_addresses: u.email_addresses.iter().map(email).collect(),
        phone_numbers: u.phone_numbers.iter().map(phone).collect(),
        web3_wallets: u.web3_wallets.iter().map(web3).collect(),
        passkeys: Vec::new(),
        password_enabled: u.password_enabled,
        two_factor_enabled: false,
        totp_enabled: false,
        backup_code_enabled: false,
        mfa_enabled_at: None,
        mfa_disabled_at: None,
        password_last_updated_at: None,
        external_accounts: Vec::new(),
        saml_accounts: Vec::new(),
        enterprise_accounts: Vec::new(),
        last_sign_in_at: u.last_sign_in_at,
        banned: u.banned,
        locked: u.locked,
        deprovisioned: false,
        lockout_expires_in_seconds: None,
        verification_attempts_remaining: None,
        updated_at: u.updated_at,
        created_at: u.created_at,
        delete_self_enabled: u.delete_self_enabled,
        create_organization_enabled: u.create_organization_enabled,
        create_organizations_limit: u.create_organizations_limit,
        last_active_at: u.last_active_at,
        legal_accepted_at: u.legal_accepted_at,
        bypass_client_trust: u.bypass_client_trust,
    }
}

pub fn permission(p: &Permission) -> api::Permission {
    api::Permission {
        object: "permission".into(),
        id: p.id.clone(),
        name: p.name.clone(),
        key: p.key.clone(),
        description: p.description.clone(),
        kind: p.kind.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

pub fn role(r: &Role) -> api::Role {
    api::Role {
        object: "role".into(),
        id: r.id.clone(),
        name: r.name.clone(),
        key: r.key.clone(),
        description: r.description.clone(),
        is_creator_eligible: r.is_creator_eligible,
        permissions: r.permissions.iter().map(permission).collect(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub fn deleted(object: &str, id: &str, slug: Option<&str>) -> api::DeletedObject {
    api::DeletedObject { object: object.into(), id: Some(id.into()), slug: slug.map(Into::into), deleted: true }
}

pub fn session(s: &Session) -> api::Session {
    api::Session {
        object: "session".into(),
        id: s.id.clone(),
        user_id: s.user_id.clone(),
        client_id: s.client_id.clone(),
        actor: None,
        status: s.status.clone(),
        last_active_organization_id: s.last_active_organization_id.clone(),
        last_active_at: s.last_active_at,
        expire_at: s.expire_at,
        abandon_at: s.abandon_at,
        updated_at: s.updated_at,
        created_at: s.created_at,
        tasks: None,
    }
}

pub fn settings(s: &OrganizationSettings) -> api::OrganizationSettings {
    api::OrganizationSettings {
        object: "organization_settings".into(),
        enabled: s.enabled,
        max_allowed_memberships: s.max_allowed_memberships,
        max_allowed_roles: 50,
        max_role_sets_allowed: 0,
        max_allowed_domains: 10,
        max_allowed_permissions: 50,
        creator_role: s.creator_role.clone(),
        admin_delete_enabled: s.admin_delete_enabled,
        domains_enabled: s.domains_enabled,
        slug_disabled: s.slug_disabled,
        domains_enrollment_modes: s.domains_enrollment_modes.clone(),
        domains_default_role: s.domains_default_role.clone(),
        initial_role_set_key: None,
    }
}

fn public_organization(
    o: &roster_core::invitations::PublicOrganizationData,
) -> api::OrganizationInvitationPublicOrganizationData {
    api::OrganizationInvitationPublicOrganizationData {
        id: o.id.clone(),
        name: o.name.clone(),
        slug: o.slug.clone(),
        image_url: String::new(),
        has_image: false,
    }
}

/// An invitation with its organization, as the instance-wide and per-user lists show it.
pub fn invitation_with_organization(
    i: &roster_core::invitations::Invitation,
) -> api::OrganizationInvitationWithPublicOrganizationData {
    api::OrganizationInvitationWithPublicOrganizationData {
        invitation: invitation(i),
        public_organization_data: public_organization(&i.organization),
    }
}

pub fn invitation(i: &roster_core::invitations::Invitation) -> api::OrganizationInvitation {
    api::OrganizationInvitation {
        object: "organization_invitation".into(),
        id: i.id.clone(),
        email_address: i.email_address.clone(),
        role: i.role.clone(),
        role_name: i.role_name.clone(),
        organization_id: i.organization.id.clone(),
        inviter_id: i.inviter_id.clone(),
        public_inviter_data: i.public_inviter_data.as_ref().map(|u| api::OrganizationInvitationPublicUserData {
            user_id: u.user_id.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            image_url: String::new(),
            has_image: false,
            identifier: u.identifier.clone().unwrap_or_default(),
        }),
        status: i.status.as_str().into(),
        public_metadata: i.public_metadata.clone(),
        private_metadata: i.private_metadata.clone(),
        url: i.url.clone(),
        expires_at: i.expires_at,
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

pub fn domain(d: &roster_core::domains::Domain) -> api::OrganizationDomain {
    let verification = api::OrganizationDomainVerification {
        status: if d.verified { "verified" } else { "unverified" }.into(),
        strategy: d.strategy.clone().unwrap_or_else(|| roster_core::domains::STRATEGY_ADMIN.into()),
        attempts: Some(0),
        expire_at: None,
        verified_at: d.verified_at,
    };
    api::OrganizationDomain {
        object: "organization_domain".into(),
        id: d.id.clone(),
        organization_id: d.organization.id.clone(),
        name: d.name.clone(),
        enrollment_mode: d.enrollment_mode.as_str().into(),
        affiliation_email_address: None,
        affiliation_verification: Some(verification.clone()),
        ownership_verification: d.verified.then(|| verification.clone()),
        verification: Some(verification),
        total_pending_invitations: d.total_pending_invitations,
        total_pending_suggestions: d.total_pending_suggestions,
        public_organization_data: Some(public_organization(&d.organization)),
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

pub fn suggestion(s: &roster_core::domains::Suggestion) -> api::OrganizationSuggestion {
    api::OrganizationSuggestion {
        object: "organization_suggestion".into(),
        id: s.id.clone(),
        user_id: s.user_id.clone(),
        email_address: s.email_address.clone(),
        status: match s.status {
            roster_core::domains::SuggestionStatus::Pending => "pending",
            roster_core::domains::SuggestionStatus::Accepted => "accepted",
        }
        .into(),
        public_organization_data: public_organization(&s.organization),
        organization_domain_id: s.domain_id.clone(),
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

fn role_set_item(r: &Role, members: Option<i64>) -> api::RoleSetItem {
    api::RoleSetItem {
        object: "role_set_item".into(),
        id: r.id.clone(),
        name: r.name.clone(),
        key: r.key.clone(),
        description: r.description.clone(),
        members_count: members,
        has_members: members.map(|n| n > 0),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub fn role_set(s: &roster_core::role_sets::RoleSet) -> api::RoleSet {
    let count = |r: &Role| Some(s.members_count.get(&r.key).copied().unwrap_or(0));
    api::RoleSet {
        object: "role_set".into(),
        id: s.id.clone(),
        name: s.name.clone(),
        key: s.key.clone(),
        description: s.description.clone(),
        roles: s.roles.iter().map(|r| role_set_item(r, count(r))).collect(),
        default_role: s.default_role.as_ref().map(|r| role_set_item(r, None)),
        creator_role: s.creator_role.as_ref().map(|r| role_set_item(r, None)),
        kind: s.kind.as_str().into(),
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

pub fn scim_directory(
    d: &roster_core::scim::Directory,
    endpoint_url: String,
    api_key: Option<String>,
) -> api::SCIMDirectory {
    api::SCIMDirectory {
        object: "scim_directory".into(),
        id: d.id.clone(),
        name: d.name.clone(),
        enterprise_connection_id: d.enterprise_connection_id.clone(),
        endpoint_url,
        provider: d.provider.clone(),
        enabled: d.enabled,
        group_role_mapping_enabled: d.group_role_mapping_enabled,
        attribute_mapping: d.attribute_mapping.clone(),
        custom_attributes: Vec::new(),
        api_key,
        organization_id: d.organization_id.clone(),
        default_role: d.default_role.as_ref().map(|r| r.key.clone()),
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

pub fn scim_group_role_mapping(m: &roster_core::scim::GroupRoleMapping) -> api::SCIMGroupRoleMapping {
    api::SCIMGroupRoleMapping {
        object: "scim_group_role_mapping".into(),
        id: m.id.clone(),
        scim_directory_id: m.directory_id.clone(),
        directory_id: m.directory_id.clone(),
        scim_group_id: m.scim_group_id.clone(),
        directory_group_id: m.scim_group_id.clone(),
        scim_group_display_name: m.scim_group_display_name.clone(),
        directory_group_display_name: m.scim_group_display_name.clone(),
        role: role(&m.role),
        precedence: m.precedence,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}
