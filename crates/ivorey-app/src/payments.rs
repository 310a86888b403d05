//! Orders (admins create them; HighLevel's API reads them) and manual payments recorded
//! against them: the amount is read exactly in the order's currency, may not exceed what is
//! still due, and is written with the order's new status in one transaction.

use ivorey_core::ids::{OrderId, TransactionId};
use ivorey_core::order::{Order, OrderInput, PaymentDetails, PaymentMode, Transaction};
use ivorey_core::payment::Currency;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{PaymentOutcome, Store, StoreError};

use crate::error::{AppError, AppResult};

pub const ORDER_NOT_FOUND: AppError = AppError::NotFound("Order not found");
pub const TRANSACTION_NOT_FOUND: AppError = AppError::NotFound("Transaction not found");

/// An order id from a path; a malformed one answers like a missing order.
pub fn order_id(raw: &str) -> AppResult<OrderId> {
    OrderId::parse(raw).map_err(|_| ORDER_NOT_FOUND)
}

pub fn transaction_id(raw: &str) -> AppResult<TransactionId> {
    TransactionId::parse(raw).map_err(|_| TRANSACTION_NOT_FOUND)
}

pub async fn create_order(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    input: OrderInput,
) -> AppResult<Order> {
    let order = input.into_order(location, now)?;
    store.create_order(&order).await.map_err(|e| match e {
        StoreError::NotFound => AppError::invalid("contactId", "is not a contact of this location"),
        other => other.into(),
    })?;
    Ok(order)
}

pub async fn get_order(store: &dyn Store, location: &LocationId, id: &str) -> AppResult<Order> {
    let id = order_id(id)?;
    store.get_order(location, &id).await?.ok_or(ORDER_NOT_FOUND)
}

/// A manual payment as the client described it; amounts are still the JSON text it sent.
#[derive(Debug, Clone)]
pub struct PaymentRequest<'a> {
    pub mode: PaymentMode,
    /// The JSON number as written; `None` pays everything still due.
    pub amount: Option<&'a str>,
    /// When given, it must be the order's currency.
    pub currency: Option<&'a str>,
    /// `Some(false)`: the client means to pay the order in full.
    pub partial: Option<bool>,
    pub details: PaymentDetails,
}

/// Records a payment against the location's order and returns the transaction and the order
/// as it now stands. An amount above what is due is refused (422) and nothing is written.
pub async fn record_payment(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    id: &str,
    request: PaymentRequest<'_>,
) -> AppResult<(Transaction, Order)> {
    let order = get_order(store, location, id).await?;
    let c = order.currency;
    if let Some(code) = request.currency
        && Currency::parse(code) != Some(c)
    {
        return Err(AppError::invalid(
            "currency",
            format!("must be the order's currency {}", c.code()),
        ));
    }
    let due = order.amount_due();
    if due == 0 {
        // Worded as before: "amount: the order ...".
        return Err(AppError::invalid(
            "amount:",
            "the order is already paid in full",
        ));
    }
    let amount = match request.amount {
        None if request.partial == Some(true) => {
            return Err(AppError::invalid(
                "amount",
                "is required for a partial payment",
            ));
        }
        None => due,
        Some(text) => c
            .parse_amount(text)
            .map_err(|why| AppError::invalid("amount", why))?,
    };
    if amount == 0 {
        return Err(AppError::invalid("amount", "must be more than 0"));
    }
    if amount < due && request.partial == Some(false) {
        return Err(AppError::invalid(
            "amount",
            format!(
                "must be the amount due ({}) unless isPartialPayment is true",
                c.format_amount(due)
            ),
        ));
    }
    let payment = Transaction {
        id: TransactionId::generate(),
        location_id: location.clone(),
        order_id: order.id.clone(),
        contact_id: order.contact_id.clone(),
        currency: c,
        amount,
        mode: request.mode,
        details: request.details.validate()?,
        created_at: now,
    };
    match store.record_payment(&payment).await {
        Ok(PaymentOutcome::Recorded(order)) => Ok((payment, order)),
        Ok(PaymentOutcome::Overpaid { due }) => Err(overpaid(c, due)),
        // Deleted (with its contact) since it was read.
        Err(StoreError::NotFound) => Err(ORDER_NOT_FOUND),
        Err(other) => Err(other.into()),
    }
}

fn overpaid(c: Currency, due: i64) -> AppError {
    AppError::invalid(
        "amount",
        format!(
            "must be at most the amount due, {} {}",
            c.format_amount(due),
            c.code()
        ),
    )
}
