-- The idempotent consumer's memory: the message ids a consumer group has processed, written in
-- the same transaction as the consumer's state change. processed_at is Unix milliseconds; rows
-- older than the retention are pruned.
CREATE TABLE queue_processed_message (
    group_name   TEXT NOT NULL,
    message_id   BLOB NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (group_name, message_id)
) WITHOUT ROWID;
CREATE INDEX queue_processed_message_at_idx ON queue_processed_message (processed_at);
