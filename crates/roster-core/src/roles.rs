//! Clerk's default roles and system permissions, seeded into every new instance. `org:admin` holds every
//! system permission and is the default creator role; `org:member` can read members and billing.
//! Custom roles are rows like these; nothing in Roster treats a role specially by its key except the
//! seeding below: "admin" everywhere means "holds `org:sys_memberships:manage`".

pub const ADMIN: &str = "org:admin";
pub const MEMBER: &str = "org:member";
pub const MANAGE_MEMBERSHIPS: &str = "org:sys_memberships:manage";

/// (key, name, description) of Clerk's system permissions.
pub const SYSTEM_PERMISSIONS: &[(&str, &str, &str)] = &[
    ("org:sys_profile:manage", "Manage organization", "Permission to manage an organization."),
    ("org:sys_profile:delete", "Delete organization", "Permission to delete an organization."),
    ("org:sys_memberships:read", "Read members", "Permission to read the members of an organization."),
    (MANAGE_MEMBERSHIPS, "Manage members", "Permission to manage the members of an organization."),
    ("org:sys_domains:read", "Read domains", "Permission to read the domains of an organization."),
    ("org:sys_domains:manage", "Manage domains", "Permission to manage the domains of an organization."),
    ("org:sys_billing:read", "Read billing", "Permission to read the billing of an organization."),
    ("org:sys_billing:manage", "Manage billing", "Permission to manage the billing of an organization."),
    (
        "org:sys_entconns:manage",
        "Manage enterprise connections",
        "Permission to manage the enterprise connections of an organization.",
    ),
];

/// A default role to seed: key, name, description, creator-eligible, permission keys.
pub struct DefaultRole {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub is_creator_eligible: bool,
    pub permissions: &'static [&'static str],
}

pub const DEFAULT_ROLES: &[DefaultRole] = &[
    DefaultRole {
        key: ADMIN,
        name: "Admin",
        description: "Role with elevated permissions: can manage the organization and its members.",
        is_creator_eligible: true,
        permissions: &[
            "org:sys_profile:manage",
            "org:sys_profile:delete",
            "org:sys_memberships:read",
            MANAGE_MEMBERSHIPS,
            "org:sys_domains:read",
            "org:sys_domains:manage",
            "org:sys_billing:read",
            "org:sys_billing:manage",
            "org:sys_entconns:manage",
        ],
    },
    DefaultRole {
        key: MEMBER,
        name: "Member",
        description: "Role with non-elevated permissions: can read the organization's members and billing.",
        is_creator_eligible: false,
        permissions: &["org:sys_memberships:read", "org:sys_billing:read"],
    },
];
