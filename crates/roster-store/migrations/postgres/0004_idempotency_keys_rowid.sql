-- Roster schema, version 4. The SQLite schema's version 4 turns `idempotency_keys` from a WITHOUT ROWID table
-- into an ordinary one; a PostgreSQL table is a heap with a separate primary-key index already, so nothing
-- changes here. The version exists so that both backends number their schemas alike.
SELECT 1;
