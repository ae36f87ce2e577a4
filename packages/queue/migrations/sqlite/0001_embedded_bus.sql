-- The embedded durable bus (EmbeddedBus): consumer groups, their topic bindings, one row per
-- (group, message) fanned out at publish time, and the dead letters. Times are Unix milliseconds
-- except published_at (Unix nanoseconds, the exact header value).

-- bindings_version is bumped by every subscribe that adds a binding, so a publisher's in-memory
-- routing table notices bindings made by another process on the same file.
CREATE TABLE queue_meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO queue_meta (key, value) VALUES ('bindings_version', 0);

-- A consumer group exists (and is durable) from its first subscribe on.
CREATE TABLE queue_group (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE queue_binding (
    group_id INTEGER NOT NULL REFERENCES queue_group (id),
    pattern  TEXT NOT NULL,
    PRIMARY KEY (group_id, pattern)
) WITHOUT ROWID;

-- A message waiting in (or leased from) one group's queue. visible_at is when it may be claimed:
-- the publication time, a retry's back-off deadline, or, while leased to lease_owner (a
-- subscriber), the lease deadline after which a crashed subscriber's message is redelivered.
CREATE TABLE queue_message (
    id             INTEGER PRIMARY KEY,
    group_id       INTEGER NOT NULL,
    message_id     BLOB NOT NULL,
    topic          TEXT NOT NULL,
    correlation_id TEXT,
    traceparent    TEXT,
    tracestate     TEXT,
    published_at   INTEGER NOT NULL,
    extra          TEXT,
    payload        BLOB NOT NULL,
    attempt        INTEGER NOT NULL,
    visible_at     INTEGER NOT NULL,
    lease_owner    INTEGER,
    last_error     TEXT
);
CREATE INDEX queue_message_ready_idx ON queue_message (group_id, visible_at);
CREATE INDEX queue_message_lease_idx ON queue_message (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE queue_dead_letter (
    id             INTEGER PRIMARY KEY,
    group_id       INTEGER NOT NULL,
    message_id     BLOB NOT NULL,
    topic          TEXT NOT NULL,
    correlation_id TEXT,
    traceparent    TEXT,
    tracestate     TEXT,
    published_at   INTEGER NOT NULL,
    extra          TEXT,
    payload        BLOB NOT NULL,
    attempts       INTEGER NOT NULL,
    last_error     TEXT NOT NULL,
    dead_at        INTEGER NOT NULL
);
CREATE INDEX queue_dead_letter_group_idx ON queue_dead_letter (group_id, id);
