-- The transactional outbox: a service inserts its outgoing messages here in the same transaction
-- as the state change that causes them; OutboxRelay publishes them in id order and deletes each
-- row only after the bus confirmed it. published_at is Unix nanoseconds (the exact header value;
-- timestamptz keeps only microseconds).
CREATE TABLE outbox_message (
    id             BIGSERIAL PRIMARY KEY,
    message_id     UUID NOT NULL,
    topic          TEXT NOT NULL,
    correlation_id TEXT,
    traceparent    TEXT,
    tracestate     TEXT,
    published_at   BIGINT NOT NULL,
    extra          JSONB,
    payload        BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
