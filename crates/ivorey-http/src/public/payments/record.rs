//! `POST /payments/orders/{orderId}/record-payment` (`payments/orders.collectPayment`): records
//! a manual payment (cash, card, cheque, bank transfer, other) against an order. `amount` is
//! read as the exact decimal the client wrote, in the order's currency; without it the payment
//! is everything still due. An amount above what is due is refused and nothing is written.

use axum::extract::State;
use ivorey_core::order::{PaymentDetails, PaymentMode};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::params::alt_location;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::public::Granted;
use crate::reply::{Reply, ok};
use crate::state::AppState;
use ivorey_app::payments::{self, PaymentRequest};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordPaymentBody {
    alt_id: Option<String>,
    alt_type: Option<String>,
    mode: Option<String>,
    card: Option<Card>,
    cheque: Option<Cheque>,
    notes: Option<String>,
    amount: Option<Box<RawValue>>,
    meta: Option<Map<String, Value>>,
    is_partial_payment: Option<bool>,
    /// Ivorey's addition: when sent, it must be the order's currency.
    currency: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Card {
    #[serde(rename = "type")]
    brand: CardBrand,
    last4: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
enum CardBrand {
    Visa,
    Mastercard,
    Other,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Cheque {
    number: String,
}

fn invalid(message: &str) -> ApiError {
    ApiError::Unprocessable(vec![message.into()])
}

fn details(body: &mut RecordPaymentBody) -> ApiResult<PaymentDetails> {
    let card = body.card.take();
    if let Some(c) = &card
        && (c.last4.len() != 4 || !c.last4.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid("card.last4 must be the last 4 digits of the card"));
    }
    let cheque = body.cheque.take();
    if let Some(c) = &cheque
        && (c.number.trim().is_empty() || c.number.len() > 64)
    {
        return Err(invalid("cheque.number must be 1 to 64 characters"));
    }
    let meta = body.meta.take();
    if meta
        .as_ref()
        .is_some_and(|m| json!(m).to_string().len() > 4096)
    {
        return Err(invalid("meta must be at most 4096 bytes of JSON"));
    }
    Ok(PaymentDetails {
        card: card.map(|c| json!(c)),
        cheque: cheque.map(|c| json!(c)),
        notes: body.notes.take(),
        meta,
    })
}

pub async fn record_payment(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(mut body): ApiJson<RecordPaymentBody>,
) -> ApiResult<Reply<Value>> {
    let location = alt_location(
        &granted,
        body.alt_id.as_deref(),
        body.alt_type.as_deref(),
        None,
    )?;
    let mode = match body.mode.as_deref() {
        None => return Err(invalid("mode should not be empty")),
        Some(m) => PaymentMode::parse(m).ok_or_else(|| {
            invalid("mode must be one of the following values: cash, card, cheque, bank_transfer, other")
        })?,
    };
    let details = details(&mut body)?;
    let request = PaymentRequest {
        mode,
        amount: body.amount.as_deref().map(RawValue::get),
        currency: body.currency.as_deref(),
        partial: body.is_partial_payment,
        details,
    };
    let now = state.clock.now();
    let (txn, order) =
        payments::record_payment(state.store.as_ref(), now, location, &id, request).await?;
    Ok(ok(json!({
        "success": true,
        "transactionId": txn.id.as_str(),
        "status": order.status.as_str(),
    })))
}
