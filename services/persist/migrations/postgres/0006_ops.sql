-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with ../sqlite/0006_ops.sql:
-- same tables, columns, semantics, constraint intent and index names (docs/domain.md is the contract).
-- Conventions: ids uuid (UUIDv7, app-supplied); change_seq unique, from change_counter; timestamps
-- timestamptz, app-supplied (UTC); money numeric(18,4); enums lower-case text + CHECK; json jsonb.

-- Files and process reports.

-- Stored files (pictures, uploaded feeds, exports). owner_kind/owner_id is a loose (non-FK) reference,
-- e.g. ('product', <id>), since owners live in different tables.
CREATE TABLE file (
    id                   uuid PRIMARY KEY NOT NULL,
    storage_key          text NOT NULL CHECK (storage_key <> ''),
    name                 text NOT NULL,
    content_type         text NOT NULL,
    size_bytes           bigint NOT NULL CHECK (size_bytes >= 0),
    -- lower-case hex
    sha256               text NOT NULL CHECK (length(sha256) = 64),
    storage              text NOT NULL CHECK (storage IN ('local', 's3')),
    owner_kind           text,
    owner_id             uuid,
    -- normalized storage key + name (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT file_owner_check CHECK ((owner_kind IS NULL) = (owner_id IS NULL))
);
CREATE UNIQUE INDEX file_change_seq_uq ON file (change_seq);
CREATE UNIQUE INDEX file_storage_key_uq ON file (storage_key);
CREATE INDEX file_owner_idx ON file (owner_kind, owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX file_sha256_idx ON file (sha256);

-- Reports of process (workflow) instances. process_key is the business key of the instance; not
-- unique, an instance may report per step.
CREATE TABLE process_report (
    id                   uuid PRIMARY KEY NOT NULL,
    process_key          text NOT NULL CHECK (process_key <> ''),
    definition_key       text NOT NULL CHECK (definition_key <> ''),
    step                 text,
    status               text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'incident')),
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    -- json object name -> number
    counters             jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(counters) = 'object'),
    message              text,
    -- normalized process key + definition key (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX process_report_change_seq_uq ON process_report (change_seq);
CREATE INDEX process_report_process_idx ON process_report (process_key, started_at);
CREATE INDEX process_report_definition_idx ON process_report (definition_key, started_at);
CREATE INDEX process_report_status_idx ON process_report (status, started_at);
