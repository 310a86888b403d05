//! Orders (line items priced in exact minor units of one currency) and the payment
//! transactions recorded against them. An order's status follows what has been paid: pending,
//! partially paid, paid; a payment may never take the paid total past the order's amount.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{ValidationErrors, bounded_text};
use crate::ids::{OrderId, TransactionId};
use crate::payment::{AMOUNT_MAX_MINOR, Currency};
use crate::{ContactId, LocationId, Timestamp};

/// The most line items one order may have.
pub const ITEMS_MAX: usize = 100;
const ITEM_NAME_MAX: usize = 255;
const QUANTITY_MAX: u32 = 1_000_000;
const NOTES_MAX: usize = 2000;

/// Where an order's payments stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    PartiallyPaid,
    Paid,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::PartiallyPaid => "partially_paid",
            OrderStatus::Paid => "paid",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        [Self::Pending, Self::PartiallyPaid, Self::Paid]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// The status of an order of `amount` once `paid` of it is paid.
    pub fn for_paid(amount: i64, paid: i64) -> OrderStatus {
        match paid {
            0 if amount > 0 => OrderStatus::Pending,
            p if p >= amount => OrderStatus::Paid,
            _ => OrderStatus::PartiallyPaid,
        }
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    pub name: String,
    pub quantity: u32,
    /// The price of one unit, in the order currency's minor units.
    pub unit_price: i64,
}

/// A stored order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: OrderId,
    pub location_id: LocationId,
    pub contact_id: ContactId,
    pub currency: Currency,
    pub items: Vec<OrderItem>,
    /// The total of the items, in minor units.
    pub amount: i64,
    /// What the recorded transactions add up to, in minor units (never above `amount`).
    pub amount_paid: i64,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Order {
    /// Lowercased text that the listing's `search` matches: the order id and item names.
    pub fn search_text(&self) -> String {
        let names: Vec<&str> = self.items.iter().map(|i| i.name.as_str()).collect();
        format!("{} {}", self.id, names.join(" ")).to_lowercase()
    }

    pub fn amount_due(&self) -> i64 {
        self.amount - self.amount_paid
    }

    /// HighLevel's order shape (a superset of the list item and the single order).
    pub fn to_json(&self) -> Value {
        let c = self.currency;
        let items: Vec<Value> = self
            .items
            .iter()
            .map(|i| {
                json!({
                    "name": i.name,
                    "qty": i.quantity,
                    "price": { "amount": c.amount_json(i.unit_price), "currency": c.code() },
                })
            })
            .collect();
        let quantity: u64 = self.items.iter().map(|i| u64::from(i.quantity)).sum();
        json!({
            "_id": self.id.as_str(),
            "altId": self.location_id.as_str(),
            "altType": "location",
            "contactId": self.contact_id.as_str(),
            "currency": c.code(),
            "amount": c.amount_json(self.amount),
            "subtotal": c.amount_json(self.amount),
            "discount": 0,
            "amountSummary": { "subtotal": c.amount_json(self.amount), "discount": 0 },
            "amountPaid": c.amount_json(self.amount_paid),
            "amountDue": c.amount_json(self.amount_due()),
            "status": self.status.as_str(),
            "paymentStatus": self.status.as_str(),
            "liveMode": false,
            "totalProducts": quantity,
            "onetimeProducts": quantity,
            "recurringProducts": 0,
            "sourceType": "manual",
            "sourceName": "Ivorey",
            "source": { "type": "manual", "id": self.id.as_str() },
            "fulfillmentStatus": "unfulfilled",
            "items": items,
            "createdAt": self.created_at.to_rfc3339(),
            "updatedAt": self.updated_at.to_rfc3339(),
        })
    }
}

/// A line item as an admin sends it; `unitPrice` is in minor units (1999 is 19.99 USD).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderItemInput {
    pub name: Option<String>,
    pub quantity: Option<u32>,
    pub unit_price: Option<i64>,
    /// Optional; when given it must be the order's currency.
    pub currency: Option<String>,
}

/// The body that creates an order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderInput {
    pub contact_id: Option<String>,
    pub currency: Option<String>,
    #[serde(default)]
    pub items: Vec<OrderItemInput>,
}

impl OrderInput {
    /// A new unpaid order of `location`, or every problem with the input.
    pub fn into_order(
        self,
        location: &LocationId,
        now: Timestamp,
    ) -> Result<Order, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let contact_id = match self.contact_id.as_deref().map(str::trim) {
            None | Some("") => {
                e.add("contactId", "is required");
                None
            }
            Some(raw) => ContactId::parse(raw)
                .map_err(|_| e.add("contactId", "is not a contact id"))
                .ok(),
        };
        let currency = match self.currency.as_deref() {
            None => {
                e.add("currency", "is required (an ISO 4217 code such as USD)");
                None
            }
            Some(code) => {
                let parsed = Currency::parse(code);
                if parsed.is_none() {
                    e.add(
                        "currency",
                        format!("{code:?} is not an ISO 4217 currency code"),
                    );
                }
                parsed
            }
        };
        if self.items.is_empty() || self.items.len() > ITEMS_MAX {
            e.add("items", format!("must have 1 to {ITEMS_MAX} items"));
        }
        let mut items = Vec::with_capacity(self.items.len());
        let mut amount: i64 = 0;
        for input in self.items.iter().take(ITEMS_MAX) {
            let name = bounded_text(
                &mut e,
                "items.name",
                input.name.as_deref().unwrap_or(""),
                ITEM_NAME_MAX,
                true,
            );
            let quantity = input.quantity.unwrap_or(1);
            if !(1..=QUANTITY_MAX).contains(&quantity) {
                e.add(
                    "items.quantity",
                    format!("must be between 1 and {QUANTITY_MAX}"),
                );
            }
            let unit_price = input.unit_price.unwrap_or(-1);
            if !(0..=AMOUNT_MAX_MINOR).contains(&unit_price) {
                e.add(
                    "items.unitPrice",
                    format!("is required, in minor units, between 0 and {AMOUNT_MAX_MINOR}"),
                );
            }
            if let (Some(code), Some(c)) = (input.currency.as_deref(), currency)
                && Currency::parse(code) != Some(c)
            {
                e.add(
                    "items.currency",
                    format!("must be the order's currency {}", c.code()),
                );
            }
            let line = i64::from(quantity).checked_mul(unit_price.max(0));
            amount = line.and_then(|l| amount.checked_add(l)).unwrap_or(i64::MAX);
            if let Some(name) = name {
                items.push(OrderItem {
                    name,
                    quantity,
                    unit_price,
                });
            }
        }
        if amount > AMOUNT_MAX_MINOR {
            e.add(
                "items",
                format!("must total at most {AMOUNT_MAX_MINOR} minor units"),
            );
        }
        let (Some(contact_id), Some(currency)) = (contact_id, currency) else {
            return Err(e);
        };
        e.finish(Order {
            id: OrderId::generate(),
            location_id: location.clone(),
            contact_id,
            currency,
            items,
            amount,
            amount_paid: 0,
            status: OrderStatus::for_paid(amount, 0),
            created_at: now,
            updated_at: now,
        })
    }
}

/// How a manual payment was made (HighLevel's record-payment `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    Cash,
    Card,
    Cheque,
    BankTransfer,
    Other,
}

impl PaymentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMode::Cash => "cash",
            PaymentMode::Card => "card",
            PaymentMode::Cheque => "cheque",
            PaymentMode::BankTransfer => "bank_transfer",
            PaymentMode::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMode> {
        use PaymentMode::*;
        [Cash, Card, Cheque, BankTransfer, Other]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// What the payer told about the payment besides its amount: card or cheque details, a note,
/// free meta data. Kept as given (validated) and shown back on the transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cheque: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Map<String, Value>>,
}

impl PaymentDetails {
    /// Checks the note's length; card and cheque are checked by the caller's body type.
    pub fn validate(mut self) -> Result<PaymentDetails, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if let Some(notes) = self.notes.take() {
            self.notes = bounded_text(&mut e, "notes", &notes, NOTES_MAX, false);
        }
        e.finish(self)
    }
}

/// A payment recorded against an order, in the order's currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub id: TransactionId,
    pub location_id: LocationId,
    pub order_id: OrderId,
    pub contact_id: ContactId,
    pub currency: Currency,
    pub amount: i64,
    pub mode: PaymentMode,
    pub details: PaymentDetails,
    pub created_at: Timestamp,
}

impl Transaction {
    /// HighLevel's transaction shape (a superset of the list item and the single one).
    pub fn to_json(&self) -> Value {
        let c = self.currency;
        let mut method = json!({ "type": self.mode.as_str() });
        if let Some(card) = &self.details.card {
            method["card"] = card.clone();
        }
        if let Some(cheque) = &self.details.cheque {
            method["cheque"] = cheque.clone();
        }
        let at = self.created_at.to_rfc3339();
        let mut out = json!({
            "_id": self.id.as_str(),
            "altId": self.location_id.as_str(),
            "altType": "location",
            "contactId": self.contact_id.as_str(),
            "currency": c.code(),
            "amount": c.amount_json(self.amount),
            "amountRefunded": 0,
            "status": "succeeded",
            "liveMode": false,
            "entityType": "order",
            "entityId": self.order_id.as_str(),
            "entitySourceType": "manual",
            "entitySource": { "type": "manual", "id": self.order_id.as_str() },
            "paymentProviderType": "manual",
            "paymentMethod": method,
            "createdAt": at,
            "updatedAt": at,
            "fulfilledAt": at,
        });
        if let Some(notes) = &self.details.notes {
            out["notes"] = json!(notes);
        }
        if let Some(meta) = &self.details.meta {
            out["meta"] = Value::Object(meta.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(json: Value) -> Result<Order, ValidationErrors> {
        let input: OrderInput = serde_json::from_value(json).unwrap();
        input.into_order(&LocationId::generate(), Timestamp(1))
    }

    #[test]
    fn an_order_totals_its_items_exactly() {
        let o = order(
            json!({"contactId": "abcdefghij0123456789", "currency": "usd", "items": [
            {"name": " Widget ", "quantity": 3, "unitPrice": 1999},
            {"name": "Setup", "unitPrice": 5000, "currency": "USD"}]}),
        )
        .unwrap();
        assert_eq!((o.amount, o.status), (10997, OrderStatus::Pending));
        assert_eq!(o.items[0].name, "Widget");
        assert_eq!(o.to_json()["amount"].to_string(), "109.97");
        assert_eq!(o.to_json()["currency"], "USD");
    }

    #[test]
    fn bad_orders_name_each_problem() {
        let err = order(json!({"contactId": "x", "currency": "EURO", "items": [
            {"name": "", "quantity": 0, "unitPrice": -5}]}))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "contactId",
                "currency",
                "items.name",
                "items.quantity",
                "items.unitPrice"
            ]
        );
        let err = order(
            json!({"contactId": "abcdefghij0123456789", "currency": "USD",
            "items": [{"name": "A", "unitPrice": 1, "currency": "EUR"}]}),
        )
        .unwrap_err();
        assert_eq!(
            err.messages(),
            ["items.currency must be the order's currency USD"]
        );
    }

    #[test]
    fn status_follows_what_is_paid() {
        assert_eq!(OrderStatus::for_paid(100, 0), OrderStatus::Pending);
        assert_eq!(OrderStatus::for_paid(100, 40), OrderStatus::PartiallyPaid);
        assert_eq!(OrderStatus::for_paid(100, 100), OrderStatus::Paid);
        assert_eq!(OrderStatus::for_paid(0, 0), OrderStatus::Paid);
        assert_eq!(
            PaymentMode::parse("bank_transfer"),
            Some(PaymentMode::BankTransfer)
        );
    }
}
