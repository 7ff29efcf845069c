-- Roster schema, version 6: the event log and its webhook deliveries (see the SQLite migration for the tables'
-- meaning; the columns are the same, with one difference in how an event gets its place).
--
-- On PostgreSQL many transactions append at once, and a sequence hands out numbers in insert order, not commit
-- order: a reader paging by it could pass a number whose transaction commits later and never see that event.
-- So an event is inserted with `pos` (insert order) and no `seq`; a sequencer (one at a time, holding the row
-- of `event_sequencer`) gives committed events their `seq` in `pos` order, and readers see only events that have one. Two
-- writes of one organization keep their order: the second waited on the first's row lock, so it inserted its
-- event after the first committed (a larger `pos`, and never sequenced before it).
CREATE TABLE events (
    pos             BIGSERIAL PRIMARY KEY,
    seq             BIGINT UNIQUE,
    instance_id     TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    organization_id TEXT,
    order_key       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX events_instance ON events (instance_id, seq);
CREATE INDEX events_created ON events (created_at);
-- `GET /events?organization_id=`: one organization's events in order.
CREATE INDEX events_organization ON events (organization_id, seq) WHERE organization_id IS NOT NULL;
CREATE INDEX events_unsequenced ON events (pos) WHERE seq IS NULL;

-- The sequencer's high-water mark: the last `seq` it gave. Its row is locked by the sequencing transaction, so
-- one sequencer runs at a time, and a position is never given twice (not even after a purge emptied `events`).
CREATE TABLE event_sequencer (
    id       INTEGER PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
INSERT INTO event_sequencer (id, last_seq) VALUES (1, 0);

CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    instance_id           TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    event_types           TEXT NOT NULL,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until BIGINT,
    disabled              BOOLEAN NOT NULL,
    disabled_reason       TEXT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_instance ON webhook_endpoints (instance_id, created_at);

-- Each endpoint's delivery state, apart from its settings (which export and import carry; this does not, as the
-- log starts anew in an imported database). `cursor_seq`: events up to it have been queued for the endpoint
-- (or were not of its types). `failing_since`: when its first failure after its last success was.
CREATE TABLE webhook_endpoint_state (
    endpoint_id   TEXT PRIMARY KEY,
    cursor_seq    BIGINT NOT NULL,
    failing_since BIGINT
);

CREATE TABLE webhook_deliveries (
    endpoint_id     TEXT NOT NULL,
    event_seq       BIGINT NOT NULL,
    order_key       TEXT NOT NULL,
    state           INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT NOT NULL,
    -- The last attempt's answer (NULL: none) and duration: a delivered row is its own success record.
    status_code     INTEGER,
    duration_ms     BIGINT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, event_seq)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, order_key, event_seq) WHERE state = 0;

CREATE TABLE webhook_attempts (
    id          BIGSERIAL PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    event_seq   BIGINT NOT NULL,
    attempt     INTEGER NOT NULL,
    succeeded   BOOLEAN NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
