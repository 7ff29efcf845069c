//! The table spec: every exported table, its columns and their kinds, in dependency order.

/// What a column holds, as the file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    /// INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL, `true`/`false` in the file.
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

/// A table as export and import see it.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// In file order. Where `rowid` is true, the first column is `rowid`.
    pub columns: &'static [Column],
    /// The primary key: the export's order and its pages' keyset.
    pub key: &'static [&'static str],
    /// The logic orders these tables' rows by insertion (`rowid`) within a millisecond, so the rowid is carried
    /// over: SQLite's implicit one, PostgreSQL's identity column.
    pub rowid: bool,
}

pub(super) const fn column(name: &'static str, kind: Kind, nullable: bool) -> Column {
    Column { name, kind, nullable }
}
pub(super) const fn text(name: &'static str) -> Column {
    column(name, Kind::Text, false)
}
pub(super) const fn text_or_null(name: &'static str) -> Column {
    column(name, Kind::Text, true)
}
pub(super) const fn int(name: &'static str) -> Column {
    column(name, Kind::Int, false)
}
pub(super) const fn int_or_null(name: &'static str) -> Column {
    column(name, Kind::Int, true)
}
pub(super) const fn flag(name: &'static str) -> Column {
    column(name, Kind::Bool, false)
}

/// Every table of the schema, in dependency order (a table's foreign keys point only at tables before it).
/// `instances` names roles without a foreign key, so it can come first. See `NOT_EXPORTED` for the rest.
pub static TABLES: &[Table] = &[
    Table {
        name: "instances",
        columns: &[
            text("id"),
            text("environment"),
            text("name"),
            flag("org_enabled"),
            int("org_max_allowed_memberships"),
            text_or_null("org_creator_role_id"),
            text_or_null("org_domains_default_role_id"),
            flag("org_admin_delete_enabled"),
            flag("org_domains_enabled"),
            flag("org_slug_disabled"),
            text("org_domains_enrollment_modes"),
            int("created_at"),
            int("roles_version"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "api_keys",
        columns: &[
            text("id"),
            text("instance_id"),
            text("lookup"),
            text("hash"),
            text("hint"),
            int("created_at"),
            int_or_null("revoked_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "permissions",
        columns: &[
            text("id"),
            text("instance_id"),
            text("key"),
            text("name"),
            text("description"),
            text("type"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "roles",
        columns: &[
            text("id"),
            text("instance_id"),
            text("key"),
            text("name"),
            text_or_null("description"),
            flag("is_creator_eligible"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "role_permissions",
        columns: &[text("role_id"), text("permission_id")],
        key: &["role_id", "permission_id"],
        rowid: false,
    },
    Table {
        name: "users",
        columns: &[
            text("id"),
            text("instance_id"),
            text_or_null("external_id"),
            text_or_null("username"),
            text_or_null("username_lower"),
            text_or_null("first_name"),
            text_or_null("last_name"),
            text_or_null("locale"),
            text_or_null("primary_email_address_id"),
            text_or_null("primary_phone_number_id"),
            text_or_null("primary_web3_wallet_id"),
            text_or_null("primary_email"),
            text_or_null("primary_phone"),
            text_or_null("primary_web3"),
            flag("password_enabled"),
            text("public_metadata"),
            text("private_metadata"),
            text("unsafe_metadata"),
            flag("banned"),
            flag("locked"),
            flag("delete_self_enabled"),
            flag("create_organization_enabled"),
            int_or_null("create_organizations_limit"),
            flag("bypass_client_trust"),
            int_or_null("last_active_at"),
            int_or_null("last_sign_in_at"),
            int_or_null("legal_accepted_at"),
            int("created_at"),
            int("updated_at"),
            text("search_text"),
            text("name_text"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "identifications",
        columns: &[
            int("rowid"),
            text("id"),
            text("instance_id"),
            text("user_id"),
            text("kind"),
            text("value"),
            text("value_lower"),
            flag("reserved"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: true,
    },
    Table {
        name: "organizations",
        columns: &[
            text("id"),
            text("instance_id"),
            text("name"),
            text("name_lower"),
            text("slug"),
            int("max_allowed_memberships"),
            flag("admin_delete_enabled"),
            text("public_metadata"),
            text("private_metadata"),
            text_or_null("created_by"),
            text_or_null("role_set_key"),
            int("members_count"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "memberships",
        columns: &[
            int("rowid"),
            text("id"),
            text("instance_id"),
            text("organization_id"),
            text("user_id"),
            text("role_id"),
            text("public_metadata"),
            text("private_metadata"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: true,
    },
    Table {
        name: "sessions",
        columns: &[
            int("rowid"),
            text("id"),
            text("instance_id"),
            text("user_id"),
            text("client_id"),
            text("status"),
            text_or_null("last_active_organization_id"),
            int("last_active_at"),
            int("expire_at"),
            int("abandon_at"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: true,
    },
    // Signing keys travel as stored: a key sealed with ROSTER_KEY_ENCRYPTION_KEY needs the same key where the
    // export is imported; tokens signed before the move keep verifying after it.
    Table {
        name: "signing_keys",
        columns: &[
            text("kid"),
            text("instance_id"),
            text("n"),
            text("e"),
            text("private_key"),
            int("created_at"),
            int("active_at"),
            int_or_null("retire_at"),
        ],
        key: &["kid"],
        rowid: false,
    },
    Table {
        name: "jwt_templates",
        columns: &[
            text("id"),
            text("instance_id"),
            text("name"),
            text("claims"),
            int("lifetime"),
            int("allowed_clock_skew"),
            flag("custom_signing_key"),
            text("signing_algorithm"),
            text_or_null("signing_key"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    // Webhook endpoints travel with their secrets as stored (sealed like signing keys). The event log does not
    // travel (see `NOT_EXPORTED`): the import starts each endpoint at the new, empty log's start.
    Table {
        name: "webhook_endpoints",
        columns: &[
            text("id"),
            text("instance_id"),
            text("url"),
            text("description"),
            text("event_types"),
            text("secret"),
            text_or_null("previous_secret"),
            int_or_null("previous_secret_until"),
            flag("disabled"),
            text_or_null("disabled_reason"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "role_sets",
        columns: &[
            text("id"),
            text("instance_id"),
            text("key"),
            text("name"),
            text_or_null("description"),
            text("kind"),
            text_or_null("default_role_id"),
            text_or_null("creator_role_id"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "role_set_roles",
        columns: &[text("role_set_id"), text("role_id"), int("position")],
        key: &["role_set_id", "role_id"],
        rowid: false,
    },
    Table {
        name: "organization_domains",
        columns: &[
            text("id"),
            text("instance_id"),
            text("organization_id"),
            text("name"),
            text("enrollment_mode"),
            flag("verified"),
            text_or_null("strategy"),
            int_or_null("verified_at"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "invitations",
        columns: &[
            text("id"),
            text("instance_id"),
            text("organization_id"),
            text("email_address"),
            text("email_lower"),
            text("role_id"),
            text("role_key"),
            text_or_null("inviter_id"),
            text_or_null("domain_id"),
            text("status"),
            text("public_metadata"),
            text("private_metadata"),
            text_or_null("url"),
            int("expires_at"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "organization_suggestions",
        columns: &[
            text("id"),
            text("instance_id"),
            text("organization_id"),
            text("domain_id"),
            text("user_id"),
            text("email_address"),
            text("status"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "scim_directories",
        columns: &[
            text("id"),
            text("instance_id"),
            text("organization_id"),
            text("name"),
            text("provider"),
            text_or_null("enterprise_connection_id"),
            flag("enabled"),
            flag("group_role_mapping_enabled"),
            text("attribute_mapping"),
            text_or_null("default_role_id"),
            text("key_hash"),
            text_or_null("previous_key_hash"),
            int_or_null("previous_key_expires_at"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "scim_group_role_mappings",
        columns: &[
            text("id"),
            text("directory_id"),
            text("scim_group_id"),
            text("scim_group_display_name"),
            text("role_id"),
            int("precedence"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "scim_users",
        columns: &[
            text("id"),
            text("directory_id"),
            text("user_id"),
            text("user_name_lower"),
            text_or_null("external_id"),
            text_or_null("email_lower"),
            flag("active"),
            text("resource"),
            int("version"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "scim_groups",
        columns: &[
            text("id"),
            text("directory_id"),
            text("display_name"),
            text("display_name_lower"),
            text_or_null("external_id"),
            text("resource"),
            int("version"),
            int("created_at"),
            int("updated_at"),
        ],
        key: &["id"],
        rowid: false,
    },
    Table {
        name: "scim_group_members",
        columns: &[text("group_id"), text("scim_user_id")],
        key: &["group_id", "scim_user_id"],
        rowid: false,
    },
];

/// Tables the export leaves out, with why: `rate_limits` holds rate-limit windows of the last seconds, which
/// restart empty on a new database as they do after any restart; `idempotency_keys` holds responses kept for
/// retries of the last hours (a client retrying against the new database runs its write there); SQLite's
/// `users_search*` (FTS5) tables are derived from `users` by triggers, and filled again as the import inserts
/// users; `events`, `webhook_deliveries`, `webhook_attempts`, `webhook_endpoint_state` and (PostgreSQL's)
/// `event_sequencer` are the event log and its delivery records:
/// positions in the log are the database's own (PostgreSQL gives them after commit), so the imported database
/// starts a new log, and its endpoints deliver what is written from then on (docs/export-import.md).
pub const NOT_EXPORTED: &[&str] = &[
    "rate_limits",
    "idempotency_keys",
    "users_search*",
    "events",
    "webhook_deliveries",
    "webhook_attempts",
    "webhook_endpoint_state",
    "event_sequencer",
];

pub(super) fn table_index(name: &str) -> Option<usize> {
    TABLES.iter().position(|t| t.name == name)
}
