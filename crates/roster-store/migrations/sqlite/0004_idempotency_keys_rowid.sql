-- Roster schema, version 4: `idempotency_keys` becomes an ordinary (rowid) table. As a WITHOUT ROWID table its
-- rows, each holding a whole response body, sat in the primary key's b-tree in key order: a few rows per page, a
-- random page rewritten (and split) for every new key, and every such page written to the WAL at commit. Now the
-- rows are appended in the order they are made and the key's unique index holds only the key; a keyed create
-- costs about half the pages it did (BENCHMARKS.md, "Idempotency keys").
CREATE TABLE idempotency_keys_v4 (
    instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, key)
);

INSERT INTO idempotency_keys_v4 (instance_id, key, request_hash, status, body, created_at)
SELECT instance_id, key, request_hash, status, body, created_at FROM idempotency_keys ORDER BY created_at;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_v4 RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
