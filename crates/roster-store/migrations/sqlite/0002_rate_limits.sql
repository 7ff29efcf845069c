-- Roster schema, version 2: rate-limit windows kept in the database. Only read and written where several
-- processes serve one database (PostgreSQL); present on SQLite too, so both schemas stay the same.
CREATE TABLE rate_limits (
    key         TEXT PRIMARY KEY,
    window_ends INTEGER NOT NULL,
    count       INTEGER NOT NULL
);
