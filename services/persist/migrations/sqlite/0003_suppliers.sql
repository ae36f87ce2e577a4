-- service_persist schema, SQLite (>= 3.45, as bundled by sqlx) dialect. Kept in lock-step with
-- ../postgres/0003_suppliers.sql: same tables, columns, semantics, constraint intent and index names.
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

-- Suppliers, their feed items, import runs and the supplier item -> product links.

CREATE TABLE supplier (
    id                   BLOB PRIMARY KEY NOT NULL,
    -- slug
    code                 TEXT NOT NULL CHECK (code <> ''),
    name                 TEXT NOT NULL,
    feed_url             TEXT,
    feed_format          TEXT NOT NULL CHECK (feed_format IN ('yml', 'xml', 'csv', 'xlsx', 'json')),
    -- cron expression
    schedule             TEXT,
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- json object, no secrets
    settings             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings) AND json_type(settings) = 'object'),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX supplier_change_seq_uq ON supplier (change_seq);
CREATE UNIQUE INDEX supplier_code_uq ON supplier (code);

-- One run of a supplier feed import. Runs belong to their supplier (CASCADE); a supplier that still has
-- items can't be deleted anyway (supplier_item.supplier_id is RESTRICT).
-- Counters: read = items read from the feed; the other five split them by outcome.
CREATE TABLE import_run (
    id                   BLOB PRIMARY KEY NOT NULL,
    supplier_id          BLOB NOT NULL REFERENCES supplier (id) ON DELETE CASCADE,
    -- where the feed came from: URL, uploaded file key, 'manual', ...
    source               TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at           TEXT NOT NULL,
    finished_at          TEXT,
    read                 INTEGER NOT NULL DEFAULT 0 CHECK (read >= 0),
    created              INTEGER NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated              INTEGER NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged            INTEGER NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    rejected             INTEGER NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    gone                 INTEGER NOT NULL DEFAULT 0 CHECK (gone >= 0),
    error                TEXT,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX import_run_change_seq_uq ON import_run (change_seq);
CREATE INDEX import_run_supplier_idx ON import_run (supplier_id, started_at);

-- What a supplier sends, one row per (supplier, offer id). supplier_id ON DELETE RESTRICT: a supplier
-- with items can't be deleted (deactivate it, or delete its items first). last_import_run_id is SET NULL
-- when old runs are pruned. Money: see product.
CREATE TABLE supplier_item (
    id                   BLOB PRIMARY KEY NOT NULL,
    supplier_id          BLOB NOT NULL REFERENCES supplier (id) ON DELETE RESTRICT,
    offer_id             TEXT NOT NULL CHECK (offer_id <> ''),
    name                 TEXT NOT NULL,
    vendor               TEXT,
    vendor_code          TEXT,
    -- json list of strings
    barcodes             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(barcodes) AND json_type(barcodes) = 'array'),
    description          TEXT,
    -- the supplier's own category path
    category_name        TEXT,
    url                  TEXT,
    -- json list of URLs
    pictures             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pictures) AND json_type(pictures) = 'array'),
    price                TEXT NOT NULL CHECK (price GLOB '[0-9]*' AND price NOT GLOB '*[^0-9.]*'),
    old_price            TEXT CHECK (old_price GLOB '[0-9]*' AND old_price NOT GLOB '*[^0-9.]*'),
    currency             TEXT NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    -- NULL = the supplier does not report a quantity
    stock                INTEGER CHECK (stock >= 0),
    available            INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
    -- the supplier sells it in packs of N
    pack_quantity        INTEGER NOT NULL DEFAULT 1 CHECK (pack_quantity >= 1),
    -- the supplier's variant group
    group_id             TEXT,
    -- json [{name, value, unit?}]
    params               TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(params) AND json_type(params) = 'array'),
    weight_g             INTEGER CHECK (weight_g >= 0),
    length_mm            INTEGER CHECK (length_mm >= 0),
    width_mm             INTEGER CHECK (width_mm >= 0),
    height_mm            INTEGER CHECK (height_mm >= 0),
    -- hex of the normalized content
    content_hash         TEXT NOT NULL,
    last_import_run_id   BLOB REFERENCES import_run (id) ON DELETE SET NULL,
    -- lower-cased, ё->е normalized name + offer_id + vendor_code + barcodes
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX supplier_item_change_seq_uq ON supplier_item (change_seq);
CREATE UNIQUE INDEX supplier_item_offer_uq ON supplier_item (supplier_id, offer_id);
CREATE INDEX supplier_item_supplier_seq_idx ON supplier_item (supplier_id, change_seq);
CREATE INDEX supplier_item_group_idx ON supplier_item (supplier_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX supplier_item_import_run_idx ON supplier_item (last_import_run_id);

-- Per-item outcome of an import run; owned by the run (CASCADE).
CREATE TABLE import_item_report (
    id                   BLOB PRIMARY KEY NOT NULL,
    import_run_id        BLOB NOT NULL REFERENCES import_run (id) ON DELETE CASCADE,
    -- line / row number in the feed, when it has one
    line                 INTEGER CHECK (line >= 0),
    offer_id             TEXT,
    outcome              TEXT NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'rejected', 'gone')),
    reason               TEXT,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX import_item_report_change_seq_uq ON import_item_report (change_seq);
-- serves both "reports of run R" and "rejected items of run R"
CREATE INDEX import_item_report_run_idx ON import_item_report (import_run_id, outcome);

-- Which product a supplier item supplies (at most one product per item). Lower priority wins: the best
-- offer drives the product's price and stock. CASCADE from both ends: the link means nothing without
-- either of them (the item and the product themselves survive).
CREATE TABLE supplier_item_link (
    id                   BLOB PRIMARY KEY NOT NULL,
    supplier_item_id     BLOB NOT NULL REFERENCES supplier_item (id) ON DELETE CASCADE,
    product_id           BLOB NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    priority             INTEGER NOT NULL DEFAULT 0 CHECK (priority >= 0),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX supplier_item_link_change_seq_uq ON supplier_item_link (change_seq);
CREATE UNIQUE INDEX supplier_item_link_item_uq ON supplier_item_link (supplier_item_id);
CREATE INDEX supplier_item_link_product_idx ON supplier_item_link (product_id, priority);
