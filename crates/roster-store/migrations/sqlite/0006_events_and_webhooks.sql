-- Roster schema, version 6: the event log and its webhook deliveries.
--
-- Every write that changes a user, organization, membership, role, permission or session appends its event in
-- the same transaction. `seq` is the event's place in the log (its id, `evt_…`, encodes it): SQLite has one
-- writer, so the order rows are inserted in is the commit order. AUTOINCREMENT: a position is never reused,
-- even after the newest events were purged. `payload` holds the record (and, for `*.updated`, the record
-- before) in its domain form, versioned (`{"v":1,…}`); the server renders it as the API returns the resource.
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id     TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    organization_id TEXT,
    -- Deliveries to one endpoint with the same key go out in `seq` order (see roster_core::webhooks).
    order_key       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX events_instance ON events (instance_id, seq);
CREATE INDEX events_created ON events (created_at);
-- `GET /events?organization_id=`: one organization's events in order.
CREATE INDEX events_organization ON events (organization_id, seq) WHERE organization_id IS NOT NULL;

-- Endpoints (/v1/webhook_endpoints). `secret` (and `previous_secret`, which keeps signing beside it until
-- `previous_secret_until` after a rotation) is sealed like signing keys: `v1.` under ROSTER_KEY_ENCRYPTION_KEY
-- or `plain.`. `event_types` is `,a,b,` (empty: every type).
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    instance_id           TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    event_types           TEXT NOT NULL,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until INTEGER,
    disabled              INTEGER NOT NULL,
    disabled_reason       TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_instance ON webhook_endpoints (instance_id, created_at);

-- Each endpoint's delivery state, apart from its settings (which export and import carry; this does not, as the
-- log starts anew in an imported database). `cursor_seq`: events up to it have been queued for the endpoint
-- (or were not of its types). `failing_since`: when its first failure after its last success was.
CREATE TABLE webhook_endpoint_state (
    endpoint_id   TEXT PRIMARY KEY,
    cursor_seq    INTEGER NOT NULL,
    failing_since INTEGER
);

-- One row per (endpoint, event) to deliver. `state`: 0 pending, 1 delivered, 2 failed (schedule used up).
-- A pending row is due at `next_attempt_at` and free once `lease_until` has passed.
CREATE TABLE webhook_deliveries (
    endpoint_id     TEXT NOT NULL,
    event_seq       INTEGER NOT NULL,
    order_key       TEXT NOT NULL,
    state           INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER NOT NULL,
    -- The last attempt's answer (NULL: none) and duration: a delivered row is its own success record.
    status_code     INTEGER,
    duration_ms     INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, event_seq)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, order_key, event_seq) WHERE state = 0;

-- Every failed attempt (a success is kept on its delivery's row), for `GET /v1/webhook_endpoints/{id}/attempts`;
-- purged with the events.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id TEXT NOT NULL,
    event_seq   INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    succeeded   INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
