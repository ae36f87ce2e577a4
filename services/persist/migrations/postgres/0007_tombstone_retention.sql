-- Tombstones are pruned after a retention period (persist.tombstone_retention_days). The highest
-- pruned sequence number is kept here, so a consumer asking "what changed since N" with N below it
-- can tell that deletions it never saw were pruned and it must resynchronize.
ALTER TABLE change_counter ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0;
