-- service_persist schema, SQLite (>= 3.45, as bundled by sqlx) dialect. Kept in lock-step with
-- ../postgres/0004_channels.sql: same tables, columns, semantics, constraint intent and index names.
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

-- Sales channels (marketplaces, own shop), their mappings, listings, the publication outbox and the
-- per-channel completeness projection.
-- Channel config rows (mappings, requirements, outbox, completeness) CASCADE with the channel; listings
-- RESTRICT it, so a channel with publication history can't vanish (deactivate it instead).

CREATE TABLE channel (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('ozon', 'wildberries', 'yandex_market', 'megamarket', 'shop')),
    locale               TEXT NOT NULL DEFAULT 'ru_RU',
    currency             TEXT NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- json object, no secrets (credentials live in the secret store)
    settings             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings) AND json_type(settings) = 'object'),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX channel_change_seq_uq ON channel (change_seq);
CREATE UNIQUE INDEX channel_code_uq ON channel (code);

-- Attributes a family requires per channel; written with the family (its change_seq covers them).
-- CASCADE from family and channel; RESTRICT from the attribute (as family_attribute).
CREATE TABLE family_requirement (
    family_id            BLOB NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    attribute_id         BLOB NOT NULL REFERENCES attribute (id) ON DELETE RESTRICT,
    PRIMARY KEY (family_id, channel_id, attribute_id)
) STRICT;
CREATE INDEX family_requirement_channel_idx ON family_requirement (channel_id);
CREATE INDEX family_requirement_attribute_idx ON family_requirement (attribute_id);

-- Our category -> the channel's category. Mapping config: CASCADE from both ends.
CREATE TABLE channel_category_map (
    id                   BLOB PRIMARY KEY NOT NULL,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    category_id          BLOB NOT NULL REFERENCES category (id) ON DELETE CASCADE,
    external_id          TEXT NOT NULL CHECK (external_id <> ''),
    external_name        TEXT,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX channel_category_map_change_seq_uq ON channel_category_map (change_seq);
CREATE UNIQUE INDEX channel_category_map_key_uq ON channel_category_map (channel_id, category_id);
CREATE INDEX channel_category_map_category_idx ON channel_category_map (category_id);

-- Our attribute -> the channel's attribute. Mapping config: CASCADE from both ends.
CREATE TABLE channel_attribute_map (
    id                   BLOB PRIMARY KEY NOT NULL,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    attribute_id         BLOB NOT NULL REFERENCES attribute (id) ON DELETE CASCADE,
    external_id          TEXT NOT NULL CHECK (external_id <> ''),
    external_name        TEXT,
    -- json object: our option code -> their value
    value_map            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(value_map) AND json_type(value_map) = 'object'),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX channel_attribute_map_change_seq_uq ON channel_attribute_map (change_seq);
CREATE UNIQUE INDEX channel_attribute_map_key_uq ON channel_attribute_map (channel_id, attribute_id);
CREATE INDEX channel_attribute_map_attribute_idx ON channel_attribute_map (attribute_id);

-- A product on a channel. Owned by the product (CASCADE); RESTRICT from the channel (see above).
CREATE TABLE listing (
    id                   BLOB PRIMARY KEY NOT NULL,
    product_id           BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE RESTRICT,
    external_offer_id    TEXT,
    external_product_id  TEXT,
    external_sku         TEXT,
    status               TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'pending', 'published', 'rejected', 'archived')),
    published_hash       TEXT,
    -- json [{code, message, attribute?}]
    errors               TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors) AND json_type(errors) = 'array'),
    published_at         TEXT,
    synced_at            TEXT,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX listing_change_seq_uq ON listing (change_seq);
CREATE UNIQUE INDEX listing_key_uq ON listing (product_id, channel_id);
CREATE INDEX listing_channel_status_idx ON listing (channel_id, status);
-- matching the channel's offers / orders back to listings (not unique: not a business key in the model)
CREATE INDEX listing_channel_offer_idx ON listing (channel_id, external_offer_id) WHERE external_offer_id IS NOT NULL;

-- Work queue of channel publications. At most one 'pending' row per (channel, product, kind): a newer
-- change replaces the pending row's payload_hash instead of queueing another. Transient: CASCADE from
-- channel and product.
CREATE TABLE publication_outbox (
    id                   BLOB PRIMARY KEY NOT NULL,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    product_id           BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    kind                 TEXT NOT NULL CHECK (kind IN ('content', 'price', 'stock')),
    payload_hash         TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts             INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at      TEXT NOT NULL,
    last_error           TEXT,
    -- groups rows sent in one request / the channel's task id; text since channels use ints or uuids
    batch_id             TEXT,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX publication_outbox_change_seq_uq ON publication_outbox (change_seq);
CREATE UNIQUE INDEX publication_outbox_pending_uq ON publication_outbox (channel_id, product_id, kind) WHERE status = 'pending';
CREATE INDEX publication_outbox_due_idx ON publication_outbox (status, next_attempt_at);
CREATE INDEX publication_outbox_product_idx ON publication_outbox (product_id);
CREATE INDEX publication_outbox_batch_idx ON publication_outbox (batch_id) WHERE batch_id IS NOT NULL;

-- Projection: how many of the attributes the product's family requires for a channel are filled.
-- Recomputed when a product, its family or a channel mapping changes. CASCADE from product and channel.
CREATE TABLE completeness (
    id                   BLOB PRIMARY KEY NOT NULL,
    product_id           BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    required             INTEGER NOT NULL DEFAULT 0 CHECK (required >= 0),
    filled               INTEGER NOT NULL DEFAULT 0 CHECK (filled >= 0),
    -- json list of attribute codes
    missing              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(missing) AND json_type(missing) = 'array'),
    computed_at          TEXT NOT NULL,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT completeness_filled_le_required_check CHECK (filled <= required)
) STRICT;
CREATE UNIQUE INDEX completeness_change_seq_uq ON completeness (change_seq);
CREATE UNIQUE INDEX completeness_key_uq ON completeness (product_id, channel_id);
CREATE INDEX completeness_channel_idx ON completeness (channel_id);
