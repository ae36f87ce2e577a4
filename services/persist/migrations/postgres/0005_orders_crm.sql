-- service_persist schema, PostgreSQL 15 dialect. Kept in lock-step with ../sqlite/0005_orders_crm.sql:
-- same tables, columns, semantics, constraint intent and index names (docs/domain.md is the contract).
-- Conventions: ids uuid (UUIDv7, app-supplied); change_seq unique, from change_counter; timestamps
-- timestamptz, app-supplied (UTC); money numeric(18,4); enums lower-case text + CHECK; json jsonb.

-- Orders from channels and the CRM (customers, interactions).
-- Timestamps in SQLite are RFC 3339 text as sqlx writes them (always UTC, "+00:00"); with a fixed
-- offset they sort correctly as text, so the (…, occurred_at) / (…, placed_at) indexes work there too.

-- Customers. email / phone are unique when set (partial unique indexes). The app stores them normalized
-- (email lower-cased, phone as E.164 digits) so that equality is the right comparison.
CREATE TABLE customer (
    id                   uuid PRIMARY KEY NOT NULL,
    name                 text NOT NULL,
    email                text,
    phone                text,
    note                 text,
    -- normalized name + email + phone (carpetti_util::search_text), matched with LIKE '%term%'
    search_text          text NOT NULL DEFAULT '',
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX customer_change_seq_uq ON customer (change_seq);
CREATE UNIQUE INDEX customer_email_uq ON customer (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customer_phone_uq ON customer (phone) WHERE phone IS NOT NULL;

-- Orders ("order" is reserved). channel_id RESTRICT: orders are business records. customer_id RESTRICT:
-- a customer with orders can't be deleted (merge = move the orders first). Money: see product.
CREATE TABLE orders (
    id                   uuid PRIMARY KEY NOT NULL,
    channel_id           uuid NOT NULL REFERENCES channel (id) ON DELETE RESTRICT,
    -- the channel's order number
    external_id          text NOT NULL CHECK (external_id <> ''),
    customer_id          uuid REFERENCES customer (id) ON DELETE RESTRICT,
    status               text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'packed', 'shipped', 'delivered', 'cancelled', 'returned')),
    total                numeric(18,4) NOT NULL CHECK (total >= 0),
    currency             text NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3 AND currency = upper(currency)),
    placed_at            timestamptz NOT NULL,
    -- json object
    shipping_address     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(shipping_address) = 'object'),
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX orders_change_seq_uq ON orders (change_seq);
CREATE UNIQUE INDEX orders_external_uq ON orders (channel_id, external_id);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_status_idx ON orders (status, placed_at);
CREATE INDEX orders_placed_at_idx ON orders (placed_at);

-- Lines of an order; written with the order (its change_seq covers them), so no change_seq/timestamps.
-- Owned by the order (CASCADE). product_id SET NULL: the line keeps its sku/name snapshot when the
-- matched product is deleted.
CREATE TABLE order_line (
    id                   uuid PRIMARY KEY NOT NULL,
    order_id             uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no              bigint NOT NULL CHECK (line_no >= 1),
    -- the matched product
    product_id           uuid REFERENCES product (id) ON DELETE SET NULL,
    sku                  text,
    external_sku         text,
    name                 text NOT NULL,
    quantity             bigint NOT NULL CHECK (quantity >= 1),
    -- unit price
    price                numeric(18,4) NOT NULL CHECK (price >= 0)
);
CREATE UNIQUE INDEX order_line_key_uq ON order_line (order_id, line_no);
CREATE INDEX order_line_product_idx ON order_line (product_id);

-- Appended on every status change of an order (covered by the order's change_seq). Owned by the order.
CREATE TABLE order_status_history (
    id                   uuid PRIMARY KEY NOT NULL,
    order_id             uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status               text NOT NULL CHECK (status IN ('new', 'confirmed', 'packed', 'shipped', 'delivered', 'cancelled', 'returned')),
    changed_at           timestamptz NOT NULL,
    -- who changed it: 'channel', 'user:<login>', a process key, ...
    source               text NOT NULL,
    note                 text
);
CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, changed_at);

-- CRM timeline of a customer. Owned by the customer (CASCADE). order_id / user_id SET NULL: the note
-- survives the order or the user that it mentions.
CREATE TABLE interaction (
    id                   uuid PRIMARY KEY NOT NULL,
    customer_id          uuid NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
    order_id             uuid REFERENCES orders (id) ON DELETE SET NULL,
    user_id              uuid REFERENCES app_user (id) ON DELETE SET NULL,
    kind                 text NOT NULL CHECK (kind IN ('note', 'call', 'email', 'message', 'order_event')),
    direction            text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    medium               text CHECK (medium IN ('telegram', 'email', 'vk', 'phone', 'web')),
    subject              text,
    body                 text NOT NULL,
    occurred_at          timestamptz NOT NULL,
    change_seq           bigint NOT NULL CHECK (change_seq >= 1),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX interaction_change_seq_uq ON interaction (change_seq);
CREATE INDEX interaction_customer_idx ON interaction (customer_id, occurred_at);
CREATE INDEX interaction_order_idx ON interaction (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX interaction_user_idx ON interaction (user_id) WHERE user_id IS NOT NULL;
