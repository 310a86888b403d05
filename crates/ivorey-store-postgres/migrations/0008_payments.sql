-- Orders (line items as JSON text, amounts in exact minor units of one currency) and the
-- payment transactions recorded against them. Composite foreign keys keep an order's contact,
-- and a transaction's order and contact (the order's own), in one location.
CREATE TABLE orders (
    id          TEXT COLLATE "C" PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    contact_id  TEXT COLLATE "C" NOT NULL,
    currency    TEXT NOT NULL,
    items       TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount >= 0),
    amount_paid BIGINT NOT NULL CHECK (amount_paid >= 0 AND amount_paid <= amount),
    status      TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (location_id, id),
    UNIQUE (location_id, id, contact_id),
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX orders_newest ON orders (location_id, created_at, id);
CREATE INDEX orders_by_contact ON orders (contact_id);

-- details: card, cheque, notes and meta as the payer gave them (JSON text).
CREATE TABLE payment_transactions (
    id          TEXT COLLATE "C" PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    order_id    TEXT COLLATE "C" NOT NULL,
    contact_id  TEXT COLLATE "C" NOT NULL,
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    mode        TEXT NOT NULL,
    details     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    FOREIGN KEY (location_id, order_id, contact_id)
        REFERENCES orders (location_id, id, contact_id) ON DELETE CASCADE
);
CREATE INDEX payment_transactions_newest ON payment_transactions (location_id, created_at, id);
CREATE INDEX payment_transactions_by_order ON payment_transactions (order_id);
CREATE INDEX payment_transactions_by_contact ON payment_transactions (contact_id);
