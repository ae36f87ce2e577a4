-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with ../sqlite/0002_catalog.sql:
-- same tables, columns, semantics, constraint intent and index names (docs/domain.md is the contract).
-- Conventions: ids uuid (UUIDv7, app-supplied); change_seq unique, from change_counter; timestamps
-- timestamptz, app-supplied (UTC); money numeric(18,4); enums lower-case text + CHECK; json jsonb.

-- Products and the catalog structure: attribute groups, attributes and options, categories,
-- families, products with their attribute values, association types and product links.

-- Trigram indexes for search_text LIKE '%term%'. pg_trgm is a trusted extension (PG >= 13),
-- so a database owner without superuser can create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE attribute_group (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    position             bigint NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX attribute_group_change_seq_uq ON attribute_group (change_seq);
CREATE UNIQUE INDEX attribute_group_code_uq ON attribute_group (code);

CREATE TABLE attribute (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'option', 'measure')),
    -- grouping is presentational: deleting a group just ungroups its attributes
    group_id             uuid REFERENCES attribute_group (id) ON DELETE SET NULL,
    -- measure: the unit values are given in
    unit                 text,
    -- option: several options allowed (only meaningful for kind = 'option')
    multi_value          boolean NOT NULL DEFAULT false,
    position             bigint NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT attribute_multi_value_option_check CHECK (NOT multi_value OR kind = 'option')
);
CREATE UNIQUE INDEX attribute_change_seq_uq ON attribute (change_seq);
CREATE UNIQUE INDEX attribute_code_uq ON attribute (code);
CREATE INDEX attribute_group_idx ON attribute (group_id);

-- Options of an 'option' attribute; owned by the attribute (CASCADE).
CREATE TABLE attribute_option (
    id                   uuid PRIMARY KEY NOT NULL,
    attribute_id         uuid NOT NULL REFERENCES attribute (id) ON DELETE CASCADE,
    code                 text NOT NULL CHECK (code <> ''),
    label                text NOT NULL,
    position             bigint NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX attribute_option_change_seq_uq ON attribute_option (change_seq);
CREATE UNIQUE INDEX attribute_option_code_uq ON attribute_option (attribute_id, code);

-- Category tree. parent_id ON DELETE RESTRICT: a category with children cannot be deleted (move or
-- delete the children first); cycles are prevented by the app (a row can't be its own parent here).
CREATE TABLE category (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    parent_id            uuid REFERENCES category (id) ON DELETE RESTRICT,
    position             bigint NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT category_not_own_parent_check CHECK (parent_id <> id)
);
CREATE UNIQUE INDEX category_change_seq_uq ON category (change_seq);
CREATE UNIQUE INDEX category_code_uq ON category (code);
CREATE INDEX category_parent_idx ON category (parent_id);

-- Families: the attribute set of a kind of product.
CREATE TABLE family (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX family_change_seq_uq ON family (change_seq);
CREATE UNIQUE INDEX family_code_uq ON family (code);

-- Attributes of a family; written with the family (its change_seq covers them).
-- CASCADE from the family; RESTRICT from the attribute (an attribute used by a family can't be deleted).
CREATE TABLE family_attribute (
    family_id            uuid NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    attribute_id         uuid NOT NULL REFERENCES attribute (id) ON DELETE RESTRICT,
    PRIMARY KEY (family_id, attribute_id)
);
CREATE INDEX family_attribute_attribute_idx ON family_attribute (attribute_id);

-- Products. Money columns: numeric(18,4) in PostgreSQL, canonical decimal TEXT in SQLite; SQLite cannot
-- compare decimals held as text, so there the CHECK is on the shape (non-negative plain decimal) instead
-- of price >= 0 (the app validates first anyway). Defaults: currency 'RUB', stock 0, status 'draft', vat '22' (the standard
-- Russian VAT rate from 2026-01-01).
-- family_id / category_id ON DELETE RESTRICT: deleting a family or a category that products still use
-- would silently change their required attributes / placement -- reassign the products first.
CREATE TABLE product (
    id                   uuid PRIMARY KEY NOT NULL,
    sku                  text NOT NULL CHECK (sku <> ''),
    name                 text NOT NULL,
    vendor               text,
    vendor_code          text,
    -- json list of strings
    barcodes             jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(barcodes) = 'array'),
    description          text,
    -- json list of URLs / file storage keys
    pictures             jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(pictures) = 'array'),
    length_mm            bigint CHECK (length_mm >= 0),
    width_mm             bigint CHECK (width_mm >= 0),
    height_mm            bigint CHECK (height_mm >= 0),
    weight_g             bigint CHECK (weight_g >= 0),
    price                numeric(18,4) NOT NULL CHECK (price >= 0),
    old_price            numeric(18,4) CHECK (old_price >= 0),
    currency             text NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    stock                bigint NOT NULL DEFAULT 0 CHECK (stock >= 0),
    vat                  text NOT NULL DEFAULT '22' CHECK (vat IN ('none', '0', '5', '7', '10', '20', '22')),
    family_id            uuid REFERENCES family (id) ON DELETE RESTRICT,
    category_id          uuid REFERENCES category (id) ON DELETE RESTRICT,
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    -- hex of the normalized content
    content_hash         text NOT NULL,
    -- lower-cased, ё->е normalized name + sku + vendor_code + barcodes; matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX product_change_seq_uq ON product (change_seq);
CREATE UNIQUE INDEX product_sku_uq ON product (sku);
CREATE INDEX product_category_idx ON product (category_id);
CREATE INDEX product_family_idx ON product (family_id);
CREATE INDEX product_status_idx ON product (status, change_seq);
-- pg_trgm makes LIKE '%term%' on search_text an index scan (SQLite scans; fine at its scale).
CREATE INDEX product_search_trgm_idx ON product USING gin (search_text gin_trgm_ops);

-- Attribute values of a product. Written with the product (the product's change_seq covers them), so
-- no id / change_seq / timestamps. CASCADE from the product; RESTRICT from the attribute (deleting an
-- attribute must not silently wipe product data). value is typed by the attribute's kind:
-- {"text":…} {"number":"…"} {"boolean":…} {"options":[codes]} {"measure":{"amount":"…","unit":"…"}}
-- -- the app checks that it matches the kind.
CREATE TABLE product_value (
    product_id           uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    attribute_id         uuid NOT NULL REFERENCES attribute (id) ON DELETE RESTRICT,
    value                jsonb NOT NULL CHECK (jsonb_typeof(value) = 'object'),
    PRIMARY KEY (product_id, attribute_id)
);
CREATE INDEX product_value_attribute_idx ON product_value (attribute_id);

-- Kinds of product links. quantified: the link carries a quantity (PACKAGE); two_way: shown from both ends.
CREATE TABLE association_type (
    id                   uuid PRIMARY KEY NOT NULL,
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    quantified           boolean NOT NULL DEFAULT false,
    two_way              boolean NOT NULL DEFAULT false,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX association_type_change_seq_uq ON association_type (change_seq);
CREATE UNIQUE INDEX association_type_code_uq ON association_type (code);
-- Built-in association types. Fixed UUIDv7-shaped ids (timestamp part = 2025-01-01T00:00:00Z)
-- so every installation shares them; change_seq 1..4, and the counter is advanced to match.
INSERT INTO association_type (id, code, name, quantified, two_way, change_seq, created_at, updated_at) VALUES
    ('01941f29-7c00-7000-8000-000000000001', 'PACKAGE', 'Package', true, false, 1, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
    ('01941f29-7c00-7000-8000-000000000002', 'VARIANT', 'Variant', false, true, 2, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
    ('01941f29-7c00-7000-8000-000000000003', 'RELATED', 'Related', false, true, 3, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
    ('01941f29-7c00-7000-8000-000000000004', 'SIMILAR', 'Similar', false, false, 4, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
UPDATE change_counter SET value = 4 WHERE id = 1 AND value < 4;

-- Links between products; business key (association type, source, target). A package is PACKAGE from
-- the pack product to its base product with quantity N. The app enforces quantity = 1 on
-- non-quantified types. Links die with either product (CASCADE); a type in use can't be deleted (RESTRICT).
CREATE TABLE product_link (
    id                   uuid PRIMARY KEY NOT NULL,
    association_type_id  uuid NOT NULL REFERENCES association_type (id) ON DELETE RESTRICT,
    source_product_id    uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    target_product_id    uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    quantity             bigint NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT product_link_not_self_check CHECK (source_product_id <> target_product_id)
);
CREATE UNIQUE INDEX product_link_change_seq_uq ON product_link (change_seq);
-- business key; column order puts source first so it also serves "links of product X"
CREATE UNIQUE INDEX product_link_key_uq ON product_link (source_product_id, association_type_id, target_product_id);
CREATE INDEX product_link_target_idx ON product_link (target_product_id);
CREATE INDEX product_link_type_idx ON product_link (association_type_id);
