-- The idempotent consumer's memory: the message ids a consumer group has processed, written in
-- the same transaction as the consumer's state change; rows older than the retention are pruned.
CREATE TABLE queue_processed_message (
    group_name   TEXT NOT NULL,
    message_id   UUID NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (group_name, message_id)
);
CREATE INDEX queue_processed_message_at_idx ON queue_processed_message (processed_at);
