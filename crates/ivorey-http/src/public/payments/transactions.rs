//! `GET /payments/transactions` and `/payments/transactions/{transactionId}`
//! (`payments/transactions.readonly`).

use axum::extract::State;
use ivorey_core::ContactId;
use ivorey_core::ids::OrderId;
use ivorey_core::order::PaymentMode;
use ivorey_store::TransactionQuery;
use serde::Deserialize;
use serde_json::{Value, json};

use super::params::{alt_location, empty_list, id_filter, paging};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::public::Granted;
use crate::public::forms::bound;
use crate::reply::{Reply, ok};
use crate::state::AppState;
use ivorey_app::payments;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct TransactionsParams {
    /// The location id.
    alt_id: Option<String>,
    /// `location` (the default when absent).
    alt_type: Option<String>,
    location_id: Option<String>,
    /// The order the payments were recorded against.
    entity_id: Option<String>,
    contact_id: Option<String>,
    /// `cash`, `card`, `cheque`, `bank_transfer` or `other`.
    payment_mode: Option<String>,
    /// Created at or after: a date (YYYY-MM-DD), an RFC 3339 time or Unix milliseconds.
    start_at: Option<String>,
    /// Created before (a date includes its whole day).
    end_at: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

pub async fn transactions(
    State(state): State<AppState>,
    granted: Granted,
    ApiQuery(p): ApiQuery<TransactionsParams>,
) -> ApiResult<Reply<Value>> {
    let location = alt_location(
        &granted,
        p.alt_id.as_deref(),
        p.alt_type.as_deref(),
        p.location_id.as_deref(),
    )?;
    let (limit, offset) = paging(p.limit, p.offset)?;
    let mode = match p.payment_mode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) => Some(PaymentMode::parse(m).ok_or_else(|| {
            ApiError::Unprocessable(vec![
                "paymentMode must be one of the following values: cash, card, cheque, \
                 bank_transfer, other"
                    .into(),
            ])
        })?),
    };
    let order = id_filter(p.entity_id.as_deref(), |s| OrderId::parse(s).ok());
    let contact = id_filter(p.contact_id.as_deref(), |s| ContactId::parse(s).ok());
    let (Ok(order_id), Ok(contact_id)) = (order, contact) else {
        return Ok(empty_list());
    };
    let query = TransactionQuery {
        order_id,
        contact_id,
        mode,
        from: bound(p.start_at.as_deref(), "startAt", false)?,
        until: bound(p.end_at.as_deref(), "endAt", true)?,
        offset,
        limit,
    };
    let page = state.store.list_transactions(location, &query).await?;
    let data: Vec<Value> = page.items.iter().map(|t| t.to_json()).collect();
    Ok(ok(json!({ "data": data, "totalCount": page.total })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct TransactionParams {
    /// The location id.
    alt_id: Option<String>,
    /// `location` (the default when absent).
    alt_type: Option<String>,
    location_id: Option<String>,
}

pub async fn get_transaction(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<TransactionParams>,
) -> ApiResult<Reply<Value>> {
    let location = alt_location(
        &granted,
        p.alt_id.as_deref(),
        p.alt_type.as_deref(),
        p.location_id.as_deref(),
    )?;
    let id = payments::transaction_id(&id)?;
    let found = state.store.get_transaction(location, &id).await?;
    let txn = found.ok_or(payments::TRANSACTION_NOT_FOUND)?;
    Ok(ok(txn.to_json()))
}
