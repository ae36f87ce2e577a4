-- The transactional outbox: a service inserts its outgoing messages here in the same transaction
-- as the state change that causes them; OutboxRelay publishes them in id order and deletes each
-- row only after the bus confirmed it. AUTOINCREMENT: ids are never reused, so id order is
-- insertion order. published_at is Unix nanoseconds, created_at Unix milliseconds.
CREATE TABLE outbox_message (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id     BLOB NOT NULL,
    topic          TEXT NOT NULL,
    correlation_id TEXT,
    traceparent    TEXT,
    tracestate     TEXT,
    published_at   INTEGER NOT NULL,
    extra          TEXT,
    payload        BLOB NOT NULL,
    created_at     INTEGER NOT NULL
);
