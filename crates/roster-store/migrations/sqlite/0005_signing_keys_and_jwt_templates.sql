-- Roster schema, version 5: what session tokens are signed with.
--
-- Each instance's RSA signing keys (RS256, 2048-bit). `private_key` is the PKCS#8 key as sealed at rest: `v1.`
-- AES-256-GCM under ROSTER_KEY_ENCRYPTION_KEY (bound to instance and kid), or `plain.` where none was set. A
-- key signs from `active_at` until a later key's `active_at`; it is published in the JWKS from its creation
-- until `retire_at` (NULL: not scheduled), so a rotation publishes the next key before it signs and keeps the
-- old one until every token it signed has expired.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    n           TEXT NOT NULL,
    e           TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    active_at   INTEGER NOT NULL,
    retire_at   INTEGER
);
CREATE INDEX signing_keys_instance ON signing_keys (instance_id, active_at);

-- JWT templates (/v1/jwt_templates): custom claims with shortcodes, a lifetime, and optionally their own signing
-- key (`signing_key` sealed as above; never returned).
CREATE TABLE jwt_templates (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    claims             TEXT NOT NULL,
    lifetime           INTEGER NOT NULL,
    allowed_clock_skew INTEGER NOT NULL,
    custom_signing_key INTEGER NOT NULL,
    signing_algorithm  TEXT NOT NULL,
    signing_key        TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (instance_id, name)
);
