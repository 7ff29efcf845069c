-- Roster schema, version 1 (SQLite). The PostgreSQL schema keeps the same tables, columns, constraint names
-- and version numbers. Ids are text (`user_…`), timestamps are Unix milliseconds, JSON is stored as text.

-- An instance is the unit of isolation: every other table carries instance_id and every query filters on it.
CREATE TABLE instances (
    id                          TEXT PRIMARY KEY,
    environment                 TEXT NOT NULL CHECK (environment IN ('development', 'production')),
    name                        TEXT NOT NULL,
    -- Organization settings of the instance (GET/PATCH /instance/organization_settings). The creator role
    -- and the domains default role are referenced by id, so renaming a role's key cascades by itself.
    org_enabled                 INTEGER NOT NULL DEFAULT 1,
    org_max_allowed_memberships INTEGER NOT NULL DEFAULT 0,
    org_creator_role_id         TEXT,
    org_domains_default_role_id TEXT,
    org_admin_delete_enabled    INTEGER NOT NULL DEFAULT 1,
    org_domains_enabled         INTEGER NOT NULL DEFAULT 0,
    org_slug_disabled           INTEGER NOT NULL DEFAULT 0,
    org_domains_enrollment_modes TEXT NOT NULL DEFAULT '[]',
    created_at                  INTEGER NOT NULL
);

-- Secret keys, stored as SHA-256 digests only. `lookup` (the first 8 bytes of the digest, hex) finds the
-- candidates; the full `hash` is then compared in constant time. `hint` is what operators may see.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    lookup      TEXT NOT NULL,
    hash        TEXT NOT NULL,
    hint        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX api_keys_lookup ON api_keys (lookup);
CREATE INDEX api_keys_instance ON api_keys (instance_id);

-- Organization permissions: Clerk's system ones (type 'system', seeded per instance) and custom ones.
CREATE TABLE permissions (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL CHECK (type IN ('system', 'user')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT permissions_instance_key UNIQUE (instance_id, key)
);

-- Organization roles; memberships point at a role by id, so a role's key, name and permissions are read
-- live on every response.
CREATE TABLE roles (
    id                  TEXT PRIMARY KEY,
    instance_id         TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key                 TEXT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT,
    is_creator_eligible INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CONSTRAINT roles_instance_key UNIQUE (instance_id, key)
);

CREATE TABLE role_permissions (
    role_id       TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id TEXT NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    CONSTRAINT role_permissions_pkey PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE users (
    id                          TEXT PRIMARY KEY,
    instance_id                 TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    external_id                 TEXT,
    username                    TEXT,
    username_lower              TEXT,
    first_name                  TEXT,
    last_name                   TEXT,
    locale                      TEXT,
    primary_email_address_id    TEXT,
    primary_phone_number_id     TEXT,
    primary_web3_wallet_id      TEXT,
    -- Denormalized values of the primary identifications: sort keys and `public_user_data.identifier`.
    primary_email               TEXT,
    primary_phone               TEXT,
    primary_web3                TEXT,
    password_enabled            INTEGER NOT NULL DEFAULT 0,
    public_metadata             TEXT NOT NULL DEFAULT '{}',
    private_metadata            TEXT NOT NULL DEFAULT '{}',
    unsafe_metadata             TEXT NOT NULL DEFAULT '{}',
    banned                      INTEGER NOT NULL DEFAULT 0,
    locked                      INTEGER NOT NULL DEFAULT 0,
    delete_self_enabled         INTEGER NOT NULL DEFAULT 1,
    create_organization_enabled INTEGER NOT NULL DEFAULT 1,
    create_organizations_limit  INTEGER,
    bypass_client_trust         INTEGER NOT NULL DEFAULT 0,
    last_active_at              INTEGER,
    last_sign_in_at             INTEGER,
    legal_accepted_at           INTEGER,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL,
    -- Lowercased searchable text (ids, identifiers, names), one field per line, for `query=`.
    search_text                 TEXT NOT NULL DEFAULT '',
    -- Lowercased "first last", for `name_query=`.
    name_text                   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_instance_username ON users (instance_id, username_lower) WHERE username_lower IS NOT NULL;
CREATE UNIQUE INDEX users_instance_external_id ON users (instance_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX users_instance_created ON users (instance_id, created_at, id);

-- Email addresses, phone numbers and web3 wallets of users, unique per instance (case-insensitively).
CREATE TABLE identifications (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email_address', 'phone_number', 'web3_wallet')),
    value       TEXT NOT NULL,
    value_lower TEXT NOT NULL,
    reserved    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT identifications_instance_value UNIQUE (instance_id, kind, value_lower)
);
CREATE INDEX identifications_user ON identifications (user_id, created_at);

CREATE TABLE organizations (
    id                      TEXT PRIMARY KEY,
    instance_id             TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name                    TEXT NOT NULL,
    name_lower              TEXT NOT NULL,
    slug                    TEXT NOT NULL,
    max_allowed_memberships INTEGER NOT NULL DEFAULT 0,
    admin_delete_enabled    INTEGER NOT NULL DEFAULT 1,
    public_metadata         TEXT NOT NULL DEFAULT '{}',
    private_metadata        TEXT NOT NULL DEFAULT '{}',
    created_by              TEXT,
    role_set_key            TEXT,
    -- Exact member count, changed in the same transaction as every membership insert and delete.
    members_count           INTEGER NOT NULL DEFAULT 0,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CONSTRAINT organizations_instance_slug UNIQUE (instance_id, slug)
);
CREATE INDEX organizations_instance_created ON organizations (instance_id, created_at, id);

CREATE TABLE memberships (
    id               TEXT PRIMARY KEY,
    instance_id      TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id          TEXT NOT NULL REFERENCES roles (id),
    public_metadata  TEXT NOT NULL DEFAULT '{}',
    private_metadata TEXT NOT NULL DEFAULT '{}',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- One membership per (organization, user).
    CONSTRAINT memberships_organization_user UNIQUE (organization_id, user_id)
);
CREATE INDEX memberships_organization_created ON memberships (organization_id, created_at, id);
-- Finds "another member holding a managing role" without scanning the organization.
CREATE INDEX memberships_organization_role ON memberships (organization_id, role_id);
CREATE INDEX memberships_user_created ON memberships (user_id, created_at, id);
CREATE INDEX memberships_instance_created ON memberships (instance_id, created_at, id);

-- Sessions (POST /sessions is for testing, development instances only). `last_active_organization_id` is the
-- session's active organization.
CREATE TABLE sessions (
    id                          TEXT PRIMARY KEY,
    instance_id                 TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    user_id                     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id                   TEXT NOT NULL,
    status                      TEXT NOT NULL,
    last_active_organization_id TEXT,
    last_active_at              INTEGER NOT NULL,
    expire_at                   INTEGER NOT NULL,
    abandon_at                  INTEGER NOT NULL,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
);
CREATE INDEX sessions_user_created ON sessions (user_id, created_at, id);
CREATE INDEX sessions_instance_created ON sessions (instance_id, created_at, id);
CREATE INDEX sessions_active_organization ON sessions (last_active_organization_id);

-- Substring search for `query=`: an FTS5 index with the trigram tokenizer over users.search_text (an external
-- content table, kept in step by the triggers below). A query of three characters or more is answered from the
-- index; shorter ones scan. PostgreSQL uses pg_trgm for the same purpose.
CREATE VIRTUAL TABLE users_search USING fts5(search_text, content = 'users', content_rowid = 'rowid', tokenize = 'trigram');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search_text ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO users_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
