-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with ../sqlite/0004_channels.sql:
-- same tables, columns, semantics, constraint intent and index names (docs/domain.md is the contract).
-- Conventions: ids uuid (UUIDv7, app-supplied); change_seq unique, from change_counter; timestamps
-- timestamptz, app-supplied (UTC); money numeric(18,4); enums lower-case text + CHECK; json jsonb.

-- Sales channels (marketplaces, own shop), their mappings, listings, the publication outbox and the
-- per-channel completeness projection.
-- Channel config rows (mappings, requirements, outbox, completeness) CASCADE with the channel; listings
-- RESTRICT it, so a channel with publication history can't vanish (deactivate it instead).

CREATE TABLE channel (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('ozon', 'wildberries', 'yandex_market', 'megamarket', 'shop')),
    locale               text NOT NULL DEFAULT 'ru_RU',
    currency             text NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    active               boolean NOT NULL DEFAULT true,
    -- json object, no secrets (credentials live in the secret store)
    settings             jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX channel_change_seq_uq ON channel (change_seq);
CREATE UNIQUE INDEX channel_code_uq ON channel (code);

-- Attributes a family requires per channel; written with the family (its change_seq covers them).
-- CASCADE from family and channel; RESTRICT from the attribute (as family_attribute).
CREATE TABLE family_requirement (
    family_id            uuid NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    attribute_id         uuid NOT NULL REFERENCES attribute (id) ON DELETE RESTRICT,
    PRIMARY KEY (family_id, channel_id, attribute_id)
);
CREATE INDEX family_requirement_channel_idx ON family_requirement (channel_id);
CREATE INDEX family_requirement_attribute_idx ON family_requirement (attribute_id);

-- Our category -> the channel's category. Mapping config: CASCADE from both ends.
CREATE TABLE channel_category_map (
    id                   uuid PRIMARY KEY NOT NULL,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    category_id          uuid NOT NULL REFERENCES category (id) ON DELETE CASCADE,
    external_id          text NOT NULL CHECK (external_id <> ''),
    external_name        text,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX channel_category_map_change_seq_uq ON channel_category_map (change_seq);
CREATE UNIQUE INDEX channel_category_map_key_uq ON channel_category_map (channel_id, category_id);
CREATE INDEX channel_category_map_category_idx ON channel_category_map (category_id);

-- Our attribute -> the channel's attribute. Mapping config: CASCADE from both ends.
CREATE TABLE channel_attribute_map (
    id                   uuid PRIMARY KEY NOT NULL,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    attribute_id         uuid NOT NULL REFERENCES attribute (id) ON DELETE CASCADE,
    external_id          text NOT NULL CHECK (external_id <> ''),
    external_name        text,
    -- json object: our option code -> their value
    value_map            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(value_map) = 'object'),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX channel_attribute_map_change_seq_uq ON channel_attribute_map (change_seq);
CREATE UNIQUE INDEX channel_attribute_map_key_uq ON channel_attribute_map (channel_id, attribute_id);
CREATE INDEX channel_attribute_map_attribute_idx ON channel_attribute_map (attribute_id);

-- A product on a channel. Owned by the product (CASCADE); RESTRICT from the channel (see above).
CREATE TABLE listing (
    id                   uuid PRIMARY KEY NOT NULL,
    product_id           uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE RESTRICT,
    external_offer_id    text,
    external_product_id  text,
    external_sku         text,
    status               text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'pending', 'published', 'rejected', 'archived')),
    published_hash       text,
    -- json [{code, message, attribute?}]
    errors               jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(errors) = 'array'),
    published_at         timestamptz,
    synced_at            timestamptz,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX listing_change_seq_uq ON listing (change_seq);
CREATE UNIQUE INDEX listing_key_uq ON listing (product_id, channel_id);
CREATE INDEX listing_channel_status_idx ON listing (channel_id, status);
-- matching the channel's offers / orders back to listings (not unique: not a business key in the model)
CREATE INDEX listing_channel_offer_idx ON listing (channel_id, external_offer_id) WHERE external_offer_id IS NOT NULL;

-- Work queue of channel publications. At most one 'pending' row per (channel, product, kind): a newer
-- change replaces the pending row's payload_hash instead of queueing another. Transient: CASCADE from
-- channel and product.
CREATE TABLE publication_outbox (
    id                   uuid PRIMARY KEY NOT NULL,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    product_id           uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    kind                 text NOT NULL CHECK (kind IN ('content', 'price', 'stock')),
    payload_hash         text NOT NULL,
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts             bigint NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at      timestamptz NOT NULL,
    last_error           text,
    -- groups rows sent in one request / the channel's task id; text since channels use ints or uuids
    batch_id             text,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX publication_outbox_change_seq_uq ON publication_outbox (change_seq);
CREATE UNIQUE INDEX publication_outbox_pending_uq ON publication_outbox (channel_id, product_id, kind) WHERE status = 'pending';
CREATE INDEX publication_outbox_due_idx ON publication_outbox (status, next_attempt_at);
CREATE INDEX publication_outbox_product_idx ON publication_outbox (product_id);
CREATE INDEX publication_outbox_batch_idx ON publication_outbox (batch_id) WHERE batch_id IS NOT NULL;

-- Projection: how many of the attributes the product's family requires for a channel are filled.
-- Recomputed when a product, its family or a channel mapping changes. CASCADE from product and channel.
CREATE TABLE completeness (
    id                   uuid PRIMARY KEY NOT NULL,
    product_id           uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    required             bigint NOT NULL DEFAULT 0 CHECK (required >= 0),
    filled               bigint NOT NULL DEFAULT 0 CHECK (filled >= 0),
    -- json list of attribute codes
    missing              jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(missing) = 'array'),
    computed_at          timestamptz NOT NULL,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT completeness_filled_le_required_check CHECK (filled <= required)
);
CREATE UNIQUE INDEX completeness_change_seq_uq ON completeness (change_seq);
CREATE UNIQUE INDEX completeness_key_uq ON completeness (product_id, channel_id);
CREATE INDEX completeness_channel_idx ON completeness (channel_id);
