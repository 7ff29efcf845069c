-- Roster schema, version 2: state several processes share through the database. Rate-limit windows shared by
-- every Roster process on this database
-- (ROSTER_RATE_LIMITS). One row per key; expired rows are swept as requests come.
CREATE TABLE rate_limits (
    key         TEXT COLLATE "C" PRIMARY KEY,
    window_ends BIGINT NOT NULL,
    count       BIGINT NOT NULL
);

-- A counter every role or permission write bumps in its transaction: a process caching an instance's roles
-- checks it (one indexed read) instead of reloading every role and permission, and sees writes other processes
-- made.
ALTER TABLE instances ADD COLUMN roles_version BIGINT NOT NULL DEFAULT 0;
