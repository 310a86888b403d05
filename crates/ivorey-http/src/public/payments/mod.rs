//! HighLevel's payments API: orders (`payments/orders.readonly`), manual payments recorded
//! against them (`payments/orders.collectPayment`, `record.rs`) and transactions
//! (`payments/transactions.readonly`, `transactions.rs`).
//!
//! The location comes as `altId` with `altType=location`. The official Node SDK's `listOrders`
//! cannot send `altType`, so a missing one means `location`; any other value is refused. Lists
//! are newest first and paged by `offset`/`limit` with `totalCount`, as the contract has it.

mod params;
mod record;
mod transactions;

use axum::extract::State;
use ivorey_core::ContactId;
use ivorey_core::order::OrderStatus;
use ivorey_store::OrderQuery;
use serde::Deserialize;
use serde_json::{Value, json};

pub use record::record_payment;
pub use transactions::{TransactionParams, TransactionsParams, get_transaction, transactions};

use params::{alt_location, empty_list, id_filter, paging};

use super::Granted;
use super::forms::bound;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::reply::{Reply, ok};
use crate::state::AppState;
use ivorey_app::payments;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct OrdersParams {
    /// The location id.
    alt_id: Option<String>,
    /// `location` (the default when absent).
    alt_type: Option<String>,
    location_id: Option<String>,
    /// `pending`, `partially_paid` or `paid`.
    status: Option<String>,
    /// The same values as `status`.
    payment_status: Option<String>,
    contact_id: Option<String>,
    /// A substring of the order id or an item name.
    search: Option<String>,
    /// Created at or after: a date (YYYY-MM-DD), an RFC 3339 time or Unix milliseconds.
    start_at: Option<String>,
    /// Created before (a date includes its whole day).
    end_at: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

fn status_filter(raw: Option<&str>, field: &str) -> ApiResult<Option<OrderStatus>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => OrderStatus::parse(s).map(Some).ok_or_else(|| {
            ApiError::Unprocessable(vec![format!(
                "{field} must be one of the following values: pending, partially_paid, paid"
            )])
        }),
    }
}

pub async fn orders(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(p): ApiQuery<OrdersParams>,
) -> ApiResult<Reply<Value>> {
    let location = alt_location(
        &granted,
        p.alt_id.as_deref(),
        p.alt_type.as_deref(),
        p.location_id.as_deref(),
    )?;
    let (limit, offset) = paging(p.limit, p.offset)?;
    let status = status_filter(p.status.as_deref(), "status")?;
    let payment_status = status_filter(p.payment_status.as_deref(), "paymentStatus")?;
    if status.is_some() && payment_status.is_some() && status != payment_status {
        return Ok(empty_list());
    }
    let Ok(contact_id) = id_filter(p.contact_id.as_deref(), |s| ContactId::parse(s).ok()) else {
        return Ok(empty_list());
    };
    let query = OrderQuery {
        status: status.or(payment_status),
        contact_id,
        search: p
            .search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        from: bound(p.start_at.as_deref(), "startAt", false)?,
        until: bound(p.end_at.as_deref(), "endAt", true)?,
        offset,
        limit,
    };
    let page = state.store.list_orders(location, &query).await?;
    let data: Vec<Value> = page.items.iter().map(|o| o.to_json()).collect();
    Ok(ok(json!({ "data": data, "totalCount": page.total })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct OrderParams {
    /// The location id.
    alt_id: Option<String>,
    /// `location` (the default when absent).
    alt_type: Option<String>,
    location_id: Option<String>,
}

pub async fn order(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<OrderParams>,
) -> ApiResult<Reply<Value>> {
    let location = alt_location(
        &granted,
        p.alt_id.as_deref(),
        p.alt_type.as_deref(),
        p.location_id.as_deref(),
    )?;
    let order = payments::get_order(state.store.as_ref(), location, &id).await?;
    Ok(ok(order.to_json()))
}
