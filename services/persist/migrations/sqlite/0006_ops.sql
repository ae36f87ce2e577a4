-- service_persist schema, SQLite (>= 3.45, as bundled by sqlx) dialect. Kept in lock-step with
-- ../postgres/0006_ops.sql: same tables, columns, semantics, constraint intent and index names.
-- Differences from PostgreSQL, by necessity:
--   * STRICT tables (types enforced: a uuid bound as text instead of a 16-byte BLOB is an error).
--   * uuid -> BLOB (16 bytes, as sqlx encodes Uuid); timestamptz -> TEXT (RFC 3339, as sqlx encodes
--     chrono); numeric -> TEXT (canonical decimal string); boolean -> INTEGER 0/1; jsonb -> TEXT
--     checked with json_valid / json_type; bigint -> INTEGER (64-bit).
--   * Money is TEXT, which can't be compared as a decimal, so instead of CHECK (x >= 0) the money
--     columns check the shape: a plain non-negative decimal (GLOB: digits first, only digits and '.').
--     Text also doesn't sort numerically: ORDER BY price needs CAST(price AS REAL) here.
--   * No trigram index: search_text LIKE '%term%' is a scan here.
-- The connection sets PRAGMA foreign_keys = ON (it can't be set inside a migration transaction).

-- Files and process reports.

-- Stored files (pictures, uploaded feeds, exports). owner_kind/owner_id is a loose (non-FK) reference,
-- e.g. ('product', <id>), since owners live in different tables.
CREATE TABLE file (
    id                   BLOB PRIMARY KEY NOT NULL,
    storage_key          TEXT NOT NULL CHECK (storage_key <> ''),
    name                 TEXT NOT NULL,
    content_type         TEXT NOT NULL,
    size_bytes           INTEGER NOT NULL CHECK (size_bytes >= 0),
    -- lower-case hex
    sha256               TEXT NOT NULL CHECK (length(sha256) = 64),
    storage              TEXT NOT NULL CHECK (storage IN ('local', 's3')),
    owner_kind           TEXT,
    owner_id             BLOB,
    -- normalized storage key + name (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT file_owner_check CHECK ((owner_kind IS NULL) = (owner_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX file_change_seq_uq ON file (change_seq);
CREATE UNIQUE INDEX file_storage_key_uq ON file (storage_key);
CREATE INDEX file_owner_idx ON file (owner_kind, owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX file_sha256_idx ON file (sha256);

-- Reports of process (workflow) instances. process_key is the business key of the instance; not
-- unique, an instance may report per step.
CREATE TABLE process_report (
    id                   BLOB PRIMARY KEY NOT NULL,
    process_key          TEXT NOT NULL CHECK (process_key <> ''),
    definition_key       TEXT NOT NULL CHECK (definition_key <> ''),
    step                 TEXT,
    status               TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'incident')),
    started_at           TEXT NOT NULL,
    finished_at          TEXT,
    -- json object name -> number
    counters             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(counters) AND json_type(counters) = 'object'),
    message              TEXT,
    -- normalized process key + definition key (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX process_report_change_seq_uq ON process_report (change_seq);
CREATE INDEX process_report_process_idx ON process_report (process_key, started_at);
CREATE INDEX process_report_definition_idx ON process_report (definition_key, started_at);
CREATE INDEX process_report_status_idx ON process_report (status, started_at);
