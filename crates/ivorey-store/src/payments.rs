//! Orders and their payment transactions. Recording a payment writes the transaction and the
//! order's new paid total and status in one transaction, after checking, under a lock, that the
//! payment does not take the order past its amount.

use async_trait::async_trait;
use ivorey_core::ids::{OrderId, TransactionId};
use ivorey_core::order::{Order, OrderStatus, PaymentMode, Transaction};
use ivorey_core::{ContactId, LocationId, Timestamp};

use crate::error::StoreResult;

/// An orders listing: filters (all must match), newest first, paged by offset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub contact_id: Option<ContactId>,
    /// Case-insensitive substring of the order id or an item name.
    pub search: Option<String>,
    /// Created at or after this time.
    pub from: Option<Timestamp>,
    /// Created before this time (exclusive).
    pub until: Option<Timestamp>,
    pub offset: u64,
    pub limit: u32,
}

/// A transactions listing: filters (all must match), newest first, paged by offset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactionQuery {
    pub order_id: Option<OrderId>,
    pub contact_id: Option<ContactId>,
    pub mode: Option<PaymentMode>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub offset: u64,
    pub limit: u32,
}

/// One page of a listing and how many match the filters in total.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// What recording a payment came to.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentOutcome {
    /// Stored; the order as it now stands.
    Recorded(Order),
    /// Refused, nothing written: the payment is more than the amount still due.
    Overpaid { due: i64 },
}

/// Orders and transactions. The database keeps an order's contact, and a transaction's order
/// and contact, in one location; deleting a contact deletes their orders and transactions.
#[async_trait]
pub trait PaymentStore {
    /// `NotFound` if the location or the contact (in that location) does not exist.
    async fn create_order(&self, order: &Order) -> StoreResult<()>;
    async fn get_order(&self, location: &LocationId, id: &OrderId) -> StoreResult<Option<Order>>;
    async fn list_orders(
        &self,
        location: &LocationId,
        query: &OrderQuery,
    ) -> StoreResult<Page<Order>>;
    /// Stores `payment` (its order, contact, location and currency must be the order's) and
    /// raises the order's paid total and status at `payment.created_at`, in one transaction.
    /// `NotFound` if the order is not in the location (or its contact or currency differ).
    async fn record_payment(&self, payment: &Transaction) -> StoreResult<PaymentOutcome>;
    async fn get_transaction(
        &self,
        location: &LocationId,
        id: &TransactionId,
    ) -> StoreResult<Option<Transaction>>;
    async fn list_transactions(
        &self,
        location: &LocationId,
        query: &TransactionQuery,
    ) -> StoreResult<Page<Transaction>>;
}
