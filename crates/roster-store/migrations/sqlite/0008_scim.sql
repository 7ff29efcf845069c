-- Roster schema, version 8: SCIM directories, their group role mappings, and the users and groups an identity
-- provider provisions through them.
--
-- A directory belongs to one organization (at most one directory per organization); what it provisions lives in
-- its own rows, so a directory reads and writes only its own users and groups. Every SCIM write locks the
-- organization's row first (as membership writes do) and checks the resource's `version` (the ETag).

CREATE TABLE scim_directories (
    id                         TEXT PRIMARY KEY,
    instance_id                TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id            TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                       TEXT NOT NULL,
    provider                   TEXT NOT NULL,
    enterprise_connection_id   TEXT,
    enabled                    INTEGER NOT NULL DEFAULT 1,
    group_role_mapping_enabled INTEGER NOT NULL DEFAULT 1,
    -- A JSON object: attribute -> SCIM path.
    attribute_mapping          TEXT NOT NULL DEFAULT '{}',
    -- The role of members in no mapped group; NULL: the organization's role set default, else org:member.
    default_role_id            TEXT REFERENCES roles (id) ON DELETE SET NULL,
    -- SHA-256 (hex) of the API key; the previous key stays valid until `previous_key_expires_at`.
    key_hash                   TEXT NOT NULL,
    previous_key_hash          TEXT,
    previous_key_expires_at    INTEGER,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    CONSTRAINT scim_directories_organization UNIQUE (organization_id)
);
CREATE INDEX scim_directories_instance ON scim_directories (instance_id, created_at, id);

CREATE TABLE scim_group_role_mappings (
    id                      TEXT PRIMARY KEY,
    directory_id            TEXT NOT NULL REFERENCES scim_directories (id) ON DELETE CASCADE,
    scim_group_id           TEXT NOT NULL,
    scim_group_display_name TEXT NOT NULL DEFAULT '',
    role_id                 TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    precedence              INTEGER NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CONSTRAINT scim_group_role_mappings_group UNIQUE (directory_id, scim_group_id)
);

-- A provisioned user: the SCIM resource as stored (`resource`, JSON without id and meta) and the Roster user it
-- is linked to. One link per Roster user and directory.
CREATE TABLE scim_users (
    id              TEXT PRIMARY KEY,
    directory_id    TEXT NOT NULL REFERENCES scim_directories (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_name_lower TEXT NOT NULL,
    external_id     TEXT,
    email_lower     TEXT,
    active          INTEGER NOT NULL,
    resource        TEXT NOT NULL,
    version         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT scim_users_user_name UNIQUE (directory_id, user_name_lower),
    CONSTRAINT scim_users_user UNIQUE (directory_id, user_id)
);
CREATE INDEX scim_users_directory ON scim_users (directory_id, created_at, id);
CREATE INDEX scim_users_external_id ON scim_users (directory_id, external_id);
CREATE INDEX scim_users_email ON scim_users (directory_id, email_lower);
CREATE INDEX scim_users_roster_user ON scim_users (user_id);

CREATE TABLE scim_groups (
    id                 TEXT PRIMARY KEY,
    directory_id       TEXT NOT NULL REFERENCES scim_directories (id) ON DELETE CASCADE,
    display_name       TEXT NOT NULL,
    display_name_lower TEXT NOT NULL,
    external_id        TEXT,
    resource           TEXT NOT NULL,
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX scim_groups_directory ON scim_groups (directory_id, created_at, id);
CREATE INDEX scim_groups_display_name ON scim_groups (directory_id, display_name_lower);
CREATE INDEX scim_groups_external_id ON scim_groups (directory_id, external_id);

-- Which provisioned users a group's `members` name (members that are no user of the directory are kept in the
-- group's resource only).
CREATE TABLE scim_group_members (
    group_id     TEXT NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
    scim_user_id TEXT NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, scim_user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members (scim_user_id);
