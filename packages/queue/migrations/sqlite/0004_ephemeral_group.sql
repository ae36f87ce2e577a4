-- Ephemeral (broadcast) consumer groups of the embedded bus: a group whose ephemeral_owner is set
-- belongs to one running EmbeddedBus (a random id per bus) and lives only as long as that bus's
-- subscription. The bus refreshes heartbeat_at (Unix ms) while it has ephemeral groups; a group
-- whose owner's heartbeat is older than the expiry (or whose owner row is gone) was left by a
-- crashed process and is purged with its messages. Durable groups keep ephemeral_owner NULL, so
-- existing rows stay durable.
CREATE TABLE queue_bus_instance (
    id           INTEGER PRIMARY KEY,
    heartbeat_at INTEGER NOT NULL
);
CREATE INDEX queue_bus_instance_heartbeat_idx ON queue_bus_instance (heartbeat_at);

ALTER TABLE queue_group ADD COLUMN ephemeral_owner INTEGER;
CREATE INDEX queue_group_ephemeral_idx ON queue_group (ephemeral_owner)
    WHERE ephemeral_owner IS NOT NULL;
