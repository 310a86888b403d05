//! Orders and payment transactions. Migration 8's foreign keys keep an order's contact and a
//! transaction's order and contact in one location (a violation maps to `NotFound`). A payment
//! locks its order row (`FOR UPDATE`) before checking what is due, so concurrent payments are
//! serialised and cannot overpay it together.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::ids::{OrderId, TransactionId};
use ivorey_core::order::{Order, OrderStatus, PaymentMode, Transaction};
use ivorey_core::payment::Currency;
use ivorey_store::{
    OrderQuery, Page, PaymentOutcome, PaymentStore, StoreError, StoreResult, TransactionQuery,
    contains_pattern,
};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{from_db_count, get, id, ts};

const ORDER_COLUMNS: &str = "id, location_id, contact_id, currency, items, amount, amount_paid, \
                             status, created_at, updated_at";
/// The order filters; `$2`..`$6` are NULL when not given.
const ORDER_FILTER: &str = "location_id = $1 AND ($2::text IS NULL OR status = $2) \
     AND ($3::text IS NULL OR contact_id = $3) \
     AND ($4::text IS NULL OR search_text LIKE $4 ESCAPE '\\') \
     AND ($5::bigint IS NULL OR created_at >= $5) AND ($6::bigint IS NULL OR created_at < $6)";
const TXN_COLUMNS: &str =
    "id, location_id, order_id, contact_id, currency, amount, mode, details, created_at";
const TXN_FILTER: &str = "location_id = $1 AND ($2::text IS NULL OR order_id = $2) \
     AND ($3::text IS NULL OR contact_id = $3) AND ($4::text IS NULL OR mode = $4) \
     AND ($5::bigint IS NULL OR created_at >= $5) AND ($6::bigint IS NULL OR created_at < $6)";

fn currency(row: &Row) -> StoreResult<Currency> {
    Currency::parse(get(row, "currency")?).ok_or_else(|| corrupt("order currency"))
}

fn order_from_row(row: &Row) -> StoreResult<Order> {
    let items: &str = get(row, "items")?;
    Ok(Order {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        contact_id: id(row, "contact_id")?,
        currency: currency(row)?,
        items: serde_json::from_str(items).map_err(|_| corrupt("order items"))?,
        amount: get(row, "amount")?,
        amount_paid: get(row, "amount_paid")?,
        status: OrderStatus::parse(get(row, "status")?).ok_or_else(|| corrupt("order status"))?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

fn transaction_from_row(row: &Row) -> StoreResult<Transaction> {
    let details: &str = get(row, "details")?;
    Ok(Transaction {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        order_id: id(row, "order_id")?,
        contact_id: id(row, "contact_id")?,
        currency: currency(row)?,
        amount: get(row, "amount")?,
        mode: PaymentMode::parse(get(row, "mode")?).ok_or_else(|| corrupt("payment mode"))?,
        details: serde_json::from_str(details).map_err(|_| corrupt("payment details"))?,
        created_at: ts(row, "created_at")?,
    })
}

fn encode(value: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(format!("encoding: {e}")))
}

#[async_trait]
impl PaymentStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn create_order(&self, o: &Order) -> StoreResult<()> {
        let items = encode(&o.items)?;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO orders (id, location_id, contact_id, currency, items, amount, \
                 amount_paid, status, search_text, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &o.id.as_str(),
                    &o.location_id.as_str(),
                    &o.contact_id.as_str(),
                    &o.currency.code(),
                    &items,
                    &o.amount,
                    &o.amount_paid,
                    &o.status.as_str(),
                    &o.search_text(),
                    &o.created_at.millis(),
                    &o.updated_at.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn get_order(
        &self,
        location: &LocationId,
        order: &OrderId,
    ) -> StoreResult<Option<Order>> {
        let client = self.client().await?;
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1 AND location_id = $2");
        let row = client
            .query_opt(&sql, &[&order.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(order_from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn list_orders(&self, location: &LocationId, q: &OrderQuery) -> StoreResult<Page<Order>> {
        let status = q.status.map(OrderStatus::as_str);
        let contact = q.contact_id.as_ref().map(|c| c.as_str());
        let pattern = q.search.as_deref().map(contains_pattern);
        let (from, until) = (q.from.map(|t| t.millis()), q.until.map(|t| t.millis()));
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE {ORDER_FILTER} \
             ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
        );
        let loc = location.as_str();
        let rows = client
            .query(
                &sql,
                &[
                    &loc,
                    &status,
                    &contact,
                    &pattern,
                    &from,
                    &until,
                    &i64::from(q.limit),
                    &offset,
                ],
            )
            .await
            .map_err(db_err)?;
        let items = rows
            .iter()
            .map(order_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let row = client
            .query_one(
                &format!("SELECT count(*) FROM orders WHERE {ORDER_FILTER}"),
                &[&loc, &status, &contact, &pattern, &from, &until],
            )
            .await
            .map_err(db_err)?;
        Ok(Page {
            items,
            total: from_db_count(row.try_get(0).map_err(db_err)?),
        })
    }

    #[tracing::instrument(skip_all)]
    async fn record_payment(&self, p: &Transaction) -> StoreResult<PaymentOutcome> {
        let details = encode(&p.details)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1 AND location_id = $2 FOR UPDATE"
        );
        let row = tx
            .query_opt(&sql, &[&p.order_id.as_str(), &p.location_id.as_str()])
            .await
            .map_err(db_err)?;
        let Some(mut order) = row.as_ref().map(order_from_row).transpose()? else {
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
        tx.execute(
            "INSERT INTO payment_transactions (id, location_id, order_id, contact_id, currency, \
             amount, mode, details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &p.id.as_str(),
                &p.location_id.as_str(),
                &p.order_id.as_str(),
                &p.contact_id.as_str(),
                &p.currency.code(),
                &p.amount,
                &p.mode.as_str(),
                &details,
                &p.created_at.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
        tx.execute(
            "UPDATE orders SET amount_paid = $3, status = $4, updated_at = $5 \
             WHERE id = $1 AND location_id = $2",
            &[
                &order.id.as_str(),
                &order.location_id.as_str(),
                &order.amount_paid,
                &order.status.as_str(),
                &order.updated_at.millis(),
            ],
        )
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(PaymentOutcome::Recorded(order))
    }

    #[tracing::instrument(skip_all)]
    async fn get_transaction(
        &self,
        location: &LocationId,
        txn: &TransactionId,
    ) -> StoreResult<Option<Transaction>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {TXN_COLUMNS} FROM payment_transactions WHERE id = $1 AND location_id = $2"
        );
        let row = client
            .query_opt(&sql, &[&txn.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn list_transactions(
        &self,
        location: &LocationId,
        q: &TransactionQuery,
    ) -> StoreResult<Page<Transaction>> {
        let order = q.order_id.as_ref().map(|o| o.as_str());
        let contact = q.contact_id.as_ref().map(|c| c.as_str());
        let mode = q.mode.map(PaymentMode::as_str);
        let (from, until) = (q.from.map(|t| t.millis()), q.until.map(|t| t.millis()));
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let sql = format!(
            "SELECT {TXN_COLUMNS} FROM payment_transactions WHERE {TXN_FILTER} \
             ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
        );
        let loc = location.as_str();
        let rows = client
            .query(
                &sql,
                &[
                    &loc,
                    &order,
                    &contact,
                    &mode,
                    &from,
                    &until,
                    &i64::from(q.limit),
                    &offset,
                ],
            )
            .await
            .map_err(db_err)?;
        let items = rows
            .iter()
            .map(transaction_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let row = client
            .query_one(
                &format!("SELECT count(*) FROM payment_transactions WHERE {TXN_FILTER}"),
                &[&loc, &order, &contact, &mode, &from, &until],
            )
            .await
            .map_err(db_err)?;
        Ok(Page {
            items,
            total: from_db_count(row.try_get(0).map_err(db_err)?),
        })
    }
}
