-- Roster schema, version 1 (PostgreSQL). The same tables, columns, constraint names and version numbers as the
-- SQLite schema. Ids are text (`user_…`), timestamps are Unix milliseconds (BIGINT), JSON is stored as text.
-- Flags are BOOLEAN where SQLite stores 0/1.
--
-- Every text column uses the "C" collation: comparisons are by byte and lower() folds ASCII letters only, which
-- is what SQLite does, so sorts and case-insensitive matches agree on both backends whatever the database's
-- locale.
--
-- Three tables get a `rowid` column (SQLite has one implicitly): identifications, memberships and sessions are
-- ordered by insertion within a millisecond.

-- An instance is the unit of isolation: every other table carries instance_id and every query filters on it.
CREATE TABLE instances (
    id                          TEXT COLLATE "C" PRIMARY KEY,
    environment                 TEXT COLLATE "C" NOT NULL CHECK (environment IN ('development', 'production')),
    name                        TEXT COLLATE "C" NOT NULL,
    -- Organization settings of the instance (GET/PATCH /instance/organization_settings). The creator role
    -- and the domains default role are referenced by id, so renaming a role's key cascades by itself.
    org_enabled                 BOOLEAN NOT NULL DEFAULT TRUE,
    org_max_allowed_memberships BIGINT NOT NULL DEFAULT 0,
    org_creator_role_id         TEXT COLLATE "C",
    org_domains_default_role_id TEXT COLLATE "C",
    org_admin_delete_enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    org_domains_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    org_slug_disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    org_domains_enrollment_modes TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    created_at                  BIGINT NOT NULL
);

-- Secret keys, stored as SHA-256 digests only. `lookup` (the first 8 bytes of the digest, hex) finds the
-- candidates; the full `hash` is then compared in constant time. `hint` is what operators may see.
CREATE TABLE api_keys (
    id          TEXT COLLATE "C" PRIMARY KEY,
    instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    lookup      TEXT COLLATE "C" NOT NULL,
    hash        TEXT COLLATE "C" NOT NULL,
    hint        TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_lookup ON api_keys (lookup);
CREATE INDEX api_keys_instance ON api_keys (instance_id);

-- Organization permissions: Clerk's system ones (type 'system', seeded per instance) and custom ones.
CREATE TABLE permissions (
    id          TEXT COLLATE "C" PRIMARY KEY,
    instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key         TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C" NOT NULL DEFAULT '',
    type        TEXT COLLATE "C" NOT NULL CHECK (type IN ('system', 'user')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT permissions_instance_key UNIQUE (instance_id, key)
);

-- Organization roles; memberships point at a role by id, so a role's key, name and permissions are read
-- live on every response.
CREATE TABLE roles (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    instance_id         TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key                 TEXT COLLATE "C" NOT NULL,
    name                TEXT COLLATE "C" NOT NULL,
    description         TEXT COLLATE "C",
    is_creator_eligible BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT roles_instance_key UNIQUE (instance_id, key)
);

CREATE TABLE role_permissions (
    role_id       TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id TEXT COLLATE "C" NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    CONSTRAINT role_permissions_pkey PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE users (
    id                          TEXT COLLATE "C" PRIMARY KEY,
    instance_id                 TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    external_id                 TEXT COLLATE "C",
    username                    TEXT COLLATE "C",
    username_lower              TEXT COLLATE "C",
    first_name                  TEXT COLLATE "C",
    last_name                   TEXT COLLATE "C",
    locale                      TEXT COLLATE "C",
    primary_email_address_id    TEXT COLLATE "C",
    primary_phone_number_id     TEXT COLLATE "C",
    primary_web3_wallet_id      TEXT COLLATE "C",
    -- Denormalized values of the primary identifications: sort keys and `public_user_data.identifier`.
    primary_email               TEXT COLLATE "C",
    primary_phone               TEXT COLLATE "C",
    primary_web3                TEXT COLLATE "C",
    password_enabled            BOOLEAN NOT NULL DEFAULT FALSE,
    public_metadata             TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    private_metadata            TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    unsafe_metadata             TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    banned                      BOOLEAN NOT NULL DEFAULT FALSE,
    locked                      BOOLEAN NOT NULL DEFAULT FALSE,
    delete_self_enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    create_organization_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    create_organizations_limit  BIGINT,
    bypass_client_trust         BOOLEAN NOT NULL DEFAULT FALSE,
    last_active_at              BIGINT,
    last_sign_in_at             BIGINT,
    legal_accepted_at           BIGINT,
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL,
    -- Lowercased searchable text (ids, identifiers, names), one field per line, for `query=`.
    search_text                 TEXT COLLATE "C" NOT NULL DEFAULT '',
    -- Lowercased "first last", for `name_query=`.
    name_text                   TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_instance_username ON users (instance_id, username_lower) WHERE username_lower IS NOT NULL;
CREATE UNIQUE INDEX users_instance_external_id ON users (instance_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX users_instance_created ON users (instance_id, created_at, id);

-- Email addresses, phone numbers and web3 wallets of users, unique per instance (case-insensitively).
CREATE TABLE identifications (
    rowid       BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,
    id          TEXT COLLATE "C" PRIMARY KEY,
    instance_id TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('email_address', 'phone_number', 'web3_wallet')),
    value       TEXT COLLATE "C" NOT NULL,
    value_lower TEXT COLLATE "C" NOT NULL,
    reserved    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT identifications_instance_value UNIQUE (instance_id, kind, value_lower)
);
CREATE INDEX identifications_user ON identifications (user_id, created_at);

CREATE TABLE organizations (
    id                      TEXT COLLATE "C" PRIMARY KEY,
    instance_id             TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name                    TEXT COLLATE "C" NOT NULL,
    name_lower              TEXT COLLATE "C" NOT NULL,
    slug                    TEXT COLLATE "C" NOT NULL,
    max_allowed_memberships BIGINT NOT NULL DEFAULT 0,
    admin_delete_enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    public_metadata         TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    private_metadata        TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    created_by              TEXT COLLATE "C",
    role_set_key            TEXT COLLATE "C",
    -- Exact member count, changed in the same transaction as every membership insert and delete.
    members_count           BIGINT NOT NULL DEFAULT 0,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    CONSTRAINT organizations_instance_slug UNIQUE (instance_id, slug)
);
CREATE INDEX organizations_instance_created ON organizations (instance_id, created_at, id);

CREATE TABLE memberships (
    rowid       BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,
    id               TEXT COLLATE "C" PRIMARY KEY,
    instance_id      TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id          TEXT COLLATE "C" NOT NULL REFERENCES roles (id),
    public_metadata  TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    private_metadata TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
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
    rowid       BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,
    id                          TEXT COLLATE "C" PRIMARY KEY,
    instance_id                 TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    user_id                     TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id                   TEXT COLLATE "C" NOT NULL,
    status                      TEXT COLLATE "C" NOT NULL,
    last_active_organization_id TEXT COLLATE "C",
    last_active_at              BIGINT NOT NULL,
    expire_at                   BIGINT NOT NULL,
    abandon_at                  BIGINT NOT NULL,
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL
);
CREATE INDEX sessions_user_created ON sessions (user_id, created_at, id);
CREATE INDEX sessions_instance_created ON sessions (instance_id, created_at, id);
CREATE INDEX sessions_active_organization ON sessions (last_active_organization_id);

-- Substring search for `query=`: a pg_trgm GIN index over users.search_text serves `LIKE '%needle%'` for
-- needles of three characters or more (SQLite uses an FTS5 trigram table for the same purpose).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_search_trgm ON users USING gin (search_text gin_trgm_ops);
