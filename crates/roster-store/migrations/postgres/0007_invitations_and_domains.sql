-- Roster schema, version 7: organization invitations, domains, the suggestions domains make, and role sets.
--
-- Every write of these locks its organization's row first (as membership writes do), so the rules that span
-- rows (one pending invitation per address, members plus pending invitations within the quota, one organization
-- per domain name) hold under concurrent requests and, on PostgreSQL, across nodes.

-- An organization's email domains. A name belongs to at most one organization of an instance.
CREATE TABLE organization_domains (
    id              TEXT COLLATE "C" PRIMARY KEY,
    instance_id     TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Lowercase.
    name            TEXT COLLATE "C" NOT NULL,
    enrollment_mode TEXT COLLATE "C" NOT NULL,
    verified        BOOLEAN NOT NULL DEFAULT FALSE,
    strategy        TEXT COLLATE "C",
    verified_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT organization_domains_instance_name UNIQUE (instance_id, name)
);
CREATE INDEX organization_domains_organization ON organization_domains (organization_id, created_at, id);
CREATE INDEX organization_domains_instance ON organization_domains (instance_id, created_at, id);

-- Invitations. `status` is stored `pending`, `accepted` or `revoked`; a pending one at or past `expires_at` reads
-- as expired. `role_id` has no foreign key: a role may be deleted once no pending invitation holds it, and the
-- others keep showing `role_key`, the key it had. `inviter_id` neither: the inviter may be deleted.
CREATE TABLE invitations (
    id               TEXT COLLATE "C" PRIMARY KEY,
    instance_id      TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email_address    TEXT COLLATE "C" NOT NULL,
    email_lower      TEXT COLLATE "C" NOT NULL,
    role_id          TEXT COLLATE "C" NOT NULL,
    role_key         TEXT COLLATE "C" NOT NULL,
    inviter_id       TEXT COLLATE "C",
    -- The domain whose automatic enrollment made it (such invitations are not in the organization's list).
    domain_id        TEXT COLLATE "C",
    status           TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    public_metadata  TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    private_metadata TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    url              TEXT COLLATE "C",
    expires_at       BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX invitations_organization ON invitations (organization_id, created_at, id);
CREATE INDEX invitations_instance ON invitations (instance_id, created_at, id);
-- Per address: the uniqueness check, the per-user list and `email_address=`.
CREATE INDEX invitations_email ON invitations (instance_id, email_lower, organization_id);
-- The pending invitations an organization's quota counts, and a role's.
CREATE INDEX invitations_pending ON invitations (organization_id, expires_at) WHERE status = 'pending';
CREATE INDEX invitations_pending_role ON invitations (role_id) WHERE status = 'pending';
CREATE INDEX invitations_domain ON invitations (domain_id) WHERE domain_id IS NOT NULL;

-- Organizations suggested to users by verified domains in `automatic_suggestion` mode: one per organization
-- and user.
CREATE TABLE organization_suggestions (
    id              TEXT COLLATE "C" PRIMARY KEY,
    instance_id     TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain_id       TEXT COLLATE "C" NOT NULL REFERENCES organization_domains (id) ON DELETE CASCADE,
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email_address   TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'accepted')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT organization_suggestions_organization_user UNIQUE (organization_id, user_id)
);
CREATE INDEX organization_suggestions_user ON organization_suggestions (user_id, created_at, id);
CREATE INDEX organization_suggestions_domain ON organization_suggestions (domain_id);

-- Role sets: the roles an organization with this `role_set_key` may give (organizations name their set by key;
-- one without may give every role of the instance). At most one set of an instance is `initial`: new
-- organizations get it.
CREATE TABLE role_sets (
    id              TEXT COLLATE "C" PRIMARY KEY,
    instance_id     TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key             TEXT COLLATE "C" NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    description     TEXT COLLATE "C",
    kind            TEXT COLLATE "C" NOT NULL CHECK (kind IN ('initial', 'custom')),
    default_role_id TEXT COLLATE "C" REFERENCES roles (id) ON DELETE SET NULL,
    creator_role_id TEXT COLLATE "C" REFERENCES roles (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT role_sets_instance_key UNIQUE (instance_id, key)
);
CREATE INDEX role_sets_instance_created ON role_sets (instance_id, created_at, id);
CREATE TABLE role_set_roles (
    role_set_id TEXT COLLATE "C" NOT NULL REFERENCES role_sets (id) ON DELETE CASCADE,
    role_id     TEXT COLLATE "C" NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    PRIMARY KEY (role_set_id, role_id)
);
CREATE INDEX organizations_role_set ON organizations (instance_id, role_set_key) WHERE role_set_key IS NOT NULL;
