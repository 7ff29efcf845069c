-- Roster schema, version 2: rate-limit windows shared by every Roster process on this database
-- (ROSTER_RATE_LIMITS). One row per key; expired rows are swept as requests come.
CREATE TABLE rate_limits (
    key         TEXT COLLATE "C" PRIMARY KEY,
    window_ends BIGINT NOT NULL,
    count       BIGINT NOT NULL
);
