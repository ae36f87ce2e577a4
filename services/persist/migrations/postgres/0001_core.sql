-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with ../sqlite/0001_core.sql:
-- same tables, columns, semantics, constraint intent and index names (docs/domain.md is the contract).
-- Conventions: ids uuid (UUIDv7, app-supplied); change_seq unique, from change_counter; timestamps
-- timestamptz, app-supplied (UTC); money numeric(18,4); enums lower-case text + CHECK; json jsonb.

-- Core bookkeeping (change counter, tombstones) and users/roles.

-- The single change-sequence counter. A write transaction does
--   UPDATE change_counter SET value = value + $n WHERE id = 1 RETURNING value
-- and stamps the rows it writes with value-n+1 .. value. The row lock is held until commit, so
-- sequence numbers become visible in commit order (see docs/domain.md, "Change sequence").
CREATE TABLE change_counter (
    -- always 1 (SQLite: INTEGER; PG: smallint -> i16 in Rust; nobody needs to read it)
    id                   smallint PRIMARY KEY NOT NULL CHECK (id = 1),
    value                bigint NOT NULL CHECK (value >= 0)
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

-- Tombstones of deletes, so "what changed since N" includes deletions. seq is a number taken from
-- change_counter like any other write. Pruned by deleted_at after the retention period.
-- business_key: the deleted row's business key as text; composite keys are joined by the app
-- (e.g. "<supplier code>/<offer id>"), entities without one (customer, interaction, ...) use the id.
CREATE TABLE change_log (
    -- SQLite: INTEGER PRIMARY KEY = the rowid alias; values are still app-supplied
    seq                  bigint PRIMARY KEY NOT NULL CHECK (seq >= 1),
    -- table name, e.g. 'product'
    entity               text NOT NULL CHECK (entity <> ''),
    entity_id            uuid NOT NULL,
    business_key         text NOT NULL,
    deleted_at           timestamptz NOT NULL
);
CREATE INDEX change_log_deleted_at_idx ON change_log (deleted_at);
CREATE INDEX change_log_entity_idx ON change_log (entity, seq);

-- Roles: a named set of permission strings.
CREATE TABLE role (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    -- normalized code + name (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    -- json list of permission strings
    permissions          jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(permissions) = 'array'),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX role_change_seq_uq ON role (change_seq);
CREATE UNIQUE INDEX role_code_uq ON role (code);

-- Users of the back office ("user" is reserved in PostgreSQL, hence app_user).
CREATE TABLE app_user (
    id                   uuid PRIMARY KEY NOT NULL,
    login                text NOT NULL CHECK (login <> ''),
    display_name         text NOT NULL,
    email                text,
    -- normalized login + display name + email (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    -- argon2 PHC string; never returned by the API
    password_hash        text NOT NULL CHECK (password_hash <> ''),
    active               boolean NOT NULL DEFAULT true,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX app_user_change_seq_uq ON app_user (change_seq);
CREATE UNIQUE INDEX app_user_login_uq ON app_user (login);

-- User <-> role assignments; no lifecycle of their own (written with the user, covered by its change_seq).
-- Deleting a user removes its assignments (CASCADE); a role that is still assigned cannot be deleted
-- (RESTRICT) -- unassign first, so nobody silently loses permissions.
CREATE TABLE user_role (
    user_id              uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role_id              uuid NOT NULL REFERENCES role (id) ON DELETE RESTRICT,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_role_role_idx ON user_role (role_id);
