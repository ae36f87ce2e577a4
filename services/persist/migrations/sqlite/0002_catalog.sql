-- service_persist schema, SQLite (>= 3.45, as bundled by sqlx) dialect. Kept in lock-step with
-- ../postgres/0002_catalog.sql: same tables, columns, semantics, constraint intent and index names.
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

-- Products and the catalog structure: attribute groups, attributes and options, categories,
-- families, products with their attribute values, association types and product links.

CREATE TABLE attribute_group (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    position             INTEGER NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX attribute_group_change_seq_uq ON attribute_group (change_seq);
CREATE UNIQUE INDEX attribute_group_code_uq ON attribute_group (code);

CREATE TABLE attribute (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('text', 'number', 'boolean', 'option', 'measure')),
    -- grouping is presentational: deleting a group just ungroups its attributes
    group_id             BLOB REFERENCES attribute_group (id) ON DELETE SET NULL,
    -- measure: the unit values are given in
    unit                 TEXT,
    -- option: several options allowed (only meaningful for kind = 'option')
    multi_value          INTEGER NOT NULL DEFAULT 0 CHECK (multi_value IN (0, 1)),
    position             INTEGER NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT attribute_multi_value_option_check CHECK (multi_value = 0 OR kind = 'option')
) STRICT;
CREATE UNIQUE INDEX attribute_change_seq_uq ON attribute (change_seq);
CREATE UNIQUE INDEX attribute_code_uq ON attribute (code);
CREATE INDEX attribute_group_idx ON attribute (group_id);

-- Options of an 'option' attribute; owned by the attribute (CASCADE).
CREATE TABLE attribute_option (
    id                   BLOB PRIMARY KEY NOT NULL,
    attribute_id         BLOB NOT NULL REFERENCES attribute (id) ON DELETE CASCADE,
    code                 TEXT NOT NULL CHECK (code <> ''),
    label                TEXT NOT NULL,
    position             INTEGER NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX attribute_option_change_seq_uq ON attribute_option (change_seq);
CREATE UNIQUE INDEX attribute_option_code_uq ON attribute_option (attribute_id, code);

-- Category tree. parent_id ON DELETE RESTRICT: a category with children cannot be deleted (move or
-- delete the children first); cycles are prevented by the app (a row can't be its own parent here).
CREATE TABLE category (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    parent_id            BLOB REFERENCES category (id) ON DELETE RESTRICT,
    position             INTEGER NOT NULL DEFAULT 0,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT category_not_own_parent_check CHECK (parent_id <> id)
) STRICT;
CREATE UNIQUE INDEX category_change_seq_uq ON category (change_seq);
CREATE UNIQUE INDEX category_code_uq ON category (code);
CREATE INDEX category_parent_idx ON category (parent_id);

-- Families: the attribute set of a kind of product.
CREATE TABLE family (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    -- normalized code + name/label (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX family_change_seq_uq ON family (change_seq);
CREATE UNIQUE INDEX family_code_uq ON family (code);

-- Attributes of a family; written with the family (its change_seq covers them).
-- CASCADE from the family; RESTRICT from the attribute (an attribute used by a family can't be deleted).
CREATE TABLE family_attribute (
    family_id            BLOB NOT NULL REFERENCES family (id) ON DELETE CASCADE,
    attribute_id         BLOB NOT NULL REFERENCES attribute (id) ON DELETE RESTRICT,
    PRIMARY KEY (family_id, attribute_id)
) STRICT;
CREATE INDEX family_attribute_attribute_idx ON family_attribute (attribute_id);

-- Products. Money columns: numeric(18,4) in PostgreSQL, canonical decimal TEXT in SQLite; SQLite cannot
-- compare decimals held as text, so there the CHECK is on the shape (non-negative plain decimal) instead
-- of price >= 0 (the app validates first anyway). Defaults: currency 'RUB', stock 0, status 'draft', vat '22' (the standard
-- Russian VAT rate from 2026-01-01).
-- family_id / category_id ON DELETE RESTRICT: deleting a family or a category that products still use
-- would silently change their required attributes / placement -- reassign the products first.
CREATE TABLE product (
    id                   BLOB PRIMARY KEY NOT NULL,
    sku                  TEXT NOT NULL CHECK (sku <> ''),
    name                 TEXT NOT NULL,
    vendor               TEXT,
    vendor_code          TEXT,
    -- json list of strings
    barcodes             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(barcodes) AND json_type(barcodes) = 'array'),
    description          TEXT,
    -- json list of URLs / file storage keys
    pictures             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pictures) AND json_type(pictures) = 'array'),
    length_mm            INTEGER CHECK (length_mm >= 0),
    width_mm             INTEGER CHECK (width_mm >= 0),
    height_mm            INTEGER CHECK (height_mm >= 0),
    weight_g             INTEGER CHECK (weight_g >= 0),
    price                TEXT NOT NULL CHECK (price GLOB '[0-9]*' AND price NOT GLOB '*[^0-9.]*'),
    old_price            TEXT CHECK (old_price GLOB '[0-9]*' AND old_price NOT GLOB '*[^0-9.]*'),
    currency             TEXT NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    stock                INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    vat                  TEXT NOT NULL DEFAULT '22' CHECK (vat IN ('none', '0', '5', '7', '10', '20', '22')),
    family_id            BLOB REFERENCES family (id) ON DELETE RESTRICT,
    category_id          BLOB REFERENCES category (id) ON DELETE RESTRICT,
    status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    -- hex of the normalized content
    content_hash         TEXT NOT NULL,
    -- lower-cased, ё->е normalized name + sku + vendor_code + barcodes; matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX product_change_seq_uq ON product (change_seq);
CREATE UNIQUE INDEX product_sku_uq ON product (sku);
CREATE INDEX product_category_idx ON product (category_id);
CREATE INDEX product_family_idx ON product (family_id);
CREATE INDEX product_status_idx ON product (status, change_seq);

-- Attribute values of a product. Written with the product (the product's change_seq covers them), so
-- no id / change_seq / timestamps. CASCADE from the product; RESTRICT from the attribute (deleting an
-- attribute must not silently wipe product data). value is typed by the attribute's kind:
-- {"text":…} {"number":"…"} {"boolean":…} {"options":[codes]} {"measure":{"amount":"…","unit":"…"}}
-- -- the app checks that it matches the kind.
CREATE TABLE product_value (
    product_id           BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    attribute_id         BLOB NOT NULL REFERENCES attribute (id) ON DELETE RESTRICT,
    value                TEXT NOT NULL CHECK (json_valid(value) AND json_type(value) = 'object'),
    PRIMARY KEY (product_id, attribute_id)
) STRICT;
CREATE INDEX product_value_attribute_idx ON product_value (attribute_id);

-- Kinds of product links. quantified: the link carries a quantity (PACKAGE); two_way: shown from both ends.
CREATE TABLE association_type (
    id                   BLOB PRIMARY KEY NOT NULL,
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    quantified           INTEGER NOT NULL DEFAULT 0 CHECK (quantified IN (0, 1)),
    two_way              INTEGER NOT NULL DEFAULT 0 CHECK (two_way IN (0, 1)),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX association_type_change_seq_uq ON association_type (change_seq);
CREATE UNIQUE INDEX association_type_code_uq ON association_type (code);
-- Built-in association types. Fixed UUIDv7-shaped ids (timestamp part = 2025-01-01T00:00:00Z)
-- so every installation shares them; change_seq 1..4, and the counter is advanced to match.
INSERT INTO association_type (id, code, name, quantified, two_way, change_seq, created_at, updated_at) VALUES
    (X'01941F297C0070008000000000000001', 'PACKAGE', 'Package', 1, 0, 1, '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00'),
    (X'01941F297C0070008000000000000002', 'VARIANT', 'Variant', 0, 1, 2, '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00'),
    (X'01941F297C0070008000000000000003', 'RELATED', 'Related', 0, 1, 3, '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00'),
    (X'01941F297C0070008000000000000004', 'SIMILAR', 'Similar', 0, 0, 4, '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00');
UPDATE change_counter SET value = 4 WHERE id = 1 AND value < 4;

-- Links between products; business key (association type, source, target). A package is PACKAGE from
-- the pack product to its base product with quantity N. The app enforces quantity = 1 on
-- non-quantified types. Links die with either product (CASCADE); a type in use can't be deleted (RESTRICT).
CREATE TABLE product_link (
    id                   BLOB PRIMARY KEY NOT NULL,
    association_type_id  BLOB NOT NULL REFERENCES association_type (id) ON DELETE RESTRICT,
    source_product_id    BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    target_product_id    BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    quantity             INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT product_link_not_self_check CHECK (source_product_id <> target_product_id)
) STRICT;
CREATE UNIQUE INDEX product_link_change_seq_uq ON product_link (change_seq);
-- business key; column order puts source first so it also serves "links of product X"
CREATE UNIQUE INDEX product_link_key_uq ON product_link (source_product_id, association_type_id, target_product_id);
CREATE INDEX product_link_target_idx ON product_link (target_product_id);
CREATE INDEX product_link_type_idx ON product_link (association_type_id);
