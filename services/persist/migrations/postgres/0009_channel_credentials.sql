-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with
-- ../sqlite/0009_channel_credentials.sql.
--
-- The secret store of channel accounts: the credentials a marketplace connector signs its calls
-- with (api keys, tokens, client ids), one JSON object of strings per channel. Kept apart from
-- `channel.settings` so that no channel read, list or change feed carries a secret: only the
-- dedicated credentials call returns them. Not part of the change sequence (nothing replicates
-- secrets). CASCADE with the channel.
CREATE TABLE channel_credentials (
    channel_id           uuid PRIMARY KEY NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    secrets              jsonb NOT NULL CHECK (jsonb_typeof(secrets) = 'object'),
    updated_at           timestamptz NOT NULL
);
