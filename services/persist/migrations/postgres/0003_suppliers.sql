-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with ../sqlite/0003_suppliers.sql:
-- same tables, columns, semantics, constraint intent and index names (docs/domain.md is the contract).
-- Conventions: ids uuid (UUIDv7, app-supplied); change_seq unique, from change_counter; timestamps
-- timestamptz, app-supplied (UTC); money numeric(18,4); enums lower-case text + CHECK; json jsonb.

-- Suppliers, their feed items, import runs and the supplier item -> product links.

CREATE TABLE supplier (
    id                   uuid PRIMARY KEY NOT NULL,
    -- slug
    code                 text NOT NULL CHECK (code <> ''),
    name                 text NOT NULL,
    feed_url             text,
    feed_format          text NOT NULL CHECK (feed_format IN ('yml', 'xml', 'csv', 'xlsx', 'json')),
    -- cron expression
    schedule             text,
    active               boolean NOT NULL DEFAULT true,
    -- json object, no secrets
    settings             jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX supplier_change_seq_uq ON supplier (change_seq);
CREATE UNIQUE INDEX supplier_code_uq ON supplier (code);

-- One run of a supplier feed import. Runs belong to their supplier (CASCADE); a supplier that still has
-- items can't be deleted anyway (supplier_item.supplier_id is RESTRICT).
-- Counters: read = items read from the feed; the other five split them by outcome.
CREATE TABLE import_run (
    id                   uuid PRIMARY KEY NOT NULL,
    supplier_id          uuid NOT NULL REFERENCES supplier (id) ON DELETE CASCADE,
    -- where the feed came from: URL, uploaded file key, 'manual', ...
    source               text NOT NULL,
    status               text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    read                 bigint NOT NULL DEFAULT 0 CHECK (read >= 0),
    created              bigint NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated              bigint NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged            bigint NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    rejected             bigint NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    gone                 bigint NOT NULL DEFAULT 0 CHECK (gone >= 0),
    error                text,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX import_run_change_seq_uq ON import_run (change_seq);
CREATE INDEX import_run_supplier_idx ON import_run (supplier_id, started_at);

-- What a supplier sends, one row per (supplier, offer id). supplier_id ON DELETE RESTRICT: a supplier
-- with items can't be deleted (deactivate it, or delete its items first). last_import_run_id is SET NULL
-- when old runs are pruned. Money: see product.
CREATE TABLE supplier_item (
    id                   uuid PRIMARY KEY NOT NULL,
    supplier_id          uuid NOT NULL REFERENCES supplier (id) ON DELETE RESTRICT,
    offer_id             text NOT NULL CHECK (offer_id <> ''),
    name                 text NOT NULL,
    vendor               text,
    vendor_code          text,
    -- json list of strings
    barcodes             jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(barcodes) = 'array'),
    description          text,
    -- the supplier's own category path
    category_name        text,
    url                  text,
    -- json list of URLs
    pictures             jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(pictures) = 'array'),
    price                numeric(18,4) NOT NULL CHECK (price >= 0),
    old_price            numeric(18,4) CHECK (old_price >= 0),
    currency             text NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    -- NULL = the supplier does not report a quantity
    stock                bigint CHECK (stock >= 0),
    available            boolean NOT NULL DEFAULT true,
    -- the supplier sells it in packs of N
    pack_quantity        bigint NOT NULL DEFAULT 1 CHECK (pack_quantity >= 1),
    -- the supplier's variant group
    group_id             text,
    -- json [{name, value, unit?}]
    params               jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(params) = 'array'),
    weight_g             bigint CHECK (weight_g >= 0),
    length_mm            bigint CHECK (length_mm >= 0),
    width_mm             bigint CHECK (width_mm >= 0),
    height_mm            bigint CHECK (height_mm >= 0),
    -- hex of the normalized content
    content_hash         text NOT NULL,
    last_import_run_id   uuid REFERENCES import_run (id) ON DELETE SET NULL,
    -- lower-cased, ё->е normalized name + offer_id + vendor_code + barcodes
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX supplier_item_change_seq_uq ON supplier_item (change_seq);
CREATE UNIQUE INDEX supplier_item_offer_uq ON supplier_item (supplier_id, offer_id);
CREATE INDEX supplier_item_supplier_seq_idx ON supplier_item (supplier_id, change_seq);
CREATE INDEX supplier_item_group_idx ON supplier_item (supplier_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX supplier_item_import_run_idx ON supplier_item (last_import_run_id);
-- No trigram index on supplier_item.search_text, deliberately: a GIN trigram index makes every
-- imported row ~100 index entries and cut bulk import throughput by 3-4x (measured: 100k rows in
-- 3.9 s with it, 1.1 s without). Supplier items are searched within one supplier (the
-- (supplier_id, …) indexes narrow the scan); the catalog search that people use all day is on
-- product.search_text, which keeps its trigram index.

-- Per-item outcome of an import run; owned by the run (CASCADE).
CREATE TABLE import_item_report (
    id                   uuid PRIMARY KEY NOT NULL,
    import_run_id        uuid NOT NULL REFERENCES import_run (id) ON DELETE CASCADE,
    -- line / row number in the feed, when it has one
    line                 bigint CHECK (line >= 0),
    offer_id             text,
    outcome              text NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'rejected', 'gone')),
    reason               text,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX import_item_report_change_seq_uq ON import_item_report (change_seq);
-- serves both "reports of run R" and "rejected items of run R"
CREATE INDEX import_item_report_run_idx ON import_item_report (import_run_id, outcome);

-- Which product a supplier item supplies (at most one product per item). Lower priority wins: the best
-- offer drives the product's price and stock. CASCADE from both ends: the link means nothing without
-- either of them (the item and the product themselves survive).
CREATE TABLE supplier_item_link (
    id                   uuid PRIMARY KEY NOT NULL,
    supplier_item_id     uuid NOT NULL REFERENCES supplier_item (id) ON DELETE CASCADE,
    product_id           uuid NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    priority             bigint NOT NULL DEFAULT 0 CHECK (priority >= 0),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX supplier_item_link_change_seq_uq ON supplier_item_link (change_seq);
CREATE UNIQUE INDEX supplier_item_link_item_uq ON supplier_item_link (supplier_item_id);
CREATE INDEX supplier_item_link_product_idx ON supplier_item_link (product_id, priority);
