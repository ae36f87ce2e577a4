-- service_persist schema, SQLite (>= 3.45, as bundled by sqlx) dialect. Kept in lock-step with
-- ../postgres/0001_core.sql: same tables, columns, semantics, constraint intent and index names.
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

-- Core bookkeeping (change counter, tombstones) and users/roles.

-- The single change-sequence counter. A write transaction does
--   UPDATE change_counter SET value = value + $n WHERE id = 1 RETURNING value
-- and stamps the rows it writes with value-n+1 .. value. The row lock is held until commit, so
-- sequence numbers become visible in commit order (see docs/domain.md, "Change sequence").
CREATE TABLE change_counter (
    -- always 1 (SQLite: INTEGER; PG: smallint -> i16 in Rust; nobody needs to read it)
    id                   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    value                INTEGER NOT NULL CHECK (value >= 0)
) STRICT;
INSERT INTO change_counter (id, value) VALUES (1, 0);

-- Tombstones of deletes, so "what changed since N" includes deletions. seq is a number taken from
-- change_counter like any other write. Pruned by deleted_at after the retention period.
-- business_key: the deleted row's business key as text; composite keys are joined by the app
-- (e.g. "<supplier code>/<offer id>"), entities without one (customer, interaction, ...) use the id.
CREATE TABLE change_log (
    -- SQLite: INTEGER PRIMARY KEY = the rowid alias; values are still app-supplied
    seq                  INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
    -- table name, e.g. 'product'
    entity               TEXT NOT NULL CHECK (entity <> ''),
    entity_id            BLOB NOT NULL,
    business_key         TEXT NOT NULL,
    deleted_at           TEXT NOT NULL
) STRICT;
CREATE INDEX change_log_deleted_at_idx ON change_log (deleted_at);
CREATE INDEX change_log_entity_idx ON change_log (entity, seq);

-- Roles: a named set of permission strings.
CREATE TABLE role (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    -- normalized code + name (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    -- json list of permission strings
    permissions          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(permissions) AND json_type(permissions) = 'array'),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX role_change_seq_uq ON role (change_seq);
CREATE UNIQUE INDEX role_code_uq ON role (code);

-- Users of the back office ("user" is reserved in PostgreSQL, hence app_user).
CREATE TABLE app_user (
    id                   BLOB PRIMARY KEY NOT NULL,
    login                TEXT NOT NULL CHECK (login <> ''),
    display_name         TEXT NOT NULL,
    email                TEXT,
    -- normalized login + display name + email (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    -- argon2 PHC string; never returned by the API
    password_hash        TEXT NOT NULL CHECK (password_hash <> ''),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX app_user_change_seq_uq ON app_user (change_seq);
CREATE UNIQUE INDEX app_user_login_uq ON app_user (login);

-- User <-> role assignments; no lifecycle of their own (written with the user, covered by its change_seq).
-- Deleting a user removes its assignments (CASCADE); a role that is still assigned cannot be deleted
-- (RESTRICT) -- unassign first, so nobody silently loses permissions.
CREATE TABLE user_role (
    user_id              BLOB NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role_id              BLOB NOT NULL REFERENCES role (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, role_id)
) STRICT;
CREATE INDEX user_role_role_idx ON user_role (role_id);
