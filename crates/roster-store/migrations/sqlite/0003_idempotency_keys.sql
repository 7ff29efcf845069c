-- Roster schema, version 3: idempotency keys. A write sent with an `Idempotency-Key` header stores the key, a
-- hash of the request and the response in the same transaction as the write itself, so a retry of a write that
-- committed gets the stored response and a retry of one that did not runs it again. Rows are per instance and
-- kept for the retention the server is configured with (24 hours by default), then purged.
CREATE TABLE idempotency_keys (
    instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
