-- service_persist schema, SQLite dialect. Kept in lock-step with
-- ../postgres/0009_channel_credentials.sql (see 0004_channels.sql for the type mapping).
--
-- The secret store of channel accounts: one JSON object of strings per channel, returned only by
-- the dedicated credentials call. CASCADE with the channel.
CREATE TABLE channel_credentials (
    channel_id           BLOB PRIMARY KEY NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    secrets              TEXT NOT NULL CHECK (json_valid(secrets) AND json_type(secrets) = 'object'),
    updated_at           TEXT NOT NULL
) STRICT;
