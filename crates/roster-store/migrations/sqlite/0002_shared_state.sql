-- Roster schema, version 2: state several processes share through the database. Rate-limit windows: Only read and written where several
-- processes serve one database (PostgreSQL); present on SQLite too, so both schemas stay the same.
CREATE TABLE rate_limits (
    key         TEXT PRIMARY KEY,
    window_ends INTEGER NOT NULL,
    count       INTEGER NOT NULL
);

-- A counter every role or permission write bumps in its transaction: a process caching an instance's roles
-- checks it (one indexed read) instead of reloading every role and permission, and sees writes other processes
-- made.
ALTER TABLE instances ADD COLUMN roles_version INTEGER NOT NULL DEFAULT 0;
