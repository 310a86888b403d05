//! Orders and payment transactions. Migration 8's foreign keys keep an order's contact and a
//! transaction's order and contact in one location, so a refused reference is `NotFound`.
//!
//! A payment is checked and written in one write, so two payments racing for the same order
//! are serialised and cannot overpay it together: on PostgreSQL it locks its order's row
//! (`FOR UPDATE`) before checking what is due; on SQLite the write already holds the
//! database's write lock (`BEGIN IMMEDIATE`).

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::ids::{OrderId, TransactionId};
use ivorey_core::order::{Order, OrderStatus, PaymentMode, Transaction};
use ivorey_core::payment::Currency;

use super::{Dialect, Row, Sql, SqlBackend, corrupt, id, ts};
use crate::{
    OrderQuery, Page, PaymentOutcome, PaymentStore, StoreError, StoreResult, TransactionQuery,
    contains_pattern, params, run,
};

macro_rules! order_columns {
    () => {
        "id, location_id, contact_id, currency, items, amount, amount_paid, status, created_at, \
         updated_at"
    };
}
/// The order filters; `$2`..`$6` are NULL when not given (cast, so PostgreSQL knows their
/// type where it sees only `IS NULL`).
macro_rules! order_filter {
    () => {
        "location_id = $1 AND (CAST($2 AS TEXT) IS NULL OR status = $2)
         AND (CAST($3 AS TEXT) IS NULL OR contact_id = $3)
         AND (CAST($4 AS TEXT) IS NULL OR search_text LIKE $4 ESCAPE '\\')
         AND (CAST($5 AS BIGINT) IS NULL OR created_at >= $5)
         AND (CAST($6 AS BIGINT) IS NULL OR created_at < $6)"
    };
}
macro_rules! txn_columns {
    () => {
        "id, location_id, order_id, contact_id, currency, amount, mode, details, created_at"
    };
}
/// The transaction filters, as the order filters.
macro_rules! txn_filter {
    () => {
        "location_id = $1 AND (CAST($2 AS TEXT) IS NULL OR order_id = $2)
         AND (CAST($3 AS TEXT) IS NULL OR contact_id = $3)
         AND (CAST($4 AS TEXT) IS NULL OR mode = $4)
         AND (CAST($5 AS BIGINT) IS NULL OR created_at >= $5)
         AND (CAST($6 AS BIGINT) IS NULL OR created_at < $6)"
    };
}

static INSERT_ORDER: Sql = Sql::new(
    "INSERT INTO orders (id, location_id, contact_id, currency, items, amount, amount_paid,
     status, search_text, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
);
static GET_ORDER: Sql = Sql::new(concat!(
    "SELECT ",
    order_columns!(),
    " FROM orders WHERE id = $1 AND location_id = $2"
));
/// The same, locking the order's row until the payment commits (PostgreSQL).
static GET_ORDER_LOCKED: Sql = Sql::new(concat!(
    "SELECT ",
    order_columns!(),
    " FROM orders WHERE id = $1 AND location_id = $2 FOR UPDATE"
));
static LIST_ORDERS: Sql = Sql::new(concat!(
    "SELECT ",
    order_columns!(),
    " FROM orders WHERE ",
    order_filter!(),
    "
     ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
));
static COUNT_ORDERS: Sql = Sql::new(concat!(
    "SELECT COUNT(*) FROM orders WHERE ",
    order_filter!()
));
static INSERT_TRANSACTION: Sql = Sql::new(
    "INSERT INTO payment_transactions (id, location_id, order_id, contact_id, currency, amount,
     mode, details, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
);
static PAY_ORDER: Sql = Sql::new(
    "UPDATE orders SET amount_paid = $3, status = $4, updated_at = $5
     WHERE id = $1 AND location_id = $2",
);
static GET_TRANSACTION: Sql = Sql::new(concat!(
    "SELECT ",
    txn_columns!(),
    " FROM payment_transactions WHERE id = $1 AND location_id = $2"
));
static LIST_TRANSACTIONS: Sql = Sql::new(concat!(
    "SELECT ",
    txn_columns!(),
    " FROM payment_transactions WHERE ",
    txn_filter!(),
    "
     ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
));
static COUNT_TRANSACTIONS: Sql = Sql::new(concat!(
    "SELECT COUNT(*) FROM payment_transactions WHERE ",
    txn_filter!()
));

fn currency(row: &dyn Row, i: usize) -> StoreResult<Currency> {
    Currency::parse(row.str(i)?).ok_or_else(|| corrupt("currency"))
}

fn order(row: &dyn Row) -> StoreResult<Order> {
    Ok(Order {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        contact_id: id(row, 2)?,
        currency: currency(row, 3)?,
        items: row.json(4, "order items")?,
        amount: row.int(5)?,
        amount_paid: row.int(6)?,
        status: OrderStatus::parse(row.str(7)?).ok_or_else(|| corrupt("order status"))?,
        created_at: ts(row, 8)?,
        updated_at: ts(row, 9)?,
    })
}

fn transaction(row: &dyn Row) -> StoreResult<Transaction> {
    Ok(Transaction {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        order_id: id(row, 2)?,
        contact_id: id(row, 3)?,
        currency: currency(row, 4)?,
        amount: row.int(5)?,
        mode: PaymentMode::parse(row.str(6)?).ok_or_else(|| corrupt("payment mode"))?,
        details: row.json(7, "payment details")?,
        created_at: ts(row, 8)?,
    })
}

fn count(row: &dyn Row) -> StoreResult<u64> {
    Ok(u64::try_from(row.int(0)?).unwrap_or(0))
}

fn encode(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(format!("encoding: {e}")))
}

#[async_trait]
impl<B: SqlBackend> PaymentStore for B {
    async fn create_order(&self, o: &Order) -> StoreResult<()> {
        let items = encode(&o.items)?;
        run!(self.write, [o], |db| {
            let search_text = o.search_text();
            let row = params![
                &o.id,
                &o.location_id,
                &o.contact_id,
                o.currency.code(),
                &items,
                o.amount,
                o.amount_paid,
                o.status.as_str(),
                &search_text,
                o.created_at,
                o.updated_at
            ];
            db.execute(&INSERT_ORDER, row).await.map(drop)
        })
    }

    async fn get_order(&self, location: &LocationId, id: &OrderId) -> StoreResult<Option<Order>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET_ORDER, params![&id, &location], order).await
        })
    }

    async fn list_orders(&self, location: &LocationId, q: &OrderQuery) -> StoreResult<Page<Order>> {
        run!(self.read, [location, q], |db| {
            let status = q.status.map(OrderStatus::as_str);
            let contact = q.contact_id.as_ref();
            let pattern = q.search.as_deref().map(contains_pattern);
            let (from, until) = (q.from, q.until);
            let limit = i64::from(q.limit);
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let page = params![
                &location,
                status,
                contact,
                pattern.as_ref(),
                from,
                until,
                limit,
                offset
            ];
            let items = db.rows(&LIST_ORDERS, page, order).await?;
            let filters = params![&location, status, contact, pattern.as_ref(), from, until];
            let total = db.one(&COUNT_ORDERS, filters, count).await?;
            Ok(Page { items, total })
        })
    }

    async fn record_payment(&self, p: &Transaction) -> StoreResult<PaymentOutcome> {
        let details = encode(&p.details)?;
        run!(self.write, [p], |db| {
            let select = match db.dialect() {
                Dialect::Postgres => &GET_ORDER_LOCKED,
                Dialect::Sqlite => &GET_ORDER,
            };
            let found = db
                .opt(select, params![&p.order_id, &p.location_id], order)
                .await?;
            let Some(mut order) = found else {
                return Err(StoreError::NotFound);
            };
            if order.contact_id != p.contact_id || order.currency != p.currency {
                return Err(StoreError::NotFound);
            }
            if p.amount > order.amount_due() {
                return Ok(PaymentOutcome::Overpaid {
                    due: order.amount_due(),
                });
            }
            order.amount_paid += p.amount;
            order.status = OrderStatus::for_paid(order.amount, order.amount_paid);
            order.updated_at = p.created_at;
            let row = params![
                &p.id,
                &p.location_id,
                &p.order_id,
                &p.contact_id,
                p.currency.code(),
                p.amount,
                p.mode.as_str(),
                &details,
                p.created_at
            ];
            db.execute(&INSERT_TRANSACTION, row).await?;
            let row = params![
                &order.id,
                &order.location_id,
                order.amount_paid,
                order.status.as_str(),
                order.updated_at
            ];
            db.execute(&PAY_ORDER, row).await?;
            Ok(PaymentOutcome::Recorded(order))
        })
    }

    async fn get_transaction(
        &self,
        location: &LocationId,
        id: &TransactionId,
    ) -> StoreResult<Option<Transaction>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET_TRANSACTION, params![&id, &location], transaction)
                .await
        })
    }

    async fn list_transactions(
        &self,
        location: &LocationId,
        q: &TransactionQuery,
    ) -> StoreResult<Page<Transaction>> {
        run!(self.read, [location, q], |db| {
            let order = q.order_id.as_ref();
            let contact = q.contact_id.as_ref();
            let mode = q.mode.map(PaymentMode::as_str);
            let (from, until) = (q.from, q.until);
            let limit = i64::from(q.limit);
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let page = params![&location, order, contact, mode, from, until, limit, offset];
            let items = db.rows(&LIST_TRANSACTIONS, page, transaction).await?;
            let filters = params![&location, order, contact, mode, from, until];
            let total = db.one(&COUNT_TRANSACTIONS, filters, count).await?;
            Ok(Page { items, total })
        })
    }
}
