-- service_persist schema, SQLite (>= 3.45, as bundled by sqlx) dialect. Kept in lock-step with
-- ../postgres/0005_orders_crm.sql: same tables, columns, semantics, constraint intent and index names.
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

-- Orders from channels and the CRM (customers, interactions).
-- Timestamps in SQLite are RFC 3339 text as sqlx writes them (always UTC, "+00:00"); with a fixed
-- offset they sort correctly as text, so the (…, occurred_at) / (…, placed_at) indexes work there too.

-- Customers. email / phone are unique when set (partial unique indexes). The app stores them normalized
-- (email lower-cased, phone as E.164 digits) so that equality is the right comparison.
CREATE TABLE customer (
    id                   BLOB PRIMARY KEY NOT NULL,
    name                 TEXT NOT NULL,
    email                TEXT,
    phone                TEXT,
    note                 TEXT,
    -- normalized name + email + phone (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          TEXT NOT NULL DEFAULT '',
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX customer_change_seq_uq ON customer (change_seq);
CREATE UNIQUE INDEX customer_email_uq ON customer (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customer_phone_uq ON customer (phone) WHERE phone IS NOT NULL;

-- Orders ("order" is reserved). channel_id RESTRICT: orders are business records. customer_id RESTRICT:
-- a customer with orders can't be deleted (merge = move the orders first). Money: see product.
CREATE TABLE orders (
    id                   BLOB PRIMARY KEY NOT NULL,
    channel_id           BLOB NOT NULL REFERENCES channel (id) ON DELETE RESTRICT,
    -- the channel's order number
    external_id          TEXT NOT NULL CHECK (external_id <> ''),
    customer_id          BLOB REFERENCES customer (id) ON DELETE RESTRICT,
    status               TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'packed', 'shipped', 'delivered', 'cancelled', 'returned')),
    total                TEXT NOT NULL CHECK (total GLOB '[0-9]*' AND total NOT GLOB '*[^0-9.]*'),
    currency             TEXT NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    placed_at            TEXT NOT NULL,
    -- json object
    shipping_address     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(shipping_address) AND json_type(shipping_address) = 'object'),
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX orders_change_seq_uq ON orders (change_seq);
CREATE UNIQUE INDEX orders_external_uq ON orders (channel_id, external_id);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_status_idx ON orders (status, placed_at);
CREATE INDEX orders_placed_at_idx ON orders (placed_at);

-- Lines of an order; written with the order (its change_seq covers them), so no change_seq/timestamps.
-- Owned by the order (CASCADE). product_id SET NULL: the line keeps its sku/name snapshot when the
-- matched product is deleted.
CREATE TABLE order_line (
    id                   BLOB PRIMARY KEY NOT NULL,
    order_id             BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no              INTEGER NOT NULL CHECK (line_no >= 1),
    -- the matched product
    product_id           BLOB REFERENCES product (id) ON DELETE SET NULL,
    sku                  TEXT,
    external_sku         TEXT,
    name                 TEXT NOT NULL,
    quantity             INTEGER NOT NULL CHECK (quantity >= 1),
    -- unit price
    price                TEXT NOT NULL CHECK (price GLOB '[0-9]*' AND price NOT GLOB '*[^0-9.]*')
) STRICT;
CREATE UNIQUE INDEX order_line_key_uq ON order_line (order_id, line_no);
CREATE INDEX order_line_product_idx ON order_line (product_id);

-- Appended on every status change of an order (covered by the order's change_seq). Owned by the order.
CREATE TABLE order_status_history (
    id                   BLOB PRIMARY KEY NOT NULL,
    order_id             BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status               TEXT NOT NULL CHECK (status IN ('new', 'confirmed', 'packed', 'shipped', 'delivered', 'cancelled', 'returned')),
    changed_at           TEXT NOT NULL,
    -- who changed it: 'channel', 'user:<login>', a process key, ...
    source               TEXT NOT NULL,
    note                 TEXT
) STRICT;
CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, changed_at);

-- CRM timeline of a customer. Owned by the customer (CASCADE). order_id / user_id SET NULL: the note
-- survives the order or the user that it mentions.
CREATE TABLE interaction (
    id                   BLOB PRIMARY KEY NOT NULL,
    customer_id          BLOB NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    order_id             BLOB REFERENCES orders (id) ON DELETE SET NULL,
    user_id              BLOB REFERENCES app_user (id) ON DELETE SET NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('note', 'call', 'email', 'message', 'order_event')),
    direction            TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    medium               TEXT CHECK (medium IN ('telegram', 'email', 'vk', 'phone', 'web')),
    subject              TEXT,
    body                 TEXT NOT NULL,
    occurred_at          TEXT NOT NULL,
    change_seq           INTEGER NOT NULL CHECK (change_seq >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX interaction_change_seq_uq ON interaction (change_seq);
CREATE INDEX interaction_customer_idx ON interaction (customer_id, occurred_at);
CREATE INDEX interaction_order_idx ON interaction (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX interaction_user_idx ON interaction (user_id) WHERE user_id IS NOT NULL;
