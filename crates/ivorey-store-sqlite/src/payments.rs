//! Orders and payment transactions in SQLite. Migration 8's foreign keys keep an order's contact
//! and a transaction's order and contact in one location; a refused reference is `NotFound`.
//! A payment is checked and written inside one IMMEDIATE transaction, so two payments racing
//! for the same order are serialised and cannot overpay it together.

use async_trait::async_trait;
use ivorey_core::Timestamp;
use ivorey_core::ids::{OrderId, TransactionId};
use ivorey_core::order::{Order, OrderStatus, PaymentMode, Transaction};
use ivorey_core::payment::Currency;
use ivorey_core::{ContactId, LocationId};
use ivorey_store::{
    OrderQuery, Page, PaymentOutcome, PaymentStore, StoreError, StoreResult, TransactionQuery,
    contains_pattern,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

const ORDER_COLUMNS: &str = "id, location_id, contact_id, currency, items, amount, amount_paid, \
                             status, created_at, updated_at";
const ORDER_FILTER: &str = "location_id = ?1 AND (?2 IS NULL OR status = ?2)
    AND (?3 IS NULL OR contact_id = ?3) AND (?4 IS NULL OR search_text LIKE ?4 ESCAPE '\\')
    AND (?5 IS NULL OR created_at >= ?5) AND (?6 IS NULL OR created_at < ?6)";
const TXN_COLUMNS: &str =
    "id, location_id, order_id, contact_id, currency, amount, mode, details, created_at";
const TXN_FILTER: &str = "location_id = ?1 AND (?2 IS NULL OR order_id = ?2)
    AND (?3 IS NULL OR contact_id = ?3) AND (?4 IS NULL OR mode = ?4)
    AND (?5 IS NULL OR created_at >= ?5) AND (?6 IS NULL OR created_at < ?6)";

fn corrupt(column: usize, what: &str) -> rusqlite::Error {
    conversion_err(
        column,
        std::io::Error::other(format!("stored {what} does not parse")),
    )
}

fn parsed<T, E: std::error::Error + Send + Sync + 'static>(
    column: usize,
    value: Result<T, E>,
) -> rusqlite::Result<T> {
    value.map_err(|e| conversion_err(column, e))
}

fn currency(row: &Row<'_>, column: usize) -> rusqlite::Result<Currency> {
    Currency::parse(&row.get::<_, String>(column)?).ok_or_else(|| corrupt(column, "currency"))
}

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<Order> {
    let items: String = row.get(4)?;
    Ok(Order {
        id: parsed(0, OrderId::parse(&row.get::<_, String>(0)?))?,
        location_id: parsed(1, LocationId::parse(&row.get::<_, String>(1)?))?,
        contact_id: parsed(2, ContactId::parse(&row.get::<_, String>(2)?))?,
        currency: currency(row, 3)?,
        items: parsed(4, serde_json::from_str(&items))?,
        amount: row.get(5)?,
        amount_paid: row.get(6)?,
        status: OrderStatus::parse(&row.get::<_, String>(7)?)
            .ok_or_else(|| corrupt(7, "status"))?,
        created_at: Timestamp(row.get(8)?),
        updated_at: Timestamp(row.get(9)?),
    })
}

fn transaction_from_row(row: &Row<'_>) -> rusqlite::Result<Transaction> {
    let details: String = row.get(7)?;
    Ok(Transaction {
        id: parsed(0, TransactionId::parse(&row.get::<_, String>(0)?))?,
        location_id: parsed(1, LocationId::parse(&row.get::<_, String>(1)?))?,
        order_id: parsed(2, OrderId::parse(&row.get::<_, String>(2)?))?,
        contact_id: parsed(3, ContactId::parse(&row.get::<_, String>(3)?))?,
        currency: currency(row, 4)?,
        amount: row.get(5)?,
        mode: PaymentMode::parse(&row.get::<_, String>(6)?).ok_or_else(|| corrupt(6, "mode"))?,
        details: parsed(7, serde_json::from_str(&details))?,
        created_at: Timestamp(row.get(8)?),
    })
}

fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict("record already exists")
    } else {
        db_err(e)
    }
}

fn encode(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> StoreResult<u64> {
    let n: i64 = conn
        .prepare_cached(sql)
        .map_err(db_err)?
        .query_row(params, |r| r.get(0))
        .map_err(db_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn select_order(conn: &Connection, location: &str, id: &str) -> StoreResult<Option<Order>> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1 AND location_id = ?2");
    conn.prepare_cached(&sql)
        .map_err(db_err)?
        .query_row(params![id, location], order_from_row)
        .optional()
        .map_err(db_err)
}

#[async_trait]
impl PaymentStore for SqliteStore {
    async fn create_order(&self, order: &Order) -> StoreResult<()> {
        let o = order.clone();
        self.call(move |conn| {
            conn.prepare_cached(
                "INSERT INTO orders (id, location_id, contact_id, currency, items, amount,
                 amount_paid, status, search_text, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .map_err(db_err)?
            .execute(params![
                o.id.as_str(),
                o.location_id.as_str(),
                o.contact_id.as_str(),
                o.currency.code(),
                encode(&o.items)?,
                o.amount,
                o.amount_paid,
                o.status.as_str(),
                o.search_text(),
                o.created_at.0,
                o.updated_at.0
            ])
            .map_err(write_err)?;
            Ok(())
        })
        .await
    }

    async fn get_order(&self, location: &LocationId, id: &OrderId) -> StoreResult<Option<Order>> {
        self.read_now(|conn| select_order(conn, location.as_str(), id.as_str()))
    }

    async fn list_orders(&self, location: &LocationId, q: &OrderQuery) -> StoreResult<Page<Order>> {
        let (location, q) = (location.clone(), q.clone());
        self.read(move |conn| {
            let status = q.status.map(OrderStatus::as_str);
            let contact = q.contact_id.as_ref().map(|c| c.as_str().to_owned());
            let pattern = q.search.as_deref().map(contains_pattern);
            let (from, until) = (q.from.map(|t| t.0), q.until.map(|t| t.0));
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let sql = format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE {ORDER_FILTER}
                 ORDER BY created_at DESC, id DESC LIMIT ?7 OFFSET ?8"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        status,
                        contact,
                        pattern,
                        from,
                        until,
                        q.limit,
                        offset
                    ],
                    order_from_row,
                )
                .map_err(db_err)?;
            let items = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
            let total = count(
                conn,
                &format!("SELECT COUNT(*) FROM orders WHERE {ORDER_FILTER}"),
                params![location.as_str(), status, contact, pattern, from, until],
            )?;
            Ok(Page { items, total })
        })
        .await
    }

    async fn record_payment(&self, payment: &Transaction) -> StoreResult<PaymentOutcome> {
        let p = payment.clone();
        self.call(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let Some(mut order) = select_order(&tx, p.location_id.as_str(), p.order_id.as_str())?
            else {
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
            tx.prepare_cached(
                "INSERT INTO payment_transactions (id, location_id, order_id, contact_id,
                 currency, amount, mode, details, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(db_err)?
            .execute(params![
                p.id.as_str(),
                p.location_id.as_str(),
                p.order_id.as_str(),
                p.contact_id.as_str(),
                p.currency.code(),
                p.amount,
                p.mode.as_str(),
                encode(&p.details)?,
                p.created_at.0
            ])
            .map_err(write_err)?;
            tx.prepare_cached(
                "UPDATE orders SET amount_paid = ?3, status = ?4, updated_at = ?5
                 WHERE id = ?1 AND location_id = ?2",
            )
            .map_err(db_err)?
            .execute(params![
                order.id.as_str(),
                order.location_id.as_str(),
                order.amount_paid,
                order.status.as_str(),
                order.updated_at.0
            ])
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(PaymentOutcome::Recorded(order))
        })
        .await
    }

    async fn get_transaction(
        &self,
        location: &LocationId,
        id: &TransactionId,
    ) -> StoreResult<Option<Transaction>> {
        self.read_now(|conn| {
            let sql = format!(
                "SELECT {TXN_COLUMNS} FROM payment_transactions WHERE id = ?1 AND location_id = ?2"
            );
            conn.prepare_cached(&sql)
                .map_err(db_err)?
                .query_row(
                    params![id.as_str(), location.as_str()],
                    transaction_from_row,
                )
                .optional()
                .map_err(db_err)
        })
    }

    async fn list_transactions(
        &self,
        location: &LocationId,
        q: &TransactionQuery,
    ) -> StoreResult<Page<Transaction>> {
        let (location, q) = (location.clone(), q.clone());
        self.read(move |conn| {
            let order = q.order_id.as_ref().map(|o| o.as_str().to_owned());
            let contact = q.contact_id.as_ref().map(|c| c.as_str().to_owned());
            let mode = q.mode.map(PaymentMode::as_str);
            let (from, until) = (q.from.map(|t| t.0), q.until.map(|t| t.0));
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let sql = format!(
                "SELECT {TXN_COLUMNS} FROM payment_transactions WHERE {TXN_FILTER}
                 ORDER BY created_at DESC, id DESC LIMIT ?7 OFFSET ?8"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        order,
                        contact,
                        mode,
                        from,
                        until,
                        q.limit,
                        offset
                    ],
                    transaction_from_row,
                )
                .map_err(db_err)?;
            let items = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
            let total = count(
                conn,
                &format!("SELECT COUNT(*) FROM payment_transactions WHERE {TXN_FILTER}"),
                params![location.as_str(), order, contact, mode, from, until],
            )?;
            Ok(Page { items, total })
        })
        .await
    }
}
